// Every finding in one table, the most severe kept first when the table is capped.

import type { FindingDoc, ReportDoc } from "../../artifacts/report-schema.js";
import { html, shown, type SafeHtml } from "../escape.js";
import { count } from "../format.js";
import { TABLE_ROWS_MAX } from "../limits.js";
import { capByRank, dataTable, distinct, type Column } from "../table.js";
import { code, detailList, omittedNote, timeKey } from "./shared.js";
import { kindName } from "./triage.js";

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 0, warning: 1, info: 2 };


export function findingsSection(doc: ReportDoc): SafeHtml {
  const all = doc.findings.items;
  const rows = capByRank(all, TABLE_ROWS_MAX, (f) => SEVERITY_RANK[f.severity] ?? 3);
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
