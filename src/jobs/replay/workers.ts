// The main thread's side of `replay --jobs N` while it runs: it starts one worker thread a shard and
// the reader that feeds them (feed.ts), merges the workers' groups as they come (core/combine.ts),
// keeps the flow in bounds both ways (a worker waits while too many of its groups are unmerged, the
// reader while a worker has too many batches untaken), and settles once: every shard done and the
// reader returned, or the first failure (a worker that stopped, a signal).

import { Worker } from "node:worker_threads";
import type { LoadedConfig } from "../../adapters/inputs.js";
import type { RunMeta } from "../../artifacts/meta.js";
import type { RenderedTrade } from "../../artifacts/trades-csv.js";
import { GroupStreamMerge, type ShardEnd } from "../../core/shard/merge.js";
import type { EmitGroup } from "../../core/output/emit.js";
import type { ReplayArgs } from "../../run/replay.js";
import { throwIfSignalled } from "../../runtime/signals.js";
import { feedWorkers } from "./feed.js";
import type { FromJobWorker, JobsFlow, JobWorkerData, ToJobWorker } from "./protocol.js";
import { INPUT_ERRORS, ShardStopped } from "./stopped.js";

/** How often the main thread looks for a signal while it waits for the workers. */
const SIGNAL_POLL_MS = 100;

/** What the workers run on, and where their results go. */
export interface WorkersPlan {
  readonly args: ReplayArgs;
  readonly loaded: LoadedConfig;
  readonly jobs: number;
  /** The worker's module (tests running from the sources pass the built one). */
  readonly workerUrl: URL;
  readonly flow: JobsFlow;
  /** Each merged group, in the order one job would emit it. */
  readonly onGroup: (group: EmitGroup<RenderedTrade>) => void;
  /** Told how many bytes of both inputs the reader has read. */
  readonly onBytes: (bytes: number) => void;
}

export interface WorkersEnd {
  readonly shards: ShardEnd[];
  /** The inputs' meta, from the reader. */
  readonly meta: RunMeta;
}

/** One run's workers and reader; `done` settles once, with every shard's end or the first failure. */
export class JobWorkers {
  readonly done: Promise<WorkersEnd>;
  private readonly workers: Worker[] = [];
  private readonly merge: GroupStreamMerge<RenderedTrade>;
  private readonly ends: ShardEnd[] = [];
  /** Int32 per worker: how many of its groups are merged (written here, read by the worker). */
  private readonly shared: SharedArrayBuffer;
  private readonly merged: Int32Array;
  private readonly received: number[];
  private readonly batchesSent: number[];
  private readonly batchesTaken: number[];
  /** The reader's wait for room at worker i, when it waits. */
  private readonly roomWaiters: Array<(() => void) | null>;
  private readMeta: RunMeta | null = null;
  private settled = false;
  private peakQueuedGroups = 0;
  private peakUntakenBatches = 0;
  private readonly timer: NodeJS.Timeout;
  private resolve: (end: WorkersEnd) => void = () => {};
  private reject: (err: unknown) => void = () => {};

  constructor(private readonly plan: WorkersPlan) {
    const { jobs } = plan;
    this.merge = new GroupStreamMerge<RenderedTrade>(jobs);
    this.shared = new SharedArrayBuffer(4 * jobs);
    this.merged = new Int32Array(this.shared);
    this.received = new Array<number>(jobs).fill(0);
    this.batchesSent = new Array<number>(jobs).fill(0);
    this.batchesTaken = new Array<number>(jobs).fill(0);
    this.roomWaiters = new Array<(() => void) | null>(jobs).fill(null);
    this.done = new Promise<WorkersEnd>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setInterval(() => this.failOnSignal(), SIGNAL_POLL_MS);
    try {
      for (let i = 0; i < jobs; i += 1) this.workers.push(this.startWorker(i));
      this.startReader();
    } catch (err) {
      this.fail(err); // `done` rejects: the caller's cleanup runs as for any failure
    }
  }

  /** The most groups of one shard that waited in the main thread at once. */
  get peakQueued(): number {
    return this.peakQueuedGroups;
  }

