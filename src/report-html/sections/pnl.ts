// Realized P&L over event time: one chart per quote currency, small charts per symbol, and a table
// that holds trades.csv's sums against the report's.

import * as D from "../../domain/decimal.js";
import type { ArtifactBundle } from "../../artifacts/bundle.js";
import { reportedPnl } from "../../artifacts/read.js";
import type { ReportDoc } from "../../artifacts/report-schema.js";
import { stepChart, timeDomain } from "../charts.js";
import { html, shown, type SafeHtml } from "../escape.js";
import { count, signed } from "../format.js";
import { CHART_POINTS_MAX, CHART_SYMBOLS_MAX, TABLE_ROWS_MAX } from "../limits.js";
import { cumulativePnl, type Series } from "../series.js";
import { dataTable, type Column } from "../table.js";

function pnlFinal(s: Series): string {
  return D.toFixed(s.final, 2);
}

/** The quote currency of a symbol, from the report's instruments (older reports: an FX pair's second currency). */
export function currencyFinder(doc: ReportDoc): (symbol: string) => string {
  const known = new Map(doc.instruments.items.map((i) => [i.symbol, i.quote_currency]));
  return (symbol) => known.get(symbol) ?? (/^[A-Z]{6}$/.test(symbol) ? symbol.slice(3) : "?");
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
<div class="chartwrap">${stepChart({ id, title: `Cumulative realized P&L in ${s.key}`, width: 960, height: 300, x, series: { t: s.t, v: s.v, finalText: pnlFinal(s), cls: "overall" }, pointsMax: CHART_POINTS_MAX, yTicks: 6, xTicks: 7 })}</div></figure>`;
  });
  const ranked = [...bySymbol].sort((a, c) => {
    const d = D.abs(c.final) - D.abs(a.final);
    return d > 0n ? 1 : d < 0n ? -1 : a.key < c.key ? -1 : 1;
  });
  const charted = new Set(ranked.slice(0, CHART_SYMBOLS_MAX).map((s) => s.key));
  const currencyOf = currencyFinder(doc);
  const small = bySymbol.filter((s) => charted.has(s.key)).map((s) => html`<figure class="small" data-symbol="${s.key}"><figcaption><strong>${shown(s.key)}</strong> <span class="${s.final < 0n ? "neg" : "pos"}">${signed(pnlFinal(s))}</span> <span class="muted">${currencyOf(s.key)} · ${count(s.fills)} fills</span></figcaption>
${stepChart({ id: `pnl-${s.key.replace(/[^A-Za-z0-9]/g, "_")}`, title: `Cumulative realized P&L, ${s.key}`, width: 480, height: 180, x, series: { t: s.t, v: s.v, finalText: pnlFinal(s), cls: "sym" }, pointsMax: CHART_POINTS_MAX, yTicks: 4, xTicks: 4 })}</figure>`);
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
  const sampled = fills > CHART_POINTS_MAX ? ` Lines are downsampled to at most ${count(CHART_POINTS_MAX)} points each (every bucket keeps its first, lowest, highest and last value).` : "";
  const orphanNote = orphans > 0 ? ` ${count(orphans)} orphan ${orphans === 1 ? "fill is" : "fills are"} in trades.csv (source orphan) but kept out: ${orphans === 1 ? "it is" : "they are"} the broker's, not the engine's.` : "";
  return html`<section id="pnl"><h2>Realized P&L</h2>
<p class="lede">Cumulative realized P&L of the engine's fills over event time, average cost, net of fees, one chart per quote currency: amounts in different currencies are never added.${orphanNote}${sampled}</p>
${wide}
${mismatch}
<div class="smalls">${small}</div>
${charted.size < bySymbol.length ? html`<p class="note cap">Charts for the ${CHART_SYMBOLS_MAX} symbols with the largest absolute P&L; all ${count(bySymbol.length)} are in the table.</p>` : ""}
${dataTable({ id: "pnl-table", caption: "Realized P&L by symbol", columns: cols, rows: rows.slice(0, TABLE_ROWS_MAX), total: rows.length, empty: "No fills." })}
</section>`;
}
