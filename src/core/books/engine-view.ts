// The engine's view: what the engine knows. The orders it sent (or holds from a snapshot or its
// cache), their links to broker order ids, its net positions, the order-id cache, and which broker
// fills and cancels it has taken in. It sees nothing while disconnected or restarting; a restart
// wipes it all but the cache. It changes only through the commands below; lookups never do.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { Side } from "../../domain/records.js";
import type { Instant } from "../../domain/time.js";
import type { BrokerFill, BrokerOrder } from "./broker-book.js";
import { type CacheEntry, OrderIdCache } from "./cache.js";
import { type LineTrail, SymbolTrails } from "./evidence.js";
import { applyFill, FLAT, type Position, type CacheStatus, type EngineStatus, isOpen } from "../rules/index.js";


export interface EngineOrder {
  readonly clientOrderId: string;
  readonly decisionId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly refPrice: Dec | undefined;
  readonly limitPrice: Dec | undefined;
  /** When this engine sent it; undefined for orders known only from a snapshot or the cache. */
  readonly sentAt: Instant | undefined;
  /** Event time (ms) at which its id stops being reserved. */
  readonly ttlUtcMs: number | undefined;
  readonly status: EngineStatus;
  readonly brokerOrderId: string | undefined;
  /** Journal lines about it (numbers: a finding names them "journal:LINE"). */
  readonly evidence: readonly number[];
}

type OrderRecord = { -readonly [K in keyof EngineOrder]: EngineOrder[K] } & { evidence: number[] };

/** How a broker event names an order: by client id when it carries one, and by broker id. */
export interface OrderRef {
  readonly clientOrderId: string | undefined;
  readonly brokerOrderId: string | undefined;
}

/** The one builder of engine orders: everything not given is "nothing known yet". */
export function newEngineOrder(o: Pick<EngineOrder, "clientOrderId" | "symbol" | "side" | "qty"> & Partial<EngineOrder>): EngineOrder {
  // Field by field rather than a spread: this runs once per decision, on the hot path.
  return {
    clientOrderId: o.clientOrderId, decisionId: o.decisionId, symbol: o.symbol, side: o.side, qty: o.qty,
    filledQty: o.filledQty ?? D.ZERO, refPrice: o.refPrice, limitPrice: o.limitPrice, sentAt: o.sentAt, ttlUtcMs: o.ttlUtcMs,
    status: o.status ?? "sent", brokerOrderId: o.brokerOrderId, evidence: o.evidence === undefined ? [] : [...o.evidence],
  };
}

/** The engine order a cache entry stands for, after a restart forgot it (status from the cache). */
export function orderFromCache(c: CacheEntry): EngineOrder {
  const status: EngineStatus = c.status === "sent" ? "sent"
    : c.status === "pending_fill" ? (D.isZero(c.filledQty) ? "accepted" : "partially_filled")
    : "closed";
  return newEngineOrder({
    clientOrderId: c.clientOrderId, decisionId: c.decisionId, symbol: c.symbol, side: c.side, qty: c.size,
    filledQty: c.filledQty, refPrice: c.refPrice, ttlUtcMs: c.ttlUtcMs, status,
  });
}

export class EngineView {
  private orderById = new Map<string, OrderRecord>();
  /** Broker order id -> client order id, for broker events that name only the broker's id. */
  private brokerIds = new Map<string, string>();
  private positionBySymbol = new Map<string, Position>();
  readonly cache: OrderIdCache;
  /** Broker fills reflected in the view (this engine run). */
  private readonly knownFills = new Set<BrokerFill>();
  /** Broker orders whose cancel or reject the view reflects (this engine run). */
  private readonly terminalsSeen = new Set<BrokerOrder>();
  /** What the positions rest on: the journal snapshot this run started from, and the fills taken since. */
  private snapshotLine: number | undefined;
  private trails = new SymbolTrails();

  constructor(cacheEntries: readonly CacheEntry[], cacheEntriesMax: number, queueCacheChanges = true) {
    this.cache = new OrderIdCache(cacheEntries, cacheEntriesMax, queueCacheChanges);
  }

  // ------------------------------------------------------------ lookups (no side effects)

  order(clientOrderId: string): EngineOrder | undefined {
    return this.orderById.get(clientOrderId);
  }

  orders(): IterableIterator<EngineOrder> {
    return this.orderById.values();
  }

  /**
   * The single answer to "which engine order is this": by the client order id the broker names,
   * else by the broker order id the engine has linked. Never guesses, never creates.
   */
  resolve(ref: OrderRef): EngineOrder | undefined {
    if (ref.clientOrderId !== undefined) return this.orderById.get(ref.clientOrderId);
    if (ref.brokerOrderId === undefined) return undefined;
    const coid = this.brokerIds.get(ref.brokerOrderId);
    return coid === undefined ? undefined : this.orderById.get(coid);
  }

  /** The cache entry for an id this engine run holds no order for (a restart forgot it), if any. */
  forgottenInCache(clientOrderId: string): CacheEntry | undefined {
    return this.orderById.has(clientOrderId) ? undefined : this.cache.get(clientOrderId);
  }

