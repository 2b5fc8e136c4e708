// The report's sections, top to bottom in the order an Ops reviewer asks: did it pass, why not,
// what happened when, what must someone do, and then the money, the slippage and the positions.

import * as D from "../domain/decimal.js";
import { parseDec } from "../domain/decimal.js";
import { parseInstant } from "../domain/time.js";
import { REPORT_JSON, TRADES_CSV } from "../artifacts/names.js";
import type { KillReason } from "../domain/report.js";
import { TRADES_COLUMNS } from "../artifacts/trades-csv.js";
import { positionBars, stepChart, timeDomain, timeline, type RunMark, type RunMarkKind } from "./charts.js";
import { html, shown, type Html, type SafeHtml } from "./escape.js";
import { clip, count, group, signed, words } from "./format.js";
import {
  chart_points_max, chart_symbols_max, detail_entries_max, detail_value_chars_max, table_rows_max, timeline_marks_max,
  timeline_restart_lines_max,
} from "./limits.js";
import type { ArtifactBundle } from "../artifacts/bundle.js";
import type { AlertDoc, FindingDoc, OutcomeDoc, ReportDoc, RunDoc, SkippedDoc, StagedActionDoc } from "../artifacts/report-schema.js";
import { cumulativePnl, type Series } from "./series.js";
import { capByRank, dataTable, distinct, type Column } from "./table.js";
import type { TradeView } from "../artifacts/read-trades.js";
import { kindName } from "./triage.js";

/** Plain words for the kill-switch reasons the engine writes; unknown reasons are shown as written. */
export const KILL_REASON_WORDS: Readonly<Record<KillReason, string>> = {
  stale_local_order: "the engine holds an order as open that the broker has no live record of",
  orphan_broker_order: "the broker has an order or fill the engine never sent",
  position_drift: "engine and broker net positions differ beyond tolerance",
  cache_load_failed: "the idempotency cache could not be loaded (or its checksum did not match)",
  broker_unreachable: "the broker could not be reached at a reconcile",
  symbol_cap_breach: "a position exceeds the broker's per-symbol cap",
  daily_loss_breach: "the day's realized loss exceeds the daily loss cap",
  overfill: "the broker filled more than an order's quantity",
  order_mismatch: "the broker's live order under the engine's id differs from what the engine decided",
  instrument_undescribed: "the broker's log names an instrument the config does not describe",
};

const ms = (ts: string): number => parseInstant(ts)?.ms ?? 0;
const dec = (text: string): number => D.toNumber(parseDec(text) ?? D.ZERO);
const code = (text: string | null): Html => (text === null || text === "" ? html`<span class="none">—</span>` : html`<code>${shown(text)}</code>`);

/** The span of event time the artifacts cover: reconcile runs and fills together. */
export function eventSpan(doc: ReportDoc, trades: readonly TradeView[]): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of doc.reconcile_runs.items) { const t = ms(r.ts); lo = Math.min(lo, t); hi = Math.max(hi, t); }
  for (const t of trades) { lo = Math.min(lo, t.ms); hi = Math.max(hi, t.ms); }
  return lo === Infinity ? null : { lo, hi };
}

// ---- verdict ---------------------------------------------------------------------------------

interface Figure { readonly label: string; readonly value: string; readonly level: "ok" | "warn" | "bad" | "plain"; readonly key: string }

function figures(doc: ReportDoc): Figure[] {
  const t = doc.totals;
  const lvl = (bad: boolean, level: "warn" | "bad" = "bad"): Figure["level"] => (bad ? level : "ok");
  return [
    { key: "stale", label: "stale orders", value: count(t.stale), level: lvl(t.stale > 0) },
    { key: "orphan", label: "orphan orders", value: count(t.orphan), level: lvl(t.orphan > 0) },
    { key: "drift", label: `max drift (units; ${t.drift_pips} pips)`, value: group(t.drift_units), level: lvl(t.drift_pips !== "0.0" || t.drift_units !== "0") },
    { key: "cache_ok", label: "cache ok", value: String(t.cache_ok), level: lvl(!t.cache_ok) },
    { key: "alerts", label: "alerts", value: count(t.alerts), level: lvl(t.alerts > 0, "warn") },
    { key: "slippage_breaches", label: "slippage breaches", value: count(t.slippage_breaches), level: lvl(t.slippage_breaches > 0, "warn") },
    { key: "staged_actions", label: "staged actions", value: count(doc.staged_actions.items.length + doc.staged_actions.omitted), level: lvl(doc.staged_actions.items.length > 0) },
    { key: "blocked_decisions", label: "blocked decisions", value: count(t.blocked_decisions), level: lvl(t.blocked_decisions > 0) },
    { key: "orders", label: `orders sent · ${count(t.orders_rejected)} rejected · ${count(t.orders_cancelled)} cancelled · ${count(t.orders_expired)} expired`, value: count(t.orders_sent), level: lvl(t.orders_rejected > 0, "warn") },
    { key: "fills_caught", label: "fills caught by reconcile", value: count(t.fills_caught_by_reconcile), level: lvl(t.fills_caught_by_reconcile > 0, "warn") },
    { key: "duplicates_skipped", label: "duplicates skipped", value: count(t.duplicates_skipped), level: "plain" },
    { key: "reconcile_runs", label: "reconcile runs (failed)", value: `${count(t.reconcile_runs)} (${count(t.reconcile_failures)})`, level: lvl(t.reconcile_failures > 0) },
    { key: "realized_pnl", label: "realized P&L", value: reportedPnl(doc).map(([ccy, v]) => `${ccy === "" ? "" : `${ccy} `}${signed(v)}`).join(" · ") || "—", level: "plain" },
  ];
}

