// reconcile-report.json's schema, once, for both sides: the writer (report-json.ts) builds a value of
// the type checked here, so a field renamed or added on one side only fails to compile; the HTML
// report validates the file against the same checks, and schemas/reconcile-report.schema.json is
// rendered from them (reportJsonSchema). Keys as written (snake_case, decimals as strings), in the
// order written. Fields a newer writer adds are ignored by the reader; fields an older writer lacked
// are `optional` with the value they meant. A different schema_version is refused outright.

import {
  arr, bool, type Check, checker, decText, described, detailValue, documentSchema, int, literal, named, names, nullable, num, numOrDec, obj, optional, record,
  type SchemaNode, str, timestamp, type Checked, type Where, writtenAs,
} from "./json-check.js";
import { REPORT_JSON } from "./names.js";
import { ASSET_CLASSES, type AssetClass } from "../domain/instruments.js";
import type { Json } from "../domain/json.js";
import type { Side } from "../domain/records.js";
import { type AlertName, type FindingKind, KILL_REASONS, type KillReason, type ReconcileTrigger, type StagedActionKind } from "../domain/report.js";
import { SEVERITY } from "../core/output/findings.js";

export const SUPPORTED_SCHEMA_VERSION = 2;

// The closed lists the engine writes names from (src/shard/codec.ts checks its own files with them too).
export const FINDING_KINDS = Object.keys(SEVERITY) as FindingKind[];
export const RECONCILE_TRIGGERS = ["startup", "restart", "interval", "reconnect", "end"] as const satisfies readonly ReconcileTrigger[];
export const ALERT_NAMES = [
  "ALERT_RECONCILE_DIVERGENCE", "ALERT_RECONCILE_FAILED", "ALERT_IDEMPOTENCY_PERSISTENCE_FAILED", "ALERT_SLIPPAGE_PRESET_MISSING",
  "ALERT_BROKER_LIMIT_MISMATCH",
] as const satisfies readonly AlertName[];
export const STAGED_ACTION_KINDS = ["cancel_order", "flatten_position", "close_position", "review_position"] as const satisfies readonly StagedActionKind[];

export const side = names<Side>()(["buy", "sell"]);
const kind = described(names<FindingKind>()(FINDING_KINDS), "The rule that fired (docs/reference/rules.md, \"Findings\", lists them).");
const severity = literal("info", "warning", "critical");
/** Findings of one kind and severity over the whole replay (replay --json). */
export const findingCount = obj({ kind, severity, count: int });
const killReason = names<KillReason>()(KILL_REASONS);
const unit = described(literal("pips", "ticks"), "Pips for an FX pair, ticks of the tick size otherwise.");
const evidence = described(arr(str), "Input lines it rests on: `journal:<line>` or `broker:<line>`.");

const inputMeta = named("inputFile", described(obj({
  name: described(str, "The file's name (no folder)."), sha256: described(str, "sha256 of its bytes, in hex."), lines: described(int, "Its lines."),
}), "One input file as the replay read it."));

/** A realized P&L total: a decimal in the one quote currency traded, or "mixed" (see realized_pnl_by_currency). */
const decOrMixed = checker({ anyOf: [decText.schema, { const: "mixed" }] }, (v, p, w): string => (v === "mixed" ? "mixed" : decText(v, p, w)));

function capped<T>(item: Check<T>) {
  return obj({
    items: described(arr(item), "The list's items: its first `report_list_items_max` (a setting) when it is longer."),
    omitted: described(int, "How many items past those the list left out."),
  });
}

const runCounts = obj({
  stale_local_orders: int, orphan_broker_orders: int, drifting_symbols: int, fills_caught: int,
  stale_orders_cancelled: int, in_flight_orders: int, ambiguous_matches: int,
});

const run = named("reconcileRun", described(obj({
  reconcile_id: str, ts: timestamp, trigger: names<ReconcileTrigger>()(RECONCILE_TRIGGERS), status: literal("ok", "failed"),
  failure: described(nullable(str), "Why the run failed (the broker was unreachable), else null."),
  duration_seconds: described(num, "Event time from the trigger to the run's end."), counts: runCounts,
  max_drift_pips: decText, max_drift_units: decText,
}), "One reconciliation: what triggered it, whether it reached the broker, its counts and the largest drift it saw."));

