// Reconcile runs: every run on an event-time timeline, and a table of the runs that found something.

import type { ArtifactBundle } from "../../artifacts/bundle.js";
import type { ReportDoc, RunDoc } from "../../artifacts/report-schema.js";
import { timeDomain, timeline, type RunMark, type RunMarkKind } from "../charts.js";
import { html, type SafeHtml } from "../escape.js";
import { count, group } from "../format.js";
import { TABLE_ROWS_MAX, TIMELINE_MARKS_MAX, TIMELINE_RESTART_LINES_MAX } from "../limits.js";
import { capByRank, dataTable, distinct, type Column } from "../table.js";
import { code, eventSpan, ms, timeKey } from "./shared.js";

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
    killAt: doc.kill_switch.engaged_at === null ? null : ms(doc.kill_switch.engaged_at), marksMax: TIMELINE_MARKS_MAX,
    restartLinesMax: TIMELINE_RESTART_LINES_MAX,
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
  const shown = capByRank(notable, TABLE_ROWS_MAX, (r) => (runKind(r) === "failed" || runKind(r) === "divergence" ? 0 : 1));
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
