// reconcile-report.json (docs/reference/artifacts.md, "reconcile-report.json"). Objects are built key by key
// in a fixed order (JSON.stringify keeps insertion order), decimals are strings so no reader re-rounds them,
// 2-space indent, LF, trailing newline.

import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import {
  type Alert, type AmbiguousMatch, type Capped, type Finding, findingsOf, type OrderOutcome, type ReconcileRun, type Report, type SkippedDecision,
  type StagedAction,
} from "../domain/report.js";
import { entryTemplate } from "../domain/instrument-entry.js";
import type { RunMeta } from "./meta.js";
import {
  type AlertDoc, type AmbiguousDoc, type CappedDoc, type FindingDoc, type OutcomeDoc, type ReportJson, type RunDoc, type SkippedDoc,
  type StagedActionDoc, SUPPORTED_SCHEMA_VERSION,
} from "./report-schema.js";

export const REPORT_SCHEMA_VERSION = SUPPORTED_SCHEMA_VERSION;

const plain = (d: Dec): string => D.toPlain(d);
const optPlain = (d: Dec | null | undefined): string | null => (d === null || d === undefined ? null : D.toPlain(d));

function capped<T, D>(list: Capped<T>, render: (item: T) => D): CappedDoc<D> {
  return { items: list.items.map(render), omitted: list.omitted };
}

/** A whole list the report holds, cut at report_list_items_max like the lists the engine capped as it went. */
function cut<T, D>(items: readonly T[], max: number, render: (item: T) => D): CappedDoc<D> {
  return { items: items.slice(0, max).map(render), omitted: Math.max(0, items.length - max) };
}

const run = (r: ReconcileRun): RunDoc => ({
  reconcile_id: r.reconcileId,
  ts: r.ts,
  trigger: r.trigger,
  status: r.status,
  failure: r.failure,
  duration_seconds: Number((r.durationMs / 1000).toFixed(3)),
  counts: {
    stale_local_orders: r.counts.staleLocalOrders,
    orphan_broker_orders: r.counts.orphanBrokerOrders,
    drifting_symbols: r.counts.driftingSymbols,
    fills_caught: r.counts.fillsCaught,
    stale_orders_cancelled: r.counts.staleOrdersCancelled,
    in_flight_orders: r.counts.inFlightOrders,
    ambiguous_matches: r.counts.ambiguousMatches,
  },
  max_drift_pips: D.toFixed(r.maxDriftPips, 1),
  max_drift_units: plain(r.maxDriftUnits),
});

const finding = (f: Finding): FindingDoc => ({
  finding_id: f.findingId,
  kind: f.kind,
  severity: f.severity,
  ts: f.ts,
  reconcile_id: f.reconcileId,
  client_order_id: f.clientOrderId,
  broker_order_id: f.brokerOrderId,
  symbol: f.symbol,
  detail: f.detail,
  evidence: [...f.evidence],
  related: [...f.related],
});

const alert = (a: Alert): AlertDoc => ({
  alert_id: a.alertId,
  alert: a.alert,
  ts: a.ts,
  reconcile_id: a.reconcileId,
  decision_id: a.decisionId,
  counts: a.counts,
  detail: a.detail,
});

const action = (s: StagedAction): StagedActionDoc => ({
  action_id: s.actionId,
  action: s.action,
  status: "staged",
  ts: s.ts,
  reconcile_id: s.reconcileId,
  symbol: s.symbol,
  client_order_id: s.clientOrderId,
  broker_order_id: s.brokerOrderId,
  side: s.side,
  qty: optPlain(s.qty),
  reason: s.reason,
});

const ambiguous = (m: AmbiguousMatch): AmbiguousDoc => ({
  reconcile_id: m.reconcileId,
  ts: m.ts,
  broker_order_id: m.brokerOrderId,
  broker_client_order_id: m.brokerClientOrderId,
  symbol: m.symbol,
  side: m.side,
  qty: plain(m.qty),
  candidates: [...m.candidates],
});

const outcome = (o: OrderOutcome): OutcomeDoc => ({
  ts: o.ts,
  outcome: o.outcome,
  reason: o.reason,
  client_order_id: o.clientOrderId,
  broker_order_id: o.brokerOrderId,
  decision_id: o.decisionId,
  symbol: o.symbol,
  side: o.side,
  qty: plain(o.qty),
  filled_qty: plain(o.filledQty),
  evidence: [...o.evidence],
});

const skipped = (s: SkippedDecision): SkippedDoc => ({
  decision_id: s.decisionId,
  client_order_id: s.clientOrderId,
  ts: s.ts,
  evidence: `journal:${s.line}`,
  reason: s.reason,
});

const cacheDoc = (c: Report["cache"]): ReportJson["cache"] => ({
  ok: c.ok,
  failure: c.failure,
  entries_loaded: c.entriesLoaded,
  entries_written: c.entriesWritten,
  entries_purged: c.entriesPurged,
  live_entries: c.liveEntries,
  duplicates_skipped: c.duplicatesSkipped,
});

const position = (p: Report["positions"][number]): ReportJson["positions"]["items"][number] => ({
  symbol: p.symbol,
  engine_qty: plain(p.engineQty),
  engine_avg_price: plain(p.engineAvgPrice),
  broker_qty: plain(p.brokerQty),
  broker_avg_price: plain(p.brokerAvgPrice),
});

