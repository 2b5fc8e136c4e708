// reconcile-report.json's schema, once, for both sides: the writer (report-json.ts) builds a value of
// the type checked here, so a field renamed or added on one side only fails to compile; the HTML
// report validates the file against the same checks. Keys as written (snake_case, decimals as
// strings). Fields a newer writer adds are ignored by the reader; fields an older writer lacked
// are `optional` with the value they meant. A different schema_version is refused outright.

import {
  arr, bool, decText, detailValue, int, literal, nullable, num, numOrDec, obj, optional, record, str,
  timestamp, type Checked, type Where,
} from "./json-check.js";
import { REPORT_JSON } from "./artifact-names.js";
import type { Json } from "../domain/json.js";

export const SUPPORTED_SCHEMA_VERSION = 2;

const inputMeta = obj({ name: str, sha256: str, lines: int });

/** A realized P&L total: a decimal in the one quote currency traded, or "mixed" (see realized_pnl_by_currency). */
const decOrMixed = (v: unknown, p: string, w: Where): string => (v === "mixed" ? "mixed" : decText(v, p, w));

function capped<T>(item: (v: unknown, p: string, w: Where) => T) {
  return obj({ items: arr(item), omitted: int });
}

const runCounts = obj({
  stale_local_orders: int, orphan_broker_orders: int, drifting_symbols: int, fills_caught: int,
  stale_orders_cancelled: int, in_flight_orders: int, ambiguous_matches: int,
});

const run = obj({
  reconcile_id: str, ts: timestamp, trigger: str, status: literal("ok", "failed"), failure: nullable(str),
  duration_seconds: num, counts: runCounts, max_drift_pips: decText, max_drift_units: decText,
});

const finding = obj({
  finding_id: str, kind: str, severity: literal("info", "warning", "critical"), ts: timestamp,
  reconcile_id: nullable(str), client_order_id: nullable(str), broker_order_id: nullable(str),
  symbol: nullable(str), detail: record(detailValue), evidence: arr(str), related: arr(str),
});

const alert = obj({
  alert_id: str, alert: str, ts: timestamp, reconcile_id: nullable(str), decision_id: nullable(str),
  counts: record(num), detail: record(detailValue),
});

const stagedAction = obj({
  action_id: str, action: str, status: optional(literal("staged"), "staged"), ts: timestamp, reconcile_id: str, symbol: str, client_order_id: nullable(str),
  broker_order_id: nullable(str), side: nullable(str), qty: nullable(decText), reason: str,
});

const ambiguous = obj({
  reconcile_id: str, ts: timestamp, broker_order_id: nullable(str), broker_client_order_id: nullable(str),
  symbol: str, side: str, qty: decText, candidates: arr(str),
});

const skipped = obj({ decision_id: str, client_order_id: str, ts: timestamp, evidence: str, reason: str });

const outcome = obj({
  ts: timestamp, outcome: literal("rejected", "cancelled", "expired"), reason: nullable(str), client_order_id: str,
  broker_order_id: nullable(str), decision_id: nullable(str), symbol: str, side: str, qty: decText, filled_qty: decText, evidence: arr(str),
});

const session = obj({ name: str, start_hour: int, end_hour: int });
const preset = obj({ symbol: str, session: str, max_slippage_pips: numOrDec });

const DEFAULT_SESSIONS = [
  { name: "asia", start_hour: 0, end_hour: 7 }, { name: "eu", start_hour: 7, end_hour: 13 },
  { name: "us", start_hour: 13, end_hour: 21 }, { name: "overnight", start_hour: 21, end_hour: 24 },
];

const config = obj({
  sessions: optional(arr(session), DEFAULT_SESSIONS),
  slippage_presets: optional(arr(preset), []),
  drift_tolerance_units: optional(numOrDec, "0"),
  drift_tolerance_pips: optional(numOrDec, "0.5"),
  limits: optional(obj({ daily_loss_cap: nullable(numOrDec), symbol_caps: record(numOrDec) }), { daily_loss_cap: null, symbol_caps: {} }),
});

