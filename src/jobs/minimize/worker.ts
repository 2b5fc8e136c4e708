// A worker thread of `minimize --workers N`: it holds the lines and judges candidates sent by id,
// with the same Trials as the main thread (see trials.ts).

import { parentPort } from "node:worker_threads";
import type { Item, Trials } from "../../minimize/trials.js";
import { type FromWorker, type ToWorker, trialsOf } from "./trials.js";

const items = new Map<number, Item>();
let trials: Trials | null = null;

parentPort!.on("message", (msg: ToWorker) => {
  if (msg.kind === "init") {
    trials = trialsOf(msg.init);
    for (const it of msg.items) items.set(it.id, it);
    return;
  }
  for (const it of msg.newItems) items.set(it.id, it);
  const candidate = Array.from(msg.ids, (id) => items.get(id)!);
  const reply: FromWorker = { seq: msg.seq, holds: trials!.holds(candidate) };
  parentPort!.postMessage(reply);
});