const finding = named("finding", described(obj({
  finding_id: described(str, "`F00001`, `F00002`, ...: what `recon-proof explain` takes."), kind, severity, ts: timestamp,
  reconcile_id: described(nullable(str), "The reconcile run that found it, or null for a finding raised by a record."),
  client_order_id: nullable(str), broker_order_id: nullable(str), symbol: nullable(str),
  detail: described(record(detailValue), "The finding's own facts, by name (quantities, prices, drift measures)."), evidence,
  related: described(arr(str), "Other ids it is linked with (a candidate match, a replaced order)."),
}), "What reconciliation or a rule found; a critical finding engages the kill switch."));

const alert = named("alert", described(obj({
  alert_id: described(str, "`A00001`, ...: what `recon-proof explain` takes."), alert: names<AlertName>()(ALERT_NAMES), ts: timestamp,
  reconcile_id: nullable(str), decision_id: nullable(str),
  counts: described(record(num), "The counts the alert carries, by name."), detail: record(detailValue),
}), "An alert as a live engine would raise it, with the decision or reconcile run it belongs to."));

const stagedAction = named("stagedAction", described(obj({
  action_id: str, action: names<StagedActionKind>()(STAGED_ACTION_KINDS),
  status: described(optional(literal("staged"), "staged"), "Always `staged`: a replay never executes an action."),
  ts: timestamp, reconcile_id: str, symbol: str, client_order_id: nullable(str), broker_order_id: nullable(str), side: nullable(side),
  qty: nullable(decText), reason: str,
}), "A recovery action for Ops: staged, never executed by a replay."));

const ambiguous = named("ambiguousMatch", described(obj({
  reconcile_id: str, ts: timestamp, broker_order_id: nullable(str), broker_client_order_id: nullable(str),
  symbol: str, side, qty: decText, candidates: described(arr(str), "The engine's client order ids it could be: listed, never guessed."),
}), "A broker order the engine's orders could match more than one way."));

const skipped = named("skippedDecision", described(obj({
  decision_id: str, client_order_id: str, ts: timestamp, evidence: described(str, "The decision's line: `journal:<line>`."), reason: str,
}), "A decision that was not sent, and why."));

const outcome = named("orderOutcome", described(obj({
  ts: timestamp, outcome: literal("rejected", "cancelled", "expired"), reason: described(nullable(str), "The broker's reason, if it gave one."),
  client_order_id: str, broker_order_id: nullable(str), decision_id: nullable(str), symbol: str, side, qty: decText, filled_qty: decText, evidence,
}), "An order of the engine's that the broker rejected, cancelled or let expire."));

const session = obj({ name: str, start_hour: int, end_hour: int });
const preset = obj({ symbol: str, session: str, max_slippage_pips: numOrDec });

const DEFAULT_SESSIONS = [
  { name: "asia", start_hour: 0, end_hour: 7 }, { name: "eu", start_hour: 7, end_hour: 13 },
  { name: "us", start_hour: 13, end_hour: 21 }, { name: "overnight", start_hour: 21, end_hour: 24 },
];

/** The keys of the config the report shows; the writer writes the whole effective config. */
const configShown = obj({
  sessions: optional(arr(session), DEFAULT_SESSIONS),
  slippage_presets: optional(arr(preset), []),
  drift_tolerance_units: optional(numOrDec, "0"),
  drift_tolerance_pips: optional(numOrDec, "0.5"),
  limits: optional(obj({ daily_loss_cap: nullable(numOrDec), symbol_caps: record(numOrDec) }), { daily_loss_cap: null, symbol_caps: {} }),
});

/** What the writer writes as `config`: every setting, defaults included, in the config file's shape. */
const EFFECTIVE_CONFIG: SchemaNode = {
  description: "The effective config: every setting, defaults included, in the shape of a config file (schemas/config.schema.json). `inputs.config_hash` is the sha256 of its canonical JSON.",
  $ref: "config.schema.json",
};

const totals = obj({
  stale: int, orphan: int, drift_pips: decText, drift_units: decText, cache_ok: bool, kill_switch: literal(0, 1),
  duplicates_skipped: int, duplicate_deliveries: int, fills_caught_by_reconcile: int, stale_orders_cancelled: int,
  overfills: optional(int, 0), order_mismatches: optional(int, 0),
  blocked_decisions: int, slippage_breaches: int, alerts: int,
  realized_pnl: described(decOrMixed, "In the one quote currency traded, or `mixed` (then see `realized_pnl_by_currency`)."),
  fees_outside_pnl: described(record(decText), "Fees in a currency that is neither the quote currency nor the base asset held, by currency."),
  orders_sent: int, orders_rejected: int, orders_cancelled: int, orders_expired: int, fills: int,
  unreconciled_fills: int, reconcile_runs: int, reconcile_runs_coalesced: optional(int, 0), reconcile_failures: int,
  journal_records: int, broker_events: int,
});
/** reconcile-report.json's totals, which `replay --json` prints as its counts. */
export const totalsCheck = named("totals", described(totals, "The summary's numbers (summary.txt holds the same), over the whole replay."));

