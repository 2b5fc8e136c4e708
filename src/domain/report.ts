// What a replay produces, before it is rendered to the four artifacts. Plain data: the renderers in
// src/artifacts turn it into bytes, and nothing here knows about files.

import * as D from "./decimal.js";
import type { Dec } from "./decimal.js";
import type { Instrument } from "./instruments.js";
import type { Side } from "./records.js";

export type Severity = "info" | "warning" | "critical";

export type FindingKind =
  | "stale_local_order"
  | "orphan_broker_order"
  | "position_drift"
  | "fill_caught_by_reconcile"
  | "partial_fill_caught_by_reconcile"
  | "order_state_caught_by_reconcile"
  | "order_relinked_from_cache"
  | "stale_order_cancelled"
  | "in_flight_order"
  | "cancel_request_unknown_order"
  | "cancel_request_order_closed"
  | "overfill"
  | "order_mismatch"
  | "broker_limit_mismatch"
  | "symbol_cap_breach"
  | "daily_loss_breach"
  | "instrument_undescribed";

export type AlertName =
  | "ALERT_RECONCILE_DIVERGENCE"
  | "ALERT_RECONCILE_FAILED"
  | "ALERT_IDEMPOTENCY_PERSISTENCE_FAILED"
  | "ALERT_SLIPPAGE_PRESET_MISSING"
  | "ALERT_BROKER_LIMIT_MISMATCH";

/**
 * Why the kill switch engaged (docs/reference/rules.md, "Kill switch"), in the order the engine checks them
 * within one stretch of the replay: reasons raised together are listed in this order.
 */
export const KILL_REASONS = [
  "cache_load_failed", "broker_unreachable", "symbol_cap_breach", "daily_loss_breach",
  "stale_local_order", "orphan_broker_order", "position_drift", "overfill", "order_mismatch", "instrument_undescribed",
] as const;
export type KillReason = (typeof KILL_REASONS)[number];

/** The kill switch as the report shows it: when it first engaged, and every reason, first first. */
export interface KillSwitchView {
  readonly engaged: boolean;
  readonly engagedAt: string | null;
  readonly reasons: readonly KillReason[];
}

export type ReconcileTrigger = "startup" | "restart" | "interval" | "reconnect" | "end";

export type Detail = Record<string, string | number | boolean | null | string[]>;

export interface Finding {
  readonly findingId: string;
  readonly kind: FindingKind;
  readonly severity: Severity;
  readonly ts: string;
  readonly reconcileId: string | null;
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly symbol: string | null;
  readonly detail: Detail;
  /**
   * Input records the finding rests on, as "journal:LINE" / "broker:LINE". A position drift lists
   * first the `evidence_causes` lines on which the two books differ.
   */
  readonly evidence: readonly string[];
  /** Findings of the same run whose evidence holds one of this finding's causes: what explains it. */
  readonly related: readonly string[];
}

export interface Alert {
  readonly alertId: string;
  readonly alert: AlertName;
  readonly ts: string;
  readonly reconcileId: string | null;
  readonly decisionId: string | null;
  readonly counts: Readonly<Record<string, number>>;
  readonly detail: Detail;
}

export type StagedActionKind = "cancel_order" | "flatten_position" | "close_position" | "review_position";

export interface StagedAction {
  readonly actionId: string;
  readonly action: StagedActionKind;
  readonly ts: string;
  readonly reconcileId: string;
  readonly symbol: string;
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly side: Side | null;
  readonly qty: Dec | null;
  readonly reason: string;
}

export interface AmbiguousMatch {
  readonly reconcileId: string;
  readonly ts: string;
  readonly brokerOrderId: string | null;
  readonly brokerClientOrderId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly candidates: readonly string[];
}

export interface ReconcileRun {
  readonly reconcileId: string;
  readonly ts: string;
  readonly trigger: ReconcileTrigger;
  readonly status: "ok" | "failed";
  readonly failure: string | null;
  readonly durationMs: number;
  readonly counts: {
    readonly staleLocalOrders: number;
    readonly orphanBrokerOrders: number;
    readonly driftingSymbols: number;
    readonly fillsCaught: number;
    readonly staleOrdersCancelled: number;
    readonly inFlightOrders: number;
    readonly ambiguousMatches: number;
  };
  readonly maxDriftPips: Dec;
  readonly maxDriftUnits: Dec;
}

