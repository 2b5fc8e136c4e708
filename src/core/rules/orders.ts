// Reconciling one engine order against the broker's record of it (as NautilusTrader's
// reconcile_order_report does): state in, the corrections the evidence supports out. Pure.

import type { BrokerOrderFacts, EngineStatus } from "./types.js";

export interface OrderCorrections<F> {
  /** The broker shows the order live while the engine still counts it as only sent (or unknown). */
  readonly accepted: boolean;
  /** Broker fills the engine has not taken in, in the broker's order. */
  readonly fills: readonly F[];
  /** A cancel or reject the engine has not taken in. */
  readonly terminal: "cancelled" | "rejected" | null;
}

/**
 * What the engine missed of its order: an acceptance, fills, a cancel or reject. Only broker
 * evidence corrects the view; no broker record means no correction (never "cancelled").
 */
export function reconcileOrder<F>(
  e: { readonly status: EngineStatus }, b: BrokerOrderFacts<F>, known: (f: F) => boolean, terminalSeen: boolean,
): OrderCorrections<F> {
  const accepted = b.status === "live" && (e.status === "sent" || e.status === "unknown");
  const fills = b.fills.filter((f) => !known(f));
  const terminal = (b.status === "cancelled" || b.status === "rejected") && !terminalSeen ? b.status : null;
  return { accepted, fills, terminal };
}
