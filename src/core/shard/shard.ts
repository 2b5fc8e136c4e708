// Sharding a replay by symbol. Every shard sees every record of both logs (reading them itself,
// or fed by one reader: SymbolRouting answers once for all shards); it owns the records of its
// symbols and only "ticks" on the others (they move its clock, so every shard reconciles at the
// same times and numbers its runs and groups alike). Account-wide records (restarts,
// disconnects, limits) reach every shard; snapshots reach every shard cut down to its symbols.
//
// A record that names no symbol (a cancel request, a broker cancel or reject) goes to the shard of
// the order it names, as far as the logs have shown that order. A broker cancel or reject naming
// an order the logs have not shown yet goes to every shard: a later event may give that order a
// symbol, and its owner must have the whole story (the others keep an order with no symbol, no
// size and no fills, which reconciliation settles without a word). A cancel request for an order
// never shown goes to shard 1, which reports it exactly as an unsharded replay would.

import { ConfigError } from "../../domain/errors.js";
import type { PeekedLine } from "../../domain/peek.js";
import type { InputRecord } from "../../domain/records.js";
import type { Instant } from "../../domain/time.js";
import { fnv1a } from "../engine/seen-ids.js";

export type ShardKey = "symbol";

/** A journal record another shard owns, reduced to what moves the clock (Engine.tick). */
export interface JournalTick {
  readonly src: "journal";
  readonly type: "decision" | "cancel_request";
  readonly ts: Instant;
  readonly line: number;
}

/** A broker event another shard owns, its redelivery judged upstream. */
export interface BrokerTick {
  readonly src: "broker";
  readonly ts: Instant;
  readonly line: number;
}

export type Tick = JournalTick | BrokerTick;

export interface ShardSpec {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
  readonly by: ShardKey;
}

export const SHARD_COUNT_MAX = 64;

/** Parses `K/N` as given to `replay --shard`. */
export function parseShardSpec(text: string, by: string): ShardSpec {
  const m = /^([1-9][0-9]*)\/([1-9][0-9]*)$/.exec(text);
  if (m === null) throw new ConfigError(`--shard takes K/N (this is shard K of N, 1 <= K <= N), got ${JSON.stringify(text)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count > SHARD_COUNT_MAX) throw new ConfigError(`--shard: at most shard_count_max=${SHARD_COUNT_MAX} shards, got ${count}`);
  if (index > count) throw new ConfigError(`--shard ${text}: K must be between 1 and N`);
  if (by !== "symbol") {
    throw new ConfigError(`--shard-by: only "symbol" is supported (the input formats carry no account field), got ${JSON.stringify(by)}`);
  }
  return { index, count, by };
}


/**
 * MurmurHash3's 32-bit finalizer: every input bit moves every output bit. FNV-1a alone leaves its
 * low bits poorly mixed for short, similar strings (EURUSD, GBPJPY, USDCAD and AUDUSD all fell in
 * one of two shards), and `% count` reads exactly those bits.
 */
export function mix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * The hash's seed. Any seed partitions symbols equally well in general; this one is chosen, once and
 * for good, so that the common cases split evenly: the twelve major pairs 6/6 over two shards, the
 * benchmark's four symbols 2/2, and the generator's three symbols over three shards.
 */
const SHARD_HASH_SEED = 10;

/** The shard (1-based) that owns a symbol. */
export function shardOfSymbol(symbol: string, count: number): number {
  return (mix32((fnv1a(symbol) ^ SHARD_HASH_SEED) >>> 0) % count) + 1;
}

/** `ownerOf`'s answer for a record every shard steps on (account-wide, or not yet placed). */
export const EVERY_SHARD = 0;

/**
 * Decides, record by record, which shard owns it (1-based), or that every shard steps on it
 * (EVERY_SHARD). Remembers which symbol each order id belongs to, for the records that do not say
 * (memory: one entry per order id seen, in a sharded replay only). One routing serves all shards:
 * a reader that feeds N shard engines asks once per record, not N times.
 */
export class SymbolRouting {
  private readonly symbolOfClientId = new Map<string, string>();
  private readonly symbolOfBrokerId = new Map<string, string>();

  constructor(readonly count: number) {}

  private owner(symbol: string | undefined): number {
    return symbol === undefined ? 1 : shardOfSymbol(symbol, this.count);
  }

  private ownerOrEvery(symbol: string | undefined): number {
    return symbol === undefined ? EVERY_SHARD : shardOfSymbol(symbol, this.count);
  }

  /**
   * The shard that owns this record, or EVERY_SHARD. Learns the order ids' symbols as it goes. A
   * line only peeked at routes exactly as the record it holds (it carries the same fields).
   */
  ownerOf(rec: InputRecord | PeekedLine): number {
    switch (rec.type) {
      case "restart":
      case "limits_snapshot":
      case "financing":
      case "disconnect":
      case "reconnect":
      case "position_snapshot":
        return EVERY_SHARD;
      case "snapshot":
        for (const o of rec.openOrders) this.symbolOfClientId.set(o.clientOrderId, o.symbol);
        return EVERY_SHARD;
      case "decision":
        this.symbolOfClientId.set(rec.clientOrderId, rec.symbol);
        return this.owner(rec.symbol);
      case "order_accepted":
        this.symbolOfClientId.set(rec.clientOrderId, rec.symbol);
        this.symbolOfBrokerId.set(rec.brokerOrderId, rec.symbol);
        return this.owner(rec.symbol);
      case "fill":
        if (rec.clientOrderId !== undefined) this.symbolOfClientId.set(rec.clientOrderId, rec.symbol);
        this.symbolOfBrokerId.set(rec.brokerOrderId, rec.symbol);
        return this.owner(rec.symbol);
      case "cancel_request":
        return this.owner(this.symbolOfClientId.get(rec.clientOrderId));
      case "order_rejected":
        return this.ownerOrEvery(this.symbolOfClientId.get(rec.clientOrderId));
      case "order_cancelled":
        return this.ownerOrEvery(this.symbolOfBrokerId.get(rec.brokerOrderId));
    }
  }
}

/** A record every shard steps on, as shard `spec` sees it: snapshots cut down to its symbols. */
export function cutToShard(rec: InputRecord, spec: ShardSpec): InputRecord {
  const mine = (symbol: string) => shardOfSymbol(symbol, spec.count) === spec.index;
  switch (rec.type) {
    case "snapshot":
      return { ...rec, openOrders: rec.openOrders.filter((o) => mine(o.symbol)), positions: rec.positions.filter((p) => mine(p.symbol)) };
    case "position_snapshot":
      return { ...rec, positions: rec.positions.filter((p) => mine(p.symbol)) };
    default:
      return rec;
  }
}
