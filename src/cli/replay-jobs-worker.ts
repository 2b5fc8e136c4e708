// A worker thread of `replay --jobs N`: one shard of the replay (see core/shard.ts). It reads both
// logs whole like `replay --shard K/N`, but sends its groups to the main thread, which merges them
// in memory as they come, instead of writing a shard folder.

import { parentPort, workerData } from "node:worker_threads";
import { faultAfterRecord } from "../adapters/fault-points.js";
import { loadConfig, openBroker, openJournal } from "../adapters/inputs.js";
import type { EmitGroup } from "../core/emit.js";
import { replayShardSteps, runToEnd } from "../core/replay.js";
import type { FromJobWorker, JobWorkerData } from "./replay-jobs.js";
import { runMeta } from "./run-replay.js";

/** Input records between two progress messages. */
const RECORDS_PER_PROGRESS = 16384;

const { journal: journalPath, broker: brokerPath, config: configPath, spec, flow, merged: shared } = workerData as JobWorkerData;
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
  post({ kind: "groups", groups });
  groups = [];
};

try {
  const loaded = loadConfig(configPath);
  const journal = openJournal(journalPath, loaded.config);
  const broker = openBroker(brokerPath, loaded.config);
  try {
    const result = runToEnd(replayShardSteps(loaded.config, journal, broker,
      { configHash: loaded.hash, cacheEntries: [], cacheFailure: null, recallBroker: broker.recall }, spec,
      (group) => {
        groups.push(group);
        if (groups.length >= flow.groups_per_message) flush();
      },
      {
        afterStep: (_engine, _record, index) => {
          faultAfterRecord(index + 1); // test-only: a signal or failure at an exact record (fault-points.ts)
          if ((index + 1) % RECORDS_PER_PROGRESS === 0) post({ kind: "progress", bytes: journal.bytesRead() + broker.bytesRead() });
        },
      }));
    flush();
    post({ kind: "done", state: result.state, evidence: result.evidence, meta: runMeta(journal, broker, loaded) });
  } finally {
    broker.recall.close();
  }
} catch (err) {
  // The main thread replays in one job, which reports this failure exactly as an unsharded replay does.
  const e = err as Error;
  post({ kind: "failed", name: e.name, message: e.message });
}
