// Tables: capped to a row budget (with a note saying what was left out and where to find it), with
// a label per cell so the phone layout can show each row as a labelled card. A table may have
// controls — filters (a select per attribute, plus free text), sorting by any column and paging —
// which stay hidden until the page's script wires them: with JavaScript off every row is shown.

import { html, type Html, type SafeHtml } from "./escape.js";
import { count } from "./format.js";
import { TABLE_PAGE_ROWS } from "./limits.js";

export interface Column<T> {
  readonly label: string;
  readonly cell: (row: T) => Html;
  /** CSS class for the cells ("num" right-aligns, "id" allows breaking long ids). */
  readonly cls?: string;
  /** What the column sorts by when the text would sort wrong (a time of any precision, a number with separators). */
  readonly sortKey?: (row: T) => string;
}

export interface Filter {
  /** Row attribute the filter compares: rows carry data-<key>. */
  readonly key: string;
  readonly label: string;
  readonly options: readonly string[];
}

export interface TableSpec<T> {
  readonly id: string;
  readonly caption: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  /** How many rows exist in total (artifact list plus anything the artifact itself omitted). */
  readonly total: number;
  readonly note?: Html;
  readonly rowAttrs?: (row: T) => Readonly<Record<string, string>>;
  readonly rowClass?: (row: T) => string;
  /**
   * A select per attribute, besides the free-text filter. Any table with filters, or with more
   * rows than one page, gets the controls: filter, sort by column, pages.
   */
  readonly filters?: readonly Filter[];
  readonly empty: string;
}

function attrs(map: Readonly<Record<string, string>>): SafeHtml {
  return html`${Object.entries(map).map(([k, v]) => html` data-${k}="${v}"`)}`;
}

function filterBar(spec: TableSpec<unknown>): SafeHtml {
  const selects = (spec.filters ?? []).map((f) => html`<label>${f.label} <select data-key="${f.key}"><option value="">all</option>${f.options.map((o) => html`<option value="${o}">${o}</option>`)}</select></label>`);
  return html`<div class="filters" data-for="${spec.id}" hidden>${selects}<label>contains <input type="search" data-key="*" placeholder="id, symbol, text…"></label><output aria-live="polite"></output></div>`;
}

function pager(id: string): SafeHtml {
  return html`<div class="pager" data-for="${id}" hidden><button type="button" data-page="prev" aria-label="previous page">‹ prev</button><span class="pages" aria-live="polite"></span><button type="button" data-page="next" aria-label="next page">next ›</button></div>`;
}

export function dataTable<T>(spec: TableSpec<T>): SafeHtml {
  if (spec.total === 0) return html`<p class="empty" id="${spec.id}" data-rows="0">✓ ${spec.empty}</p>`;
  const controls = spec.filters !== undefined || spec.rows.length > TABLE_PAGE_ROWS;
  const head = spec.columns.map((c) => html`<th scope="col" class="${c.cls ?? ""}">${controls ? html`<button type="button" class="sort">${c.label}</button>` : c.label}</th>`);
  const body = spec.rows.map((r) => {
    const cells = spec.columns.map((c) => html`<td data-label="${c.label}" class="${c.cls ?? ""}"${c.sortKey === undefined ? "" : html` data-sort="${c.sortKey(r)}"`}>${c.cell(r)}</td>`);
    return html`<tr class="${spec.rowClass?.(r) ?? ""}"${attrs(spec.rowAttrs?.(r) ?? {})}>${cells}</tr>`;
  });
  const shown = spec.rows.length < spec.total
    ? html`<p class="note cap">This page holds ${count(spec.rows.length)} of ${count(spec.total)} rows. ${spec.note ?? ""}</p>`
    : spec.note === undefined ? "" : html`<p class="note">${spec.note}</p>`;
  return html`${controls ? filterBar(spec as TableSpec<unknown>) : ""}
<div class="tablewrap"><table class="data" id="${spec.id}" data-rows="${spec.rows.length}"${controls ? html` data-controls="" data-page-rows="${TABLE_PAGE_ROWS}"` : ""}>
<caption>${spec.caption}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${controls ? pager(spec.id) : ""}${shown}`;
}

/** Keeps at most max items, preferring those ranked first, and returns them in their original order. */
export function capByRank<T>(items: readonly T[], max: number, rank: (item: T) => number): T[] {
  if (items.length <= max) return [...items];
  const idx = items.map((_, i) => i);
  idx.sort((a, b) => rank(items[a]!) - rank(items[b]!) || a - b);
  return idx.slice(0, max).sort((a, b) => a - b).map((i) => items[i]!);
}

/** Distinct values in first-seen order sorted by name: filter options are stable for the same data. */
export function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}
