// trades.csv (docs/reference/artifacts.md, "trades.csv"): one row per reconciled fill, fixed columns, LF, RFC
// 4180 quoting, the time in one fixed width (UTC, nine fractional digits) so that text order is time order.
// Ops open this in spreadsheets, so a text cell from the logs that a spreadsheet would run as a formula
// (leading = + - @ tab CR) is neutralized with a leading apostrophe, as OWASP recommends (csv-stringify's
// escape_formulas). Numbers are passed as exact decimals (bigint), which the escape leaves alone, so a
// negative P&L stays a number.
//
// Line breaks: csv-stringify quotes a cell holding LF but not one holding a bare CR, which a
// spreadsheet reads as a row break (so "77\r=2+5" became two rows, the second a formula the guard
// never saw). Every cell holding CR or LF is quoted here, and a formula prefix at the start of any
// line inside a cell is neutralized too, since some readers split on it anyway.

import { stringify } from "csv-stringify/sync";
import * as D from "../domain/decimal.js";
import { assert } from "../domain/errors.js";
import type { Dec } from "../domain/decimal.js";
import type { TradeRow } from "../domain/report.js";
import { formatFixedWidth, parseInstant } from "../domain/time.js";

export const TRADES_COLUMNS = [
  "ts", "decision_id", "client_order_id", "broker_order_id", "symbol", "side", "qty", "price", "ref_price",
  "slippage_pips", "session", "fee", "realized_pnl", "source", "currency", "fee_currency",
] as const;

/** Decimal places per numeric column; undefined means plain (exact, trailing zeros dropped). */
const FIXED_PLACES: Partial<Record<(typeof TRADES_COLUMNS)[number], number>> = {
  slippage_pips: 1,
  realized_pnl: 2,
};

function formatDecimal(value: bigint, column: string | number | undefined): string {
  const places = FIXED_PLACES[column as keyof typeof FIXED_PLACES];
  return places === undefined ? D.toPlain(value as Dec) : D.toFixed(value as Dec, places);
}

/** The fill's time in one fixed width (UTC, nine fractional digits), from its parsed instant. */
function fixedWidthTs(ts: string): string {
  const instant = parseInstant(ts);
  if (instant === undefined) throw new Error(`invariant: a trade row carries a validated timestamp, got ${JSON.stringify(ts)}`);
  return formatFixedWidth(instant);
}

function record(row: TradeRow): Record<string, string | bigint> {
  return {
    ts: fixedWidthTs(row.ts),
    decision_id: row.decisionId,
    client_order_id: row.clientOrderId,
    broker_order_id: row.brokerOrderId,
    symbol: row.symbol,
    side: row.side,
    qty: row.qty,
    price: row.price,
    ref_price: row.refPrice ?? "",
    slippage_pips: row.slippagePips ?? "",
    session: row.session,
    fee: row.fee,
    realized_pnl: row.realizedPnl,
    source: row.source,
    currency: row.currency,
    fee_currency: row.feeCurrency,
  };
}

/**
 * The characters that start a formula (csv-stringify's escape_formulas list). The guard is one
 * apostrophe before a line that starts with one, after any apostrophes the text itself has there:
 * csv-stringify leaves a cell that starts with `'` alone, so `'=x` and `=x` would both be written
 * `'=x`. Guarding `'=x` too (as `''=x`) lets a reader take exactly one apostrophe off
 * (FORMULA_GUARD below) and get the id back as it was.
 */
const FORMULA_CHARS = "=+\\-@\\t\\r\\uFF1D\\uFF0B\\uFF0D\\uFF20";

/** A line break before a line that would start a formula, or that starts like a guarded one. */
const FORMULA_AFTER_BREAK = new RegExp(`([\\r\\n])(?='*[${FORMULA_CHARS}])`, "g");
/** A cell whose own apostrophes stand before a formula character (csv-stringify guards the rest). */
const GUARD_LOOKALIKE = new RegExp(`^'+[${FORMULA_CHARS}]`);

/** Where the guard stands in a cell as written: a reader removes this one apostrophe, at the start and after each line break. */
export const FORMULA_GUARD = new RegExp(`(^|[\\r\\n])'(?='*[${FORMULA_CHARS}])`, "g");

/** Prefixes `'` to every line of a text cell after the first that would start a formula, and to a first line csv-stringify would not guard. */
function neutralizeFormulas(value: string): string {
  const lines = value.includes("\r") || value.includes("\n") ? value.replace(FORMULA_AFTER_BREAK, "$1'") : value;
  return GUARD_LOOKALIKE.test(lines) ? `'${lines}` : lines;
}

