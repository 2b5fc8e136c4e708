// The top of the page: did the replay pass, and if not, why (the kill switch and its reasons).

import type { KillReason } from "../../domain/report.js";
import type { ArtifactBundle } from "../../artifacts/bundle.js";
import { KILL_REASON_WORDS } from "../../artifacts/words.js";
import { html, type SafeHtml } from "../escape.js";
import { eventSpan } from "./shared.js";

export function verdictSection(b: ArtifactBundle): SafeHtml {
  const { doc } = b;
  const healthy = doc.verdict === "healthy";
  const reasons = doc.kill_switch.reasons.map((r) => html`<li><strong><code>${r}</code></strong> — ${KILL_REASON_WORDS[r as KillReason] ?? "see the findings below"}</li>`);
  const span = eventSpan(doc, b.trades);
  const why = healthy
    ? html`<p class="why">Kill switch not engaged. Every reconcile run agreed with the broker within tolerance.</p>`
    : html`<p class="why">Kill switch engaged${doc.kill_switch.engaged_at === null ? "" : html` at <time>${doc.kill_switch.engaged_at}</time>`}${doc.kill_switch.reasons.length === 0 ? "." : html` because:`}</p><ul class="reasons" id="kill-reasons">${reasons}</ul>`;
  return html`<header class="verdict ${healthy ? "healthy" : "unhealthy"}" id="verdict" data-verdict="${doc.verdict}">
<p class="scenario">recon-proof report · <strong>${b.name}</strong>${span === null ? "" : html` · event time ${new Date(span.lo).toISOString()} → ${new Date(span.hi).toISOString()}`}</p>
<h1><span class="icon" aria-hidden="true">${healthy ? "✓" : "✕"}</span> ${healthy ? "Healthy" : "Manual intervention required"}</h1>
${why}
</header>`;
}
