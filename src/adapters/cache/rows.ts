// The cache's rows as SQLite holds them: an entry as its columns, a change (put or purge) as one
// JSON line, the CRC of a logged change and the checksum of a set of entries, and the changes of one
// batch of input records folded to one line per entry.

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { CacheEntry, CacheOp, CacheStatus } from "../../core/books/cache.js";
import * as D from "../../domain/decimal.js";
import type { Side } from "../../domain/records.js";

/** The changes a logged row holds, one JSON text each (JSON.stringify never writes a raw newline). */
export const changesOf = (body: string): string[] => body.split("\n");

export interface EntryRow {
  client_order_id: string; decision_id: string; symbol: string; side: string; size: string;
  ref_price: string; filled_qty: string; ttl_utc_ms: number; status: string;
}

export interface OpRow { seq: number; idx: number; body: string; crc: string }

export function entryToRow(e: CacheEntry): EntryRow {
  return {
    client_order_id: e.clientOrderId, decision_id: e.decisionId, symbol: e.symbol, side: e.side,
    size: D.toPlain(e.size), ref_price: D.toPlain(e.refPrice), filled_qty: D.toPlain(e.filledQty),
    ttl_utc_ms: e.ttlUtcMs, status: e.status,
  };
}

function decOrFail(text: string, what: string): D.Dec {
  const d = D.parseDec(text);
  if (d === undefined) throw new Error(`${what} is not a decimal: ${text}`);
  return d;
}

export function entryFromRow(r: EntryRow): CacheEntry {
  if (r.side !== "buy" && r.side !== "sell") throw new Error(`entry ${r.client_order_id}: bad side ${r.side}`);
  if (r.status !== "sent" && r.status !== "pending_fill" && r.status !== "closed") {
    throw new Error(`entry ${r.client_order_id}: bad status ${r.status}`);
  }
  return {
    clientOrderId: r.client_order_id, decisionId: r.decision_id, symbol: r.symbol, side: r.side as Side,
    size: decOrFail(r.size, "size"), refPrice: decOrFail(r.ref_price, "ref_price"),
    filledQty: decOrFail(r.filled_qty, "filled_qty"), ttlUtcMs: r.ttl_utc_ms, status: r.status as CacheStatus,
  };
}

export function opBody(op: CacheOp): string {
  return op.op === "put" ? JSON.stringify({ op: "put", entry: entryToRow(op.entry) })
    : JSON.stringify({ op: "purge", client_order_ids: op.clientOrderIds });
}

/** CRC-32 of a change and its position: catches a torn or edited row (cheap enough to run per change). */
export function opCrc(runKey: string, seq: number, idx: number, body: string): string {
  // The CRC of `runKey|seq|idx|body`, continued over the body rather than computed over one
  // concatenated string (which would copy every body once more).
  return crc32(body, crc32(`${runKey}|${seq}|${idx}|`)).toString(16).padStart(8, "0");
}

export function entriesChecksum(entries: readonly EntryRow[]): string {
  const h = createHash("sha256");
  for (const e of [...entries].sort((a, b) => (a.client_order_id < b.client_order_id ? -1 : 1))) {
    h.update([e.client_order_id, e.decision_id, e.symbol, e.side, e.size, e.ref_price, e.filled_qty, e.ttl_utc_ms, e.status].join("\t") + "\n");
  }
  return h.digest("hex");
}

/**
 * The changes of one batch of input records, one per entry: an entry changed several times in a
 * batch (sent, accepted, filled) is written once, as it ended; entries the batch purged are one
 * purge change first. Folding these gives the same entries as folding every change in order.
 */
export class BatchChanges {
  private readonly puts = new Map<string, CacheEntry>();
  private readonly purged = new Set<string>();

  add(ops: readonly CacheOp[]): void {
    for (const op of ops) {
      if (op.op === "put") {
        this.purged.delete(op.entry.clientOrderId);
        this.puts.set(op.entry.clientOrderId, op.entry);
      } else {
        for (const id of op.clientOrderIds) {
          this.puts.delete(id);
          this.purged.add(id);
        }
      }
    }
  }

  /** The batch's changes, in a deterministic order (purges by id, then puts in the order first changed). */
  bodies(): string[] {
    const rows: CacheOp[] = [];
    if (this.purged.size > 0) rows.push({ op: "purge", clientOrderIds: [...this.purged].sort() });
    for (const entry of this.puts.values()) rows.push({ op: "put", entry });
    return rows.map(opBody);
  }
}
