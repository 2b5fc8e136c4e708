// What the engine sees of the broker live (connected and running): acknowledgements, fills,
// cancels and rejects of its orders, applied to its view as they arrive.

import type { Instant } from "../../domain/time.js";
import type { BrokerFill, BrokerOrder } from "../books/broker-book.js";
import { type EngineCore, refOf } from "./context.js";
import { closeOrder, resolveOrRelink, takeFill } from "./orders.js";

export function seeAcceptance(core: EngineCore, b: BrokerOrder, ts: Instant): void {
  const e = resolveOrRelink(core, refOf(b), ts, null);
  if (e === undefined) return; // not the engine's: the next reconciliation reports it
  core.view.link(e, b);
  if (e.status === "sent" || e.status === "unknown") core.view.setStatus(e, "accepted");
  core.view.updateCache(e, "pending_fill");
}

export function seeFill(core: EngineCore, fill: BrokerFill): void {
  // The book has decided which broker order the fill belongs to; the view names that order's owner.
  const e = resolveOrRelink(core, refOf(fill.order), fill.ev.ts, null);
  if (e === undefined) return; // unknown to the engine: the next reconciliation reports it
  core.view.link(e, fill.order);
  takeFill(core, e, fill, "stream", null);
}

/**
 * A cancel or reject: the engine's order (never one re-linked from the cache here) closes. A cancel
 * that is a replace is no end: the engine follows its order to the replacement.
 */
export function seeTerminal(core: EngineCore, b: BrokerOrder): void {
  if (b.status === "replaced") return;
  const e = core.view.resolve(refOf(b));
  core.view.markTerminalSeen(b);
  if (e !== undefined) closeOrder(core, e, b, b.status === "rejected" ? "rejected" : "cancelled");
}