export interface TradeRow {
  readonly ts: string;
  readonly decisionId: string;
  readonly clientOrderId: string;
  readonly brokerOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly price: Dec;
  readonly refPrice: Dec | undefined;
  readonly slippagePips: Dec | undefined;
  readonly session: string;
  readonly fee: Dec;
  /** The broker's realized P&L of the fill (in the symbol's quote currency); an orphan's is not the engine's. */
  readonly realizedPnl: Dec;
  /** How the engine took it in: on its stream, by reconciliation, or never (a broker fill it did not own). */
  readonly source: "stream" | "reconcile" | "orphan";
  /** The quote currency of `price` and `realizedPnl` ("" for an instrument the config does not describe). */
  readonly currency: string;
  /** The currency `fee` was charged in ("" where no one names it). */
  readonly feeCurrency: string;
}

/** One of the engine's orders the broker ended without filling it whole, and the broker's reason. */
export interface OrderOutcome {
  /** When the broker said so (its reject or cancel event). */
  readonly ts: string;
  readonly outcome: "rejected" | "cancelled" | "expired";
  readonly reason: string | null;
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly decisionId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly filledQty: Dec;
  /** The broker lines about the order. */
  readonly evidence: readonly string[];
}

export interface SkippedDecision {
  readonly decisionId: string;
  readonly clientOrderId: string;
  readonly ts: string;
  readonly line: number;
  /** Why it was not sent: a live cache entry (with its status) or the kill switch. */
  readonly reason: string;
}

export interface SlippageCell {
  readonly symbol: string;
  readonly session: string;
  /** What the pip figures count: pips (FX) or ticks of the instrument's tick size. */
  readonly unit: "pips" | "ticks";
  readonly fills: number;
  readonly presetPips: Dec | null;
  readonly presetHits: number;
  readonly breaches: number;
  readonly meanPips: Dec;
  readonly p50Pips: Dec;
  readonly p95Pips: Dec;
  readonly maxPips: Dec;
  /** Fills of limit orders, and how far inside the limit they came on average (positive is better). */
  readonly limitFills: number;
  readonly meanLimitImprovementPips: Dec | null;
}

export interface PositionView {
  readonly symbol: string;
  readonly engineQty: Dec;
  readonly engineAvgPrice: Dec;
  readonly brokerQty: Dec;
  readonly brokerAvgPrice: Dec;
}

export interface CacheView {
  readonly ok: boolean;
  readonly failure: string | null;
  readonly entriesLoaded: number;
  readonly entriesWritten: number;
  readonly entriesPurged: number;
  readonly liveEntries: number;
  readonly duplicatesSkipped: number;
}

export interface Totals {
  readonly stale: number;
  readonly orphan: number;
  readonly driftPips: Dec;
  readonly driftUnits: Dec;
  readonly cacheOk: boolean;
  readonly killSwitch: boolean;
  readonly duplicatesSkipped: number;
  readonly duplicateDeliveries: number;
  readonly fillsCaughtByReconcile: number;
  readonly staleOrdersCancelled: number;
  readonly blockedDecisions: number;
  readonly slippageBreaches: number;
  readonly alerts: number;
  /**
   * Realized P&L of the engine's fills (orphans' excluded), average cost, net of fees, per quote
   * currency, sorted by currency: amounts in different currencies are never added.
   */
  readonly realizedPnlByCurrency: ReadonlyArray<readonly [string, Dec]>;
  /**
   * Fees of the engine's fills charged in a currency that is neither the instrument's quote currency
   * nor the base asset it holds: kept out of P&L, totalled per currency, sorted by currency.
   */
  readonly feesOutsidePnlByCurrency: ReadonlyArray<readonly [string, Dec]>;
  readonly ordersSent: number;
  /** The engine's orders the broker ended unfilled or part-filled, by how (see OrderOutcome). */
  readonly ordersRejected: number;
  readonly ordersCancelled: number;
  readonly ordersExpired: number;
  readonly fills: number;
  readonly reconcileRuns: number;
  /** Interval runs in quiet stretches that would have seen nothing new (not in reconcileRuns). */
  readonly reconcileRunsCoalesced: number;
  readonly reconcileFailures: number;
  readonly journalRecords: number;
  readonly brokerEvents: number;
  readonly unreconciledFills: number;
}

