// The broker's risk limits against the engine's config, the rows that differ marked.

import { parseDec } from "../../domain/decimal.js";
import type { ReportDoc } from "../../artifacts/report-schema.js";
import { html, type SafeHtml } from "../escape.js";
import { distinct } from "../table.js";

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
