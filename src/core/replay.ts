// The functional core's entry point: replay(config, journal, broker) -> Report. Inputs are lazy
// iterables of validated records (so a file never has to sit in memory); the optional `afterStep`
// hook lets the shell write cache changes and trade rows through as they happen.

import type { Config } from "../domain/config.js";
import { assert } from "../domain/errors.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../domain/records.js";
import type { Report } from "../domain/report.js";
import type { EmitGroup } from "./output/emit.js";
import { Engine, type EngineOptions, type ShardEvidence } from "./engine/engine.js";
import { interleaveByEventTime } from "./interleave.js";
import { cutToShard, EVERY_SHARD, type ShardSpec, SymbolRouting, type Tick } from "./shard/shard.js";
import { type BrokerRecall, type Delivery, Redelivery } from "./engine/redelivery.js";
import type { PeekedBrokerLine, PeekedJournalLine } from "../domain/peek.js";
import { parseBrokerLine, parseJournalLine } from "../domain/validate.js";
import type { EngineState } from "./output/state.js";

export interface ReplayHooks {
  /** Called after each record is applied, with the engine to drain. `index` counts from 0. */
  readonly afterStep?: (engine: Engine, record: InputRecord, index: number) => void;
  /** Called once after the final reconciliation, before the report is built (last cache writes). */
  readonly beforeReport?: (engine: Engine) => void;
}

/** What a replay reads: the config and both logs (lazy iterables of validated records). */
export interface ReplayInputs {
  readonly config: Config;
  readonly journal: Iterable<JournalRecord>;
  readonly broker: Iterable<BrokerEvent>;
}

export const IN_MEMORY_CACHE: Omit<EngineOptions, "configHash"> = { cacheEntries: [], cacheFailure: null };

export function replay(
  config: Config,
  journal: Iterable<JournalRecord>,
  broker: Iterable<BrokerEvent>,
  options: EngineOptions,
  hooks: ReplayHooks = {},
): Report {
  return runToEnd(replaySteps(config, journal, broker, options, hooks));
}

/** Input records a step applies (the last step may apply fewer). */
export const RECORDS_PER_STEP = 256;

/**
 * The same replay in steps of RECORDS_PER_STEP input records (each `next()` applies one step; the
 * last returns the report), for a shell that must stay responsive between them, e.g. to signals.
 * A step, not a record: a generator's `next()` per record costs an object per record.
 */
export function* replaySteps(
  config: Config,
  journal: Iterable<JournalRecord>,
  broker: Iterable<BrokerEvent>,
  options: EngineOptions,
  hooks: ReplayHooks = {},
): Generator<void, Report, void> {
  const engine = new Engine(config, options);
  yield* drive(engine, journal, broker, hooks);
  return engine.finish();
}

/** Runs steps to their end and returns their result. */
export function runToEnd<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

export interface ShardResult {
  readonly state: EngineState;
  readonly evidence: ShardEvidence;
}

/**
 * What a shard reads: both logs, each line either validated whole (a record) or only peeked at (its
 * routing facts: domain/peek.ts). A peeked line the shard owns is validated here; one it does not
 * own is only a tick, validated by its owner.
 */
export interface ShardInputs {
  readonly config: Config;
  readonly journal: Iterable<JournalRecord | PeekedJournalLine>;
  readonly broker: Iterable<BrokerEvent | PeekedBrokerLine>;
}

/**
 * One shard of a sharded replay (see shard.ts), in steps as replaySteps: its
 * groups go to `emit` as they close, for `merge` to combine with the other shards'; it has no
 * report of its own.
 */
export function* replayShardSteps(
  inputs: ShardInputs,
  options: Omit<EngineOptions, "emit">,
  shard: { readonly spec: ShardSpec; readonly emit: (group: EmitGroup) => void },
  hooks: { readonly afterStep?: (engine: Engine) => void } = {},
): Generator<void, ShardResult, void> {
  const engine = new Engine(inputs.config, { ...options, emit: shard.emit });
  yield* driveShard(engine, inputs, shard.spec, options.recallBroker, hooks.afterStep);
  return { state: engine.state(), evidence: engine.shardEvidence() };
}

/**
 * Routes every record, in event time: the shard steps on its own (validating a peeked line now) and
 * on account-wide ones cut to its symbols, and ticks on the rest. Every broker event's redelivery is
 * judged here, over all events, so a tick needs no more than its id and text.
 */
function* driveShard(engine: Engine, inputs: ShardInputs, spec: ShardSpec, recall: BrokerRecall | undefined, afterStep?: (engine: Engine) => void): Generator<void, void, void> {
  const routing = new SymbolRouting(spec.count);
  const redelivery = new Redelivery(recall);
  let index = 0;
  for (const item of interleaveByEventTime(inputs.journal, inputs.broker)) {
    const judged: Delivery = item.src === "journal" || redelivery.deliver(item) ? "first" : "again";
    const owner = routing.ownerOf(item);
    if (owner === EVERY_SHARD || owner === spec.index) {
      const rec = "peeked" in item ? validated(item) : item;
      engine.step(owner === EVERY_SHARD ? cutToShard(rec, spec) : rec, judged);
    } else {
      engine.tick(tickOf(item), judged);
    }
    afterStep?.(engine);
    index += 1;
    if (index % RECORDS_PER_STEP === 0) yield;
  }
  engine.reconcileAtEnd();
}

/** The record a peeked line holds, validated as an unsharded replay validates it. */
function validated(line: PeekedJournalLine | PeekedBrokerLine): InputRecord {
  return line.src === "journal" ? parseJournalLine(line.text, line.line) : parseBrokerLine(line.text, line.line, line.pos);
}

function tickOf(item: InputRecord | PeekedJournalLine | PeekedBrokerLine): Tick {
  if (item.src === "broker") return { src: "broker", ts: item.ts, line: item.line };
  assert(item.type === "decision" || item.type === "cancel_request", "restarts and snapshots reach every shard");
  return { src: "journal", type: item.type, ts: item.ts, line: item.line };
}

function* drive(engine: Engine, journal: Iterable<JournalRecord>, broker: Iterable<BrokerEvent>, hooks: ReplayHooks): Generator<void, void, void> {
  let index = 0;
  for (const record of interleaveByEventTime(journal, broker)) {
    engine.step(record);
    hooks.afterStep?.(engine, record, index);
    index += 1;
    if (index % RECORDS_PER_STEP === 0) yield;
  }
  engine.reconcileAtEnd();
  hooks.beforeReport?.(engine);
}
