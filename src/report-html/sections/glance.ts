// The replay's figures at a glance, and the summary line the proof workflow greps.

import type { ArtifactBundle } from "../../artifacts/bundle.js";
import { reportedPnl } from "../../artifacts/read.js";
import type { ReportDoc } from "../../artifacts/report-schema.js";
import { html, type SafeHtml } from "../escape.js";
import { count, group, signed } from "../format.js";

interface Figure { readonly label: string; readonly value: string; readonly level: "ok" | "warn" | "bad" | "plain"; readonly key: string }

function figures(doc: ReportDoc): Figure[] {
  const t = doc.totals;
  const lvl = (bad: boolean, level: "warn" | "bad" = "bad"): Figure["level"] => (bad ? level : "ok");
  return [
    { key: "stale", label: "stale orders", value: count(t.stale), level: lvl(t.stale > 0) },
    { key: "orphan", label: "orphan orders", value: count(t.orphan), level: lvl(t.orphan > 0) },
    { key: "drift", label: `max drift (units; ${t.drift_pips} pips)`, value: group(t.drift_units), level: lvl(t.drift_pips !== "0.0" || t.drift_units !== "0") },
    { key: "cache_ok", label: "cache ok", value: String(t.cache_ok), level: lvl(!t.cache_ok) },
    { key: "alerts", label: "alerts", value: count(t.alerts), level: lvl(t.alerts > 0, "warn") },
    { key: "slippage_breaches", label: "slippage breaches", value: count(t.slippage_breaches), level: lvl(t.slippage_breaches > 0, "warn") },
    { key: "staged_actions", label: "staged actions", value: count(doc.staged_actions.items.length + doc.staged_actions.omitted), level: lvl(doc.staged_actions.items.length > 0) },
    { key: "blocked_decisions", label: "blocked decisions", value: count(t.blocked_decisions), level: lvl(t.blocked_decisions > 0) },
    { key: "orders", label: `orders sent · ${count(t.orders_rejected)} rejected · ${count(t.orders_cancelled)} cancelled · ${count(t.orders_expired)} expired`, value: count(t.orders_sent), level: lvl(t.orders_rejected > 0, "warn") },
    { key: "fills_caught", label: "fills caught by reconcile", value: count(t.fills_caught_by_reconcile), level: lvl(t.fills_caught_by_reconcile > 0, "warn") },
    { key: "duplicates_skipped", label: "duplicates skipped", value: count(t.duplicates_skipped), level: "plain" },
    { key: "reconcile_runs", label: "reconcile runs (failed)", value: `${count(t.reconcile_runs)} (${count(t.reconcile_failures)})`, level: lvl(t.reconcile_failures > 0) },
    { key: "realized_pnl", label: "realized P&L", value: reportedPnl(doc).map(([ccy, v]) => `${ccy === "" ? "" : `${ccy} `}${signed(v)}`).join(" · ") || "—", level: "plain" },
  ];
}

/** The replay's figures at a glance, and the summary line the proof workflow greps. */
export function glanceSection(b: ArtifactBundle): SafeHtml {
  const cards = figures(b.doc).map((f) => html`<div class="fig ${f.level}" data-key="${f.key}"><span class="v">${f.value}</span><span class="k">${f.label}</span></div>`);
  return html`<section id="glance"><h2>At a glance</h2>
<div class="figs">${cards}</div>
<p class="grepline">summary.txt: <code>${b.summaryLine}</code></p>
</section>`;
}
