// One trial of `minimize`: replay a candidate (a subset of the two logs' lines, in their order) on
// the pure core, render the artifacts the predicate reads, and say whether the predicate still
// holds. The candidate is replayed as the files it would be written as: lines numbered from 1 in
// each file, the report naming them by file name, line count and sha256. A candidate the validator
// or the engine refuses (a line back in time, a snapshot without its restart, an empty log, a
// conflicting redelivery) is simply not a reduction. Pure: the sha256 function is given.

import type { Config } from "../domain/config.js";
import { DataError } from "../domain/errors.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../domain/records.js";
import type { Report } from "../domain/report.js";
import { parseBrokerLine, parseJournalLine } from "../domain/validate.js";
import { replay } from "../core/replay.js";
import { type ArtifactName, METRICS_TXT, REPORT_JSON, SUMMARY_TXT, TRADES_CSV } from "../artifacts/names.js";
import type { InputFileMeta, RunMeta } from "../artifacts/meta.js";
import { renderMetrics } from "../artifacts/metrics.js";
import { renderReportJson } from "../artifacts/report-json.js";
import { renderSummary } from "../artifacts/summary.js";
import { renderTradesCsv } from "../artifacts/trades-csv.js";
import { type ExpectFile, predicateHolds } from "../proofs/verify.js";

export type Source = "journal" | "broker";

/** One line of either log. Ids are unique for the whole search (a line with a field dropped is a new item). */
export interface Item {
  readonly id: number;
  readonly src: Source;
  readonly text: string;
}

export interface TrialSetup {
  readonly config: Config;
  readonly configHash: string;
  /** The config file the scenario will hold (null: none), and the effective config, as the report names them. */
  readonly configFile: InputFileMeta | null;
  readonly effectiveConfig: Record<string, unknown>;
  /** The file names the scenario's logs will have. */
  readonly names: { readonly journal: string; readonly broker: string };
  readonly predicate: ExpectFile;
  /** sha256 of a file of these lines (each ended by a newline), hashed line by line: never one big string. */
  readonly sha256: (lines: readonly string[]) => string;
}

export interface TrialRun {
  readonly exitCode: number;
  readonly artifacts: Partial<Record<ArtifactName, string>>;
}

/** The artifacts a predicate reads, rendered from the report (the others are not needed to judge it). */
function render(report: Report, wanted: ReadonlySet<ArtifactName>, meta: () => RunMeta): Partial<Record<ArtifactName, string>> {
  const out: Partial<Record<ArtifactName, string>> = {};
  if (wanted.has(SUMMARY_TXT)) out[SUMMARY_TXT] = renderSummary(report);
  if (wanted.has(METRICS_TXT)) out[METRICS_TXT] = renderMetrics(report);
  if (wanted.has(TRADES_CSV)) out[TRADES_CSV] = renderTradesCsv(report.trades);
  if (wanted.has(REPORT_JSON)) out[REPORT_JSON] = renderReportJson(report, meta());
  return out;
}

export class Trials {
  /** Each item parsed once (line numbers are set per candidate); a DataError when the validator refuses it. */
  private readonly parsed = new Map<number, InputRecord | DataError>();
  private readonly wanted: ReadonlySet<ArtifactName>;
  /** Replays run so far. */
  replays = 0;

  constructor(private readonly setup: TrialSetup) {
    this.wanted = new Set(setup.predicate.expectations.map((e) => e.artifact));
  }

  /** Takes a line already parsed (the shell validates the inputs with their real line numbers). */
  remember(item: Item, record: InputRecord): void {
    this.parsed.set(item.id, record);
  }

  private parse(item: Item): InputRecord | DataError {
    let rec = this.parsed.get(item.id);
    if (rec === undefined) {
      try {
        rec = item.src === "journal" ? parseJournalLine(item.text, 1) : parseBrokerLine(item.text, 1);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        rec = err;
      }
      this.parsed.set(item.id, rec);
    }
    return rec;
  }

  /** The candidate's records, numbered as lines of their files; null when the validator refuses a line. */
  private records(items: readonly Item[]): { journal: JournalRecord[]; broker: BrokerEvent[] } | null {
    const journal: JournalRecord[] = [];
    const broker: BrokerEvent[] = [];
    for (const item of items) {
      const rec = this.parse(item);
      if (rec instanceof DataError) return null;
      if (rec.src === "journal") journal.push({ ...rec, line: journal.length + 1 });
      else broker.push({ ...rec, line: broker.length + 1, pos: broker.length + 1 });
    }
    return { journal, broker };
  }

  /** Replays the candidate: its exit code and the artifacts the predicate reads, or null when it is not valid input. */
  run(items: readonly Item[], wanted: ReadonlySet<ArtifactName> = this.wanted): TrialRun | null {
    this.replays += 1;
    const recs = this.records(items);
    if (recs === null) return null;
    let report: Report;
    try {
      report = replay(this.setup.config, recs.journal, recs.broker, { configHash: this.setup.configHash, cacheEntries: [], cacheFailure: null });
    } catch (err) {
      if (err instanceof DataError) return null;
      throw err;
    }
    const meta = (): RunMeta => {
      const file = (src: Source): InputFileMeta => {
        const lines = items.filter((i) => i.src === src);
        return { name: this.setup.names[src], sha256: this.setup.sha256(lines.map((i) => i.text)), lines: lines.length };
      };
      return { journal: file("journal"), broker: file("broker"), configFile: this.setup.configFile, configHash: this.setup.configHash, effectiveConfig: this.setup.effectiveConfig };
    };
    return { exitCode: report.totals.killSwitch ? 3 : 0, artifacts: render(report, wanted, meta) };
  }

  /** Whether the candidate is valid input whose replay keeps the predicate. */
  holds(items: readonly Item[]): boolean {
    const r = this.run(items);
    return r !== null && predicateHolds(r.artifacts, this.setup.predicate, r.exitCode);
  }
}
