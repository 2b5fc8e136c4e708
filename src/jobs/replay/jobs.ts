// `replay --jobs N`: the replay as N shards (by symbol, core/shard.ts) in worker threads of this
// process, their groups merged in memory as they arrive (core/combine.ts) into the same four
// artifacts, byte for byte, as one job writes. A shard must see every record's time and every
// account-wide event: the main thread reads and validates both logs once, judges redeliveries and
// routes, so each worker gets the records it owns and a tick for the rest.
//
// Where sharding is not exact (merge would refuse: the kill switch blocking another symbol's
// decisions, the daily loss cap across symbols, cache_entries_max over all symbols) the caller
// replays in one job and says so on stderr. A shard that stops on bad input is replayed in one job
// too, quietly: that replay reports the failure exactly as an unsharded replay does.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ArtifactSetWriter, checkOutDir } from "../../adapters/artifacts.js";
import { faultAfterRecord } from "../../adapters/fault-points.js";
import { type LoadedConfig, loadConfig, openBroker, openJournal, type ShippedConfig } from "../../adapters/inputs.js";
import { GroupStreamMerge, InexactMerge, MergedReport, type ShardEnd } from "../../core/combine.js";
import type { EmitGroup } from "../../core/emit.js";
import { mergeByEventTime } from "../../core/merge.js";
import { Redelivery } from "../../core/redelivery.js";
import { EVERY_SHARD, type ShardSpec, SymbolRouting } from "../../core/shard.js";
import type { Instant } from "../../domain/time.js";
import { ShardMismatch } from "../../core/state.js";
import { assert, ConfigError } from "../../domain/errors.js";
import type { RunMeta } from "../../artifacts/meta.js";
import { renderReportArtifacts } from "../../artifacts/render.js";
import { type RenderedTrade, renderTradesHeader } from "../../artifacts/trades-csv.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { Progress } from "../../runtime/progress.js";
import { replayInputBytes, type ReplayArgs, type ReplayOutcome, runMeta } from "../../run/replay.js";
import { throwIfSignalled } from "../../runtime/signals.js";
import { renderedTradeBatches } from "../../adapters/trade-batches.js";

/** Worker threads at most (each holds its own heap). */
export const jobs_max = 16;

/**
 * Below this many bytes of input, `--jobs auto` runs one job: starting the threads and passing
 * every record between them costs more than the engine's work they share.
 */
export const jobs_auto_input_bytes_min = 32 * 1024 * 1024;

/** The worker's module, next to this one (tests running from the sources pass the built one). */
export const JOB_WORKER_URL = new URL("./worker.js", import.meta.url);

/** How often the main thread looks for a signal while it waits for the workers. */
const SIGNAL_POLL_MS = 100;

/**
 * Flow control between the workers and the main thread. A worker sends its groups in messages of
 * `groups_per_message` and stops (Atomics.wait) while more than `groups_in_flight_max` of its
 * groups are sent but not yet merged: a shard ahead of the others waits for them instead of
 * queueing its groups in the main thread's memory, which then holds at most jobs x
 * (groups_in_flight_max + groups_per_message) groups.
 */
export interface JobsFlow {
  readonly groups_per_message: number;
  readonly groups_in_flight_max: number;
  /** Input records in one batch to a worker (its lines, ticks and plan). */
  readonly records_per_batch: number;
  /** Batches sent to a worker and not yet taken; beyond it the reader waits. */
  readonly batches_in_flight_max: number;
}

export const JOBS_FLOW_DEFAULT: JobsFlow = { groups_per_message: 512, groups_in_flight_max: 8192, records_per_batch: 1024, batches_in_flight_max: 16 };

export interface JobWorkerData {
  /** The main thread's config (a worker does not read the file again). */
  readonly config: ShippedConfig;
  readonly spec: ShardSpec;
  readonly flow: JobsFlow;
  /** Int32 per worker: how many of its groups the main thread has merged (written by main only). */
  readonly merged: SharedArrayBuffer;
}

