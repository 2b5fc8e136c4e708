// The functional core's entry point: replay(config, journal, broker) -> Report. Inputs are lazy
// iterables of validated records (so a file never has to sit in memory); the optional `afterStep`
// hook lets the shell write cache changes and trade rows through as they happen.

import type { Config } from "../domain/config.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../domain/records.js";
import type { Report } from "../domain/report.js";
import type { EmitGroup } from "./output/emit.js";
import { Engine, type EngineOptions, type ShardEvidence } from "./engine/engine.js";
import { interleaveByEventTime } from "./interleave.js";
import { ShardRouter, type ShardSpec } from "./shard/shard.js";
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
  yield* drive(engine, journal, broker, null, hooks);
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
 * One shard of a sharded replay (see shard.ts), in steps as replaySteps: its
 * groups go to `emit` as they close, for `merge` to combine with the other shards'; it has no
 * report of its own.
 */
export function* replayShardSteps(
  inputs: ReplayInputs,
  options: Omit<EngineOptions, "emit">,
  shard: { readonly spec: ShardSpec; readonly emit: (group: EmitGroup) => void },
  hooks: ReplayHooks = {},
): Generator<void, ShardResult, void> {
  const engine = new Engine(inputs.config, { ...options, emit: shard.emit });
  yield* drive(engine, inputs.journal, inputs.broker, new ShardRouter(shard.spec), hooks);
  return { state: engine.state(), evidence: engine.shardEvidence() };
}

function* drive(engine: Engine, journal: Iterable<JournalRecord>, broker: Iterable<BrokerEvent>, router: ShardRouter | null, hooks: ReplayHooks): Generator<void, void, void> {
  let index = 0;
  for (const record of interleaveByEventTime(journal, broker)) {
    const routed = router === null ? record : router.route(record);
    if (routed === null) engine.tick(record);
    else engine.step(routed);
    hooks.afterStep?.(engine, record, index);
    index += 1;
    if (index % RECORDS_PER_STEP === 0) yield;
  }
  engine.reconcileAtEnd();
  hooks.beforeReport?.(engine);
}
