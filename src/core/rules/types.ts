// The shapes the rules read, and the small rules about them. They live here, beside the rules, so
// that a rule takes values and never imports a stateful module: the books (broker-book.ts,
// engine-view.ts) and the cache hold records of these shapes and import them from here.

/** What the engine knows of one of its orders. "unknown": held open for Ops (a stale order). */
export type EngineStatus = "sent" | "accepted" | "partially_filled" | "filled" | "cancelled" | "rejected" | "closed" | "unknown";

const OPEN_STATUSES: ReadonlySet<EngineStatus> = new Set(["sent", "accepted", "partially_filled", "unknown"]);

/** Sent or part-filled as far as the engine knows (and "unknown": held open for Ops). */
export function isOpen(status: EngineStatus): boolean {
  return OPEN_STATUSES.has(status);
}

/** An order-id cache entry's status: sent, accepted or part-filled (pending_fill), or finished. */
export type CacheStatus = "sent" | "pending_fill" | "closed";

/** "replaced": cancelled because a replacement (same client order id) took its place; not an end. */
export type BrokerOrderStatus = "live" | "filled" | "cancelled" | "rejected" | "replaced";

/** What the rules read of a broker order: its status, its stated size, its fills. */
export interface BrokerOrderFacts<F> {
  readonly status: BrokerOrderStatus;
  /** Its size, once an acceptance states it. */
  readonly qty: unknown;
  readonly fills: readonly F[];
}

/**
 * The broker has shown an order accepted and not yet finished. An order known only from its fills
 * (no accept in the log) has no known size, so the log cannot say it is still working: it is
 * settled once its fills are accounted for, and re-opened by any later event about it.
 */
export function provenLive(b: Pick<BrokerOrderFacts<unknown>, "status" | "qty">): boolean {
  return b.status === "live" && b.qty !== undefined;
}