  position(symbol: string): Position {
    return this.positionBySymbol.get(symbol) ?? FLAT;
  }

  positions(): ReadonlyMap<string, Position> {
    return this.positionBySymbol;
  }

  /** The lines the engine's position in a symbol rests on: its snapshot's journal line, the fills taken. */
  positionTrail(symbol: string): { readonly snapshotLine: number | undefined; readonly fills: LineTrail | undefined } {
    return { snapshotLine: this.snapshotLine, fills: this.trails.of(symbol) };
  }

  knows(fill: BrokerFill): boolean {
    return this.knownFills.has(fill);
  }

  sawTerminal(b: BrokerOrder): boolean {
    return this.terminalsSeen.has(b);
  }

  // ------------------------------------------------------------ commands

  /** A (re)start: the engine forgets everything but the cache, which drops expired ids. */
  restart(nowMs: number): void {
    this.orderById = new Map();
    this.brokerIds = new Map();
    this.positionBySymbol = new Map();
    this.snapshotLine = undefined;
    this.trails = new SymbolTrails();
    this.cache.purgeExpired(nowMs);
  }

  /** Holds an order (sent now, from a snapshot, or re-linked from the cache), built by newEngineOrder. */
  hold(order: EngineOrder): void {
    this.orderById.set(order.clientOrderId, order as OrderRecord);
  }

  /** The journal snapshot the positions now rest on. */
  startFromSnapshot(line: number): void {
    this.snapshotLine = line;
  }

  /** The engine's positions as its snapshot states them. */
  setPosition(symbol: string, pos: Position): void {
    if (D.isZero(pos.qty)) this.positionBySymbol.delete(symbol);
    else this.positionBySymbol.set(symbol, pos);
  }

  /** A journal line about the order (a cancel request) joins its evidence. */
  addEvidence(e: EngineOrder, line: number): void {
    this.record(e).evidence.push(line);
  }

  setStatus(e: EngineOrder, status: EngineStatus): void {
    this.record(e).status = status;
  }

  /**
   * Ties the engine's order to the broker's id: the first time the broker names it, and again when a
   * replacement of the order it is tied to takes its place (the engine follows its order).
   */
  link(e: EngineOrder, b: BrokerOrder): void {
    if (b.brokerOrderId === undefined || b.conflict !== undefined) return;
    const follows = b.replaces !== undefined && e.brokerOrderId === b.replaces;
    if (e.brokerOrderId !== undefined && !follows) return;
    this.record(e).brokerOrderId = b.brokerOrderId;
    this.brokerIds.set(b.brokerOrderId, e.clientOrderId);
  }

  /** Moves the order's cache entry (an id the engine never sent has none and stays absent). */
  updateCache(e: EngineOrder, status: CacheStatus): void {
    this.cache.update(e.clientOrderId, status, e.filledQty);
  }

  /** Takes a broker fill into the view: the order's filled quantity and the engine's position. */
  takeFill(e: EngineOrder, fill: BrokerFill): void {
    if (this.knownFills.has(fill)) throw new Error("invariant: a fill is taken into the engine's view at most once per engine run");
    this.knownFills.add(fill);
    const order = this.record(e);
    order.filledQty = D.add(order.filledQty, fill.ev.qty);
    this.setPosition(order.symbol, applyFill(this.position(order.symbol), fill.ev.side, fill.change.qty, fill.change.price).pos);
    this.trails.add(order.symbol, fill.ev.line);
  }

  markTerminalSeen(b: BrokerOrder): void {
    this.terminalsSeen.add(b);
  }

  /**
   * After a (re)start the engine knows an order's fills only as far as its snapshot (or, for orders
   * missing from the snapshot, its cache entry) says. The cache is written through on every fill,
   * so an entry still at `sent` proves the previous run never processed that fill.
   */
  relearn(brokerOrders: Iterable<BrokerOrder>): void {
    for (const b of brokerOrders) {
      const coid = b.clientOrderId;
      const known = coid === undefined ? undefined : (this.orderById.get(coid)?.filledQty ?? this.cache.get(coid)?.filledQty);
      let cum = D.ZERO;
      for (const f of b.fills) {
        cum = D.add(cum, f.ev.qty);
        if (known !== undefined && cum <= known) this.knownFills.add(f);
        else this.knownFills.delete(f);
      }
      this.terminalsSeen.delete(b);
    }
  }

  /** The engine forgets finished orders (the cache remembers their ids). */
  pruneFinished(): void {
    for (const [coid, e] of this.orderById) {
      if (isOpen(e.status)) continue;
      this.orderById.delete(coid);
      if (e.brokerOrderId !== undefined) this.brokerIds.delete(e.brokerOrderId);
    }
  }

  /** A broker order the book forgets: the view forgets what it knew of it too. */
  forgetBrokerOrder(b: BrokerOrder): void {
    for (const f of b.fills) {
      this.knownFills.delete(f);
    }
    this.terminalsSeen.delete(b);
  }

  private record(e: EngineOrder): OrderRecord {
    const r = this.orderById.get(e.clientOrderId);
    if (r !== e) throw new Error(`invariant: the view holds the order it is asked to change (${e.clientOrderId})`);
    return r;
  }
}
