// The imperative shell around one replay: read -> compute -> render -> write.
//
// A replay is a job: opened (config, inputs, cache, the staged output), its steps run (RECORDS_PER_STEP
// input records each), then finished (artifacts committed, then the cache) or aborted (the staged output
// and the cache's pending changes discarded). The CLI runs the steps in slices so that a signal is
// noticed between them (runReplayInterruptibly); tests and the bench run them straight through.

import { type RenderedArtifacts, renderReportArtifacts } from "../artifacts/render.js";
import { renderTradesHeader } from "../artifacts/trades-csv.js";
import {
  fileBytes, hashFile, type LoadedConfig, type LogInput, openBroker, openJournal, openPeekedBroker, openPeekedJournal, loadConfig, type RecordStream, sha256Hex,
} from "../adapters/inputs.js";
import type { LineRecall } from "../adapters/lines.js";
import type { Config } from "../domain/config.js";
import type { PeekedBrokerLine, PeekedJournalLine } from "../domain/peek.js";
import type { BrokerEvent, JournalRecord } from "../domain/records.js";
import type { RunMeta } from "../artifacts/meta.js";
import { tradeRowBatches } from "../adapters/trade-batches.js";
import { type ArtifactSink, ArtifactsInMemory } from "../adapters/memory-artifacts.js";
import { ArtifactSetWriter, checkOutDir } from "../adapters/artifacts.js";
import { inputName } from "../adapters/input-files.js";
import { faultAfterRecord, faultPoint } from "../adapters/fault-points.js";
import { CACHE_BATCH_DEFAULT, SqliteCacheStore } from "../adapters/cache/store.js";
import { RECORDS_PER_STEP, replaySteps, runToEnd } from "../core/replay.js";
import { IoError } from "../domain/errors.js";
import type { CacheEntry } from "../core/books/cache.js";
import type { Report } from "../domain/report.js";
import { EXIT } from "../runtime/exit-codes.js";
import { Progress, type ProgressSink } from "../runtime/progress.js";
import { yieldToSignals } from "../runtime/signals.js";

/** Input records replayed between two turns of the event loop (where a signal is noticed). */
const RECORDS_PER_SLICE = 4096;
const STEPS_PER_SLICE = RECORDS_PER_SLICE / RECORDS_PER_STEP;

export interface ReplayArgs {
  readonly journal: LogInput;
  readonly broker: LogInput;
  readonly config?: LogInput | undefined;
  /** SQLite order-id cache; absent means a fresh in-memory cache. */
  readonly cache?: string | undefined;
  /** Input records whose cache changes go in one transaction (default CACHE_BATCH_DEFAULT; 1: write-through). */
  readonly cacheBatch?: number | undefined;
  /** The output folder; absent: the artifacts are kept in memory and handed back (the library's replay). */
  readonly out?: string | undefined;
  /** Write into an --out folder recon-proof did not write (--adopt-out). */
  readonly adoptOut?: boolean | undefined;
  /** Where progress goes (in bytes of both inputs); default a progress line of its own on stderr. */
  readonly progress?: ProgressSink | undefined;
}

/** A replay that writes into an output folder (`--out`): every command's replay. */
export type FolderReplayArgs = ReplayArgs & { readonly out: string };

export interface ReplayOutcome {
  readonly exitCode: number;
  readonly report: Report;
  /** True when this run continued one that was killed part way (same inputs, same cache). */
  readonly resumed: boolean;
  /** True when this run repeated the cache's last completed replay (same inputs): same artifacts. */
  readonly rerun: boolean;
  /** What failed after the artifacts were swapped in (they are written all the same). */
  readonly warnings: readonly string[];
  /** The four artifacts' text, when there is no output folder (else they are in it). */
  readonly artifacts: RenderedArtifacts | null;
}