export const reportDocCheck = obj({
  schema_version: literal(SUPPORTED_SCHEMA_VERSION),
  tool: optional(literal("recon-proof"), "recon-proof"),
  inputs: obj({ journal: inputMeta, broker: inputMeta, config: nullable(inputMeta), config_hash: str }),
  config: optional(config, config({}, "config", { source: "", lineOf: () => 1 })),
  verdict: literal("healthy", "manual_intervention_required"),
  kill_switch: obj({ engaged: bool, engaged_at: nullable(timestamp), reasons: arr(str) }),
  totals: obj({
    stale: int, orphan: int, drift_pips: decText, drift_units: decText, cache_ok: bool, kill_switch: literal(0, 1),
    duplicates_skipped: int, duplicate_deliveries: int, fills_caught_by_reconcile: int, stale_orders_cancelled: int,
    overfills: optional(int, 0), order_mismatches: optional(int, 0),
    blocked_decisions: int, slippage_breaches: int, alerts: int, realized_pnl: decOrMixed,
    fees_outside_pnl: record(decText), orders_sent: int, orders_rejected: int, orders_cancelled: int, orders_expired: int, fills: int,
    unreconciled_fills: int, reconcile_runs: int, reconcile_runs_coalesced: optional(int, 0), reconcile_failures: int,
    journal_records: int, broker_events: int,
  }),
  cache: obj({
    ok: bool, failure: nullable(str), entries_loaded: int, entries_written: int, entries_purged: int,
    live_entries: int, duplicates_skipped: int,
  }),
  reconcile_runs: capped(run),
  findings: capped(finding),
  alerts: capped(alert),
  staged_actions: capped(stagedAction),
  ambiguous_matches: capped(ambiguous),
  order_outcomes: capped(outcome),
  duplicate_decisions: capped(skipped),
  blocked_decisions: capped(skipped),
  positions: capped(obj({ symbol: str, engine_qty: decText, engine_avg_price: decText, broker_qty: decText, broker_avg_price: decText })),
  realized_pnl_by_symbol: capped(obj({ symbol: str, realized_pnl: decText })),
  realized_pnl_by_currency: capped(obj({ currency: str, realized_pnl: decText })),
  instruments: capped(obj({
    symbol: str, asset_class: str, quote_currency: str, base_currency: nullable(str), unit: literal("pips", "ticks"), unit_size: decText,
  })),
  undescribed_instruments: capped(obj({ symbol: str, first_seen: str, suggested_entry: str })),
  slippage: capped(obj({
    symbol: str, session: str, unit: optional(literal("pips", "ticks"), "pips"), fills: int, preset_max_pips: nullable(decText), preset_hits: int, breaches: int,
    mean_pips: decText, p50_pips: decText, p95_pips: decText, max_pips: decText,
    limit_fills: optional(int, 0), mean_limit_improvement_pips: optional(nullable(decText), null),
  })),
  broker_limits: nullable(obj({ ts: str, daily_loss_cap: decText, symbol_caps: record(decText) })),
});

export type ReportDoc = Checked<typeof reportDocCheck>;
/**
 * What the writer builds. The same document, except that it writes the whole effective config
 * (its shape is config.ts's), of which the reader checks only the keys it shows.
 */
export type ReportJson = Omit<ReportDoc, "config"> & { readonly config: Json };
export type RunDoc = Checked<typeof run>;
export type FindingDoc = Checked<typeof finding>;
export type AlertDoc = Checked<typeof alert>;
export type StagedActionDoc = Checked<typeof stagedAction>;
export type SkippedDoc = Checked<typeof skipped>;
export type AmbiguousDoc = Checked<typeof ambiguous>;
export type OutcomeDoc = Checked<typeof outcome>;
export type CappedDoc<T> = { items: T[]; omitted: number };

/** Line of a top-level section ("  \"findings\": {") in the 2-space-indented artifact, for messages. */
export function sectionLineFinder(text: string): (path: string) => number {
  return (path) => {
    const top = /^[a-z_]+/.exec(path)?.[0];
    if (top === undefined) return 1;
    const at = text.indexOf(`\n  "${top}":`);
    return at < 0 ? 1 : countLines(text, at + 1);
  };
}

function countLines(text: string, end: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** Validates an already-parsed reconcile-report.json. Throws DataError naming the field. */
export function checkReportDoc(value: unknown, where: Where = { source: REPORT_JSON, lineOf: () => 1 }): ReportDoc {
  return reportDocCheck(value, "", where);
}
