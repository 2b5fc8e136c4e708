// A worker thread of `replay --jobs N`: one shard of the replay (see core/shard.ts). The main thread
// reads both logs once and sends it, in batches, the lines it owns (which it validates again) and a
// tick for every other one (time and line), with each broker event's redelivery already judged. It
// sends its groups to the main thread, which merges them in memory as they come.

import { parentPort, workerData } from "node:worker_threads";
import { configFromShipped } from "../../adapters/inputs.js";
import type { EmitGroup } from "../../core/output/emit.js";
import { Engine } from "../../core/engine/engine.js";
import { cutToShard } from "../../core/shard/shard.js";
import { parseBrokerLine, parseJournalLine } from "../../domain/validate.js";
import { type RenderedTrade, renderTradesEach } from "../../artifacts/trades-csv.js";
import {
  type FromJobWorker, type JobWorkerData, PLAN_AGAIN, PLAN_BROKER, PLAN_CANCEL_REQUEST, PLAN_CUT, PLAN_TICK, type ToJobWorker,
} from "./protocol.js";

const { config: shippedConfig, spec, flow, merged: shared } = workerData as JobWorkerData;
const port = parentPort!;
const post = (msg: FromJobWorker) => port.postMessage(msg);

/** How long one wait for the main thread lasts before it looks again (a terminate lands between waits). */
const FLOW_WAIT_MS = 100;

const merged = new Int32Array(shared);
const me = spec.index - 1;
let sent = 0;

/** Backpressure: waits while more than groups_in_flight_max of this shard's groups are not yet merged. */
function waitForRoom(): void {
  for (let done = Atomics.load(merged, me); sent - done > flow.groups_in_flight_max; done = Atomics.load(merged, me)) {
    Atomics.wait(merged, me, done, FLOW_WAIT_MS); // returns at once if main moved it on since the load
  }
}

let groups: EmitGroup[] = [];
const flush = () => {
  if (groups.length === 0) return;
  waitForRoom();
  sent += groups.length;
  post({ kind: "groups", groups: withTradesRendered(groups) });
  groups = [];
};

/**
 * The groups with their trade rows rendered here, in one call for the message: rendering is work
 * the main thread would otherwise do for every shard, and a row's text crosses threads more cheaply
 * than the row.
 */
function withTradesRendered(batch: readonly EmitGroup[]): Array<EmitGroup<RenderedTrade>> {
  const rendered = renderTradesEach(batch.flatMap((g) => g.trades));
  let next = 0;
  return batch.map((g) => {
    const trades = rendered.slice(next, next + g.trades.length);
    next += g.trades.length;
    return { ...g, trades };
  });
}
const emit = (group: EmitGroup) => {
  groups.push(group);
  if (groups.length >= flow.groups_per_message) flush();
};

/** The main thread replays in one job, which reports this failure exactly as an unsharded replay does. */
function failed(err: unknown): void {
  const e = err as Error;
  post({ kind: "failed", name: e.name, message: e.message });
}

/** Takes the main thread's batches: steps on the lines it is given, ticks where it is told to. */
function replayFedByMain(): void {
  const loaded = configFromShipped(shippedConfig);
  const engine = new Engine(loaded.config, { configHash: loaded.hash, cacheEntries: [], cacheFailure: null, emit });
  const takeBatch = (m: ToJobWorker & { kind: "batch" }) => {
    const lines = m.lines.split("\n");
    const tickTs = m.tickTs.split("\n");
    let l = 0;
    let t = 0;
    for (const step of m.plan) {
      const judged = (step & PLAN_AGAIN) === 0 ? "first" : "again";
      const broker = (step & PLAN_BROKER) !== 0;
      if ((step & PLAN_TICK) === 0) {
        const text = lines[l]!;
        const line = m.places[2 * l]!;
        const offset = m.places[2 * l + 1]!;
        l += 1;
        const rec = broker ? parseBrokerLine(text, line, offset) : parseJournalLine(text, line);
        engine.step((step & PLAN_CUT) === 0 ? rec : cutToShard(rec, spec), judged);
      } else {
        const ts = { ms: m.times[3 * t]!, subNs: m.times[3 * t + 1]!, text: tickTs[t]! };
        const line = m.times[3 * t + 2]!;
        t += 1;
        engine.tick(broker ? { src: "broker", ts, line } : { src: "journal", type: (step & PLAN_CANCEL_REQUEST) === 0 ? "decision" : "cancel_request", ts, line }, judged);
      }
    }
  };
  port.on("message", (m: ToJobWorker) => {
    try {
      if (m.kind === "batch") {
        takeBatch(m);
        flush();
        post({ kind: "consumed", seq: engine.groupSeq });
      } else {
        engine.reconcileAtEnd();
        flush();
        post({ kind: "done", state: engine.state(), evidence: engine.shardEvidence() });
        port.close();
      }
    } catch (err) {
      failed(err);
      port.close();
    }
  });
}

try {
  replayFedByMain();
} catch (err) {
  failed(err);
}