export function verdictSection(b: ArtifactBundle): SafeHtml {
  const { doc } = b;
  const healthy = doc.verdict === "healthy";
  const reasons = doc.kill_switch.reasons.map((r) => html`<li><strong><code>${r}</code></strong> — ${KILL_REASON_WORDS[r as KillReason] ?? "see the findings below"}</li>`);
  const span = eventSpan(doc, b.trades);
  const why = healthy
    ? html`<p class="why">Kill switch not engaged. Every reconcile run agreed with the broker within tolerance.</p>`
    : html`<p class="why">Kill switch engaged${doc.kill_switch.engaged_at === null ? "" : html` at <time>${doc.kill_switch.engaged_at}</time>`}${doc.kill_switch.reasons.length === 0 ? "." : html` because:`}</p><ul class="reasons" id="kill-reasons">${reasons}</ul>`;
  return html`<header class="verdict ${healthy ? "healthy" : "unhealthy"}" id="verdict" data-verdict="${doc.verdict}">
<p class="scenario">recon-proof report · <strong>${b.name}</strong>${span === null ? "" : html` · event time ${new Date(span.lo).toISOString()} → ${new Date(span.hi).toISOString()}`}</p>
<h1><span class="icon" aria-hidden="true">${healthy ? "✓" : "✕"}</span> ${healthy ? "Healthy" : "Manual intervention required"}</h1>
${why}
</header>`;
}

/** The replay's figures at a glance, and the summary line the proof workflow greps. */
export function glanceSection(b: ArtifactBundle): SafeHtml {
  const cards = figures(b.doc).map((f) => html`<div class="fig ${f.level}" data-key="${f.key}"><span class="v">${f.value}</span><span class="k">${f.label}</span></div>`);
  return html`<section id="glance"><h2>At a glance</h2>
<div class="figs">${cards}</div>
<p class="grepline">summary.txt: <code>${b.summaryLine}</code></p>
</section>`;
}

// ---- reconcile runs --------------------------------------------------------------------------

function runKind(r: RunDoc): RunMarkKind {
  const c = r.counts;
  if (r.status === "failed") return "failed";
  if (c.stale_local_orders + c.orphan_broker_orders + c.drifting_symbols > 0) return "divergence";
  if (c.fills_caught + c.stale_orders_cancelled + c.ambiguous_matches > 0) return "caught";
  return "clean";
}

function runCounts(r: RunDoc): string {
  const c = r.counts;
  const parts: string[] = [];
  const add = (n: number, label: string): void => { if (n > 0) parts.push(`${label} ${n}`); };
  add(c.stale_local_orders, "stale");
  add(c.orphan_broker_orders, "orphan");
  add(c.drifting_symbols, "drifting symbols");
  add(c.fills_caught, "fills caught");
  add(c.stale_orders_cancelled, "cancels staged");
  add(c.ambiguous_matches, "ambiguous");
  add(c.in_flight_orders, "in flight");
  return parts.join(", ");
}

/** Runs that found nothing: on the timeline and counted, never listed. */
export function cleanRunCount(doc: ReportDoc): number {
  return doc.reconcile_runs.items.filter((r) => runKind(r) === "clean").length;
}

const OUTCOME_LABEL: Readonly<Record<RunMarkKind, string>> = {
  clean: "clean", caught: "caught fills / cancels", divergence: "divergence", failed: "failed",
};

/** Sort key of an event time: the instant at nanosecond precision, so 12:00:01Z sorts before 12:00:01.5Z. */
export const timeKey = (ts: string): string => {
  const t = parseInstant(ts);
  // Not a number on purpose: the script then compares the fixed-width text, which keeps every digit.
  return t === undefined ? ts : `t${String(t.ms).padStart(15, "0")}.${String(t.subNs).padStart(6, "0")}`;
};