/** Realized P&L in one quote currency (replay --json prints the whole list). */
export const currencyPnl = obj({ currency: str, realized_pnl: decText });

/** The kill switch at the end of the replay, which `replay --json` prints too. */
export const killSwitchCheck = named("killSwitch", described(obj({ engaged: bool, engaged_at: nullable(timestamp), reasons: arr(killReason) }),
  "Whether the kill switch engaged, when it first did, and every reason, in the order they were raised."));

export const reportDocCheck = obj({
  schema_version: described(literal(SUPPORTED_SCHEMA_VERSION), "This layout's version; a reader refuses another."),
  tool: optional(literal("recon-proof"), "recon-proof"),
  inputs: described(obj({ journal: inputMeta, broker: inputMeta, config: nullable(inputMeta), config_hash: str }),
    "What the replay read: each file's name, sha256 and lines (config null when every default applied), and the hash of the effective config."),
  config: optional(writtenAs(configShown, EFFECTIVE_CONFIG), configShown({}, "config", { source: "", lineOf: () => 1 })),
  verdict: literal("healthy", "manual_intervention_required"),
  kill_switch: killSwitchCheck,
  totals: totalsCheck,
  cache: described(obj({
    ok: bool, failure: nullable(str), entries_loaded: int, entries_written: int, entries_purged: int,
    live_entries: int, duplicates_skipped: int,
  }), "The order-id cache: whether it loaded, and its entries."),
  reconcile_runs: described(capped(run), "Every reconciliation: its trigger, status, counts and the largest drift it saw."),
  findings: described(capped(finding), "What reconciliation and the rules found."),
  alerts: capped(alert),
  staged_actions: described(capped(stagedAction), "Recovery actions, staged for Ops: never executed by a replay."),
  ambiguous_matches: described(capped(ambiguous), "Broker orders the engine's orders could match more than one way."),
  order_outcomes: described(capped(outcome), "The engine's orders the broker rejected, cancelled or let expire."),
  duplicate_decisions: described(capped(skipped), "Decisions skipped as duplicates of an order the cache held (idempotency)."),
  blocked_decisions: described(capped(skipped), "Decisions not sent while the kill switch was engaged."),
  positions: described(capped(obj({ symbol: str, engine_qty: decText, engine_avg_price: decText, broker_qty: decText, broker_avg_price: decText })),
    "Both books' net position per symbol at the end (signed; negative is short)."),
  realized_pnl_by_symbol: capped(obj({ symbol: str, realized_pnl: decText })),
  realized_pnl_by_currency: capped(currencyPnl),
  instruments: described(capped(obj({
    symbol: str, asset_class: names<AssetClass>()(ASSET_CLASSES), quote_currency: str, base_currency: nullable(str), unit, unit_size: decText,
  })), "The instruments met, as the replay described them."),
  undescribed_instruments: described(capped(obj({
    symbol: str, first_seen: described(str, "`broker:<line>`."), suggested_entry: described(str, "A config entry to fill in."),
  })), "Instruments the broker log names and the config does not describe."),
  slippage: described(capped(obj({
    symbol: str, session: str, unit, fills: int, preset_max_pips: nullable(decText), preset_hits: int, breaches: int,
    mean_pips: decText, p50_pips: decText, p95_pips: decText, max_pips: decText,
    limit_fills: optional(int, 0), mean_limit_improvement_pips: optional(nullable(decText), null),
  })), "Slippage per symbol and session, against the presets."),
  broker_limits: described(nullable(obj({ ts: timestamp, daily_loss_cap: decText, symbol_caps: record(decText) })),
    "The broker's last limits_snapshot, or null when it sent none."),
});

/** schemas/reconcile-report.schema.json: what this writer writes, rendered from the checkers above. */
export function reportJsonSchema(): SchemaNode {
  return documentSchema({
    id: "reconcile-report.schema.json",
    title: "reconcile-report.json",
    description: `The report of one replay (schema_version ${SUPPORTED_SCHEMA_VERSION}), as \`recon-proof replay\` writes it: keys in this order, 2-space indent, a trailing newline. Decimals are strings. A reader of this version ignores keys it does not know and takes defaults for a few that older files lack.`,
  }, reportDocCheck.schema);
}

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