export interface BrokerLimitsMirror {
  readonly ts: string;
  readonly dailyLossCap: Dec;
  readonly symbolCaps: ReadonlyArray<readonly [string, Dec]>;
}

/**
 * The P&L lines of summary.txt (docs/reference/artifacts.md, "summary.txt"): `realized_pnl=<decimal>` when
 * every traded symbol shares one quote currency (0.00 with no fills), else `realized_pnl=mixed` and one
 * `realized_pnl_<CCY>=<decimal>` per currency. Amounts in different currencies are never added.
 */
export function realizedPnlLines(byCurrency: ReadonlyArray<readonly [string, Dec]>): string[] {
  if (byCurrency.length <= 1) return [`realized_pnl=${D.toFixed(byCurrency[0]?.[1] ?? D.ZERO, 2)}`];
  return ["realized_pnl=mixed", ...byCurrency.map(([ccy, pnl]) => `realized_pnl_${ccy}=${D.toFixed(pnl, 2)}`)];
}

/** The fee lines of summary.txt: `fees_<CCY>=<decimal>` per currency of fees kept out of P&L (none: no lines). */
export function feeLines(byCurrency: ReadonlyArray<readonly [string, Dec]>): string[] {
  return byCurrency.map(([ccy, amount]) => `fees_${ccy}=${D.toPlain(amount)}`);
}

/** How many findings of one kind the whole replay emitted (the report's lists may be capped). */
export function findingsOf(report: Pick<Report, "findingCounts">, kind: FindingKind): number {
  return report.findingCounts.filter((c) => c.kind === kind).reduce((n, c) => n + c.count, 0);
}

export interface FindingCount {
  readonly kind: string;
  readonly severity: Finding["severity"];
  readonly count: number;
}

/** A report list cut at report_list_items_max keeps its first items and says how many it left out. */
export interface Capped<T> {
  readonly items: readonly T[];
  readonly omitted: number;
}

export interface Report {
  readonly runs: Capped<ReconcileRun>;
  readonly lastRun: ReconcileRun | undefined;
  readonly findings: Capped<Finding>;
  /** Findings raised per kind and severity, over the whole replay (the list above may be capped). */
  readonly findingCounts: ReadonlyArray<FindingCount>;
  readonly alerts: Capped<Alert>;
  /** Alerts raised per name, over the whole replay (the list above may be capped). */
  readonly alertCounts: ReadonlyArray<readonly [AlertName, number]>;
  readonly stagedActions: Capped<StagedAction>;
  readonly ambiguousMatches: Capped<AmbiguousMatch>;
  /** The engine's orders the broker rejected, cancelled or let expire, with the broker's reason. */
  readonly orderOutcomes: Capped<OrderOutcome>;
  readonly skippedDecisions: Capped<SkippedDecision>;
  readonly blockedDecisions: Capped<SkippedDecision>;
  readonly trades: readonly TradeRow[];
  readonly positions: readonly PositionView[];
  readonly realizedPnlBySymbol: ReadonlyArray<readonly [string, Dec]>;
  /** Every instrument the replay met: its currency and the unit slippage and drift are counted in. */
  readonly instruments: readonly Instrument[];
  /** Symbols only the broker's log named that the config does not describe, and the line that first did. */
  readonly undescribedInstruments: ReadonlyArray<{ readonly symbol: string; readonly line: number }>;
  /** report_list_items_max: every list of reconcile-report.json keeps this many items and counts the rest. */
  readonly listItemsMax: number;
  readonly slippage: readonly SlippageCell[];
  readonly brokerLimits: BrokerLimitsMirror | null;
  readonly cache: CacheView;
  readonly killSwitch: KillSwitchView;
  readonly totals: Totals;
}