export function runsSection(b: ArtifactBundle): SafeHtml {
  const { doc } = b;
  const runs = doc.reconcile_runs.items;
  const span = eventSpan(doc, b.trades);
  const marks: RunMark[] = runs.map((r) => ({
    ms: ms(r.ts), kind: runKind(r),
    label: `${r.reconcile_id} · ${r.trigger} · ${r.ts}${r.status === "failed" ? ` · FAILED ${r.failure ?? ""}` : ""}${runCounts(r) === "" ? "" : ` · ${runCounts(r)}`}`,
  }));
  const restarts = runs.filter((r) => r.trigger === "restart").map((r) => ms(r.ts));
  const spec = (width: number, id: string) => timeline({
    id, width, x: timeDomain(span!.lo, span!.hi), marks, restarts,
    killAt: doc.kill_switch.engaged_at === null ? null : ms(doc.kill_switch.engaged_at), marksMax: timeline_marks_max,
    restartLinesMax: timeline_restart_lines_max,
  });
  // Two drawings of one timeline: the wide one for a desk, the narrow one for a phone (CSS shows one).
  const chart = span === null ? html`<p class="empty">No reconcile runs.</p>`
    : html`<div class="tl-wide">${spec(960, "timeline")}</div><div class="tl-narrow">${spec(360, "timeline-narrow")}</div>`;
  const byKind = new Map<RunMarkKind, number>();
  for (const mk of marks) byKind.set(mk.kind, (byKind.get(mk.kind) ?? 0) + 1);
  const notable = runs.filter((r) => runKind(r) !== "clean");
  const clean = runs.length - notable.length;
  const cleanTriggers = distinct(runs.filter((r) => runKind(r) === "clean").map((r) => r.trigger))
    .map((t) => `${count(runs.filter((r) => runKind(r) === "clean" && r.trigger === t).length)} ${t}`).join(", ");
  const cols: Column<RunDoc>[] = [
    { label: "run", cell: (r) => code(r.reconcile_id) },
    { label: "event time", cell: (r) => html`<time>${r.ts}</time>`, sortKey: (r) => timeKey(r.ts) },
    { label: "trigger", cell: (r) => r.trigger },
    { label: "outcome", cell: (r) => html`<span class="tag ${runKind(r)}">${OUTCOME_LABEL[runKind(r)]}</span>` },
    { label: "counts", cell: (r) => (r.status === "failed" ? `failed: ${r.failure ?? "unknown"}` : runCounts(r) || "—") },
    { label: "max drift", cell: (r) => `${r.max_drift_pips} pips · ${group(r.max_drift_units)} u`, cls: "num", sortKey: (r) => r.max_drift_units.padStart(24, "0") },
  ];
  const shown = capByRank(notable, table_rows_max, (r) => (runKind(r) === "failed" || runKind(r) === "divergence" ? 0 : 1));
  const legend = (["clean", "caught", "divergence", "failed"] as const).map((k) =>
    html`<li><span class="sw ${k}" aria-hidden="true"></span>${OUTCOME_LABEL[k]}: <strong data-kind="${k}">${count(byKind.get(k) ?? 0)}</strong></li>`);
  return html`<section id="runs"><h2>Reconcile runs</h2>
<p class="lede">${count(doc.totals.reconcile_runs)} runs (${count(doc.totals.reconcile_failures)} failed), on the event-time axis. Each lane is one outcome; restarts and the moment the kill switch engaged are marked.</p>
<figure><div class="chartwrap">${chart}</div><figcaption><ul class="legend">${legend}<li><span class="sw restart" aria-hidden="true"></span>engine restart (${count(restarts.length)})</li>${doc.kill_switch.engaged_at === null ? "" : html`<li><span class="sw kill" aria-hidden="true"></span>kill switch engaged</li>`}</ul></figcaption></figure>
${doc.reconcile_runs.omitted > 0 ? html`<p class="note cap">reconcile-report.json lists the first ${count(runs.length)} runs; ${count(doc.reconcile_runs.omitted)} more are counted in its totals only.</p>` : ""}
<p class="clean-runs" id="clean-runs" data-clean="${clean}">${clean === 0 ? "No clean runs." : html`<strong>${count(clean)} clean runs</strong> found nothing and are not listed${cleanTriggers === "" ? "" : ` (${cleanTriggers})`}.`}</p>
${dataTable({
    id: "runs-table", caption: "Runs that found something or failed", columns: cols, rows: shown, total: notable.length,
    empty: "No run found anything: every run was clean.", rowClass: (r) => runKind(r),
    rowAttrs: (r) => ({ outcome: runKind(r), trigger: r.trigger }),
    filters: [
      { key: "outcome", label: "outcome", options: distinct(notable.map(runKind)) },
      { key: "trigger", label: "trigger", options: distinct(notable.map((r) => r.trigger)) },
    ],
  })}
</section>`;
}

// ---- findings and alerts ---------------------------------------------------------------------

function detailList(detail: Readonly<Record<string, string | number | boolean | null | string[]>>): Html {
  const entries = Object.entries(detail);
  if (entries.length === 0) return "—";
  const shown = entries.slice(0, detail_entries_max).map(([k, v]) => {
    const text = v === null ? "null" : Array.isArray(v) ? (v.length === 0 ? "[]" : v.join(", ")) : String(v);
    return html`<span class="kv"><span class="k">${k}</span>=<span class="v" title="${text.length > detail_value_chars_max ? text : ""}">${clip(text, detail_value_chars_max)}</span></span>`;
  });
  return html`${shown}${entries.length > detail_entries_max ? html`<span class="kv more">+${entries.length - detail_entries_max} more in JSON</span>` : ""}`;
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 0, warning: 1, info: 2 };

function omittedNote(shown: number, inJson: number, omitted: number, file = REPORT_JSON): Html {
  const parts: string[] = [];
  if (shown < inJson) parts.push(`the other ${count(inJson - shown)} are in ${file}`);
  if (omitted > 0) parts.push(`${file} itself left out ${count(omitted)} more (its list cap)`);
  return parts.length === 0 ? undefined : `${parts.join("; ")}.`;
}

export function findingsSection(doc: ReportDoc): SafeHtml {
  const all = doc.findings.items;
  const rows = capByRank(all, table_rows_max, (f) => SEVERITY_RANK[f.severity] ?? 3);
  const bySev = distinct(all.map((f) => f.severity)).map((s) => `${all.filter((f) => f.severity === s).length} ${s}`).join(", ");
  const cols: Column<FindingDoc>[] = [
    { label: "severity", cell: (f) => html`<span class="sev ${f.severity}">${f.severity}</span>` },
    { label: "kind", cell: (f) => kindName(f.kind) },
    { label: "event time", cell: (f) => html`<time>${f.ts}</time>`, sortKey: (f) => timeKey(f.ts) },
    { label: "symbol", cell: (f) => (f.symbol === null ? "—" : shown(f.symbol)) },
    { label: "client order id", cell: (f) => code(f.client_order_id), cls: "id" },
    { label: "broker order id", cell: (f) => code(f.broker_order_id), cls: "id" },
    { label: "run", cell: (f) => code(f.reconcile_id) },
    { label: "detail", cell: (f) => detailList(f.detail), cls: "detail" },
    { label: "evidence", cell: (f) => f.evidence.join(" "), cls: "id" },
  ];
  return html`<section id="findings"><h2>Findings</h2>
<p class="lede">${all.length === 0 ? "No findings." : `${count(all.length + doc.findings.omitted)} findings (${bySev}). Evidence points at input lines (journal:N, broker:N).`}${all.length > rows.length ? " When capped, the most severe are kept." : ""}</p>
${dataTable({
    id: "findings-table", caption: "Findings", columns: cols, rows, total: all.length + doc.findings.omitted,
    note: omittedNote(rows.length, all.length, doc.findings.omitted), empty: "No findings: engine and broker agreed.",
    rowAttrs: (f) => ({ severity: f.severity, kind: f.kind, symbol: f.symbol ?? "" }), rowClass: (f) => `sev-${f.severity}`,
    filters: [
      { key: "severity", label: "severity", options: distinct(all.map((f) => f.severity)) },
      { key: "kind", label: "kind", options: distinct(all.map((f) => f.kind)) },
      { key: "symbol", label: "symbol", options: distinct(all.flatMap((f) => (f.symbol === null ? [] : [f.symbol]))) },
    ],
  })}
</section>`;
}

