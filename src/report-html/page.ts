// The whole report.html: one self-contained document. No external resource of any kind; a
// Content-Security-Policy forbids loading anything and admits only our own inline script and style
// by hash, so even a string that slipped past escaping could neither run nor phone home.

import { createHash } from "node:crypto";
import { html, raw, type SafeHtml } from "./escape.js";
import { count } from "./format.js";
import { TABLE_ROWS_MAX } from "./limits.js";
import type { ArtifactBundle } from "../artifacts/bundle.js";
import type { BundleNeeds } from "../artifacts/read.js";
import { SCRIPT } from "./script.js";
import { actionsSection } from "./sections/actions.js";
import { alertsSection } from "./sections/alerts.js";
import { limitsSection } from "./sections/broker-limits.js";
import { cacheSection } from "./sections/cache.js";
import { findingsSection } from "./sections/findings.js";
import { glanceSection } from "./sections/glance.js";
import { outcomesSection } from "./sections/outcomes.js";
import { pnlSection } from "./sections/pnl.js";
import { positionsSection } from "./sections/positions.js";
import { provenanceSection } from "./sections/provenance.js";
import { cleanRunCount, runsSection } from "./sections/runs.js";
import { slippageSection } from "./sections/slippage.js";
import { tradesSection } from "./sections/trades.js";
import { evidenceWanted, triageSection } from "./sections/triage.js";
import { verdictSection } from "./sections/verdict.js";
import { STYLE } from "./style.js";

/**
 * What the page needs read back beyond the artifacts' text: every column of the rows its trades
 * table can hold, and the input lines of the findings it shows as cards.
 */
export const PAGE_NEEDS: BundleNeeds = { detailRowsMax: TABLE_ROWS_MAX, evidenceWanted };

const sha256b64 = (text: string): string => createHash("sha256").update(text, "utf8").digest("base64");

/** The policy for the page: nothing from anywhere, our script and style by hash, SVG inline. */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `script-src 'sha256-${sha256b64(SCRIPT)}'`,
    `style-src 'sha256-${sha256b64(STYLE)}'`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

const TOC: ReadonlyArray<readonly [string, string]> = [
  ["triage", "What to do now"], ["glance", "At a glance"], ["runs", "Reconcile runs"], ["findings", "Findings"],
  ["alerts", "Alerts"], ["actions", "Staged actions"], ["outcomes", "Order outcomes"], ["trades", "Trades"], ["pnl", "Realized P&L"],
  ["slippage", "Slippage"], ["positions", "Positions"], ["cache", "Cache & duplicates"], ["limits", "Broker limits"],
  ["provenance", "Provenance"],
];

function counted(b: ArtifactBundle, id: string): string {
  const d = b.doc;
  const n = id === "findings" ? d.findings.items.length + d.findings.omitted
    : id === "alerts" ? d.alerts.items.length + d.alerts.omitted
    : id === "actions" ? d.staged_actions.items.length + d.staged_actions.omitted
    : id === "outcomes" ? d.totals.orders_rejected + d.totals.orders_cancelled + d.totals.orders_expired
    : id === "trades" ? b.trades.length : -1;
  return n > 0 ? ` (${count(n)})` : "";
}

/** Renders the report page. Pure: the same bundle gives the same bytes. */
export function renderReportHtml(b: ArtifactBundle): string {
  const healthy = b.doc.verdict === "healthy";
  const title = `${healthy ? "HEALTHY" : "MANUAL INTERVENTION REQUIRED"} · ${b.name} · recon-proof report`;
  const nav = html`<nav class="toc" aria-label="Sections"><ol>${TOC.map(([id, label]) => html`<li><a href="#${id}">${label}${counted(b, id)}</a></li>`)}</ol></nav>`;
  const page: SafeHtml = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="recon-proof report">
<title>${title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<main>
${verdictSection(b)}
${triageSection(b, cleanRunCount(b.doc))}
${nav}
${glanceSection(b)}
${runsSection(b)}
${findingsSection(b.doc)}
${alertsSection(b.doc)}
${actionsSection(b.doc)}
${outcomesSection(b.doc)}
${tradesSection(b)}
${pnlSection(b)}
${slippageSection(b.doc)}
${positionsSection(b.doc)}
${cacheSection(b.doc)}
${limitsSection(b.doc)}
${provenanceSection(b)}
<footer>recon-proof · artifacts of <strong>${b.name}</strong> · ${b.doc.verdict}</footer>
</main>
<script>${raw(SCRIPT)}</script>
</body>
</html>
`;
  return page.text;
}