const OPTIONS = {
  columns: [...TRADES_COLUMNS],
  record_delimiter: "\n",
  escape_formulas: true,
  // Quote a cell holding CR as well as LF (with a record_delimiter set, csv-stringify checks only
  // that delimiter unless told to).
  quote_record_delimiter: true,
  cast: {
    bigint: (value: bigint, ctx: { column?: string | number }) => formatDecimal(value, ctx.column),
    string: neutralizeFormulas,
  },
};

export function renderTradesHeader(): string {
  return TRADES_COLUMNS.join(",") + "\n";
}

/** Rows only (no header): the shell appends these to the file as the replay goes. */
export function renderTradeRows(rows: readonly TradeRow[]): string {
  let out = "";
  for (const row of rows) out += plainRow(row) ?? stringifyRows([row]);
  return out;
}

/** Rows as csv-stringify writes them: what the direct rendering of plain rows must equal. */
export function stringifyRows(rows: readonly TradeRow[]): string {
  return rows.length === 0 ? "" : stringify(rows.map(record), { ...OPTIONS, header: false });
}

/**
 * Whether csv-stringify would write a text cell as it is: nothing to quote (comma, quote, CR, LF)
 * and no formula guard (a first character among = + - @ tab CR and their full-width forms, or an
 * apostrophe, which may stand before one). Read by character code: this runs for every cell of
 * every trade row.
 */
function isPlainCell(text: string): boolean {
  if (GUARDED_FIRST.has(text.charCodeAt(0))) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x22 || c === 0x0a || c === 0x0d) return false;
  }
  return true;
}

/** First characters of a cell that takes a formula guard: = + - @ tab CR, their full-width forms, and an apostrophe. */
const GUARDED_FIRST: ReadonlySet<number> = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d, 0xff1d, 0xff0b, 0xff0d, 0xff20, 0x27]);

/**
 * The row's line as csv-stringify writes it, built directly where every text cell is plain (the
 * common case: ids, symbols and sessions from the logs); undefined where a cell needs quoting or a
 * formula guard, which csv-stringify then does. The two agree byte for byte (test/trades-rendered).
 */
function plainRow(row: TradeRow): string | undefined {
  if (!isPlainCell(row.decisionId) || !isPlainCell(row.clientOrderId) || !isPlainCell(row.brokerOrderId) || !isPlainCell(row.symbol) ||
    !isPlainCell(row.session) || !isPlainCell(row.currency) || !isPlainCell(row.feeCurrency)) return undefined;
  // One join, not a chain of concatenations: each `+` of a long template makes a string of its own.
  const cells = [
    fixedWidthTs(row.ts), row.decisionId, row.clientOrderId, row.brokerOrderId, row.symbol, row.side, D.toPlain(row.qty), D.toPlain(row.price),
    row.refPrice === undefined ? "" : D.toPlain(row.refPrice), row.slippagePips === undefined ? "" : D.toFixed(row.slippagePips, 1),
    row.session, D.toPlain(row.fee), D.toFixed(row.realizedPnl, 2), row.source, row.currency, row.feeCurrency,
  ];
  return cells.join(",") + "\n";
}

/** A trade row rendered to its text in trades.csv, with the symbol a group orders its rows by. */
export interface RenderedTrade {
  readonly symbol: string;
  readonly csv: string;
}

const LINE_BREAK = /[\r\n]/;

function holdsLineBreak(row: TradeRow): boolean {
  return LINE_BREAK.test(row.decisionId) || LINE_BREAK.test(row.clientOrderId) || LINE_BREAK.test(row.brokerOrderId) ||
    LINE_BREAK.test(row.session);
}

/**
 * Each row's own text, as renderTradeRows would write it. Rendered in one call when no cell can
 * hold a line break (each row is then exactly one line of the output); one call per row otherwise.
 */
export function renderTradesEach(rows: readonly TradeRow[]): RenderedTrade[] {
  if (rows.some(holdsLineBreak)) return rows.map((row) => ({ symbol: row.symbol, csv: renderTradeRows([row]) }));
  const lines = renderTradeRows(rows).split("\n");
  assert(lines.length === rows.length + 1 && lines[rows.length] === "", "one line per row without line breaks");
  return rows.map((row, i) => ({ symbol: row.symbol, csv: `${lines[i]!}\n` }));
}

export function renderTradesCsv(rows: readonly TradeRow[]): string {
  return renderTradesHeader() + renderTradeRows(rows);
}