export function alertsSection(doc: ReportDoc): SafeHtml {
  const all = doc.alerts.items;
  const rows = all.slice(0, table_rows_max);
  const countsText = (a: AlertDoc): string => Object.entries(a.counts).map(([k, v]) => `${k}=${v}`).join(" ");
  const cols: Column<AlertDoc>[] = [
    { label: "alert", cell: (a) => html`<code class="alert-name">${a.alert}</code>` },
    { label: "event time", cell: (a) => html`<time>${a.ts}</time>`, sortKey: (a) => timeKey(a.ts) },
    { label: "run / decision", cell: (a) => code(a.reconcile_id ?? a.decision_id) },
    { label: "counts", cell: (a) => countsText(a) || "—" },
    { label: "detail", cell: (a) => detailList(a.detail), cls: "detail" },
  ];
  return html`<section id="alerts"><h2>Alerts</h2>
<p class="lede">${count(doc.totals.alerts)} ${doc.totals.alerts === 1 ? "alert" : "alerts"} raised.</p>
${dataTable({
    id: "alerts-table", caption: "Alerts", columns: cols, rows, total: all.length + doc.alerts.omitted,
    note: omittedNote(rows.length, all.length, doc.alerts.omitted), empty: "No alerts.",
    rowAttrs: (a) => ({ alert: a.alert }),
    filters: [{ key: "alert", label: "alert", options: distinct(all.map((a) => a.alert)) }],
  })}
</section>`;
}

export function actionsSection(doc: ReportDoc): SafeHtml {
  const all = doc.staged_actions.items;
  const rows = all.slice(0, table_rows_max);
  const cols: Column<StagedActionDoc>[] = [
    { label: "action", cell: (s) => html`<strong>${words(s.action)}</strong>` },
    { label: "symbol", cell: (s) => shown(s.symbol) },
    { label: "side · qty", cell: (s) => (s.side === null ? "—" : `${s.side} ${group(s.qty ?? "")}`), cls: "num" },
    { label: "client order id", cell: (s) => code(s.client_order_id), cls: "id" },
    { label: "broker order id", cell: (s) => code(s.broker_order_id), cls: "id" },
    { label: "event time", cell: (s) => html`<time>${s.ts}</time>` },
    { label: "run", cell: (s) => code(s.reconcile_id) },
    { label: "reason", cell: (s) => s.reason, cls: "detail" },
  ];
  return html`<section id="actions"><h2>Staged actions</h2>
<p class="lede">What the recovery policy would do. This is a replay: nothing was executed; an operator decides.</p>
${dataTable({
    id: "actions-table", caption: "Staged recovery actions (not executed)", columns: cols, rows,
    total: all.length + doc.staged_actions.omitted, note: omittedNote(rows.length, all.length, doc.staged_actions.omitted),
    empty: "No actions staged.",
  })}
</section>`;
}

// ---- order outcomes --------------------------------------------------------------------------

/** Example order ids a reason group shows; every order is in reconcile-report.json's order_outcomes. */
const OUTCOME_EXAMPLES_MAX = 3;

interface ReasonGroup { readonly reason: string; readonly items: OutcomeDoc[] }

/** The listed outcomes of one kind, grouped by the broker's reason, most frequent first (then by reason). */
function byReason(items: readonly OutcomeDoc[]): ReasonGroup[] {
  const groups = new Map<string, OutcomeDoc[]>();
  for (const o of items) {
    const key = o.reason ?? "";
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [o]);
    else list.push(o);
  }
  return [...groups.entries()].map(([reason, list]) => ({ reason, items: list }))
    .sort((a, b) => b.items.length - a.items.length || (a.reason < b.reason ? -1 : 1));
}

const reasonText = (g: ReasonGroup): Html => (g.reason === "" ? html`<span class="none">no reason given</span>` : shown(g.reason));

/** "CLIENT_REQUEST 510, EXPIRED 6": the reasons of one outcome with their counts. */
function reasonCounts(items: readonly OutcomeDoc[]): Html {
  const groups = byReason(items);
  return groups.length === 0 ? "" : html` (${groups.map((g, i) => html`${i > 0 ? ", " : ""}${reasonText(g)} ${count(g.items.length)}`)})`;
}

/** The engine's orders the broker did not fill whole: rejects by reason, cancels and expiries counted. */
export function outcomesSection(doc: ReportDoc): SafeHtml {
  const t = doc.totals;
  const list = doc.order_outcomes;
  const of = (outcome: OutcomeDoc["outcome"]) => list.items.filter((o) => o.outcome === outcome);
  const cols: Column<ReasonGroup>[] = [
    { label: "reason", cell: reasonText },
    { label: "orders", cell: (g) => count(g.items.length), cls: "num" },
    { label: "example client order ids", cell: (g) => html`${g.items.slice(0, OUTCOME_EXAMPLES_MAX).map((o, i) => html`${i > 0 ? " " : ""}${code(o.client_order_id)}`)}`, cls: "id" },
    { label: "symbols", cell: (g) => html`${distinct(g.items.map((o) => o.symbol)).map((sym, i) => html`${i > 0 ? ", " : ""}${shown(sym)}`)}` },
  ];
  const rejects = byReason(of("rejected"));
  const capped = list.omitted > 0
    ? html`<p class="note cap">${REPORT_JSON} lists the first ${count(list.items.length)} outcomes and left out ${count(list.omitted)} (its list cap): the groups count the listed ones; the totals above count every order.</p>` : "";
  return html`<section id="outcomes"><h2>Order outcomes</h2>
<p class="lede">Of the ${count(t.orders_sent)} orders the engine sent, the broker rejected <strong data-key="orders_rejected">${count(t.orders_rejected)}</strong>, cancelled <strong data-key="orders_cancelled">${count(t.orders_cancelled)}</strong> and let <strong data-key="orders_expired">${count(t.orders_expired)}</strong> expire.</p>
<h3>Rejected, by the broker's reason</h3>
${dataTable({ id: "rejects-table", caption: "Orders the broker rejected, grouped by its reason", columns: cols, rows: rejects.slice(0, table_rows_max), total: rejects.length, empty: "No order was rejected." })}
<ul class="outcome-counts" id="outcome-counts"><li>cancelled: <strong>${count(t.orders_cancelled)}</strong>${reasonCounts(of("cancelled"))}</li><li>expired: <strong>${count(t.orders_expired)}</strong>${reasonCounts(of("expired"))}</li></ul>
${capped}
</section>`;
}

