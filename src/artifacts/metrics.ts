// metrics.txt (docs/reference/artifacts.md, "metrics.txt"): Prometheus text exposition format, HELP and TYPE
// for every family, checked in CI with `promtool check metrics`. Every value is from event time, so it is
// stable.

import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import type { Report } from "../domain/report.js";

type Sample = readonly [labels: Readonly<Record<string, string>>, value: string];

interface Family {
  readonly name: string;
  readonly type: "counter" | "gauge";
  readonly help: string;
  readonly samples: readonly Sample[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function renderFamily(f: Family): string {
  const head = `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
  const body = f.samples.map(([labels, value]) => {
    const keys = Object.keys(labels);
    const labelText = keys.length === 0 ? "" : "{" + keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",") + "}";
    return `${f.name}${labelText} ${value}\n`;
  });
  return head + body.join("");
}

const one = (value: number | string): Sample[] => [[{}, String(value)]];
const dec = (value: Dec): string => D.toPlain(value);

export function renderMetrics(report: Report): string {
  const t = report.totals;
  const families: Family[] = [
    { name: "engine_reconcile_runs_total", type: "counter", help: "Reconciliation runs, failed ones included.", samples: one(t.reconcileRuns) },
    { name: "engine_reconcile_runs_coalesced_total", type: "counter", help: "Interval runs skipped in quiet stretches because they would have seen nothing new.", samples: one(t.reconcileRunsCoalesced) },
    { name: "engine_reconcile_failures_total", type: "counter", help: "Reconciliation runs that could not reach the broker.", samples: one(t.reconcileFailures) },
    { name: "engine_reconcile_last_duration_seconds", type: "gauge", help: "Event-time duration of the last reconciliation (a restart's runs from the restart record to the loaded snapshot).",
      samples: one(((report.lastRun?.durationMs ?? 0) / 1000).toFixed(3)) },
    { name: "engine_reconcile_stale_orders_total", type: "counter", help: "Distinct engine orders the broker had no live record of past the in-flight grace.", samples: one(t.stale) },
    { name: "engine_reconcile_orphan_orders_total", type: "counter", help: "Distinct broker orders whose client order id the engine never sent.", samples: one(t.orphan) },
    { name: "engine_reconcile_position_drift_pips", type: "gauge", help: "Largest engine-vs-broker drift seen, in pips of average price; a drift beyond tolerance counts as the larger of that and its value drift per unit held (|qty_e*avg_e - qty_b*avg_b| / max |qty| / pip size), and at least 0.1.", samples: one(D.toFixed(t.driftPips, 1)) },
    { name: "engine_reconcile_position_drift_units", type: "gauge", help: "Largest engine-vs-broker net position drift seen, in units.", samples: one(dec(t.driftUnits)) },
    { name: "engine_reconcile_fills_caught_total", type: "counter", help: "Broker fills the engine missed and reconciliation applied.", samples: one(t.fillsCaughtByReconcile) },
    { name: "engine_stale_orders_cancelled_total", type: "counter", help: "Orders open past their TTL, for which a cancel was staged.", samples: one(t.staleOrdersCancelled) },
    { name: "engine_idempotency_cache_entries_total", type: "counter", help: "Order-id cache entries written (one per order sent).", samples: one(report.cache.entriesWritten) },
    { name: "engine_idempotency_cache_live_entries", type: "gauge", help: "Order-id cache entries held at the end of the replay.", samples: one(report.cache.liveEntries) },
    { name: "engine_idempotency_cache_purged_total", type: "counter", help: "Expired order-id cache entries purged at (re)starts.", samples: one(report.cache.entriesPurged) },
    { name: "engine_idempotency_cache_ok", type: "gauge", help: "1 when the order-id cache loaded intact, else 0.", samples: one(report.cache.ok ? 1 : 0) },
    { name: "engine_idempotency_duplicates_skipped_total", type: "counter", help: "Decisions skipped because their client order id was live in the cache.", samples: one(t.duplicatesSkipped) },
    { name: "engine_broker_duplicate_deliveries_total", type: "counter", help: "Broker events delivered again with the same event_id and content.", samples: one(t.duplicateDeliveries) },
    { name: "engine_kill_switch", type: "gauge", help: "1 when the kill switch is engaged (manual intervention required).", samples: one(t.killSwitch ? 1 : 0) },
    { name: "engine_blocked_decisions_total", type: "counter", help: "Decisions not sent because the kill switch was engaged.", samples: one(t.blockedDecisions) },
    { name: "engine_orders_sent_total", type: "counter", help: "Decisions sent as orders.", samples: one(t.ordersSent) },
    { name: "engine_orders_rejected_total", type: "counter", help: "The engine's orders the broker rejected.", samples: one(t.ordersRejected) },
    { name: "engine_orders_cancelled_total", type: "counter", help: "The engine's orders the broker cancelled before they filled whole (expiries apart).", samples: one(t.ordersCancelled) },
    { name: "engine_orders_expired_total", type: "counter", help: "The engine's orders the broker cancelled because their time in force ran out (its reason says expired).", samples: one(t.ordersExpired) },
    { name: "engine_findings_total", type: "counter", help: "Findings raised, by kind and severity.",
      samples: report.findingCounts.map((c) => [{ kind: c.kind, severity: c.severity }, String(c.count)] as Sample) },
    { name: "engine_alerts_total", type: "counter", help: "Alerts raised, by alert name.",
      samples: report.alertCounts.map(([alert, n]) => [{ alert }, String(n)] as Sample) },
    { name: "engine_slippage_preset_hits_total", type: "counter", help: "Fills measured against a configured slippage preset, by symbol and session.",
      samples: report.slippage.filter((c) => c.presetHits > 0).map((c) => [{ symbol: c.symbol, session: c.session }, String(c.presetHits)] as Sample) },
    { name: "engine_slippage_breaches_total", type: "counter", help: "Fills above their slippage preset or with no preset (fail safe), by symbol and session.",
      samples: report.slippage.filter((c) => c.breaches > 0).map((c) => [{ symbol: c.symbol, session: c.session }, String(c.breaches)] as Sample) },
    { name: "engine_realized_pnl", type: "gauge", help: "Realized P&L of the engine's reconciled fills, average cost, net of fees, in the symbol's quote currency (never added across currencies).",
      samples: report.realizedPnlBySymbol.map(([symbol, pnl]) => [{ symbol, currency: currencyOf(report, symbol) }, D.toFixed(pnl, 2)] as Sample) },
    { name: "engine_fees_outside_pnl_total", type: "counter", help: "Fees of the engine's fills charged in a currency that is neither the instrument's quote currency nor the base asset it holds: kept out of P&L, by currency.",
      samples: t.feesOutsidePnlByCurrency.map(([currency, amount]) => [{ currency }, dec(amount)] as Sample) },
  ];
  return families.map(renderFamily).join("");
}

function currencyOf(report: Report, symbol: string): string {
  const i = report.instruments.find((x) => x.symbol === symbol);
  if (i === undefined) throw new Error(`invariant: every symbol with P&L is a met instrument (${symbol})`);
  return i.quoteCurrency;
}
