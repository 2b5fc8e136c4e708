// The engine's own open orders against the broker's record: an order the broker has not shown is in
// flight within its grace, then stale (held as unknown, never assumed cancelled or filled); an open
// order past its idempotency TTL gets a staged cancel. Planned from the books (after the order sync
// took in what the broker showed), then applied in the engine's order.

import { assert } from "../../domain/errors.js";
import type { ReconcileTrigger } from "../../domain/report.js";
import type { Instant } from "../../domain/time.js";
import { brokerHasRecordOf, type EngineCore, report } from "../engine/context.js";
import type { EngineOrder } from "../books/engine-view.js";
import * as F from "../output/findings.js";
import { isOpen, ttlExpired, unseenOrderState } from "../rules/index.js";

export interface LocalOrderCheck {
  readonly e: EngineOrder;
  /** How the broker's silence about it reads: null when the broker has a record of it. */
  readonly unseen: "stale" | "in_flight" | null;
  /** Stale and not reported yet for this order (a restart's new instance is reported anew). */
  readonly newStale: boolean;
  readonly ttlCancel: boolean;
}

export interface LocalOrdersCounts {
  readonly stale: number;
  readonly inFlight: number;
  readonly staleCancelled: number;
  readonly newDivergence: boolean;
}

export function planLocalOrders(core: EngineCore, at: Instant): LocalOrderCheck[] {
  const out: LocalOrderCheck[] = [];
  for (const e of core.view.orders()) {
    if (!isOpen(e.status)) continue;
    const unseen = brokerHasRecordOf(core, e) ? null : unseenOrderState(e.sentAt?.ms, at.ms, core.config.inFlightGraceMs);
    const ttlCancel = !core.reported.ttlCancels.has(e) && ttlExpired(e.ttlUtcMs, at.ms);
    if (unseen === null && !ttlCancel) continue;
    out.push({ e, unseen, newStale: unseen === "stale" && !core.reported.staleOrders.has(e), ttlCancel });
  }
  return out;
}

export function applyLocalOrders(core: EngineCore, checks: readonly LocalOrderCheck[], trigger: ReconcileTrigger, id: string, at: Instant): LocalOrdersCounts {
  const findingsBefore = core.out.findingsInGroup;
  for (const check of checks) {
    const { e } = check;
    if (check.unseen === "stale") markStale(core, check, id, at);
    else if (check.unseen === "in_flight" && trigger === "end") report(core, F.inFlightOrder(e, at, id));
    if (check.ttlCancel) stageTtlCancel(core, e, id, at);
  }
  const count = (f: (c: LocalOrderCheck) => boolean): number => checks.filter(f).length;
  // The run's findings are its plan's: one per new stale order, staged cancel, and (at the end) order in flight.
  const planned = count((c) => c.newStale) + count((c) => c.ttlCancel) + (trigger === "end" ? count((c) => c.unseen === "in_flight") : 0);
  assert(core.out.findingsInGroup - findingsBefore === planned, "local-order findings match the plan");
  return {
    stale: count((c) => c.unseen === "stale"), inFlight: count((c) => c.unseen === "in_flight"), staleCancelled: count((c) => c.ttlCancel),
    newDivergence: checks.some((c) => c.newStale),
  };
}

function markStale(core: EngineCore, check: LocalOrderCheck, id: string, at: Instant): void {
  const { e } = check;
  core.view.setStatus(e, "unknown"); // held for Ops: never assumed cancelled or filled
  if (!check.newStale) return;
  core.reported.staleOrders.add(e);
  core.reported.staleDistinct.add(e.clientOrderId);
  report(core, F.staleLocalOrder(e, at, id));
}

function stageTtlCancel(core: EngineCore, e: EngineOrder, id: string, at: Instant): void {
  core.reported.ttlCancels.add(e);
  core.totals.staleCancelled += 1;
  core.out.action(F.stagedAction({
    action: "cancel_order", at, reconcileId: id, symbol: e.symbol, clientOrderId: e.clientOrderId, brokerOrderId: e.brokerOrderId ?? null,
    side: null, qty: null, reason: "stale_order_cancelled: open past its idempotency TTL",
  }));
  report(core, F.staleOrderCancelled(e, e.ttlUtcMs!, at, id));
}