// ---- trades ----------------------------------------------------------------------------------

export function tradesSection(b: ArtifactBundle): SafeHtml {
  const col = (name: (typeof TRADES_COLUMNS)[number]) => TRADES_COLUMNS.indexOf(name);
  const field = (t: TradeView, name: (typeof TRADES_COLUMNS)[number]): string => t.fields?.[col(name)] ?? "";
  const held = b.trades.filter((t) => t.fields !== undefined);
  // Fills the engine did not see on its stream (caught by reconcile, orphans) are kept first.
  const rows = capByRank(held, table_rows_max, (t) => (t.source === "stream" ? 1 : 0));
  const num = (name: (typeof TRADES_COLUMNS)[number]): Column<TradeView> =>
    ({ label: name.replace(/_/g, " "), cell: (t) => group(field(t, name)), cls: "num", sortKey: (t) => field(t, name) });
  const cols: Column<TradeView>[] = [
    { label: "event time", cell: (t) => html`<time>${t.ts}</time>`, sortKey: (t) => timeKey(t.ts) },
    { label: "symbol", cell: (t) => shown(t.symbol) },
    { label: "side", cell: (t) => field(t, "side") },
    num("qty"), num("price"), num("slippage_pips"), num("realized_pnl"),
    { label: "source", cell: (t) => html`<span class="tag ${t.source === "stream" ? "clean" : "caught"}">${t.source}</span>` },
    { label: "decision · client order id", cell: (t) => html`${code(t.decisionId)} ${code(t.clientOrderId)}`, cls: "id", sortKey: (t) => t.clientOrderId },
  ];
  const notStream = b.trades.filter((t) => t.source !== "stream").length;
  return html`<section id="trades"><h2>Trades</h2>
<p class="lede">${count(b.trades.length)} fills in trades.csv, ${count(notStream)} of them not seen on the engine's stream (caught by reconcile, or orphans). Times are the fills' event times.</p>
${dataTable({
    id: "trades-table", caption: "Fills (trades.csv)", columns: cols, rows, total: b.trades.length,
    note: rows.length < b.trades.length ? `Fills not seen on the stream are kept first; every fill is in ${TRADES_CSV}.` : undefined,
    empty: "No fills.", rowClass: (t) => (t.source === "stream" ? "" : "caught"),
    rowAttrs: (t) => ({ symbol: t.symbol, source: t.source, side: field(t, "side") }),
    filters: [
      { key: "symbol", label: "symbol", options: distinct(b.trades.map((t) => t.symbol)) },
      { key: "source", label: "source", options: distinct(b.trades.map((t) => t.source)) },
      { key: "side", label: "side", options: distinct(held.map((t) => field(t, "side"))) },
    ],
  })}
</section>`;
}

// ---- realized P&L ----------------------------------------------------------------------------

function pnlFinal(s: Series): string {
  return D.toFixed(s.final, 2);
}

/** The quote currency of a symbol, from the report's instruments (older reports: an FX pair's second currency). */
export function currencyFinder(doc: ReportDoc): (symbol: string) => string {
  const known = new Map(doc.instruments.items.map((i) => [i.symbol, i.quote_currency]));
  return (symbol) => known.get(symbol) ?? (/^[A-Z]{6}$/.test(symbol) ? symbol.slice(3) : "?");
}

/** The P&L figures the report states, per currency (one line in a single-currency report). */
export function reportedPnl(doc: ReportDoc): Array<readonly [string, string]> {
  const listed = doc.realized_pnl_by_currency.items;
  if (listed.length > 0) return listed.map((r) => [r.currency, r.realized_pnl] as const);
  return doc.totals.realized_pnl === "mixed" ? [] : [["", doc.totals.realized_pnl]];
}

