// The engine's orders the broker did not fill whole: rejects grouped by the broker's reason, cancels
// and expiries counted.

import { REPORT_JSON } from "../../artifacts/names.js";
import type { OutcomeDoc, ReportDoc } from "../../artifacts/report-schema.js";
import { html, shown, type Html, type SafeHtml } from "../escape.js";
import { count } from "../format.js";
import { TABLE_ROWS_MAX } from "../limits.js";
import { dataTable, distinct, type Column } from "../table.js";
import { code } from "./shared.js";

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
${dataTable({ id: "rejects-table", caption: "Orders the broker rejected, grouped by its reason", columns: cols, rows: rejects.slice(0, TABLE_ROWS_MAX), total: rejects.length, empty: "No order was rejected." })}
<ul class="outcome-counts" id="outcome-counts"><li>cancelled: <strong>${count(t.orders_cancelled)}</strong>${reasonCounts(of("cancelled"))}</li><li>expired: <strong>${count(t.orders_expired)}</strong>${reasonCounts(of("expired"))}</li></ul>
${capped}
</section>`;
}
