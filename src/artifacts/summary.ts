// summary.txt (docs/reference/artifacts.md, "summary.txt"): the first line is the one the proof workflow
// greps; then one key=value per line, in a fixed order.

import * as D from "../domain/decimal.js";
import { entryTemplate } from "../domain/instrument-entry.js";
import { feeLines, findingsOf, realizedPnlLines, type Report } from "../domain/report.js";

/** Instruments only the broker's log named, and the config entry each still needs (none: no lines). */
function undescribedLines(report: Report): string[] {
  if (report.undescribedInstruments.length === 0) return [];
  return [
    `undescribed_instruments=${report.undescribedInstruments.map((u) => u.symbol).join(",")}`,
    ...report.undescribedInstruments.map((u) => `undescribed_instrument_${u.symbol}=${entryTemplate(u.symbol)}`),
  ];
}

export function renderSummary(report: Report): string {
  const t = report.totals;
  const lines = [
    `reconcile_summary stale=${t.stale} orphan=${t.orphan} drift=${D.toFixed(t.driftPips, 1)} cache_ok=${t.cacheOk}`,
    `kill_switch=${t.killSwitch ? 1 : 0}`,
    `kill_switch_reasons=${report.killSwitch.reasons.join(",")}`,
    `duplicates_skipped=${t.duplicatesSkipped}`,
    `duplicate_deliveries=${t.duplicateDeliveries}`,
    `fills_caught_by_reconcile=${t.fillsCaughtByReconcile}`,
    `stale_orders_cancelled=${t.staleOrdersCancelled}`,
    `overfills=${findingsOf(report, "overfill")}`,
    `order_mismatches=${findingsOf(report, "order_mismatch")}`,
    `drift_units=${D.toPlain(t.driftUnits)}`,
    `blocked_decisions=${t.blockedDecisions}`,
    `slippage_breaches=${t.slippageBreaches}`,
    `alerts=${t.alerts}`,
    ...realizedPnlLines(t.realizedPnlByCurrency),
    ...feeLines(t.feesOutsidePnlByCurrency),
    `orders_sent=${t.ordersSent}`,
    `orders_rejected=${t.ordersRejected}`,
    `orders_cancelled=${t.ordersCancelled}`,
    `orders_expired=${t.ordersExpired}`,
    `fills=${t.fills}`,
    `unreconciled_fills=${t.unreconciledFills}`,
    `reconcile_runs=${t.reconcileRuns}`,
    `reconcile_runs_coalesced=${t.reconcileRunsCoalesced}`,
    `reconcile_failures=${t.reconcileFailures}`,
    `cache_entries_written=${report.cache.entriesWritten}`,
    `cache_entries_live=${report.cache.liveEntries}`,
    `cache_entries_purged=${report.cache.entriesPurged}`,
    `journal_records=${t.journalRecords}`,
    `broker_events=${t.brokerEvents}`,
    ...undescribedLines(report),
  ];
  return lines.join("\n") + "\n";
}