/**
 * A plan entry's bits. A record the worker steps on is sent as its line's text (it validates it
 * again: copying a string between threads costs a tenth of copying the parsed record); a tick as
 * its time and line.
 */
export const PLAN_TICK = 1; // else a line of `lines`
export const PLAN_AGAIN = 2; // a broker event's redelivery (else its first delivery)
export const PLAN_BROKER = 4; // from the broker log (else the journal)
export const PLAN_CUT = 8; // an account-wide record: the worker cuts it down to its symbols
export const PLAN_CANCEL_REQUEST = 16; // a journal tick's type (else a decision)

export type ToJobWorker =
  /**
   * One entry of `plan` per input record, in replay order. Line entries take, in turn, a line of
   * `lines` (joined by LF) and two numbers of `places` (line number, byte offset: broker lines only,
   * 0 for journal lines); tick entries
   * three numbers of `times` (ms, sub-ms ns, line number) and a line of `tickTs` (the time as written).
   */
  | {
    readonly kind: "batch"; readonly plan: Uint8Array; readonly lines: string; readonly places: Float64Array;
    readonly times: Float64Array; readonly tickTs: string;
  }
  | { readonly kind: "end" };

export type FromJobWorker =
  /** Trade rows come rendered (the worker renders them: see worker.ts). */
  | { readonly kind: "groups"; readonly groups: Array<EmitGroup<RenderedTrade>> }
  /** A batch taken; every group numbered below `seq` has been sent. */
  | { readonly kind: "consumed"; readonly seq: number }
  | ({ readonly kind: "done" } & ShardEnd)
  | { readonly kind: "failed"; readonly name: string; readonly message: string };

export type JobsRequest = number | "auto";