export function pnlSection(b: ArtifactBundle): SafeHtml {
  const { doc, trades } = b;
  const { byCurrency, bySymbol, orphans } = cumulativePnl(trades, currencyFinder(doc));
  if (byCurrency.length === 0) {
    return html`<section id="pnl"><h2>Realized P&L</h2><p class="empty" id="pnl-empty">No fills of the engine in trades.csv${orphans > 0 ? ` (${count(orphans)} orphan fills, which are the broker's, not the engine's)` : ""}.</p></section>`;
  }
  // Each series is in event time: the span is from the earliest first point to the latest last one.
  const x = timeDomain(Math.min(...byCurrency.map((s) => s.t[0]!)), Math.max(...byCurrency.map((s) => s.t[s.t.length - 1]!)));
  const reported = new Map(reportedPnl(doc));
  const single = byCurrency.length === 1;
  const mismatches = byCurrency.filter((s) => (reported.get(s.key) ?? reported.get("")) !== pnlFinal(s))
    .map((s) => `${s.key} ${pnlFinal(s)} in trades.csv, ${reported.get(s.key) ?? reported.get("") ?? "nothing"} in the report`);
  const mismatch = mismatches.length > 0
    ? html`<p class="note warn" id="pnl-mismatch">The engine's rows of trades.csv and the report disagree: ${mismatches.join("; ")}.</p>` : "";
  const wide = byCurrency.map((s) => {
    const id = single ? "pnl-overall" : `pnl-ccy-${s.key.replace(/[^A-Za-z0-9]/g, "_")}`;
    return html`<figure class="wide" data-currency="${s.key}"><figcaption><strong>${s.key}</strong> final <span class="${s.final < 0n ? "neg" : "pos"}" id="${id}-final-text">${signed(pnlFinal(s))}</span> <span class="muted">${count(s.fills)} fills</span></figcaption>
<div class="chartwrap">${stepChart({ id, title: `Cumulative realized P&L in ${s.key}`, width: 960, height: 300, x, series: { t: s.t, v: s.v, finalText: pnlFinal(s), cls: "overall" }, pointsMax: chart_points_max, yTicks: 6, xTicks: 7 })}</div></figure>`;
  });
  const ranked = [...bySymbol].sort((a, c) => {
    const d = D.abs(c.final) - D.abs(a.final);
    return d > 0n ? 1 : d < 0n ? -1 : a.key < c.key ? -1 : 1;
  });
  const charted = new Set(ranked.slice(0, chart_symbols_max).map((s) => s.key));
  const currencyOf = currencyFinder(doc);
  const small = bySymbol.filter((s) => charted.has(s.key)).map((s) => html`<figure class="small" data-symbol="${s.key}"><figcaption><strong>${shown(s.key)}</strong> <span class="${s.final < 0n ? "neg" : "pos"}">${signed(pnlFinal(s))}</span> <span class="muted">${currencyOf(s.key)} · ${count(s.fills)} fills</span></figcaption>
${stepChart({ id: `pnl-${s.key.replace(/[^A-Za-z0-9]/g, "_")}`, title: `Cumulative realized P&L, ${s.key}`, width: 480, height: 180, x, series: { t: s.t, v: s.v, finalText: pnlFinal(s), cls: "sym" }, pointsMax: chart_points_max, yTicks: 4, xTicks: 4 })}</figure>`);
  const jsonBySymbol = new Map(doc.realized_pnl_by_symbol.items.map((r) => [r.symbol, r.realized_pnl]));
  const rows = bySymbol.map((s) => ({ symbol: s.key, currency: currencyOf(s.key), fills: s.fills, csv: pnlFinal(s), json: jsonBySymbol.get(s.key) ?? "—" }));
  const cols: Column<(typeof rows)[number]>[] = [
    { label: "symbol", cell: (r) => shown(r.symbol) },
    { label: "currency", cell: (r) => r.currency },
    { label: "fills", cell: (r) => count(r.fills), cls: "num" },
    { label: "realized P&L (trades.csv)", cell: (r) => signed(r.csv), cls: "num" },
    { label: "realized P&L (report)", cell: (r) => (r.json === "—" ? r.json : signed(r.json)), cls: "num" },
  ];
  const fills = byCurrency.reduce((n, s) => n + s.fills, 0);
  const sampled = fills > chart_points_max ? ` Lines are downsampled to at most ${count(chart_points_max)} points each (every bucket keeps its first, lowest, highest and last value).` : "";
  const orphanNote = orphans > 0 ? ` ${count(orphans)} orphan ${orphans === 1 ? "fill is" : "fills are"} in trades.csv (source orphan) but kept out: ${orphans === 1 ? "it is" : "they are"} the broker's, not the engine's.` : "";
  return html`<section id="pnl"><h2>Realized P&L</h2>
<p class="lede">Cumulative realized P&L of the engine's fills over event time, average cost, net of fees, one chart per quote currency: amounts in different currencies are never added.${orphanNote}${sampled}</p>
${wide}
${mismatch}
<div class="smalls">${small}</div>
${charted.size < bySymbol.length ? html`<p class="note cap">Charts for the ${chart_symbols_max} symbols with the largest absolute P&L; all ${count(bySymbol.length)} are in the table.</p>` : ""}
${dataTable({ id: "pnl-table", caption: "Realized P&L by symbol", columns: cols, rows: rows.slice(0, table_rows_max), total: rows.length, empty: "No fills." })}
</section>`;
}

// ---- slippage heat table ---------------------------------------------------------------------

type Cell = ReportDoc["slippage"]["items"][number];

/** Heat level 0..4 from the worst fill against the preset; "none" when no preset applied. */
export function heat(c: Cell): string {
  if (c.preset_max_pips === null) return "nopreset";
  if (c.breaches > 0) return "h4";
  const preset = dec(c.preset_max_pips);
  const worst = dec(c.max_pips);
  if (!(preset > 0)) return worst > 0 ? "h4" : "h0";
  const ratio = worst / preset;
  return ratio <= 0.25 ? "h0" : ratio <= 0.5 ? "h1" : ratio <= 0.75 ? "h2" : "h3";
}

