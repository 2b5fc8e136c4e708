// trades.csv as the HTML report reads it. The file can hold hundreds of thousands of rows, so the
// parser is a single pass with a fast path for the common unquoted line; quoted fields (RFC 4180:
// commas, quotes, line breaks inside) take the slow path. Every row is checked: a malformed row is a
// DataError naming trades.csv:LINE and the column. The formula guard trades.csv puts before a cell
// a spreadsheet would run (a leading apostrophe) belongs to that file alone: it is taken off here,
// exactly where the writer put it, so the page shows each id as the logs have it.

import { DataError, preview } from "../domain/errors.js";
import { parseDec, type Dec } from "../domain/decimal.js";
import { parseInstant } from "../domain/time.js";
import { FORMULA_GUARD, TRADES_COLUMNS } from "./trades-csv.js";
import { TRADES_CSV } from "./names.js";

export interface TradeView {
  /** Physical line in trades.csv where the row starts (for messages and evidence). */
  readonly line: number;
  readonly ts: string;
  readonly ms: number;
  readonly subNs: number;
  readonly decisionId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly realizedPnl: Dec;
  readonly source: string;
  /** Every column as written, for the rows the trades table shows (see ParseOptions.detailRowsMax). */
  readonly fields?: readonly string[];
}

export interface ParseOptions {
  /**
   * Rows that keep every column, per kind: the first this many fills the engine did not see on its
   * stream (caught by reconcile, or orphans), and the first this many it did. The rest keep only
   * what the charts need, so a file of 300 000 rows does not hold four million strings.
   */
  readonly detailRowsMax?: number;
  /** Told how far (in characters) the parse has got, every few thousand rows. */
  readonly onProgress?: (chars: number) => void;
}

const PROGRESS_EVERY_ROWS = 8192;

// Only the columns the report uses are kept (a 300k-row file would otherwise hold four million
// strings); the rest are checked for count only. Indices into TRADES_COLUMNS:
const COL = { ts: 0, decisionId: 1, clientOrderId: 2, symbol: 4, realizedPnl: 12, source: 13 } as const;
const COLUMNS = TRADES_COLUMNS.length;

const TS_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** Two ASCII digits at i as a number (the shape was checked by TS_SHAPE). */
const two = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/**
 * parseInstant's result, faster for a few hundred thousand rows: the calendar day is validated once
 * per distinct day (through parseInstant itself) and the time of day is read from the digits.
 * Same answer, same refusals.
 */
function instantReader(): (ts: string) => { ms: number; subNs: number } | undefined {
  const days = new Map<string, number | undefined>();
  return (ts) => {
    if (!TS_SHAPE.test(ts)) return undefined;
    const day = ts.slice(0, 10);
    let dayMs = days.get(day);
    if (dayMs === undefined && !days.has(day)) days.set(day, (dayMs = parseInstant(`${day}T00:00:00Z`)?.ms));
    const [h, mi, se] = [two(ts, 11), two(ts, 14), two(ts, 17)];
    if (dayMs === undefined || h > 23 || mi > 59 || se > 59) return undefined;
    let fracNs = 0;
    if (ts.charCodeAt(19) === 46 /* . */) {
      let digits = 0;
      for (let i = 20; i < ts.length - 1; i++, digits++) fracNs = fracNs * 10 + (ts.charCodeAt(i) - 48);
      for (; digits < 9; digits++) fracNs *= 10;
    }
    return { ms: dayMs + ((h * 60 + mi) * 60 + se) * 1000 + Math.floor(fracNs / 1_000_000), subNs: fracNs % 1_000_000 };
  };
}

/** A record, the line it starts on, and the raw line when it was split by the fast path (only kept columns filled). */
type Emit = (fields: readonly string[], line: number, raw: string | null, end: number) => void;

/** The common case: a line with no quotes. Slices only the kept columns; counts the others. */
function splitPlain(lineText: string): string[] | number {
  const out: string[] = new Array(COLUMNS);
  let from = 0;
  for (let c = 0; c < COLUMNS; c++) {
    const comma = lineText.indexOf(",", from);
    const last = c === COLUMNS - 1;
    if (last !== (comma < 0)) return last ? COLUMNS + 1 : c + 1;
    const to = last ? lineText.length : comma;
    out[c] = c === 0 || c === 1 || c === 2 || c === 4 || c === 12 || c === 13 ? lineText.slice(from, to) : "";
    from = to + 1;
  }
  return out;
}

