// The reader of `replay --jobs N`: the main thread reads and validates both logs once, judges each
// broker event's redelivery against one index of event ids, and routes every record to the worker
// that owns its symbol (an account-wide record to every worker, cut down there), with a tick for
// every other worker, so each shard sees every record's time.

import { faultAfterRecord } from "../../adapters/fault-points.js";
import { type LoadedConfig, openBroker, openJournal } from "../../adapters/inputs.js";
import type { RunMeta } from "../../artifacts/meta.js";
import { interleaveByEventTime } from "../../core/interleave.js";
import { Redelivery } from "../../core/engine/redelivery.js";
import { EVERY_SHARD, SymbolRouting } from "../../core/shard/shard.js";
import { assert } from "../../domain/errors.js";
import type { InputRecord } from "../../domain/records.js";
import type { Instant } from "../../domain/time.js";
import { type ReplayArgs, runMeta } from "../../run/replay.js";
import { throwIfSignalled } from "../../runtime/signals.js";
import { PLAN_AGAIN, PLAN_BROKER, PLAN_CANCEL_REQUEST, PLAN_CUT, PLAN_TICK, type ToJobWorker } from "./protocol.js";
import { INPUT_ERRORS, ReaderStopped } from "./stopped.js";

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

/** What the reader feeds, and how it hears from the run. */
export interface Feed {
  readonly args: ReplayArgs;
  readonly loaded: LoadedConfig;
  /** Input records in one batch to a worker. */
  readonly batchRecords: number;
  /** Sends a message to worker i. */
  readonly workers: ReadonlyArray<(m: ToJobWorker) => void>;
  /** Null when worker i has room for another batch, else a promise that resolves when it has. */
  readonly room: (i: number) => Promise<void> | null;
  /** The run has settled (a worker failed, a signal): nothing more to send. */
  readonly stopped: () => boolean;
  /** Told how many bytes of both inputs are read. */
  readonly onBytes: (bytes: number) => void;
}

/** One record into every worker's batch: its line for the owner (every worker, cut, for an account-wide one), a tick for the rest. */
function route(batches: readonly Batch[], rec: InputRecord, text: string, from: number, owner: number): void {
  const offset = rec.src === "broker" ? rec.pos : 0; // a journal line's offset is not needed
  const tickStep = PLAN_TICK | from | (rec.type === "cancel_request" ? PLAN_CANCEL_REQUEST : 0);
  batches.forEach((b, i) => {
    if (owner === EVERY_SHARD) b.line(from | PLAN_CUT, text, rec.line, offset);
    else if (owner === i + 1) b.line(from, text, rec.line, offset);
    else b.tick(tickStep, rec.ts, rec.line);
  });
}

/**
 * Reads and validates both logs once, judges each broker event's redelivery, and sends every
 * worker, batch by batch, the records it owns (account-wide ones cut down to its symbols) and a tick
 * for each other record. Yields to the event loop after every batch, so the workers' groups are
 * merged while it reads, and waits while a worker has too many batches untaken. Returns the inputs'
 * meta, or null when the run settled before the end.
 */
export async function feedWorkers(feed: Feed): Promise<RunMeta | null> {
  const { args, loaded, batchRecords, workers, room, stopped } = feed;
  const jobs = workers.length;
  // A broker event keeps its line's text (its fingerprint) and offset; a journal record does not,
  // so its text is taken as it is read. Interleaving the logs in event time reads at most one record
  // ahead, so this queue holds the texts of the journal records read but not yet interleaved: one or
  // two, in order.
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
      feed.onBytes(journal.bytesRead() + broker.bytesRead());
      throwIfSignalled();
      await nextTurn();
      for (let i = 0; i < jobs; i += 1) await room(i);
    };
    let index = 0;
    for (const rec of interleaveByEventTime(journal, broker)) {
      if (stopped()) return null; // settled (a worker failed, a signal): nothing more to send
      const text = rec.src === "broker" ? rec.fingerprint : journalTexts.shift();
      assert(text !== undefined, "an interleaved journal record's line was read");
      const from = rec.src === "broker" ? PLAN_BROKER | (redelivery.deliver(rec) ? 0 : PLAN_AGAIN) : 0;
      route(batches, rec, text, from, routing.ownerOf(rec));
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
