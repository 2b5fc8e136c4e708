// What happens to the engine's orders when the broker reports on them: re-linking a forgotten order
// from the cache, taking a fill in, closing an order. Each is a command that applies the decision
// of a rule (rules/) to the view and emits what the report must say.

import { assert } from "../../domain/errors.js";
import type { Instant } from "../../domain/time.js";
import type { BrokerFill, BrokerOrder } from "../books/broker-book.js";
import { type EngineCore, report } from "./context.js";
import { type EngineOrder, type OrderRef, orderFromCache } from "../books/engine-view.js";
import * as F from "../output/findings.js";
import { type FillOutcome, fillOutcome, isOpen, outcomeOf } from "../rules/index.js";
import { writeTradeRow } from "./trades.js";

/**
 * The engine's order for a broker reference (EngineView.resolve); failing that, an order a restart
 * forgot is re-linked from the cache, which is reported when its entry was still working.
 */
export function resolveOrRelink(core: EngineCore, ref: OrderRef, ts: Instant, reconcileId: string | null): EngineOrder | undefined {
  const own = core.view.resolve(ref);
  if (own !== undefined || ref.clientOrderId === undefined) return own;
  const cached = core.view.forgottenInCache(ref.clientOrderId);
  if (cached === undefined) return undefined;
  const e = orderFromCache(cached);
  core.view.hold(e);
  if (cached.status !== "closed") {
    report(core, F.orderRelinkedFromCache(cached, core.book.orderByClientId(ref.clientOrderId), ts, reconcileId));
  }
  return e;
}

/** Takes a broker fill into the engine's order: quantity, position, status, cache, and its trade row. */
export function takeFill(core: EngineCore, e: EngineOrder, fill: BrokerFill, source: "stream" | "reconcile", reconcileId: string | null): FillOutcome {
  const outcome = fillOutcome(e, fill.ev.qty);
  core.view.takeFill(e, fill);
  // Quantity is conserved: the order's filled quantity is what the rule said, and the fill is known.
  assert(e.filledQty === outcome.filledQty, "a fill adds its quantity to its order, exactly");
  assert(core.view.knows(fill), "a fill taken in is known to the engine's view");
  core.causes.taken(fill.ev.symbol, fill.ev.line);
  if (outcome.overfill) report(core, F.overfill(e, fill, reconcileId));
  core.view.setStatus(e, outcome.status);
  core.view.updateCache(e, outcome.cacheStatus);
  writeTradeRow(core, fill, e, source);
  return outcome;
}

/**
 * The broker cancelled or rejected the order: an open order takes that status, and its outcome (once
 * per broker order: a restart that forgot it sees the same end again) joins the report; the cache
 * entry closes.
 */
export function closeOrder(core: EngineCore, e: EngineOrder, b: BrokerOrder, status: "cancelled" | "rejected"): void {
  if (isOpen(e.status)) {
    core.view.setStatus(e, status);
    if (!core.reported.outcomes.has(b)) {
      core.reported.outcomes.add(b);
      core.out.outcome(F.orderOutcome(e, b, outcomeOf(status, b.reason)));
    }
  }
  core.view.updateCache(e, "closed");
}
