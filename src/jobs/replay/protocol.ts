// What crosses between the main thread and a worker of `replay --jobs N`: the worker's setup, the
// main thread's batches of records and ticks, and the worker's groups and answers (see worker.ts).

import type { ShippedConfig } from "../../adapters/inputs.js";
import type { RenderedTrade } from "../../artifacts/trades-csv.js";
import type { ShardEnd } from "../../core/shard/merge.js";
import type { EmitGroup } from "../../core/output/emit.js";
import type { ShardSpec } from "../../core/shard/shard.js";

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
