// Reconciling one engine order against the broker's record of it (as NautilusTrader's
// reconcile_order_report does): state in, the corrections the evidence supports out. Pure.

import type { BrokerFill, BrokerOrder } from "../broker-book.js";
import type { EngineStatus } from "../engine-view.js";

export interface OrderCorrections {
  /** The broker shows the order live while the engine still counts it as only sent (or unknown). */
  readonly accepted: boolean;
  /** Broker fills the engine has not taken in, in the broker's order. */
  readonly fills: readonly BrokerFill[];
  /** A cancel or reject the engine has not taken in. */
  readonly terminal: "cancelled" | "rejected" | null;
}

/**
 * What the engine missed of its order: an acceptance, fills, a cancel or reject. Only broker
 * evidence corrects the view; no broker record means no correction (never "cancelled").
 */
export function reconcileOrder(
  e: { readonly status: EngineStatus }, b: BrokerOrder, known: (f: BrokerFill) => boolean, terminalSeen: boolean,
): OrderCorrections {
  const accepted = b.status === "live" && (e.status === "sent" || e.status === "unknown");
  const fills = b.fills.filter((f) => !known(f));
  const terminal = (b.status === "cancelled" || b.status === "rejected") && !terminalSeen ? b.status : null;
  return { accepted, fills, terminal };
}