  /** The most batches sent to one worker and not yet taken. */
  get peakUntaken(): number {
    return this.peakUntakenBatches;
  }

  /** Stops the signal poll and every worker (whether or not the run settled). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private startWorker(i: number): Worker {
    const { loaded, jobs, flow, workerUrl } = this.plan;
    const data: JobWorkerData = {
      config: { file: loaded.file, hash: loaded.hash, effective: loaded.effective }, spec: { index: i + 1, count: jobs, by: "symbol" }, flow, merged: this.shared,
    };
    const worker = new Worker(workerUrl, { workerData: data });
    worker.on("message", (m: FromJobWorker) => this.onMessage(i, m));
    worker.on("error", (err) => this.fail(new ShardStopped(i + 1, false, err.message)));
    worker.on("exit", (code) => {
      if (this.ends[i] === undefined) this.fail(new ShardStopped(i + 1, false, `its thread exited with code ${code}`));
    });
    return worker;
  }

  private onMessage(i: number, m: FromJobWorker): void {
    if (this.settled) return;
    try {
      throwIfSignalled();
      switch (m.kind) {
        case "groups":
          this.merge.push(i, m.groups);
          this.received[i] = this.received[i]! + m.groups.length;
          this.drain();
          break;
        case "consumed":
          this.batchesTaken[i] = this.batchesTaken[i]! + 1;
          this.merge.reached(i, m.seq);
          this.drain();
          this.roomWaiters[i]?.();
          this.roomWaiters[i] = null;
          break;
        case "done":
          this.ends[i] = m;
          this.merge.end(i);
          this.drain();
          this.finishIfDone();
          break;
        case "failed":
          this.fail(new ShardStopped(i + 1, INPUT_ERRORS.has(m.name), m.message));
          break;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /** Hands on every group the merge can release, and tells each worker how many of its groups are merged. */
  private drain(): void {
    for (const g of this.merge.ready()) this.plan.onGroup(g);
    for (let i = 0; i < this.plan.jobs; i += 1) {
      const queued = this.merge.queued(i);
      if (queued > this.peakQueuedGroups) this.peakQueuedGroups = queued;
      Atomics.store(this.merged, i, this.received[i]! - queued); // a waiting worker may send again
      Atomics.notify(this.merged, i);
    }
  }

  private startReader(): void {
    const { args, loaded, flow, onBytes } = this.plan;
    const post = this.workers.map((w, i) => {
      const postMessage = w.postMessage.bind(w);
      return (m: ToJobWorker) => {
        if (m.kind === "batch") {
          this.batchesSent[i] = this.batchesSent[i]! + 1;
          this.peakUntakenBatches = Math.max(this.peakUntakenBatches, this.batchesSent[i]! - this.batchesTaken[i]!);
        }
        postMessage(m);
      };
    });
    feedWorkers({ args, loaded, batchRecords: flow.records_per_batch, workers: post, room: (i) => this.room(i), stopped: () => this.settled, onBytes })
      .then((meta) => {
        if (meta === null) return; // stopped: the run has settled already
        this.readMeta = meta;
        this.finishIfDone();
      })
      .catch((err: unknown) => this.fail(err));
  }

  /** Null while worker i has at most the window of batches untaken, else a wait for it to take one. */
  private room(i: number): Promise<void> | null {
    if (this.settled || this.batchesSent[i]! - this.batchesTaken[i]! <= this.plan.flow.batches_in_flight_max) return null;
    return new Promise<void>((wake) => {
      this.roomWaiters[i] = wake;
    });
  }

  private finishIfDone(): void {
    if (!this.merge.done || this.settled) return;
    if (this.readMeta === null) return; // the reader has not returned yet
    this.settled = true;
    this.resolve({ shards: this.ends, meta: this.readMeta });
  }

  private failOnSignal(): void {
    try {
      throwIfSignalled();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.roomWaiters.forEach((wake) => wake?.()); // a waiting reader sees `settled` and stops
    this.reject(err);
  }
}
