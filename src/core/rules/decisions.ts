// Whether a decision is sent (docs/reference/rules.md, "Kill switch" and "The order-id cache"). Pure.

import { type CacheStatus, type EngineStatus, isOpen } from "./types.js";

export type DecisionVerdict =
  | { readonly kind: "blocked"; readonly reason: "kill_switch" }
  | { readonly kind: "duplicate"; readonly reason: string }
  | { readonly kind: "send" };

const BLOCKED: DecisionVerdict = { kind: "blocked", reason: "kill_switch" };
const SEND: DecisionVerdict = { kind: "send" };
const OPEN_ORDER: DecisionVerdict = { kind: "duplicate", reason: "open_order" };
const BY_CACHE_STATUS = {
  sent: { kind: "duplicate", reason: "cache_sent" },
  pending_fill: { kind: "duplicate", reason: "cache_pending_fill" },
  closed: { kind: "duplicate", reason: "cache_closed" },
} as const satisfies Record<CacheStatus, DecisionVerdict>;

/**
 * Blocked while the kill switch is engaged. A duplicate when the cache holds the id within its TTL
 * (any status: an order the broker filled is never re-sent) or the engine still holds it open.
 * Otherwise sent.
 */
export function judgeDecision(killEngaged: boolean, liveCacheEntry: { readonly status: CacheStatus } | undefined, heldStatus: EngineStatus | undefined): DecisionVerdict {
  if (killEngaged) return BLOCKED;
  if (liveCacheEntry !== undefined) return BY_CACHE_STATUS[liveCacheEntry.status];
  if (heldStatus !== undefined && isOpen(heldStatus)) return OPEN_ORDER;
  return SEND;
}
