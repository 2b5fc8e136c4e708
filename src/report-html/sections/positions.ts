// Net positions at the end of the replay, engine against broker, on one shared scale.

import * as D from "../../domain/decimal.js";
import { parseDec } from "../../domain/decimal.js";
import type { ReportDoc } from "../../artifacts/report-schema.js";
import { positionBars } from "../charts.js";
import { html, shown, type SafeHtml } from "../escape.js";
import { group, signed } from "../format.js";
import { TABLE_ROWS_MAX } from "../limits.js";
import { dataTable, type Column } from "../table.js";
import { dec } from "./shared.js";

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
${dataTable({ id: "positions-table", caption: "Net positions (bars: engine in blue above, broker in grey below, one shared scale, zero in the middle)", columns: cols, rows: rows.slice(0, TABLE_ROWS_MAX), total: rows.length + doc.positions.omitted, empty: "Flat: no open positions on either side.", rowClass: (p) => (drifting(p) ? "drift" : "") })}
</section>`;
}
