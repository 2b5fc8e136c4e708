// Worker threads for `minimize --workers N`: a batch's candidates are tried N at a time, and the
// answer is the first in order that holds (never the first to finish), so the search and its
// result are the same as in-process. A window of N is tried whole before the next: a candidate
// after the first that holds is work spent for nothing, which is the price of the parallelism.

import { Worker } from "node:worker_threads";
import { ConfigError } from "../../domain/errors.js";
import type { ItemBatch } from "../../minimize/search.js";
import type { Item } from "../../minimize/trials.js";
import type { FromWorker, ToWorker, TrialInit } from "./trials.js";

/** Worker threads at most (each holds a copy of both logs). */
export const WORKERS_MAX = 16;

/** --workers: a whole number of threads from 0 (none: every replay on the main thread) to workers_max. */
export function parseWorkers(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > WORKERS_MAX) {
    throw new ConfigError(`--workers takes a whole number from 0 to workers_max=${WORKERS_MAX}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

class TrialWorker {
  private readonly worker: Worker;
  private readonly known = new Set<number>();
  private readonly waiting = new Map<number, { resolve: (holds: boolean) => void; reject: (err: Error) => void }>();
  private seq = 0;

  constructor(init: TrialInit, items: readonly Item[]) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url));
    this.worker.on("message", (m: FromWorker) => {
      const done = this.waiting.get(m.seq)!;
      this.waiting.delete(m.seq);
      done.resolve(m.holds);
    });
    // A worker that dies is a bug (a trial only returns true or false): the search stops loudly.
    this.worker.on("error", (err) => {
      for (const done of this.waiting.values()) done.reject(err);
      this.waiting.clear();
    });
    for (const it of items) this.known.add(it.id);
    this.post({ kind: "init", init, items });
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  holds(candidate: readonly Item[]): Promise<boolean> {
    const newItems = candidate.filter((it) => !this.known.has(it.id));
    for (const it of newItems) this.known.add(it.id);
    const seq = this.seq++;
    const ids = Int32Array.from(candidate, (it) => it.id);
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.post({ kind: "try", seq, ids, newItems });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

export class TrialPool {
  private readonly workers: TrialWorker[];
  /** Candidates tried (speculative ones included). */
  replays = 0;

  constructor(count: number, init: TrialInit, items: readonly Item[]) {
    this.workers = Array.from({ length: count }, () => new TrialWorker(init, items));
  }

  /** The index of the batch's first candidate that holds, or -1; `tried` is told after each. */
  async answer(b: ItemBatch, tried: () => void = () => {}): Promise<number> {
    for (let start = 0; start < b.size; start += this.workers.length) {
      const window = this.workers.slice(0, Math.min(this.workers.length, b.size - start));
      const results = await Promise.all(window.map(async (w, k) => {
        const holds = await w.holds(b.candidate(start + k));
        this.replays += 1;
        tried();
        return holds;
      }));
      const first = results.indexOf(true);
      if (first >= 0) return start + first;
    }
    return -1;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
