// The imperative shell of `recon-proof import`: read the files (streaming, line by line), hand the
// source items to the pure importer, finish (validate, dedupe, sort) and describe what happened.
// Writing to stdout/stderr and choosing the exit code is the CLI's job.

import { basename } from "node:path";
import { ConfigError } from "../../domain/errors.js";
import { plural } from "../../text/plural.js";
import { checkInputFile } from "../input-files.js";
import { fileBytes } from "../inputs.js";
import { LineReader } from "../lines.js";
import { finishRecords, type Finished, type ImportOptions, ImportReport, type ImportResult, toUtc } from "./common.js";
import { importAlpaca } from "./alpaca/index.js";
import { importCcxt, ORDER_KEYS, type OrderKey } from "./ccxt/index.js";
import { FREQTRADE_SCHEMA, freqtradeFromRows } from "./freqtrade.js";
import { HUMMINGBOT_SCHEMA, hummingbotFromRows } from "./hummingbot.js";
import { readTables, rowCount } from "./sqlite-tables.js";
import { importFix } from "./fix/index.js";
import { importIb } from "./ib/index.js";
import { InstrumentFacts, instrumentFragment, type InstrumentFragment } from "./instruments.js";
import { type JsonItem, scanJson } from "./json-values.js";
import { journalFromRows, readJournalDb } from "./journal-sqlite.js";
import { importOanda } from "./oanda/index.js";
import { checkZone } from "./tz.js";

export const BROKER_SOURCES = ["oanda", "alpaca", "fix", "ib", "ccxt"] as const;
/** Engines whose journal is one SQLite database, and how messages name that file. */
const DATABASE_SOURCES = { "journal-sqlite": "journal database", freqtrade: "freqtrade database", hummingbot: "Hummingbot database" } as const;
export const SOURCES = [...BROKER_SOURCES, ...Object.keys(DATABASE_SOURCES) as (keyof typeof DATABASE_SOURCES)[]] as const;
export type SourceKind = (typeof SOURCES)[number];
type DatabaseSource = keyof typeof DATABASE_SOURCES;
function isDatabaseSource(s: SourceKind): s is DatabaseSource {
  return s in DATABASE_SOURCES;
}

/** A single source line longer than this is refused (a REST dump is usually pretty-printed). */
export const IMPORT_LINE_BYTES_MAX = 64 * 1024 * 1024;
/** Problems printed one per line on stderr; the rest are counted. */
export const REPORT_LINES_MAX = 200;

export interface ImportArgs {
  readonly source: string;
  readonly files: readonly string[];
  readonly tz?: string | undefined;
  readonly asOf?: string | undefined;
  /** ccxt: which id is the engine's key (clientOrderId, or the exchange's order id). */
  readonly orderKey?: string | undefined;
  /** Told the bytes read so far, over all the files (for progress). */
  readonly onBytes?: ((bytes: number) => void) | undefined;
}

export interface ImportOutcome {
  readonly kind: "broker" | "journal";
  readonly finished: Finished;
  readonly report: ImportReport;
  readonly recordsBeforeFinish: number;
  /** Non-blank source lines (or journal rows) read: input that yields no record is an error. */
  readonly inputLines: number;
  /** What the source states about the instruments it names. */
  readonly instruments: InstrumentFacts;
}

/** An engine journal names symbols and states nothing else about them. */
const JOURNAL_STATES_NOTHING = "not stated by the source (an engine journal names only the symbol)";

type SourceLine = { text: string; line: number; file: string };

/** Reads the files in turn, line by line, telling `onBytes` how far it got over all of them, and counts their non-blank lines. */
class SourceFiles {
  private before = 0;
  nonBlank = 0;
  /** Files read to their end that hold no line but blank ones. */
  readonly empty: string[] = [];

  constructor(
    private readonly paths: readonly string[],
    /** How a message names one of the files ("oanda file"). */
    private readonly what: string,
    private readonly onBytes: (bytes: number) => void = () => {},
  ) {
    // Every file now: one that cannot be read is said before any is imported.
    for (const path of paths) checkInputFile(path, what);
  }

