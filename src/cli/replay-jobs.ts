// `replay --jobs N`: the replay as N shards (by symbol, core/shard.ts) in worker threads of this
// process, their groups merged in memory as they arrive (core/combine.ts) into the same four
// artifacts, byte for byte, as one job writes. Each worker reads and validates both logs whole (a
// shard must see every record's time and every account-wide event), so the threads share the
// engine's work, not the reading.
//
// Where sharding is not exact (merge would refuse: the kill switch blocking another symbol's
// decisions, the daily loss cap across symbols, cache_entries_max over all symbols) the caller
// replays in one job and says so on stderr. A shard that stops on bad input is replayed in one job
// too, quietly: that replay reports the failure exactly as an unsharded replay does.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ArtifactSetWriter, checkOutDir } from "../adapters/artifacts.js";
import { loadConfig } from "../adapters/inputs.js";
import { GroupStreamMerge, InexactMerge, MergedReport, type ShardEnd } from "../core/combine.js";
import type { EmitGroup } from "../core/emit.js";
import type { ShardSpec } from "../core/shard.js";
import { ShardMismatch } from "../core/state.js";
import { ConfigError } from "../domain/errors.js";
import type { RunMeta } from "../report/meta.js";
import { renderReportArtifacts } from "../report/render.js";
import { renderTradesHeader } from "../report/trades-csv.js";
import { EXIT } from "./exit-codes.js";
import { Progress } from "./progress.js";
import { replayInputBytes, type ReplayArgs, type ReplayOutcome } from "./run-replay.js";
import { throwIfSignalled } from "./signals.js";
import { TradeBatches } from "./trade-batches.js";

/** Worker threads at most (each holds its own heap and reads both logs). */
export const jobs_max = 16;

/**
 * Below this many bytes of input, `--jobs auto` runs one job: starting the threads and reading
 * both logs once per thread costs more than the engine's work they share.
 */
export const jobs_auto_input_bytes_min = 32 * 1024 * 1024;

/** The worker's module, next to this one (tests running from the sources pass the built one). */
export const JOB_WORKER_URL = new URL("./replay-jobs-worker.js", import.meta.url);

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
}

export const JOBS_FLOW_DEFAULT: JobsFlow = { groups_per_message: 512, groups_in_flight_max: 8192 };

export interface JobWorkerData {
  readonly journal: string;
  readonly broker: string;
  readonly config: string | undefined;
  readonly spec: ShardSpec;
  readonly flow: JobsFlow;
  /** Int32 per worker: how many of its groups the main thread has merged (written by main only). */
  readonly merged: SharedArrayBuffer;
}

export type FromJobWorker =
  | { readonly kind: "groups"; readonly groups: EmitGroup[] }
  | { readonly kind: "progress"; readonly bytes: number }
  | ({ readonly kind: "done"; readonly meta: RunMeta } & ShardEnd)
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
  /** `peakQueuedGroups`: the most groups of one shard that waited in the main thread at once. */
  | { readonly kind: "done"; readonly outcome: ReplayOutcome; readonly peakQueuedGroups: number }
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

/** Runs the workers, merging their groups as they come; resolves with each shard's end. */
function runWorkers(
  args: ReplayArgs,
  jobs: number,
  workerUrl: URL,
  flow: JobsFlow,
  onGroup: (group: EmitGroup) => void,
  onBytes: (bytes: number) => void,
): { readonly ends: Promise<Array<ShardEnd & { meta: RunMeta }>>; readonly stop: () => Promise<void>; readonly peakQueued: () => number } {
  const workers: Worker[] = [];
  const merge = new GroupStreamMerge(jobs);
  const ends: Array<ShardEnd & { meta: RunMeta }> = [];
  const bytes = new Array<number>(jobs).fill(0);
  const shared = new SharedArrayBuffer(4 * jobs);
  const merged = new Int32Array(shared);
  const received = new Array<number>(jobs).fill(0);
  let peakQueued = 0;
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<Array<ShardEnd & { meta: RunMeta }>>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err);
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
      const data: JobWorkerData = { journal: args.journal, broker: args.broker, config: args.config, spec: { index: i + 1, count: jobs, by: "symbol" }, flow, merged: shared };
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
            case "progress":
              bytes[i] = m.bytes;
              onBytes(bytes.reduce((a, b) => a + b, 0) / jobs);
              break;
            case "done":
              ends[i] = m;
              merge.end(i);
              drain();
              if (merge.done) {
                settled = true;
                resolve(ends);
              }
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
  });
  const stop = async () => {
    clearInterval(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return { ends: promise, stop, peakQueued: () => peakQueued };
}

/**
 * Runs one replay as `jobs` shards in worker threads and writes its artifacts, or says why it
 * should run in one job instead (nothing written then: --out is as it was).
 */
export async function runReplayInJobs(args: ReplayArgs, jobs: number, workerUrl: URL = JOB_WORKER_URL, flow: JobsFlow = JOBS_FLOW_DEFAULT): Promise<JobsResult> {
  const loaded = loadConfig(args.config);
  checkOutDir(args.out);
  const ownProgress = args.progress === undefined ? new Progress("replay", replayInputBytes(args), "bytes") : null;
  const progress = args.progress ?? ownProgress!;
  const writer = new ArtifactSetWriter(args.out, renderTradesHeader());
  const trades = new TradeBatches(writer);
  const merged = new MergedReport(loaded.config, (rows) => trades.add(rows));
  const run = runWorkers(args, jobs, workerUrl, flow, (g) => merged.add(g), (b) => progress.update(b));
  let committed = false;
  try {
    const ends = await run.ends;
    const report = merged.finish(ends);
    trades.flush();
    const warnings = writer.commit(renderReportArtifacts(report, ends[0]!.meta));
    committed = true;
    return {
      kind: "done", peakQueuedGroups: run.peakQueued(),
      outcome: { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, resumed: false, rerun: false, warnings },
    };
  } catch (err) {
    if (err instanceof InexactMerge) return { kind: "fallback", why: `the shards cannot be merged exactly (${err.why})`, quiet: false };
    if (err instanceof ShardMismatch) return { kind: "fallback", why: `the shards disagree (${err.message})`, quiet: false };
    if (err instanceof ShardStopped) return { kind: "fallback", why: err.message, quiet: err.inputError };
    throw err;
  } finally {
    await run.stop();
    if (!committed) writer.abort();
    ownProgress?.done();
  }
}
