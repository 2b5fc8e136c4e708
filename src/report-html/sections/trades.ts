// The fills of trades.csv, those the engine did not see on its stream kept first.

import type { ArtifactBundle } from "../../artifacts/bundle.js";
import { TRADES_CSV } from "../../artifacts/names.js";
import type { TradeView } from "../../artifacts/read-trades.js";
import { TRADES_COLUMNS } from "../../artifacts/trades-csv.js";
import { html, shown, type SafeHtml } from "../escape.js";
import { count, group } from "../format.js";
import { TABLE_ROWS_MAX } from "../limits.js";
import { capByRank, dataTable, distinct, type Column } from "../table.js";
import { code, timeKey } from "./shared.js";

export function tradesSection(b: ArtifactBundle): SafeHtml {
  const col = (name: (typeof TRADES_COLUMNS)[number]) => TRADES_COLUMNS.indexOf(name);
  const field = (t: TradeView, name: (typeof TRADES_COLUMNS)[number]): string => t.fields?.[col(name)] ?? "";
  const held = b.trades.filter((t) => t.fields !== undefined);
  // Fills the engine did not see on its stream (caught by reconcile, orphans) are kept first.
  const rows = capByRank(held, TABLE_ROWS_MAX, (t) => (t.source === "stream" ? 1 : 0));
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