  private *linesOf(path: string): Generator<SourceLine> {
    const file = basename(path);
    const nonBlankBefore = this.nonBlank;
    for (const { text, line, offset } of new LineReader(path, path, IMPORT_LINE_BYTES_MAX, this.what)) {
      this.onBytes(this.before + offset);
      if (text.trim() !== "") this.nonBlank += 1;
      yield { text, line, file };
    }
    if (this.nonBlank === nonBlankBefore) this.empty.push(file);
    this.before += fileBytes(path);
  }

  *jsonItems(): Generator<JsonItem> {
    for (const path of this.paths) yield* scanJson(this.linesOf(path), basename(path));
  }

  *lines(): Generator<SourceLine> {
    for (const path of this.paths) yield* this.linesOf(path);
  }
}

/** Checks the options against the source (ConfigError, exit 2) before any file is read. */
export function checkArgs(args: ImportArgs): SourceKind {
  if (!(SOURCES as readonly string[]).includes(args.source)) {
    throw new ConfigError(`unknown import source ${JSON.stringify(args.source)}: expected one of ${SOURCES.join(", ")}`);
  }
  const source = args.source as SourceKind;
  if (args.files.length === 0) throw new ConfigError(`import ${source}: name at least one file`);
  if (isDatabaseSource(source) && args.files.length !== 1) throw new ConfigError(`import ${source}: name exactly one database file`);
  if (args.orderKey !== undefined) {
    if (source !== "ccxt") throw new ConfigError(`--order-key applies to ccxt only: ${source} records name the engine's key themselves`);
    if (!(ORDER_KEYS as readonly string[]).includes(args.orderKey)) {
      throw new ConfigError(`--order-key ${JSON.stringify(args.orderKey)}: expected one of ${ORDER_KEYS.join(", ")}`);
    }
  }
  if (args.tz !== undefined) {
    if (source !== "ib" && source !== "journal-sqlite") throw new ConfigError(`--tz applies to ib and journal-sqlite only: ${source} times carry their zone`);
    checkZone(args.tz);
  }
  if (args.asOf !== undefined && toUtc(args.asOf) === undefined) {
    throw new ConfigError(`--as-of ${JSON.stringify(args.asOf)}: expected an RFC 3339 timestamp such as 2025-10-20T21:00:00Z`);
  }
  return source;
}

export function runImport(args: ImportArgs): ImportOutcome {
  const source = checkArgs(args);
  const opts: ImportOptions = { tz: args.tz, asOf: args.asOf };
  const files = new SourceFiles(args.files, isDatabaseSource(source) ? DATABASE_SOURCES[source] : `${source} file`, args.onBytes);
  let result: ImportResult;
  switch (source) {
    case "oanda": result = importOanda(files.jsonItems(), opts); break;
    case "alpaca": result = importAlpaca(files.jsonItems(), opts); break;
    case "fix": result = importFix(files.lines()); break;
    case "ib": result = importIb(files.lines(), opts); break;
    case "ccxt": result = importCcxt(files.jsonItems(), { ...opts, orderKey: args.orderKey as OrderKey | undefined }); break;
    case "journal-sqlite": {
      const rows = readJournalDb(args.files[0]!);
      files.nonBlank = rowCount({ ...rows });
      result = journalFromRows(rows, basename(args.files[0]!), opts);
      break;
    }
    case "freqtrade":
    case "hummingbot": {
      const [schema, fromRows] = source === "freqtrade" ? [FREQTRADE_SCHEMA, freqtradeFromRows] : [HUMMINGBOT_SCHEMA, hummingbotFromRows];
      const rows = readTables(args.files[0]!, schema);
      files.nonBlank = rowCount(rows);
      result = fromRows(rows);
      break;
    }
  }
  // An empty file is most likely the wrong file, or an export that failed: said, and under --strict an error.
  for (const file of files.empty) result.report.problem(undefined, `${file}: the file is empty (nothing to import from it)`);
  const kind = isDatabaseSource(source) ? "journal" : "broker";
  const finished = finishRecords(result.records, kind, result.report);
  const instruments = result.instruments ?? new InstrumentFacts({
    asset_class: JOURNAL_STATES_NOTHING, quote_currency: JOURNAL_STATES_NOTHING, tick_size: JOURNAL_STATES_NOTHING,
  });
  return { kind, finished, report: result.report, recordsBeforeFinish: result.records.length, inputLines: files.nonBlank, instruments };
}

