// A seeded scenario generator: a trading day (or many) of an engine and its broker, with faults
// injected on request. Pure: one seed drives every choice (pure-rand's xoroshiro128+), so the same
// seed gives the same bytes. Each fault leaves a ground truth (what reconciliation must find)
// beside the scenario, so the generator is also the oracle of the property tests.
//
// The parts: world.ts (the instruments, the clock's start, the seeded draws), plan.ts (the scenario
// plan: what happens at each step), timeline.ts (time and the two logs), broker.ts (the broker
// simulation and the two books), faults.ts (fault injection), truth.ts (the ground truth and the
// expect.txt that follows from it).

import { BrokerSim } from "./broker.js";
import { CHANCE_FAULTS, FaultInjector } from "./faults.js";
import { runPlan } from "./plan.js";
import { Timeline } from "./timeline.js";
import { type GeneratedScenario, Truth } from "./truth.js";
import { type Draws, type Fault, Rng } from "./world.js";

export { FAULTS, type Fault } from "./world.js";
export type { ExpectedFinding, GeneratedScenario, GroundTruth } from "./truth.js";

export interface GenerateOptions {
  readonly seed: number;
  readonly events: number;
  readonly faults: readonly Fault[];
  /** Told how many lines are written so far (for the shell's progress line); never changes the output. */
  readonly onProgress?: (lines: number) => void;
  /**
   * Each requested fault happens at least once. Terminal faults always do; the others (drop-ack,
   * duplicate-delivery, disconnect with a fill missed while down, crash-restart) otherwise happen
   * by chance. Forcing adds no random draw: without it, a seed gives what it gives.
   */
  readonly force?: boolean;
}

/** Generates one scenario. `events` is the target number of journal + broker lines (at least 20). */
export function generateScenario(opts: GenerateOptions): GeneratedScenario {
  const faults = new Set(opts.faults);
  const draws: Draws = { rng: new Rng(opts.seed), faults, toForce: new Set() };
  if (opts.force === true) for (const f of CHANCE_FAULTS) if (faults.has(f)) draws.toForce.add(f);
  const truth = new Truth();
  const tl = new Timeline(draws, truth);
  const broker = new BrokerSim(draws, tl, truth);
  runPlan({ draws, tl, broker, faults: new FaultInjector(draws, tl, broker, truth) }, opts.events, opts.onProgress);
  return truth.scenario({ seed: opts.seed, faults, journal: tl.journal, broker: tl.broker });
}
