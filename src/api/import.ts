// The library's import: `recon-proof import`'s conversion of a broker's or an engine's own records
// into the canonical journal or broker log, returned as lines (ready for replay()) instead of
// printed, with what the command prints on stderr as data.

import { SOURCES, type SourceKind, importedNothing, instrumentsOf, runImport } from "../adapters/importers/run.js";
import { libraryError } from "./replay.js";

export interface ImportOptions {
  /** One of `SOURCES`: oanda, alpaca, fix, ib, ccxt (a broker log); journal-sqlite, freqtrade, hummingbot (a journal). */
  readonly source: SourceKind;
  /** The source's files (several files of one source are imported together). */
  readonly files: readonly string[];
  /** IANA zone of times that carry none (ib TWS times, naive journal times). */
  readonly tz?: string | undefined;
  /** RFC 3339 time of listings that carry none (open positions, trades). */
  readonly asOf?: string | undefined;
  /** ccxt: the engine's key of an order, clientOrderId (default) or id. */
  readonly orderKey?: "clientOrderId" | "id" | undefined;
}

export interface ImportResult {
  /** Which canonical log the lines are. */
  readonly kind: "broker" | "journal";
  /** The canonical JSON Lines, in event time, without their endings: what `import` writes on stdout. */
  readonly lines: readonly string[];
  /** Records skipped, each with its file and position (`import --strict` refuses the import for any). */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** True when input that holds something gave no record (the command exits 65). */
  readonly nothingImported: boolean;
  /** The config's `instruments` fragment for the symbols imported, as `--instruments FILE` writes it. */
  readonly instrumentsJson: string;
}

export const IMPORT_SOURCES: readonly SourceKind[] = SOURCES;

/**
 * Imports a broker's or an engine's records, as `recon-proof import` does. Throws BadInputError
 * for a record that cannot be read, ConfigError for a bad option, IoError for a file that cannot be
 * read; skipped records are `problems`, never thrown.
 */
export function importRecords(options: ImportOptions): ImportResult {
  try {
    const outcome = runImport({ ...options, files: [...options.files] });
    return {
      kind: outcome.kind, lines: outcome.finished.lines, problems: [...outcome.report.problems], notes: [...outcome.report.notes],
      nothingImported: importedNothing(outcome), instrumentsJson: instrumentsOf(outcome).text,
    };
  } catch (err) {
    throw libraryError(err, Object.fromEntries(options.files.map((f) => [f, f])));
  }
}
