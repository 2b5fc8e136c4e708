// The alerts the replay raised, as a live engine would have raised them.

import type { AlertDoc, ReportDoc } from "../../artifacts/report-schema.js";
import { html, type SafeHtml } from "../escape.js";
import { count } from "../format.js";
import { TABLE_ROWS_MAX } from "../limits.js";
import { dataTable, distinct, type Column } from "../table.js";
import { code, detailList, omittedNote, timeKey } from "./shared.js";

export function alertsSection(doc: ReportDoc): SafeHtml {
  const all = doc.alerts.items;
  const rows = all.slice(0, TABLE_ROWS_MAX);
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
