// The order-id cache: the engine's memory of which client order ids it has sent, the one piece of engine
// state that survives a restart (docs/reference/rules.md, "The order-id cache"). The logic lives here, in
// memory and pure; every change is also queued as a CacheOp so that the shell can write it through to SQLite.

import type { Dec } from "../../domain/decimal.js";
import { DataError } from "../../domain/errors.js";
import type { Side } from "../../domain/records.js";

import type { CacheStatus } from "../rules/index.js";

export type { CacheStatus };

export interface CacheEntry {
  readonly clientOrderId: string;
  readonly decisionId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly size: Dec;
  readonly refPrice: Dec;
  /** Units the engine had recorded as filled when it last wrote the entry. */
  readonly filledQty: Dec;
  /** Event time (ms since epoch) after which the id may be used again. */
  readonly ttlUtcMs: number;
  readonly status: CacheStatus;
}

export type CacheOp =
  | { readonly op: "put"; readonly entry: CacheEntry }
  | { readonly op: "purge"; readonly clientOrderIds: readonly string[] };

const NO_OPS: readonly CacheOp[] = Object.freeze([]);

const byClientOrderId = (a: CacheEntry, b: CacheEntry): number =>
  (a.clientOrderId < b.clientOrderId ? -1 : a.clientOrderId > b.clientOrderId ? 1 : 0);

export class OrderIdCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Ids of entries not yet closed: a restart looks at these, not at the whole cache. */
  private readonly openIds = new Set<string>();
  /** Every entry's expiry, soonest first, so a restart's purge visits only what expired. */
  private readonly expiries = new ExpiryHeap();
  private pending: CacheOp[] = [];
  entriesWritten = 0;
  entriesPurged = 0;
  /** The most entries held at once (sharding checks the shards' sum against cache_entries_max). */
  peakSize = 0;

  /**
   * `queueChanges` false: no store follows this cache (a replay without --cache), so its changes are
   * not queued for one.
   */
  constructor(initial: readonly CacheEntry[], private readonly entriesMax: number, private readonly queueChanges = true) {
    for (const e of initial) this.remember(e);
  }

  get size(): number {
    return this.entries.size;
  }

  get(clientOrderId: string): CacheEntry | undefined {
    return this.entries.get(clientOrderId);
  }

  /** The entry if it still reserves its id at `nowMs`. */
  live(clientOrderId: string, nowMs: number): CacheEntry | undefined {
    const e = this.entries.get(clientOrderId);
    return e !== undefined && e.ttlUtcMs > nowMs ? e : undefined;
  }

  /** Every entry, in id order: the cache as a replay leaves it. */
  allEntries(): CacheEntry[] {
    return [...this.entries.values()].sort(byClientOrderId);
  }

  /** Entries the engine still counts as working (sent or part-filled), in id order. */
  openEntries(): CacheEntry[] {
    return [...this.openIds].map((id) => this.entries.get(id)!).sort(byClientOrderId);
  }

  /**
   * Records an order sent at `nowMs`. The cache_entries_max limit counts live entries: at the limit,
   * entries already past their TTL leave first. `line` only serves the error if the limit is hit.
   */
  recordSent(entry: CacheEntry, nowMs: number, line: number): void {
    if (!this.entries.has(entry.clientOrderId) && this.entries.size >= this.entriesMax) this.purgeExpired(nowMs);
    if (!this.entries.has(entry.clientOrderId) && this.entries.size >= this.entriesMax) {
      throw new DataError("journal", line, "client_order_id",
        `at most cache_entries_max=${this.entriesMax} live order ids (raise it in the config)`);
    }
    this.entriesWritten += 1;
    this.write(entry);
  }

  /** Moves an existing entry forward; an id the engine never sent has no entry and stays absent. */
  update(clientOrderId: string, status: CacheStatus, filledQty: Dec): void {
    const e = this.entries.get(clientOrderId);
    if (e === undefined) return;
    if (e.status === status && e.filledQty === filledQty) return;
    // Closed is final: a late report never reopens an id the engine has finished with.
    if (e.status === "closed" && status !== "closed") return;
    // Spelled out, not spread: twice per order (accepted, filled), on the hot path.
    this.write({
      clientOrderId: e.clientOrderId, decisionId: e.decisionId, symbol: e.symbol, side: e.side, size: e.size,
      refPrice: e.refPrice, filledQty, ttlUtcMs: e.ttlUtcMs, status,
    });
  }

  /**
   * Drops entries whose TTL has passed (queued as a purge, so a store follows); runs at every
   * (re)start and after every reconcile run, so memory holds live entries, not every id ever sent.
   * Returns how many went.
   */
  purgeExpired(nowMs: number): number {
    const expired: string[] = [];
    for (let top = this.expiries.peek(); top !== undefined && top.ttlUtcMs <= nowMs; top = this.expiries.peek()) {
      this.expiries.pop();
      // An id re-sent after it expired has a newer expiry: only a heap item that matches counts.
      if (this.entries.get(top.clientOrderId)?.ttlUtcMs === top.ttlUtcMs) expired.push(top.clientOrderId);
    }
    expired.sort();
    for (const id of expired) {
      this.entries.delete(id);
      this.openIds.delete(id);
    }
    if (expired.length > 0 && this.queueChanges) this.pending.push({ op: "purge", clientOrderIds: expired });
    this.entriesPurged += expired.length;
    return expired.length;
  }

  /** Hands the queued writes to the shell (write-through after every replay step). */
  drainOps(): readonly CacheOp[] {
    if (this.pending.length === 0) return NO_OPS; // most steps change nothing: no new array for them
    const ops = this.pending;
    this.pending = [];
    return ops;
  }

  private write(entry: CacheEntry): void {
    this.remember(entry);
    if (this.queueChanges) this.pending.push({ op: "put", entry });
  }

  private remember(entry: CacheEntry): void {
    const before = this.entries.get(entry.clientOrderId);
    if (before?.ttlUtcMs !== entry.ttlUtcMs) this.expiries.push({ ttlUtcMs: entry.ttlUtcMs, clientOrderId: entry.clientOrderId });
    this.entries.set(entry.clientOrderId, entry);
    if (this.entries.size > this.peakSize) this.peakSize = this.entries.size;
    if (entry.status === "closed") this.openIds.delete(entry.clientOrderId);
    else this.openIds.add(entry.clientOrderId);
  }
}

interface Expiry {
  readonly ttlUtcMs: number;
  readonly clientOrderId: string;
}

/** A binary min-heap of expiries (ties: by id, so the order never depends on insertion). */
class ExpiryHeap {
  private readonly items: Expiry[] = [];

  private static less(a: Expiry, b: Expiry): boolean {
    return a.ttlUtcMs < b.ttlUtcMs || (a.ttlUtcMs === b.ttlUtcMs && a.clientOrderId < b.clientOrderId);
  }

  peek(): Expiry | undefined {
    return this.items[0];
  }

  push(item: Expiry): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!ExpiryHeap.less(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Expiry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && ExpiryHeap.less(a[l]!, a[m]!)) m = l;
      if (r < a.length && ExpiryHeap.less(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }
}
