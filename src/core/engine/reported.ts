// What the report has already said, so each thing is said once: trade rows written, orphans and
// stale orders reported, TTL cancels staged, drift and breaches reported while they last, alerts
// raised once. Neither book holds any of this; it is keyed by their records.

import type { BrokerFill, BrokerOrder } from "../books/broker-book.js";
import type { EngineOrder } from "../books/engine-view.js";

export class Reported {
  /** Broker fills with a trades.csv row. */
  private readonly rows = new Set<BrokerFill>();
  /** Per broker order, the mismatch last reported (reported again only when it changes). */
  readonly mismatches = new WeakMap<BrokerOrder, string>();
  /** Broker orders reported as orphans (rare: a weak set needs no clean-up). */
  readonly orphans = new WeakSet<BrokerOrder>();
  /** Broker orders whose end (reject, cancel, expiry) of an engine order is in the report. */
  readonly outcomes = new WeakSet<BrokerOrder>();
  /** Engine orders reported stale, and those whose TTL cancel is staged (per order instance: a restart's new instance is reported anew). */
  readonly staleOrders = new WeakSet<EngineOrder>();
  readonly ttlCancels = new WeakSet<EngineOrder>();
  /** Distinct client order ids ever stale, and broker order keys ever orphaned (the summary's counts). */
  readonly staleDistinct = new Set<string>();
  readonly orphanDistinct = new Set<string>();
  /** Per symbol, the positions last reported as drifting (a drift is reported again only when it changes). */
  readonly lastDrift = new Map<string, string>();
  /** Symbols over their cap now, and UTC days whose loss breach is reported. */
  readonly capBreachOpen = new Set<string>();
  readonly lossBreachDays = new Set<string>();
  /** `symbol|session` cells whose missing slippage preset has been alerted. */
  readonly missingPresets = new Set<string>();
  /** The limits snapshot last compared with the engine's rails. */
  limitsCheckedEventId: string | undefined;
  cacheFailureRaised = false;

  rowWritten(fill: BrokerFill): boolean {
    return this.rows.has(fill);
  }

  markRowWritten(fill: BrokerFill): void {
    this.rows.add(fill);
  }

  /** A broker order the book forgets: its rows are written and nothing more will be said of them. */
  forgetBrokerOrder(b: BrokerOrder): void {
    for (const f of b.fills) this.rows.delete(f);
  }
}