/** --jobs: `auto` or a whole number of threads from 1 to jobs_max. */
export function parseJobs(text: string): JobsRequest {
  if (text === "auto") return "auto";
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > jobs_max) {
    throw new ConfigError(`--jobs takes auto or a whole number from 1 to jobs_max=${jobs_max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export interface JobsChoice {
  readonly jobs: number;
  /** Why a --jobs above 1 that was asked for is not used (said on stderr); null when it is, or was not asked. */
  readonly declined: string | null;
}

/** How many jobs a replay runs: `auto` is one per core for large inputs, one otherwise. */
export function chooseJobs(request: JobsRequest, args: Pick<ReplayArgs, "journal" | "broker" | "cache">, cores = availableParallelism()): JobsChoice {
  if (request === "auto") {
    const large = replayInputBytes(args) >= jobs_auto_input_bytes_min;
    return { jobs: args.cache === undefined && large ? Math.min(cores, jobs_max) : 1, declined: null };
  }
  if (request > 1 && args.cache !== undefined) {
    return { jobs: 1, declined: "the order-id cache (--cache) is one file written by one replay" };
  }
  return { jobs: request, declined: null };
}

export type JobsResult =
  /**
   * `peakQueuedGroups`: the most groups of one shard that waited in the main thread at once;
   * `peakUntakenBatches`: the most batches sent to one worker and not yet taken.
   */
  | { readonly kind: "done"; readonly outcome: ReplayOutcome; readonly peakQueuedGroups: number; readonly peakUntakenBatches: number }
  /** Replay in one job instead; `quiet` when that replay reports the reason itself (bad input). */
  | { readonly kind: "fallback"; readonly why: string; readonly quiet: boolean };

/** A worker stopped before it was done. */
class ShardStopped extends Error {
  constructor(readonly shard: number, readonly inputError: boolean, message: string) {
    super(`shard ${shard} stopped: ${message}`);
    this.name = "ShardStopped";
  }
}

const INPUT_ERRORS = new Set(["DataError", "ConfigError", "IoError"]);

/** The main thread's reader stopped on bad input (replayed in one job, which reports it). */
class ReaderStopped extends Error {
  constructor(message: string) {
    super(`reading stopped: ${message}`);
    this.name = "ReaderStopped";
  }
}

/** One worker's next batch, as the reader fills it (see ToJobWorker). */
class Batch {
  private lines: string[] = [];
  private readonly places: Float64Array;
  private placeCount = 0;
  private readonly times: Float64Array;
  private timeCount = 0;
  private tickTs: string[] = [];
  private readonly plan: Uint8Array;
  size = 0;

  constructor(records: number) {
    this.places = new Float64Array(2 * records);
    this.times = new Float64Array(3 * records);
    this.plan = new Uint8Array(records);
  }

  line(step: number, text: string, line: number, offset: number): void {
    this.lines.push(text);
    this.places[this.placeCount++] = line;
    this.places[this.placeCount++] = offset;
    this.plan[this.size++] = step;
  }

  tick(step: number, ts: Instant, line: number): void {
    this.times[this.timeCount++] = ts.ms;
    this.times[this.timeCount++] = ts.subNs;
    this.times[this.timeCount++] = line;
    this.tickTs.push(ts.text);
    this.plan[this.size++] = step;
  }

  message(): ToJobWorker & { kind: "batch" } {
    return {
      kind: "batch", plan: this.plan.subarray(0, this.size), lines: this.lines.join("\n"), places: this.places.subarray(0, this.placeCount),
      times: this.times.subarray(0, this.timeCount), tickTs: this.tickTs.join("\n"),
    };
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads and validates both logs once, judges each broker event's redelivery, and
 * sends every worker, batch by batch, the records it owns (account-wide ones cut down to its
 * symbols) and a tick for each other record. Yields to the event loop after every batch, so the
 * workers' groups are merged while it reads, and waits while a worker has too many batches untaken.
 */
async function feedWorkers(
  args: ReplayArgs,
  loaded: LoadedConfig,
  batchRecords: number,
  workers: ReadonlyArray<(m: ToJobWorker) => void>,
  room: (i: number) => Promise<void> | null,
  stopped: () => boolean,
  onBytes: (bytes: number) => void,
): Promise<RunMeta | null> {
  const jobs = workers.length;
  // A broker event keeps its line's text (its fingerprint) and offset; a journal record does not,
  // so its text is taken as it is read. The merge reads at most one record ahead, so this queue
  // holds the texts of the journal records read but not yet merged: one or two, in order.
  const journalTexts: string[] = [];
  const journal = openJournal(args.journal, loaded.config, (text) => journalTexts.push(text));
  const broker = openBroker(args.broker, loaded.config);
  try {
    const redelivery = new Redelivery(broker.recall);
    const routing = new SymbolRouting(jobs);
    let batches = workers.map(() => new Batch(batchRecords));
    const send = async () => {
      batches.forEach((b, i) => workers[i]!(b.message()));
      batches = workers.map(() => new Batch(batchRecords));
      onBytes(journal.bytesRead() + broker.bytesRead());
      throwIfSignalled();
      await nextTurn();
      for (let i = 0; i < jobs; i += 1) await room(i);
    };
    let index = 0;
    for (const rec of mergeByEventTime(journal, broker)) {
      if (stopped()) return null; // settled (a worker failed, a signal): nothing more to send
      const text = rec.src === "broker" ? rec.fingerprint : journalTexts.shift();
      assert(text !== undefined, "a merged journal record's line was read");
      const offset = rec.src === "broker" ? rec.pos : 0; // a journal line's offset is not needed
      const from = rec.src === "broker" ? PLAN_BROKER | (redelivery.deliver(rec) ? 0 : PLAN_AGAIN) : 0;
      const owner = routing.ownerOf(rec);
      const tickStep = PLAN_TICK | from | (rec.type === "cancel_request" ? PLAN_CANCEL_REQUEST : 0);
      for (let i = 0; i < jobs; i += 1) {
        const b = batches[i]!;
        if (owner === EVERY_SHARD) b.line(from | PLAN_CUT, text, rec.line, offset);
        else if (owner === i + 1) b.line(from, text, rec.line, offset);
        else b.tick(tickStep, rec.ts, rec.line);
      }
      index += 1;
      faultAfterRecord(index); // test-only: a signal or failure at an exact record (fault-points.ts)
      if (batches[0]!.size === batchRecords) await send();
    }
    if (batches[0]!.size > 0) await send();
    if (stopped()) return null;
    for (const post of workers) post({ kind: "end" });
    return runMeta(journal, broker, loaded);
  } catch (err) {
    const e = err as Error;
    if (INPUT_ERRORS.has(e.name)) throw new ReaderStopped(e.message);
    throw err;
  } finally {
    broker.recall.close();
  }
}

interface WorkersEnd {
  readonly shards: ShardEnd[];
  /** The inputs' meta, from the reader. */
  readonly meta: RunMeta;
}

/** Runs the workers and the reader that feeds them, merging their groups as they come. */
function runWorkers(
  args: ReplayArgs,
  loaded: LoadedConfig,
  jobs: number,
  workerUrl: URL,
  flow: JobsFlow,
  onGroup: (group: EmitGroup<RenderedTrade>) => void,
  onBytes: (bytes: number) => void,
): { readonly ends: Promise<WorkersEnd>; readonly stop: () => Promise<void>; readonly peakQueued: () => number; readonly peakUntaken: () => number } {
  const workers: Worker[] = [];
  const merge = new GroupStreamMerge<RenderedTrade>(jobs);
  const ends: ShardEnd[] = [];
  const shared = new SharedArrayBuffer(4 * jobs);
  const merged = new Int32Array(shared);
  const received = new Array<number>(jobs).fill(0);
  // Batches sent and taken per worker, and the reader's wait for room, if it waits.
  const batchesSent = new Array<number>(jobs).fill(0);
  const batchesTaken = new Array<number>(jobs).fill(0);
  const roomWaiters = new Array<(() => void) | null>(jobs).fill(null);
  let readMeta: RunMeta | null = null;
  let settled = false;
  let peakQueued = 0;
  let peakUntaken = 0;
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<WorkersEnd>((resolve, reject) => {
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      roomWaiters.forEach((wake) => wake?.()); // a waiting reader sees `settled` and stops
      reject(err);
    };
    const finishIfDone = () => {
      if (!merge.done || settled) return;
      if (readMeta === null) return; // the reader has not returned yet
      settled = true;
      resolve({ shards: ends, meta: readMeta });
    };
    const drain = () => {
      for (const g of merge.ready()) onGroup(g);
      for (let i = 0; i < jobs; i += 1) {
        const queued = merge.queued(i);
        if (queued > peakQueued) peakQueued = queued;
        Atomics.store(merged, i, received[i]! - queued); // a waiting worker may send again
        Atomics.notify(merged, i);
      }
    };
    timer = setInterval(() => {
      try {
        throwIfSignalled();
      } catch (err) {
        fail(err);
      }
    }, SIGNAL_POLL_MS);
    for (let i = 0; i < jobs; i += 1) {
      const data: JobWorkerData = {
        config: { file: loaded.file, hash: loaded.hash, effective: loaded.effective }, spec: { index: i + 1, count: jobs, by: "symbol" }, flow, merged: shared,
      };
      const worker = new Worker(workerUrl, { workerData: data });
      workers.push(worker);
      worker.on("message", (m: FromJobWorker) => {
        if (settled) return;
        try {
          throwIfSignalled();
          switch (m.kind) {
            case "groups":
              merge.push(i, m.groups);
              received[i] = received[i]! + m.groups.length;
              drain();
              break;
            case "consumed":
              batchesTaken[i] = batchesTaken[i]! + 1;
              merge.reached(i, m.seq);
              drain();
              roomWaiters[i]?.();
              roomWaiters[i] = null;
              break;
            case "done":
              ends[i] = m;
              merge.end(i);
              drain();
              finishIfDone();
              break;
            case "failed":
              fail(new ShardStopped(i + 1, INPUT_ERRORS.has(m.name), m.message));
              break;
          }
        } catch (err) {
          fail(err);
        }
      });
      worker.on("error", (err) => fail(new ShardStopped(i + 1, false, err.message)));
      worker.on("exit", (code) => {
        if (ends[i] === undefined) fail(new ShardStopped(i + 1, false, `its thread exited with code ${code}`));
      });
    }
    const room = (i: number): Promise<void> | null => {
      if (settled || batchesSent[i]! - batchesTaken[i]! <= flow.batches_in_flight_max) return null;
      return new Promise<void>((wake) => { roomWaiters[i] = wake; });
    };
    const post = workers.map((w, i) => {
      const postMessage = w.postMessage.bind(w);
      return (m: ToJobWorker) => {
        if (m.kind === "batch") {
          batchesSent[i] = batchesSent[i]! + 1;
          peakUntaken = Math.max(peakUntaken, batchesSent[i]! - batchesTaken[i]!);
        }
        postMessage(m);
      };
    });
    feedWorkers(args, loaded, flow.records_per_batch, post, room, () => settled, onBytes)
      .then((meta) => {
        if (meta === null) return; // stopped: the run has settled already
        readMeta = meta;
        finishIfDone();
      })
      .catch(fail);
  });
  const stop = async () => {
    clearInterval(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return { ends: promise, stop, peakQueued: () => peakQueued, peakUntaken: () => peakUntaken };
}

/**
 * Runs one replay as `jobs` shards in worker threads and writes its artifacts, or says why it
 * should run in one job instead (nothing written then: --out is as it was).
 */
export async function runReplayInJobs(
  args: ReplayArgs,
  jobs: number,
  workerUrl: URL = JOB_WORKER_URL,
  flow: JobsFlow = JOBS_FLOW_DEFAULT,
): Promise<JobsResult> {
  const loaded = loadConfig(args.config);
  checkOutDir(args.out, { adopt: args.adoptOut });
  const ownProgress = args.progress === undefined ? new Progress("replay", replayInputBytes(args), "bytes") : null;
  const progress = args.progress ?? ownProgress!;
  const writer = new ArtifactSetWriter(args.out, renderTradesHeader(), undefined, undefined, { adopt: args.adoptOut, command: "replay --jobs" });
  const trades = renderedTradeBatches(writer);
  const merged = new MergedReport<RenderedTrade>(loaded.config, (rows) => trades.add(rows));
  const run = runWorkers(args, loaded, jobs, workerUrl, flow, (g) => merged.add(g), (b) => progress.update(b));
  let committed = false;
  try {
    const ends = await run.ends;
    const report = merged.finish(ends.shards);
    trades.flush();
    const warnings = writer.commit(renderReportArtifacts(report, ends.meta));
    committed = true;
    return {
      kind: "done", peakQueuedGroups: run.peakQueued(), peakUntakenBatches: run.peakUntaken(),
      outcome: { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, resumed: false, rerun: false, warnings },
    };
  } catch (err) {
    if (err instanceof InexactMerge) return { kind: "fallback", why: `the shards cannot be merged exactly (${err.why})`, quiet: false };
    if (err instanceof ShardMismatch) return { kind: "fallback", why: `the shards disagree (${err.message})`, quiet: false };
    if (err instanceof ShardStopped) return { kind: "fallback", why: err.message, quiet: err.inputError };
    if (err instanceof ReaderStopped) return { kind: "fallback", why: err.message, quiet: true };
    throw err;
  } finally {
    await run.stop();
    if (!committed) writer.abort();
    ownProgress?.done();
  }
}
