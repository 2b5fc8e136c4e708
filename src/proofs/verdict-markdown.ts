// A short markdown verdict per scenario for a GitHub job summary. The summary renders markdown and
// a subset of HTML, so every string from the artifacts is escaped for both: a client order id or a
// reason cannot open a link, a table cell or a tag.

import { checkReportDoc } from "../artifacts/report-schema.js";
import { reportedPnl } from "../artifacts/read.js";
import { KILL_REASON_WORDS } from "../artifacts/words.js";
import type { KillReason } from "../domain/report.js";

/** Escapes text for a markdown table cell or paragraph (HTML specials as entities, markdown with \). */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`);
}

/**
 * The verdict of one scenario as markdown: heading with the verdict, a one-row table of the summary
 * counts, the kill-switch reasons. `reportJson` is reconcile-report.json parsed; a malformed one
 * throws a DataError naming the field.
 */
export function renderVerdictMarkdown(reportJson: unknown, name: string): string {
  const doc = checkReportDoc(reportJson);
  const t = doc.totals;
  const healthy = doc.verdict === "healthy";
  const head = `### ${healthy ? "✅ healthy" : "❌ manual intervention required"} · ${mdText(name)}`;
  const cols: Array<[string, string]> = [
    ["stale", String(t.stale)], ["orphan", String(t.orphan)], ["drift (pips)", t.drift_pips],
    ["drift (units)", t.drift_units], ["cache ok", String(t.cache_ok)], ["kill switch", String(t.kill_switch)],
    ["alerts", String(t.alerts)], ["slippage breaches", String(t.slippage_breaches)],
    ["blocked", String(t.blocked_decisions)], ["duplicates skipped", String(t.duplicates_skipped)],
    ["fills caught", String(t.fills_caught_by_reconcile)],
    ["orders sent (rejected · cancelled · expired)", `${t.orders_sent} (${t.orders_rejected} · ${t.orders_cancelled} · ${t.orders_expired})`],
    ["staged actions", String(doc.staged_actions.items.length + doc.staged_actions.omitted)],
    ["realized P&L", reportedPnl(doc).map(([ccy, v]) => (ccy === "" ? v : `${ccy} ${v}`)).join(" · ") || "—"],
  ];
  const lines = [
    head, "",
    `| ${cols.map(([k]) => k).join(" | ")} |`,
    `| ${cols.map(() => "---:").join(" | ")} |`,
    `| ${cols.map(([, v]) => mdText(v)).join(" | ")} |`, "",
  ];
  if (!healthy) {
    const at = doc.kill_switch.engaged_at === null ? "" : ` at ${mdText(doc.kill_switch.engaged_at)}`;
    lines.push(`**Kill switch engaged${at}:**`, "");
    for (const r of doc.kill_switch.reasons) lines.push(`- **${mdText(r)}**: ${mdText(KILL_REASON_WORDS[r as KillReason] ?? "see the findings in the report")}`);
    if (doc.kill_switch.reasons.length === 0) lines.push("- (no reason recorded)");
    lines.push("");
  }
  lines.push(`${t.reconcile_runs} reconcile runs (${t.reconcile_failures} failed), ${t.journal_records} journal records, ${t.broker_events} broker events. Open report.html in the uploaded artifacts for the details.`, "");
  return lines.join("\n");
}