/** An opened replay: its steps, and what to do when they end or fail. */
export interface Job<R, T> {
  readonly steps: Generator<void, R, void>;
  /** Commits what the steps produced. */
  finish(result: R): T;
  /** Discards what is staged (before the commit). */
  abort(): void;
  /** Releases what is open, either way. */
  close(): void;
}

/** Runs a job's steps straight through. */
function runJob<R, T>(job: Job<R, T>): T {
  try {
    return job.finish(runToEnd(job.steps));
  } catch (err) {
    job.abort();
    throw err;
  } finally {
    job.close();
  }
}

/** Runs a job's steps in slices, stopping with Interrupted between two when a signal came. */
export async function runJobInSlices<R, T>(job: Job<R, T>): Promise<T> {
  try {
    for (;;) {
      for (let i = 0; i < STEPS_PER_SLICE; i++) {
        const step = job.steps.next();
        if (step.done === true) return job.finish(step.value);
      }
      await yieldToSignals();
    }
  } catch (err) {
    job.abort();
    throw err;
  } finally {
    job.close();
  }
}

/** What both kinds of replay open before they run: the config, both inputs, where progress goes. */
export interface ReplayInputs<J = JournalRecord, B = BrokerEvent> {
  readonly loaded: LoadedConfig;
  readonly journal: RecordStream<J>;
  readonly broker: RecordStream<B> & { readonly recall: LineRecall };
  /** Reports the bytes of both inputs read so far. */
  readonly step: () => void;
  /** The progress line this replay drew itself (none when the caller gave its own sink). */
  readonly ownProgress: Progress | null;
}

/** Bytes of both inputs: what a replay's progress counts. */
export function replayInputBytes(args: Pick<ReplayArgs, "journal" | "broker">): number {
  return fileBytes(args.journal) + fileBytes(args.broker);
}

export function openInputs(args: ReplayArgs, label: string): ReplayInputs {
  return openInputsWith(args, label, openJournal, openBroker);
}

/** The inputs as one shard reads them: lines it may not own only peeked at (domain/peek.ts). */
export function openShardInputs(args: ReplayArgs, label: string): ReplayInputs<JournalRecord | PeekedJournalLine, BrokerEvent | PeekedBrokerLine> {
  return openInputsWith(args, label, openPeekedJournal, openPeekedBroker);
}

function openInputsWith<J, B>(
  args: ReplayArgs, label: string,
  openJ: (path: LogInput, config: Config) => RecordStream<J>,
  openB: (path: LogInput, config: Config) => RecordStream<B> & { readonly recall: LineRecall },
): ReplayInputs<J, B> {
  const loaded = loadConfig(args.config);
  if (args.out !== undefined) checkOutDir(args.out, { adopt: args.adoptOut });
  const journal = openJ(args.journal, loaded.config);
  const broker = openB(args.broker, loaded.config);
  const ownProgress = args.progress === undefined ? new Progress(label, replayInputBytes(args), "bytes") : null;
  const progress = args.progress ?? ownProgress!;
  const step = () => progress.update(journal.bytesRead() + broker.bytesRead());
  return { loaded, journal, broker, step, ownProgress };
}

export function closeInputs(inputs: ReplayInputs<unknown, unknown>): void {
  inputs.broker.recall.close();
  inputs.ownProgress?.done();
}

