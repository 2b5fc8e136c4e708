// A finding's evidence as a short table: one row per input line it rests on (time, file:line, type,
// side, qty, price, and the order or note that applies to the line's type), the lines on which the
// two books differ marked as causes and first, the rest folded away, and the raw JSON lines behind
// a <details>. The lines are the replay's own inputs read back (src/adapters/read-artifacts.ts);
// each is parsed here only to lay it out: the raw line stays one click away.

import * as D from "../domain/decimal.js";
import { JsonNumber, parseJsonExact } from "../domain/json-text.js";
import { html, shown, type SafeHtml } from "./escape.js";
import { count, group, words } from "./format.js";
import { EVIDENCE_ROWS_OPEN } from "./limits.js";
import { EVIDENCE_SOURCES, type EvidenceLines, parseEvidenceRef } from "../artifacts/bundle.js";
import type { FindingDoc, ReportDoc } from "../artifacts/report-schema.js";

/** How many of a finding's first evidence refs are causes (a drift's `evidence_causes`). */
export function causeCount(f: FindingDoc): number {
  const n = f.detail["evidence_causes"];
  return typeof n === "number" && n > 0 ? Math.min(n, f.evidence.length) : 0;
}

interface LineCells {
  readonly ts: string;
  readonly type: string;
  readonly side: string;
  readonly qty: string;
  readonly price: string;
  /** The order the line is about, or what else applies to its type (a position, a reason). */
  readonly note: string;
}

/** A JSON value as the text a person reads: numbers exactly as written, decimals in plain form. */
function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === "number") {
    const d = D.decFromNumber(v);
    return d === undefined ? String(v) : D.toPlain(d);
  }
  if (typeof v === "boolean") return String(v);
  return "";
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The card's symbol in a snapshot's positions: its quantity and average price, or flat. */
function positionOf(positions: unknown, symbol: string | null): Pick<LineCells, "qty" | "price" | "note"> {
  const list = Array.isArray(positions) ? positions.filter(isRecord) : [];
  if (symbol === null) return { qty: "", price: "", note: `${count(list.length)} positions` };
  const p = list.find((x) => x["symbol"] === symbol);
  if (p === undefined) return { qty: "0", price: "", note: `${symbol}: not listed (flat)` };
  return { qty: text(p["qty"]), price: text(p["avg_price"]), note: `${symbol} position @ avg price` };
}

/** What each type of line says in the table's columns; a type this page does not know shows its time and type only. */
function cellsOf(r: Record<string, unknown>, symbol: string | null): LineCells {
  const type = text(r["type"]);
  const base = { ts: text(r["ts"]), type, side: "", qty: "", price: "", note: "" };
  const order = text(r["client_order_id"]) || text(r["broker_order_id"]);
  const reason = (id: string): string => [id, text(r["reason"])].filter((x) => x !== "").join(" · ");
  switch (type) {
    case "fill":
      return { ...base, side: text(r["side"]), qty: text(r["qty"]), price: text(r["price"]), note: order };
    case "order_accepted":
      return { ...base, side: text(r["side"]), qty: text(r["qty"]), price: text(r["limit_price"]), note: order };
    case "decision":
      return { ...base, side: text(r["side"]), qty: text(r["qty"]), price: text(r["limit_price"]) || text(r["ref_price"]), note: order };
    case "order_cancelled":
    case "order_rejected":
      return { ...base, note: reason(order) };
    case "cancel_request":
      return { ...base, note: order };
    case "position_snapshot":
      return { ...base, ...positionOf(r["positions"], symbol) };
    case "snapshot": {
      const orders = Array.isArray(r["open_orders"]) ? r["open_orders"].length : 0;
      const pos = positionOf(r["positions"], symbol);
      return { ...base, ...pos, note: `${pos.note} · ${count(orders)} open orders` };
    }
    case "restart":
      return { ...base, note: text(r["reason"]) };
    case "limits_snapshot":
      return { ...base, note: `daily loss cap ${text(r["daily_loss_cap"])}` };
    default:
      return base;
  }
}

/** The line's cells, or null when it is not a JSON object (or was cut at EVIDENCE_LINE_CHARS_MAX). */
export function lineCells(line: string, symbol: string | null): LineCells | null {
  let value: unknown;
  try {
    value = parseJsonExact(line);
  } catch {
    return null;
  }
  return isRecord(value) ? cellsOf(value, symbol) : null;
}

interface EvidenceRow {
  readonly ref: string;
  readonly label: string;
  readonly text: string;
  readonly cause: boolean;
}

const numCell = (v: string): string => (v === "" ? "" : group(v));

function rowHtml(r: EvidenceRow, symbol: string | null): SafeHtml {
  const c = lineCells(r.text, symbol);
  const mark = r.cause ? html`<span class="tag cause" title="a line on which the two books differ">cause</span> ` : "";
  const ref = html`<td class="ev-ref" data-label="line">${mark}${r.label}</td>`;
  if (c === null) {
    return html`<tr class="${r.cause ? "cause" : ""}" data-ref="${r.ref}"><td class="ev-ts" data-label="time">—</td>${ref}<td data-label="type" colspan="5" class="muted">not a JSON object (or cut): see the raw line</td></tr>`;
  }
  return html`<tr class="${r.cause ? "cause" : ""}" data-ref="${r.ref}"><td class="ev-ts" data-label="time"><time>${c.ts}</time></td>${ref}<td data-label="type">${words(c.type)}</td><td data-label="side">${c.side}</td><td class="num" data-label="qty">${numCell(c.qty)}</td><td class="num" data-label="price">${numCell(c.price)}</td><td class="ev-note" data-label="order · note">${shown(c.note)}</td></tr>`;
}

