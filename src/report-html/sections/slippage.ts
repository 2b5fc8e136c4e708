// Slippage as a heat table of symbol by session, coloured by the worst fill against its preset.

import type { ReportDoc } from "../../artifacts/report-schema.js";
import { html, shown, type SafeHtml } from "../escape.js";
import { count } from "../format.js";
import { distinct } from "../table.js";
import { dec } from "./shared.js";

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
