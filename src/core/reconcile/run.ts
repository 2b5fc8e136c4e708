// One reconciliation run (docs/reference/rules.md, "Reconciliation"): compare the engine's view
// with the broker's book, correct the view from evidence (missed fills, cancels, rejects), report
// the rest, and close the run's group. Each step is a plan made from the books as they stand
// (lookups only: rules decide) and then applied; a later step plans from what the earlier one
// applied (drift is what remains after the caught fills). The run's counts follow from the plans.
//
//   sync-orders.ts   broker orders with news: missed acceptances, fills, cancels, rejects; orphans
//   local-orders.ts  the engine's open orders: stale, in flight, past their TTL
//   positions.ts     drift per symbol
//   limits.ts        the broker's limits, symbol caps, the daily loss cap
//   (after a restart) the recovery policy's staged actions

import * as D from "../../domain/decimal.js";
import type { ReconcileRun, ReconcileTrigger } from "../../domain/report.js";
import type { Instant } from "../../domain/time.js";
import { type EngineCore, engageKill } from "../engine/context.js";
import * as F from "../output/findings.js";
import { recoveryActions } from "../rules/index.js";
import { applyLimits, planLimits } from "./limits.js";
import { applyLocalOrders, planLocalOrders } from "./local-orders.js";
import { applyPositions, planPositions } from "./positions.js";
import { applyOrderSync, planOrderSync } from "./sync-orders.js";

/** One run at `at`. `connected` false: the broker is unreachable, the run fails and the kill switch engages. */
export function reconcile(core: EngineCore, trigger: ReconcileTrigger, at: Instant, durationMs: number, connected: boolean): void {
  const id = core.totals.nextRunId();
  if (!connected) {
    failRun(core, trigger, at, durationMs, id);
    return;
  }
  const sync = applyOrderSync(core, planOrderSync(core), id, at);
  const local = applyLocalOrders(core, planLocalOrders(core, at), trigger, id, at);
  const positions = applyPositions(core, planPositions(core), id, at);
  applyLimits(core, planLimits(core, at), id, at);
  if (trigger === "restart") stageRecovery(core, id, at);
  core.view.pruneFinished();
  const run: ReconcileRun = {
    reconcileId: id, ts: at.text, trigger, status: "ok", failure: null, durationMs,
    counts: {
      staleLocalOrders: local.stale, orphanBrokerOrders: sync.orphans, driftingSymbols: positions.drifting, fillsCaught: sync.fillsCaught,
      staleOrdersCancelled: local.staleCancelled, inFlightOrders: local.inFlight, ambiguousMatches: sync.ambiguous,
    },
    maxDriftPips: positions.maxDriftPips, maxDriftUnits: positions.maxDriftUnits,
  };
  closeRun(core, run, sync.newDivergence || local.newDivergence || positions.newDivergence);
}

/** The broker could not be reached when the run was due: the run fails, and startup never fails open. */
function failRun(core: EngineCore, trigger: ReconcileTrigger, at: Instant, durationMs: number, id: string): void {
  core.totals.reconcileFailures += 1;
  core.out.alert(F.reconcileFailed(trigger, core.totals.reconcileFailures, at, id));
  engageKill(core, "broker_unreachable", at);
  const none = { staleLocalOrders: 0, orphanBrokerOrders: 0, driftingSymbols: 0, fillsCaught: 0, staleOrdersCancelled: 0, inFlightOrders: 0, ambiguousMatches: 0 };
  closeRun(core, {
    reconcileId: id, ts: at.text, trigger, status: "failed", failure: "broker_unreachable", durationMs, counts: none,
    maxDriftPips: D.ZERO, maxDriftUnits: D.ZERO,
  }, false);
}

/** Closes the run's group; a new divergence in it raises ALERT_RECONCILE_DIVERGENCE (see emit.ts). */
function closeRun(core: EngineCore, run: ReconcileRun, divergence: boolean): void {
  core.totals.runs += 1;
  core.out.flush({ run, divergence });
}

/** Recovery policy for positions open after a restart: staged, never executed. */
function stageRecovery(core: EngineCore, id: string, at: Instant): void {
  const policy = { policy: core.config.openPositionsPolicy, lossThreshold: core.config.emergencyExitLossThreshold };
  for (const a of recoveryActions(policy, core.book.positions(), (s) => core.book.lastMark(s))) {
    core.out.action(F.stagedAction({ action: a.action, at, reconcileId: id, symbol: a.symbol, clientOrderId: null, brokerOrderId: null, side: a.side, qty: a.qty, reason: a.reason }));
  }
}
