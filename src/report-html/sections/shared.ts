// Small pieces several sections share: event time as a number and as a sort key, a decimal as a
// number for drawing, an id as code, a finding's or alert's detail, and the note on what a capped
// table left out.

import * as D from "../../domain/decimal.js";
import { parseDec } from "../../domain/decimal.js";
import { parseInstant } from "../../domain/time.js";
import { REPORT_JSON } from "../../artifacts/names.js";
import type { ReportDoc } from "../../artifacts/report-schema.js";
import type { TradeView } from "../../artifacts/read-trades.js";
import { html, shown, type Html } from "../escape.js";
import { clip, count } from "../format.js";
import { DETAIL_ENTRIES_MAX, DETAIL_VALUE_CHARS_MAX } from "../limits.js";

export const ms = (ts: string): number => parseInstant(ts)?.ms ?? 0;
export const dec = (text: string): number => D.toNumber(parseDec(text) ?? D.ZERO);
export const code = (text: string | null): Html => (text === null || text === "" ? html`<span class="none">—</span>` : html`<code>${shown(text)}</code>`);

/** The span of event time the artifacts cover: reconcile runs and fills together. */
export function eventSpan(doc: ReportDoc, trades: readonly TradeView[]): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of doc.reconcile_runs.items) { const t = ms(r.ts); lo = Math.min(lo, t); hi = Math.max(hi, t); }
  for (const t of trades) { lo = Math.min(lo, t.ms); hi = Math.max(hi, t.ms); }
  return lo === Infinity ? null : { lo, hi };
}

/** Sort key of an event time: the instant at nanosecond precision, so 12:00:01Z sorts before 12:00:01.5Z. */
export const timeKey = (ts: string): string => {
  const t = parseInstant(ts);
  // Not a number on purpose: the script then compares the fixed-width text, which keeps every digit.
  return t === undefined ? ts : `t${String(t.ms).padStart(15, "0")}.${String(t.subNs).padStart(6, "0")}`;
};

export function detailList(detail: Readonly<Record<string, string | number | boolean | null | string[]>>): Html {
  const entries = Object.entries(detail);
  if (entries.length === 0) return "—";
  const shown = entries.slice(0, DETAIL_ENTRIES_MAX).map(([k, v]) => {
    const text = v === null ? "null" : Array.isArray(v) ? (v.length === 0 ? "[]" : v.join(", ")) : String(v);
    return html`<span class="kv"><span class="k">${k}</span>=<span class="v" title="${text.length > DETAIL_VALUE_CHARS_MAX ? text : ""}">${clip(text, DETAIL_VALUE_CHARS_MAX)}</span></span>`;
  });
  return html`${shown}${entries.length > DETAIL_ENTRIES_MAX ? html`<span class="kv more">+${entries.length - DETAIL_ENTRIES_MAX} more in JSON</span>` : ""}`;
}

export function omittedNote(shown: number, inJson: number, omitted: number, file = REPORT_JSON): Html {
  const parts: string[] = [];
  if (shown < inJson) parts.push(`the other ${count(inJson - shown)} are in ${file}`);
  if (omitted > 0) parts.push(`${file} itself left out ${count(omitted)} more (its list cap)`);
  return parts.length === 0 ? undefined : `${parts.join("; ")}.`;
}
