// Rules about the engine's own open orders: stale or in flight, and TTL expiry. Pure.

/**
 * An open engine order the broker has no record of is stale once it is older than the in-flight
 * grace (strictly: at exactly the grace it is still in flight). An order known only from a snapshot
 * or the cache has no send time: no grace is left for it.
 */
export function unseenOrderState(sentAtMs: number | undefined, atMs: number, inFlightGraceMs: number): "stale" | "in_flight" {
  const age = sentAtMs === undefined ? Infinity : atMs - sentAtMs;
  return age > inFlightGraceMs ? "stale" : "in_flight";
}

/** An open order is past its idempotency TTL from the instant the TTL ends (inclusive). */
export function ttlExpired(ttlUtcMs: number | undefined, atMs: number): boolean {
  return ttlUtcMs !== undefined && atMs >= ttlUtcMs;
}