const instrument = (i: Report["instruments"][number]): ReportJson["instruments"]["items"][number] => ({
  symbol: i.symbol, asset_class: i.assetClass, quote_currency: i.quoteCurrency, base_currency: i.baseCurrency ?? null, unit: i.unit,
  unit_size: plain(i.unitSize),
});

const slippageCell = (c: Report["slippage"][number]): ReportJson["slippage"]["items"][number] => ({
  symbol: c.symbol,
  session: c.session,
  unit: c.unit,
  fills: c.fills,
  preset_max_pips: optPlain(c.presetPips),
  preset_hits: c.presetHits,
  breaches: c.breaches,
  mean_pips: D.toFixed(c.meanPips, 2),
  p50_pips: D.toFixed(c.p50Pips, 1),
  p95_pips: D.toFixed(c.p95Pips, 1),
  max_pips: D.toFixed(c.maxPips, 1),
  limit_fills: c.limitFills,
  mean_limit_improvement_pips: c.meanLimitImprovementPips === null ? null : D.toFixed(c.meanLimitImprovementPips, 2),
});

/** The report's totals as reconcile-report.json writes them (also the CLI's `--json` counts). */
export function totalsDoc(report: Report): ReportJson["totals"] {
  const t = report.totals;
  return {
    stale: t.stale,
    orphan: t.orphan,
    drift_pips: D.toFixed(t.driftPips, 1),
    drift_units: plain(t.driftUnits),
    cache_ok: t.cacheOk,
    kill_switch: t.killSwitch ? 1 : 0,
    duplicates_skipped: t.duplicatesSkipped,
    duplicate_deliveries: t.duplicateDeliveries,
    fills_caught_by_reconcile: t.fillsCaughtByReconcile,
    stale_orders_cancelled: t.staleOrdersCancelled,
    overfills: findingsOf(report, "overfill"),
    order_mismatches: findingsOf(report, "order_mismatch"),
    blocked_decisions: t.blockedDecisions,
    slippage_breaches: t.slippageBreaches,
    alerts: t.alerts,
    realized_pnl: t.realizedPnlByCurrency.length > 1 ? "mixed" : D.toFixed(t.realizedPnlByCurrency[0]?.[1] ?? D.ZERO, 2),
    fees_outside_pnl: Object.fromEntries(t.feesOutsidePnlByCurrency.map(([ccy, amount]) => [ccy, plain(amount)])),
    orders_sent: t.ordersSent,
    orders_rejected: t.ordersRejected,
    orders_cancelled: t.ordersCancelled,
    orders_expired: t.ordersExpired,
    fills: t.fills,
    unreconciled_fills: t.unreconciledFills,
    reconcile_runs: t.reconcileRuns,
    reconcile_runs_coalesced: t.reconcileRunsCoalesced,
    reconcile_failures: t.reconcileFailures,
    journal_records: t.journalRecords,
    broker_events: t.brokerEvents,
  };
}

export function renderReportJson(report: Report, meta: RunMeta): string {
  const t = report.totals;
  const max = report.listItemsMax;
  const doc: ReportJson = {
    schema_version: REPORT_SCHEMA_VERSION,
    tool: "recon-proof",
    inputs: {
      journal: meta.journal,
      broker: meta.broker,
      config: meta.configFile,
      config_hash: meta.configHash,
    },
    config: meta.effectiveConfig,
    verdict: t.killSwitch ? "manual_intervention_required" : "healthy",
    kill_switch: {
      engaged: report.killSwitch.engaged,
      engaged_at: report.killSwitch.engagedAt,
      reasons: [...report.killSwitch.reasons],
    },
    totals: totalsDoc(report),
    cache: cacheDoc(report.cache),
    reconcile_runs: capped(report.runs, run),
    findings: capped(report.findings, finding),
    alerts: capped(report.alerts, alert),
    staged_actions: capped(report.stagedActions, action),
    ambiguous_matches: capped(report.ambiguousMatches, ambiguous),
    order_outcomes: capped(report.orderOutcomes, outcome),
    duplicate_decisions: capped(report.skippedDecisions, skipped),
    blocked_decisions: capped(report.blockedDecisions, skipped),
    positions: cut(report.positions, max, position),
    realized_pnl_by_symbol: cut(report.realizedPnlBySymbol, max, ([symbol, pnl]) => ({ symbol, realized_pnl: D.toFixed(pnl, 2) })),
    realized_pnl_by_currency: cut(report.totals.realizedPnlByCurrency, max, ([currency, pnl]) => ({ currency, realized_pnl: D.toFixed(pnl, 2) })),
    instruments: cut(report.instruments, max, instrument),
    undescribed_instruments: cut(report.undescribedInstruments, max, (u) => ({
      symbol: u.symbol, first_seen: `broker:${u.line}`, suggested_entry: entryTemplate(u.symbol),
    })),
    slippage: cut(report.slippage, max, slippageCell),
    broker_limits: report.brokerLimits === null ? null : {
      ts: report.brokerLimits.ts,
      daily_loss_cap: plain(report.brokerLimits.dailyLossCap),
      symbol_caps: Object.fromEntries(report.brokerLimits.symbolCaps.map(([s, v]) => [s, plain(v)])),
    },
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
