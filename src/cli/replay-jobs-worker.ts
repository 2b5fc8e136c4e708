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

/** Groups per message: fewer messages cost less, smaller ones keep the main thread's memory low. */
const GROUPS_PER_MESSAGE = 512;

/** Input records between two progress messages. */
const RECORDS_PER_PROGRESS = 16384;

const { journal: journalPath, broker: brokerPath, config: configPath, spec } = workerData as JobWorkerData;
const port = parentPort!;
const post = (msg: FromJobWorker) => port.postMessage(msg);

let groups: EmitGroup[] = [];
const flush = () => {
  if (groups.length === 0) return;
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
        if (groups.length >= GROUPS_PER_MESSAGE) flush();
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