function linesTable(rows: readonly EvidenceRow[], symbol: string | null, label: string): SafeHtml {
  return html`<table class="ev" aria-label="${label}"><thead><tr><th scope="col">time</th><th scope="col">line</th><th scope="col">type</th><th scope="col">side</th><th scope="col" class="num">qty</th><th scope="col" class="num">price</th><th scope="col">order · note</th></tr></thead><tbody>${rows.map((r) => rowHtml(r, symbol))}</tbody></table>`;
}

/** "2 causes and 3 other lines", "1 line". */
function linesSummary(rows: readonly EvidenceRow[]): string {
  const causes = rows.filter((r) => r.cause).length;
  const others = rows.length - causes;
  const other = causes > 0 ? "other " : "";
  return [causes > 0 ? `${count(causes)} ${causes === 1 ? "cause" : "causes"}` : "", others > 0 ? `${count(others)} ${other}${others === 1 ? "line" : "lines"}` : ""]
    .filter((x) => x !== "").join(" and ");
}

/** The rows that are read, the refs that are not (no inputs given, or beyond EVIDENCE_LINES_MAX). */
function evidenceRows(f: FindingDoc, doc: ReportDoc, ev: EvidenceLines): { rows: EvidenceRow[]; missing: Array<{ ref: string; cause: boolean }> } {
  const causes = causeCount(f);
  const rows: EvidenceRow[] = [];
  const missing: Array<{ ref: string; cause: boolean }> = [];
  f.evidence.forEach((ref, i) => {
    const at = parseEvidenceRef(ref);
    const text = ev.lines.get(ref);
    if (at === null || text === undefined) missing.push({ ref, cause: i < causes });
    else rows.push({ ref, label: `${ev.files[at.source] ?? doc.inputs[at.source].name}:${at.line}`, text, cause: i < causes });
  });
  return { rows, missing };
}

function missingRefs(missing: ReadonlyArray<{ ref: string; cause: boolean }>, doc: ReportDoc, ev: EvidenceLines): SafeHtml {
  const refs = (cause: boolean) => missing.filter((m) => m.cause === cause).map((m) => m.ref).join(" ");
  const listed = missing.some((m) => m.cause)
    ? html`causes <code>${refs(true)}</code>${refs(false) === "" ? "" : html` · other lines <code>${refs(false)}</code>`}`
    : html`<code>${refs(false)}</code>`;
  const notGiven = EVIDENCE_SOURCES.filter((s) => ev.files[s] === null && missing.some((m) => m.ref.startsWith(`${s}:`)));
  const hint = notGiven.length === 0 ? ""
    : html` — to show the lines here, run <code>recon-proof report DIR --inputs FOLDER</code> with the folder holding ${notGiven.map((s) => doc.inputs[s].name).join(" and ")}`;
  return html`<p class="ev-refs">${listed}${hint}</p>`;
}

/** The card's evidence: the table of its lines (causes first and marked), the rest folded, the raw lines on demand. */
export function evidenceBlock(f: FindingDoc, doc: ReportDoc, ev: EvidenceLines): SafeHtml {
  if (f.evidence.length === 0) {
    return html`<p class="ev-none"><span class="lbl">Evidence</span> no input line: this finding compares the two books at reconcile ${f.reconcile_id ?? "—"} (see Positions and Reconcile runs).</p>`;
  }
  const { rows, missing } = evidenceRows(f, doc, ev);
  const open = rows.slice(0, EVIDENCE_ROWS_OPEN);
  const folded = rows.slice(EVIDENCE_ROWS_OPEN);
  const omitted = f.detail["evidence_omitted"];
  const notListed = typeof omitted === "number" && omitted > 0
    ? html`<p class="note">${count(omitted)} more routine ${omitted === 1 ? "line is" : "lines are"} not listed in the report (its evidence cap).</p>` : "";
  const summary = rows.length === 0 ? "" : ` ${linesSummary(rows)}${rows.some((r) => r.cause) ? ", causes first" : ""}`;
  const table = rows.length === 0 ? "" : html`${linesTable(open, f.symbol, `Evidence: ${linesSummary(open)}`)}
<div class="ev-foot">${folded.length === 0 ? "" : html`<details class="ev-more"><summary>${linesSummary(folded)} more</summary>${linesTable(folded, f.symbol, `Evidence: ${linesSummary(folded)} more`)}</details>`}<details class="ev-raw"><summary>raw JSON lines</summary>${rows.map((r) => html`<figure class="evline" data-ref="${r.ref}"><figcaption>${r.label}</figcaption><pre>${r.text}</pre></figure>`)}</details></div>`;
  return html`<div class="evidence"><p class="ev-head"><span class="lbl">Evidence</span><span class="muted">${summary}</span></p>${table}${missing.length === 0 ? "" : missingRefs(missing, doc, ev)}${notListed}</div>`;
}