export function slippageSection(doc: ReportDoc): SafeHtml {
  const cells = doc.slippage.items;
  // Sessions in the config's order, then any the fills name that the config does not; a session
  // with neither fills nor presets is an empty column and is left out.
  const used = new Set([...cells.map((c) => c.session), ...doc.config.slippage_presets.map((p) => p.session)]);
  const sessions = doc.config.sessions.map((s) => s.name).filter((n) => used.has(n));
  for (const c of cells) if (!sessions.includes(c.session)) sessions.push(c.session);
  const symbols = distinct(cells.map((c) => c.symbol));
  const at = new Map(cells.map((c) => [`${c.symbol}\u0000${c.session}`, c]));
  const presets = new Map(doc.config.slippage_presets.map((p) => [`${p.symbol}\u0000${p.session}`, p.max_slippage_pips]));
  const cell = (sym: string, ses: string): SafeHtml => {
    const c = at.get(`${sym}\u0000${ses}`);
    if (c === undefined) {
      const p = presets.get(`${sym}\u0000${ses}`);
      return html`<td class="heat empty-cell" data-label="${ses}">${p === undefined ? "" : html`<span class="muted">preset ${p}</span>`}</td>`;
    }
    const h = heat(c);
    const presetText = c.preset_max_pips === null ? "NO PRESET" : `preset ${c.preset_max_pips}`;
    return html`<td class="heat ${h}" data-label="${ses}" data-symbol="${sym}" data-session="${ses}" data-breaches="${c.breaches}"><span class="hv">max ${c.max_pips}</span><span class="hs">p95 ${c.p95_pips} · mean ${c.mean_pips}</span><span class="hs">${presetText} · ${c.fills} fills${c.breaches > 0 ? html` · <strong>${c.breaches} breach${c.breaches === 1 ? "" : "es"}</strong>` : ""}</span></td>`;
  };
  const body = symbols.map((sym) => html`<tr><th scope="row">${shown(sym)}</th>${sessions.map((ses) => cell(sym, ses))}</tr>`);
  return html`<section id="slippage"><h2>Slippage by symbol × session</h2>
<p class="lede">Pips, positive is worse for the engine; session is the UTC hour of the fill. Colour is the worst fill against the preset: ${count(doc.totals.slippage_breaches)} breaches in total. A fill with no preset counts as a breach (fail safe).</p>
${symbols.length === 0 ? html`<p class="empty">No fills.</p>` : html`<div class="tablewrap"><table class="heatmap" id="slippage-table"><caption>Slippage against presets (pips)</caption><thead><tr><th scope="col">symbol</th>${sessions.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead><tbody>${body}</tbody></table></div>
<ul class="legend heat-legend"><li><span class="sw h0"></span>≤25% of preset</li><li><span class="sw h1"></span>≤50%</li><li><span class="sw h2"></span>≤75%</li><li><span class="sw h3"></span>≤100%</li><li><span class="sw h4"></span>breach</li><li><span class="sw nopreset"></span>no preset</li></ul>`}
</section>`;
}

// ---- positions -------------------------------------------------------------------------------

export function positionsSection(doc: ReportDoc): SafeHtml {
  const rows = doc.positions.items;
  const tol = dec(doc.config.drift_tolerance_units);
  const maxAbs = rows.reduce((m, p) => Math.max(m, Math.abs(dec(p.engine_qty)), Math.abs(dec(p.broker_qty))), 0);
  const diff = (p: (typeof rows)[number]): string => D.toPlain(D.sub(parseDec(p.broker_qty) ?? D.ZERO, parseDec(p.engine_qty) ?? D.ZERO));
  const drifting = (p: (typeof rows)[number]): boolean => Math.abs(dec(diff(p))) > tol;
  const cols: Column<(typeof rows)[number]>[] = [
    { label: "symbol", cell: (p) => html`<strong>${shown(p.symbol)}</strong>` },
    { label: "engine qty @ avg", cell: (p) => `${group(p.engine_qty)} @ ${p.engine_avg_price}`, cls: "num" },
    { label: "broker qty @ avg", cell: (p) => `${group(p.broker_qty)} @ ${p.broker_avg_price}`, cls: "num" },
    { label: "broker − engine", cell: (p) => html`<span class="${drifting(p) ? "bad" : "ok"}">${drifting(p) ? `${signed(diff(p))} u` : "matches"}</span>`, cls: "num" },
    { label: "engine / broker", cell: (p) => positionBars(dec(p.engine_qty), dec(p.broker_qty), maxAbs, `${p.symbol}: engine ${p.engine_qty}, broker ${p.broker_qty}`) },
  ];
  const n = rows.filter(drifting).length;
  return html`<section id="positions"><h2>Positions: engine vs broker</h2>
<p class="lede">Net position per symbol at the end of the replay. ${n === 0 ? "Engine and broker agree on every symbol." : `${n} symbol${n === 1 ? "" : "s"} differ beyond the tolerance of ${doc.config.drift_tolerance_units} units. Largest drift seen during the replay: ${doc.totals.drift_pips} pips, ${group(doc.totals.drift_units)} units.`}</p>
${dataTable({ id: "positions-table", caption: "Net positions (bars: engine in blue above, broker in grey below, one shared scale, zero in the middle)", columns: cols, rows: rows.slice(0, table_rows_max), total: rows.length + doc.positions.omitted, empty: "Flat: no open positions on either side.", rowClass: (p) => (drifting(p) ? "drift" : "") })}
</section>`;
}

// ---- cache, duplicates, ambiguous matches ----------------------------------------------------

export function cacheSection(doc: ReportDoc): SafeHtml {
  const c = doc.cache;
  const t = doc.totals;
  const kv: ReadonlyArray<readonly [string, string, boolean]> = [
    ["cache ok", c.ok ? "yes" : `NO — ${c.failure ?? "unknown failure"}`, !c.ok],
    ["entries loaded at start", count(c.entries_loaded), false],
    ["entries written (orders sent)", count(c.entries_written), false],
    ["entries purged (past TTL)", count(c.entries_purged), false],
    ["entries live at end", count(c.live_entries), false],
    ["duplicate decisions skipped", count(t.duplicates_skipped), false],
    ["duplicate broker deliveries ignored", count(t.duplicate_deliveries), false],
    ["decisions blocked by kill switch", count(t.blocked_decisions), t.blocked_decisions > 0],
    ["orders sent · fills", `${count(t.orders_sent)} · ${count(t.fills)}`, false],
    ["fills not reconciled", count(t.unreconciled_fills), t.unreconciled_fills > 0],
  ];
  const skippedCols: Column<SkippedDoc>[] = [
    { label: "decision", cell: (s) => code(s.decision_id) },
    { label: "client order id", cell: (s) => code(s.client_order_id), cls: "id" },
    { label: "event time", cell: (s) => html`<time>${s.ts}</time>` },
    { label: "reason", cell: (s) => words(s.reason) },
    { label: "evidence", cell: (s) => s.evidence },
  ];
  const amb = doc.ambiguous_matches;
  const ambCols: Column<(typeof amb.items)[number]>[] = [
    { label: "run", cell: (m) => code(m.reconcile_id) },
    { label: "broker order", cell: (m) => code(m.broker_order_id), cls: "id" },
    { label: "broker's client order id", cell: (m) => code(m.broker_client_order_id), cls: "id" },
    { label: "symbol · side · qty", cell: (m) => html`${shown(m.symbol)} ${m.side} ${group(m.qty)}` },
    { label: "candidates (not guessed)", cell: (m) => m.candidates.join(", "), cls: "id" },
  ];
  return html`<section id="cache"><h2>Idempotency cache and duplicates</h2>
<dl class="kvgrid" id="cache-figures">${kv.map(([k, v, bad]) => html`<div class="${bad ? "bad" : ""}"><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
<h3>Duplicate decisions skipped</h3>
${dataTable({ id: "duplicates-table", caption: "Decisions skipped as duplicates (their client order id was live in the cache)", columns: skippedCols, rows: doc.duplicate_decisions.items.slice(0, table_rows_max), total: doc.duplicate_decisions.items.length + doc.duplicate_decisions.omitted, note: omittedNote(Math.min(table_rows_max, doc.duplicate_decisions.items.length), doc.duplicate_decisions.items.length, doc.duplicate_decisions.omitted), empty: "No duplicate decisions." })}
<h3>Decisions blocked by the kill switch</h3>
${dataTable({ id: "blocked-table", caption: "Decisions not sent because the kill switch was engaged", columns: skippedCols, rows: doc.blocked_decisions.items.slice(0, table_rows_max), total: doc.blocked_decisions.items.length + doc.blocked_decisions.omitted, note: omittedNote(Math.min(table_rows_max, doc.blocked_decisions.items.length), doc.blocked_decisions.items.length, doc.blocked_decisions.omitted), empty: "No decisions blocked." })}
<h3>Ambiguous matches</h3>
${dataTable({ id: "ambiguous-table", caption: "Broker orders that look like more than one engine order (listed, never guessed)", columns: ambCols, rows: amb.items.slice(0, table_rows_max), total: amb.items.length + amb.omitted, note: omittedNote(Math.min(table_rows_max, amb.items.length), amb.items.length, amb.omitted), empty: "No ambiguous matches." })}
</section>`;
}

// ---- broker limits and provenance ------------------------------------------------------------

export function limitsSection(doc: ReportDoc): SafeHtml {
  const bl = doc.broker_limits;
  const engine = doc.config.limits;
  const symbols = distinct([...Object.keys(engine.symbol_caps), ...Object.keys(bl?.symbol_caps ?? {})]);
  const same = (a: string | null | undefined, b: string | null | undefined): boolean =>
    a !== null && a !== undefined && b !== null && b !== undefined && parseDec(a) === parseDec(b);
  const row = (label: string, mine: string | null | undefined, theirs: string | null | undefined): SafeHtml =>
    html`<tr class="${same(mine, theirs) || bl === null ? "" : "drift"}"><th scope="row">${label}</th><td data-label="engine (config)" class="num">${mine ?? "—"}</td><td data-label="broker" class="num">${theirs ?? "—"}</td></tr>`;
  return html`<section id="limits"><h2>Broker limits mirror</h2>
<p class="lede">${bl === null ? "The broker log had no limits snapshot." : html`Broker's limits as of <time>${bl.ts}</time> against the engine's config; differing rows are marked.`}</p>
<div class="tablewrap"><table class="data compact" id="limits-table"><caption>Limits</caption><thead><tr><th scope="col">limit</th><th scope="col">engine (config)</th><th scope="col">broker</th></tr></thead><tbody>
${row("daily loss cap", engine.daily_loss_cap, bl?.daily_loss_cap)}${symbols.map((s) => row(`${s} cap (units)`, engine.symbol_caps[s], bl?.symbol_caps[s]))}
</tbody></table></div></section>`;
}

export function provenanceSection(b: ArtifactBundle): SafeHtml {
  const inp = b.doc.inputs;
  const inputs = [inp.journal, inp.broker, ...(inp.config === null ? [] : [inp.config])];
  return html`<section id="provenance"><h2>Provenance</h2>
<p class="lede">The inputs this replay read and the artifacts this page was built from. Same artifacts, same page, byte for byte.</p>
<div class="tablewrap"><table class="data compact" id="provenance-table"><caption>Inputs (from reconcile-report.json)</caption><thead><tr><th scope="col">file</th><th scope="col">lines</th><th scope="col">sha256</th></tr></thead><tbody>
${inputs.map((f) => html`<tr><td data-label="file">${f.name}</td><td data-label="lines" class="num">${count(f.lines)}</td><td data-label="sha256" class="hash"><code>${f.sha256}</code></td></tr>`)}
${inp.config === null ? html`<tr><td data-label="file">config</td><td data-label="lines" class="num">—</td><td data-label="sha256">defaults only</td></tr>` : ""}
<tr><td data-label="file">effective config</td><td data-label="lines" class="num">—</td><td data-label="sha256" class="hash"><code>${inp.config_hash}</code></td></tr>
</tbody></table></div>
<div class="tablewrap"><table class="data compact" id="artifacts-table"><caption>Artifacts read</caption><thead><tr><th scope="col">file</th><th scope="col">bytes</th><th scope="col">sha256</th></tr></thead><tbody>
${b.files.map((f) => html`<tr><td data-label="file">${f.name}</td><td data-label="bytes" class="num">${count(f.bytes)}</td><td data-label="sha256" class="hash"><code>${f.sha256}</code></td></tr>`)}
</tbody></table></div>
<p class="note">reconcile-report.json schema_version ${b.doc.schema_version}. Generated by <code>recon-proof report</code>; the page carries no generation time so it is reproducible.</p>
</section>`;
}
