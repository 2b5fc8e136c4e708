// From the artifacts' text back to what they say: reconcile-report.json (checked against its schema),
// trades.csv, summary.txt's first line, and the set as one bundle. Pure: the adapter reads the files
// and hands their text here; every problem is a DataError naming the file, line and field.

import { DataError, preview } from "../domain/errors.js";
import { jsonSyntaxError } from "../domain/json-where.js";
import { type ArtifactBundle, type ArtifactFile, NO_EVIDENCE } from "./bundle.js";
import { REPORT_JSON, SUMMARY_TXT, TRADES_CSV } from "./names.js";
import { checkReportDoc, sectionLineFinder, type ReportDoc } from "./report-schema.js";
import { parseTradesCsv } from "./read-trades.js";

/** The artifacts the report reads; metrics.txt repeats summary figures and is not needed. */
export const REPORT_INPUTS = [REPORT_JSON, TRADES_CSV, SUMMARY_TXT] as const;

export interface ArtifactTexts {
  readonly name: string;
  readonly reportJson: string;
  readonly tradesCsv: string;
  readonly summaryTxt: string;
  readonly files: readonly ArtifactFile[];
}

/** What a reader of the set asks of it beyond the artifacts' own text (the HTML page states its own). */
export interface BundleNeeds {
  /** trades.csv rows that keep every column, per kind (see ParseOptions in read-trades.ts). */
  readonly detailRowsMax: number;
  /** The evidence refs ("broker:12") whose input lines are read back when the inputs are given. */
  readonly evidenceWanted: (doc: ReportDoc) => readonly string[];
}

/** JSON.parse; text it refuses is named by line and column, with what was expected there. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const { line, got } = jsonSyntaxError(text);
    throw new DataError(source, line, "(json)", "well-formed JSON", got);
  }
}

export function parseReportJsonText(text: string): ReportDoc {
  const value = parseJsonText(text, REPORT_JSON);
  return checkReportDoc(value, { source: REPORT_JSON, lineOf: sectionLineFinder(text) });
}

function summaryFirstLine(text: string): string {
  const first = text.split("\n", 1)[0] ?? "";
  if (!/^reconcile_summary stale=\d+ orphan=\d+ drift=-?\d+\.\d cache_ok=(true|false)$/.test(first)) {
    throw new DataError(SUMMARY_TXT, 1, "(first line)", "reconcile_summary stale=<int> orphan=<int> drift=<pips> cache_ok=<true|false>", preview(first));
  }
  return first;
}

export interface ParseSetOptions {
  /** trades.csv rows that keep every column, per kind (see ParseOptions in read-trades.ts). */
  readonly detailRowsMax: number;
  /** reconcile-report.json already parsed (the shell reads it first to know which inputs to open). */
  readonly doc?: ReportDoc;
  /** Told how far (in characters) the trades.csv parse has got. */
  readonly onTradesProgress?: (chars: number) => void;
}

export function parseArtifactSet(t: ArtifactTexts, options: ParseSetOptions): ArtifactBundle {
  return {
    name: t.name,
    doc: options.doc ?? parseReportJsonText(t.reportJson),
    trades: parseTradesCsv(t.tradesCsv, { detailRowsMax: options.detailRowsMax, ...(options.onTradesProgress === undefined ? {} : { onProgress: options.onTradesProgress }) }),
    summaryLine: summaryFirstLine(t.summaryTxt),
    files: t.files,
    evidence: NO_EVIDENCE,
  };
}

/** The P&L figures the report states, per currency (one line in a single-currency report). */
export function reportedPnl(doc: ReportDoc): Array<readonly [string, string]> {
  const listed = doc.realized_pnl_by_currency.items;
  if (listed.length > 0) return listed.map((r) => [r.currency, r.realized_pnl] as const);
  return doc.totals.realized_pnl === "mixed" ? [] : [["", doc.totals.realized_pnl]];
}
