// The functional core's entry point: replay(config, journal, broker) -> Report. Inputs are lazy
// iterables of validated records (so a file never has to sit in memory); the optional `afterStep`
// hook lets the shell write cache changes and trade rows through as they happen.

import type { Config } from "../domain/config.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../domain/records.js";
import type { Report } from "../domain/report.js";
import { Engine, type EngineOptions } from "./engine.js";
import { mergeByEventTime } from "./merge.js";

export interface ReplayHooks {
  /** Called after each record is applied, with the engine to drain. `index` counts from 0. */
  readonly afterStep?: (engine: Engine, record: InputRecord, index: number) => void;
  /** Called once after the final reconciliation, before the report is built (last cache writes). */
  readonly beforeReport?: (engine: Engine) => void;
}

export const IN_MEMORY_CACHE: Omit<EngineOptions, "configHash"> = { cacheEntries: [], cacheFailure: null };

export function replay(
  config: Config,
  journal: Iterable<JournalRecord>,
  broker: Iterable<BrokerEvent>,
  options: EngineOptions,
  hooks: ReplayHooks = {},
): Report {
  const engine = new Engine(config, options);
  let index = 0;
  for (const record of mergeByEventTime(journal, broker)) {
    engine.step(record);
    hooks.afterStep?.(engine, record, index);
    index += 1;
  }
  engine.reconcileAtEnd();
  hooks.beforeReport?.(engine);
  return engine.finish();
}
