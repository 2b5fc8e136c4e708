// fast-check arbitraries: generated scenarios with their ground truth, and faults injected into a
// team's own logs. Both shrink: a scenario toward fewer events, fewer faults and a smaller seed; an
// injected fault toward the first point it can hit.

import fc from "fast-check";
import { FAULTS, type Fault, generateScenario, type GroundTruth } from "../gen/generate.js";
import { FAULT_NAMES, type FaultCase, type FaultName, injectFault } from "./faults.js";
import type { CheckedCase } from "./laws.js";
import type { Logs } from "./run.js";

/** The generator's faults a scenario can combine in process (a corrupt cache needs a cache file). */
export const SCENARIO_FAULTS: readonly Fault[] = FAULTS.filter((f) => f !== "corrupt-cache");

/** The fewest lines the generator writes. */
export const SCENARIO_EVENTS_MIN = 20;

export interface ScenarioOptions {
  /** Target journal + broker lines: at least SCENARIO_EVENTS_MIN (default 60 to 300). */
  readonly minEvents?: number;
  readonly maxEvents?: number;
  /** The faults a scenario may combine (default all of SCENARIO_FAULTS); each scenario takes a subset. */
  readonly faults?: readonly Fault[];
}

/** A generated scenario: its logs, what reconciliation must find, and how to generate it again. */
export interface ScenarioCase extends CheckedCase {
  readonly seed: number;
  readonly events: number;
  readonly faults: readonly Fault[];
  readonly truth: GroundTruth;
}

/** Generated scenarios with faults and their ground truth (findings, duplicate deliveries). */
export function scenarioArbitrary(opts: ScenarioOptions = {}): fc.Arbitrary<ScenarioCase> {
  const min = opts.minEvents ?? 60;
  const max = opts.maxEvents ?? 300;
  if (min < SCENARIO_EVENTS_MIN || max < min) throw new Error(`scenarioArbitrary: need ${SCENARIO_EVENTS_MIN} <= minEvents <= maxEvents, got ${min} and ${max}`);
  const unknown = (opts.faults ?? []).filter((f) => !SCENARIO_FAULTS.includes(f));
  if (unknown.length > 0) throw new Error(`scenarioArbitrary: unknown fault(s) ${unknown.join(", ")}; known: ${SCENARIO_FAULTS.join(", ")}`);
  return fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    events: fc.integer({ min, max }),
    faults: fc.subarray([...(opts.faults ?? SCENARIO_FAULTS)]),
  }).map(({ seed, events, faults }) => {
    const s = generateScenario({ seed, events, faults });
    return { journal: s.journal, broker: s.broker, config: s.config, seed, events, faults, truth: s.truth,
      description: `generated scenario: seed ${seed}, ${events} events, faults ${faults.join(",") || "none"}`,
      expected: { findings: s.truth.findings, unchanged: false, duplicateDeliveriesAdded: s.truth.duplicate_deliveries } };
  });
}

/**
 * Faults injected into `logs`, each at a point fast-check picks. Named faults the logs offer no
 * point for are an error; by default every fault the logs offer a point for is used.
 */
export function faultArbitrary(logs: Logs, faults?: readonly FaultName[]): fc.Arbitrary<FaultCase> {
  const unknown = (faults ?? []).filter((f) => !FAULT_NAMES.includes(f));
  if (unknown.length > 0) throw new Error(`faultArbitrary: unknown fault(s) ${unknown.join(", ")}; known: ${FAULT_NAMES.join(", ")}`);
  const usable = (faults ?? FAULT_NAMES).filter((f) => injectFault(logs, f, 0) !== null);
  const unusable = (faults ?? []).filter((f) => !usable.includes(f));
  if (unusable.length > 0) throw new Error(`faultArbitrary: these logs offer no point for ${unusable.join(", ")}`);
  if (usable.length === 0) throw new Error("faultArbitrary: these logs offer no point for any fault");
  return fc.tuple(fc.constantFrom(...usable), fc.nat()).map(([fault, pick]) => injectFault(logs, fault, pick)!);
}