/** Opens a replay: the inputs, the cache (if any), the staged artifact set. */
function openReplay(args: ReplayArgs): Job<Report, ReplayOutcome> {
  const inputs = openInputs(args, "replay");
  const { loaded, journal, broker, step } = inputs;
  let store: SqliteCacheStore | null = null;
  let out: ArtifactSink | null = null;
  const abort = () => {
    out?.abort();
    store?.abort();
  };
  try {
    let cacheEntries: readonly CacheEntry[] = [];
    let cacheFailure: string | null = null;
    let resumed = false;
    let rerun = false;
    if (args.cache !== undefined) {
      // A replay is identified by what it reads: the same inputs and config resume the same run.
      const runKey = sha256Hex(`${hashFile(args.journal, inputName("journal"))}|${hashFile(args.broker, inputName("broker"))}|${loaded.hash}`);
      ({ store, entries: cacheEntries, failure: cacheFailure, resuming: resumed, rerun } = SqliteCacheStore.open(args.cache, runKey));
      store?.setRecordsPerTransaction(args.cacheBatch ?? CACHE_BATCH_DEFAULT);
    }
    const writer = args.out === undefined ? new ArtifactsInMemory(renderTradesHeader())
      : new ArtifactSetWriter(args.out, renderTradesHeader(), undefined, undefined, { adopt: args.adoptOut, command: "replay" });
    out = writer;
    const trades = tradeRowBatches(writer);
    const cache = store;
    let steps = 0;
    let finalEntries: readonly CacheEntry[] = [];
    return {
      steps: replaySteps(loaded.config, journal, broker, {
        configHash: loaded.hash, cacheEntries, cacheFailure, recallBroker: broker.recall, queueCacheChanges: store !== undefined,
      }, {
        afterStep: (engine, _record, index) => {
          steps = index + 1;
          // Drain even without a store: `cache?.apply(..)` would skip evaluating its argument, and
          // undrained cache changes would pile up for the whole replay.
          const ops = engine.drainCacheOps();
          cache?.apply(index, ops);
          faultAfterRecord(index + 1);
          trades.add(engine.drainTrades());
          step();
        },
        beforeReport: (engine) => {
          const ops = engine.drainCacheOps();
          cache?.apply(steps, ops);
          finalEntries = engine.cacheEntries();
        },
      }),
      finish: (report) => {
        trades.add(report.trades);
        trades.flush();
        const warnings = writer.commit(renderReportArtifacts(report, runMeta(journal, broker, loaded)));
        commitCache(cache, finalEntries, writer instanceof ArtifactsInMemory ? warnings : args.out);
        faultPoint("cache-committed");
        const artifacts = writer instanceof ArtifactsInMemory ? writer.artifacts : null;
        return { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, resumed, rerun, warnings, artifacts };
      },
      abort,
      close: () => closeInputs(inputs),
    };
  } catch (err) {
    abort();
    closeInputs(inputs);
    throw err;
  }
}

/**
 * Records the finished replay in the cache. When it cannot: with the artifacts kept in memory the
 * result is whole and nothing is written, so the failure is one of its `warnings`; with them
 * written (into `out`), an I/O error saying they are.
 */
function commitCache(cache: { commit(entries: readonly CacheEntry[]): void } | null, entries: readonly CacheEntry[], warningsOrOut: string[] | string | undefined): void {
  try {
    cache?.commit(entries);
  } catch (err) {
    if (!(err instanceof IoError)) throw err;
    if (Array.isArray(warningsOrOut)) warningsOrOut.push(`${err.message} (the result stands; the same replay run again with this cache finishes recording it)`);
    else throw new IoError(`${err.message} (the artifacts${warningsOrOut === undefined ? "" : ` in ${warningsOrOut}`} are written; the same replay run again finishes recording it)`);
  }
}

/** Runs one replay and writes its artifacts. Throws typed errors for bad input (nothing written). */
export function runReplay(args: ReplayArgs): ReplayOutcome {
  return runJob(openReplay(args));
}

/** The same, stopping with Interrupted (nothing written, the cache as it was) when a signal comes. */
export function runReplayInterruptibly(args: ReplayArgs): Promise<ReplayOutcome> {
  return runJobInSlices(openReplay(args));
}

/** Provenance of a replay, once both inputs have been read to their end. */
export function runMeta(journal: RecordStream<unknown>, broker: RecordStream<unknown>, loaded: LoadedConfig): RunMeta {
  return {
    journal: journal.meta(), broker: broker.meta(), configFile: loaded.file,
    configHash: loaded.hash, effectiveConfig: loaded.effective,
  };
}
