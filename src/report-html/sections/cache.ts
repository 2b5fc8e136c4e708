// The order-id cache's figures, duplicate and blocked decisions, and the matches never guessed.

import type { ReportDoc, SkippedDoc } from "../../artifacts/report-schema.js";
import { html, shown, type SafeHtml } from "../escape.js";
import { count, group, words } from "../format.js";
import { TABLE_ROWS_MAX } from "../limits.js";
import { dataTable, type Column } from "../table.js";
import { code, omittedNote } from "./shared.js";

export function cacheSection(doc: ReportDoc): SafeHtml {
  const c = doc.cache;
  const t = doc.totals;
  const kv: ReadonlyArray<readonly [string, string, boolean]> = [
    ["cache ok", c.ok ? "yes" : `NO — ${c.failure ?? "unknown failure"}`, !c.ok],
    ["entries loaded at start", count(c.entries_loaded), false],
    ["entries written (orders sent)", count(c.entries_written), false],
    ["entries purged (past TTL)", count(c.entries_purged), false],
    ["entries live at end", count(c.live_entries), false],
    ["duplicate decisions skipped", count(t.duplicates_skipped), false],
    ["duplicate broker deliveries ignored", count(t.duplicate_deliveries), false],
    ["decisions blocked by kill switch", count(t.blocked_decisions), t.blocked_decisions > 0],
    ["orders sent · fills", `${count(t.orders_sent)} · ${count(t.fills)}`, false],
    ["fills not reconciled", count(t.unreconciled_fills), t.unreconciled_fills > 0],
  ];
  const skippedCols: Column<SkippedDoc>[] = [
    { label: "decision", cell: (s) => code(s.decision_id) },
    { label: "client order id", cell: (s) => code(s.client_order_id), cls: "id" },
    { label: "event time", cell: (s) => html`<time>${s.ts}</time>` },
    { label: "reason", cell: (s) => words(s.reason) },
    { label: "evidence", cell: (s) => s.evidence },
  ];
  const amb = doc.ambiguous_matches;
  const ambCols: Column<(typeof amb.items)[number]>[] = [
    { label: "run", cell: (m) => code(m.reconcile_id) },
    { label: "broker order", cell: (m) => code(m.broker_order_id), cls: "id" },
    { label: "broker's client order id", cell: (m) => code(m.broker_client_order_id), cls: "id" },
    { label: "symbol · side · qty", cell: (m) => html`${shown(m.symbol)} ${m.side} ${group(m.qty)}` },
    { label: "candidates (not guessed)", cell: (m) => m.candidates.join(", "), cls: "id" },
  ];
  return html`<section id="cache"><h2>Idempotency cache and duplicates</h2>
<dl class="kvgrid" id="cache-figures">${kv.map(([k, v, bad]) => html`<div class="${bad ? "bad" : ""}"><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
<h3>Duplicate decisions skipped</h3>
${dataTable({ id: "duplicates-table", caption: "Decisions skipped as duplicates (their client order id was live in the cache)", columns: skippedCols, rows: doc.duplicate_decisions.items.slice(0, TABLE_ROWS_MAX), total: doc.duplicate_decisions.items.length + doc.duplicate_decisions.omitted, note: omittedNote(Math.min(TABLE_ROWS_MAX, doc.duplicate_decisions.items.length), doc.duplicate_decisions.items.length, doc.duplicate_decisions.omitted), empty: "No duplicate decisions." })}
<h3>Decisions blocked by the kill switch</h3>
${dataTable({ id: "blocked-table", caption: "Decisions not sent because the kill switch was engaged", columns: skippedCols, rows: doc.blocked_decisions.items.slice(0, TABLE_ROWS_MAX), total: doc.blocked_decisions.items.length + doc.blocked_decisions.omitted, note: omittedNote(Math.min(TABLE_ROWS_MAX, doc.blocked_decisions.items.length), doc.blocked_decisions.items.length, doc.blocked_decisions.omitted), empty: "No decisions blocked." })}
<h3>Ambiguous matches</h3>
${dataTable({ id: "ambiguous-table", caption: "Broker orders that look like more than one engine order (listed, never guessed)", columns: ambCols, rows: amb.items.slice(0, TABLE_ROWS_MAX), total: amb.items.length + amb.omitted, note: omittedNote(Math.min(TABLE_ROWS_MAX, amb.items.length), amb.items.length, amb.omitted), empty: "No ambiguous matches." })}
</section>`;
}
