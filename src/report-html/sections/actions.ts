// The recovery actions the policy staged: listed for an operator, never executed.

import type { ReportDoc, StagedActionDoc } from "../../artifacts/report-schema.js";
import { html, shown, type SafeHtml } from "../escape.js";
import { group, words } from "../format.js";
import { TABLE_ROWS_MAX } from "../limits.js";
import { dataTable, type Column } from "../table.js";
import { code, omittedNote } from "./shared.js";

export function actionsSection(doc: ReportDoc): SafeHtml {
  const all = doc.staged_actions.items;
  const rows = all.slice(0, TABLE_ROWS_MAX);
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