/** Every symbol the imported records name (a record's symbol, and those of its positions and open orders). */
export function namedSymbols(lines: readonly string[]): Set<string> {
  const symbols = new Set<string>();
  for (const line of lines) {
    const rec = JSON.parse(line) as { symbol?: unknown; positions?: unknown; open_orders?: unknown };
    const nested = [rec.positions, rec.open_orders].flatMap((list) => (Array.isArray(list) ? list as { symbol?: unknown }[] : []));
    for (const symbol of [rec.symbol, ...nested.map((x) => x.symbol)]) if (typeof symbol === "string") symbols.add(symbol);
  }
  return symbols;
}

/** The --instruments fragment of an import: an entry for every instrument its records name. */
export function instrumentsOf(outcome: ImportOutcome): InstrumentFragment {
  return instrumentFragment(namedSymbols(outcome.finished.lines), outcome.instruments);
}

/** The stderr lines of --instruments: what was written, what is still to fill, which FX pairs need no entry. */
export function describeInstruments(file: string, fragment: InstrumentFragment): string[] {
  const out = [`recon-proof import: instruments: ${plural(fragment.entries, "entry", "entries")} written to ${file}` +
    (fragment.unfinished.length === 0 ? "" : `; ${fragment.unfinished.length} with fields still to fill (each a "<to fill: ...>" placeholder, which the replay refuses)`)];
  for (const u of fragment.unfinished.slice(0, REPORT_LINES_MAX)) out.push(`recon-proof import: instruments: ${u.symbol}: to fill: ${u.fields.join(", ")}`);
  if (fragment.unfinished.length > REPORT_LINES_MAX) out.push(`recon-proof import: instruments: ... and ${fragment.unfinished.length - REPORT_LINES_MAX} more`);
  if (fragment.defaultFx.length > 0) {
    out.push(`recon-proof import: instruments: no entry for ${fragment.defaultFx.join(", ")}: FX pair${fragment.defaultFx.length === 1 ? "" : "s"} the replay knows by default`);
  }
  return out;
}

/** Input that holds something but yields no record is an error (exit 65): a proof over nothing proves nothing. */
export function importedNothing(outcome: ImportOutcome): boolean {
  return outcome.finished.lines.length === 0 && outcome.inputLines > 0;
}

/** The stderr report: every problem with its position (capped), notes, then one summary line. */
export function describeImport(source: string, files: readonly string[], outcome: ImportOutcome, strict: boolean): string[] {
  const out: string[] = [];
  const { report, finished } = outcome;
  for (const p of report.problems.slice(0, REPORT_LINES_MAX)) out.push(`recon-proof import: ${strict ? "error" : "problem"}: ${p}`);
  if (report.problems.length > REPORT_LINES_MAX) {
    out.push(`recon-proof import: ... and ${report.problems.length - REPORT_LINES_MAX} more (REPORT_LINES_MAX=${REPORT_LINES_MAX})`);
  }
  for (const n of report.notes) out.push(`recon-proof import: note: ${n}`);
  const ignored = report.ignored.map(([k, n]) => `${k} ${n}`).join("; ");
  const order = finished.outOfOrder === 0 ? "source in time order"
    : `${plural(finished.outOfOrder, "record")} out of time order in the source: output sorted stably by ts`;
  out.push(`recon-proof import ${source}: ${plural(finished.lines.length, `${outcome.kind} record`)} from ${plural(files.length, "file")}; ` +
    `${plural(report.problems.length, "problem")}; ${report.ignoredTotal} ignored${ignored === "" ? "" : ` (${ignored})`}; ${order}` +
    (strict && report.problems.length > 0 ? "; --strict: nothing written" : ""));
  if (importedNothing(outcome)) {
    out.push(`recon-proof import: nothing imported: ${plural(outcome.inputLines, outcome.kind === "journal" ? "row" : "line")} of input gave no record (the reasons are above)`);
  }
  return out;
}