/** Splits RFC 4180 text into records; calls emit with each record and the line it starts on. */
function splitCsv(text: string, emit: Emit, onPlainCount: (count: number, line: number) => never): void {
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    const candidate = text.slice(pos, nl);
    if (!candidate.includes('"')) {
      const full = line === 1 || candidate === "";
      const fields = full ? stripCr(candidate).split(",") : splitPlain(stripCr(candidate));
      if (typeof fields === "number") onPlainCount(fields, line);
      else emit(fields, line, full ? null : stripCr(candidate), nl);
      pos = nl + 1;
      line += 1;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    let field = "";
    let quoted = false;
    let i = pos;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
        else if (c === '"') quoted = false;
        else { if (c === "\n") line++; field += c; }
      } else if (c === '"') quoted = true;
      else if (c === ",") { fields.push(field); field = ""; }
      else if (c === "\n") break;
      else if (c !== "\r") field += c;
    }
    if (quoted) throw new DataError(TRADES_CSV, start, "(quoting)", "a closing quote before the end of the file");
    fields.push(field);
    emit(fields, start, null, i);
    pos = i + 1;
    line += 1;
  }
}

/** A cell as the logs have it: the formula guard trades.csv added taken off (one apostrophe, where the writer puts it). */
export function unguard(cell: string): string {
  return cell.includes("'") ? cell.replace(FORMULA_GUARD, "$1") : cell;
}

function stripCr(s: string): string {
  return s.endsWith("\r") ? s.slice(0, -1) : s;
}

function wrongCount(count: number, line: number): never {
  throw new DataError(TRADES_CSV, line, "(row)", `${COLUMNS} columns`, String(count));
}

function rowFrom(f: readonly string[], line: number, instant: ReturnType<typeof instantReader>, fields?: readonly string[]): TradeView {
  const bad = (col: string, expected: string, got: string): never => {
    throw new DataError(TRADES_CSV, line, col, expected, preview(got));
  };
  if (f.length !== COLUMNS) wrongCount(f.length, line);
  const ts = f[COL.ts]!;
  const pnl = f[COL.realizedPnl]!;
  const source = f[COL.source]!;
  const at = instant(ts) ?? bad("ts", "an RFC 3339 UTC timestamp", ts);
  const realizedPnl = parseDec(pnl) ?? bad("realized_pnl", "a decimal such as -12.50", pnl);
  if (source !== "stream" && source !== "reconcile" && source !== "orphan") bad("source", "stream, reconcile or orphan", source);
  return {
    line, ts, ms: at.ms, subNs: at.subNs, decisionId: unguard(f[COL.decisionId]!), clientOrderId: unguard(f[COL.clientOrderId]!),
    symbol: unguard(f[COL.symbol]!), realizedPnl, source, ...(fields === undefined ? {} : { fields: fields.map(unguard) }),
  };
}

/** Parses trades.csv text (header first, then one row per fill). */
export function parseTradesCsv(text: string, options: ParseOptions = {}): TradeView[] {
  const rows: TradeView[] = [];
  const instant = instantReader();
  const detailMax = options.detailRowsMax ?? 0;
  const detailed = { stream: 0, other: 0 };
  let header = true;
  splitCsv(text, (fields, line, raw, end) => {
    if (header) {
      header = false;
      if (fields.join(",") !== TRADES_COLUMNS.join(",")) {
        throw new DataError(TRADES_CSV, line, "(header)", TRADES_COLUMNS.join(","), fields.join(","));
      }
      return;
    }
    if (fields.length === 1 && fields[0] === "") return; // a blank line carries no fill
    const kind = fields[COL.source] === "stream" ? "stream" : "other";
    const keep = detailed[kind] < detailMax;
    if (keep) detailed[kind] += 1;
    rows.push(rowFrom(fields, line, instant, keep ? (raw === null ? fields : raw.split(",")) : undefined));
    if (rows.length % PROGRESS_EVERY_ROWS === 0) options.onProgress?.(end);
  }, wrongCount);
  if (header) throw new DataError(TRADES_CSV, 1, "(header)", TRADES_COLUMNS.join(","), "an empty file");
  return rows;
}

/** Event-time order (the file is in reconcile order: a fill caught late is written late). Stable. */
export function byEventTime(rows: readonly TradeView[]): TradeView[] {
  const idx = rows.map((_, i) => i);
  idx.sort((a, b) => rows[a]!.ms - rows[b]!.ms || rows[a]!.subNs - rows[b]!.subNs || a - b);
  return idx.map((i) => rows[i]!);
}
