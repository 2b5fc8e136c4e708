// A reconciliation run is a plan made from the books, then applied. These laws hold over whole runs
// of generated scenarios with every fault: making a plan changes nothing (a lookup never changes
// state), and a run does what its plan said.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/core/engine/engine.js";
import type { OrderSyncPlan } from "../../src/core/reconcile/sync-orders.js";
import { replay } from "../../src/core/replay.js";
import { resolveConfig } from "../../src/domain/config.js";
import { parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { FAULTS, generateScenario } from "../../src/gen/generate.js";
import { renderArtifacts } from "../../src/artifacts/render.js";

const SEED = Number(process.env["FC_SEED"] ?? 20261207);
const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 15);
const META = {
  journal: { name: "journal.jsonl", sha256: "-", lines: 0 }, broker: { name: "broker.jsonl", sha256: "-", lines: 0 },
  configFile: null, configHash: "plans", effectiveConfig: {},
};

/** A plan as plain, comparable data: broker orders by key, what each sync would do, the caught fills by line. */
function planFacts(p: OrderSyncPlan): unknown {
  return {
    orders: p.orders.map(({ b, sync }) => [b.key, sync === null ? null : "e" in sync
      ? { own: sync.e.clientOrderId, relink: sync.relinkFrom !== undefined, accepted: sync.accepted, fills: sync.fills.map((f) => f.ev.line), terminal: sync.terminal, mismatch: sync.mismatch }
      : { orphan: sync.unwritten.map((f) => f.ev.line), report: sync.report === null ? null : sync.report.match }]),
    caught: p.caught.map((c) => c.fill.ev.line),
  };
}

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  events: fc.integer({ min: 60, max: 600 }),
  faults: fc.subarray([...FAULTS].filter((f) => f !== "corrupt-cache"), { minLength: 1 }),
  every: fc.integer({ min: 1, max: 40 }),
});

function replayed(s: { seed: number; events: number; faults: string[] }, afterStep?: (engine: Engine, index: number) => void) {
  const g = generateScenario({ seed: s.seed, events: s.events, faults: s.faults as never });
  const config = resolveConfig(g.config);
  const journal = g.journal.map((t, i) => parseJournalLine(t, i + 1));
  const broker = g.broker.map((t, i) => parseBrokerLine(t, i + 1));
  const report = replay(config, journal, broker, { configHash: "plans", cacheEntries: [], cacheFailure: null },
    afterStep === undefined ? {} : { afterStep: (engine, _record, index) => afterStep(engine, index) });
  return renderArtifacts(report, META);
}

describe("reconciliation: plan, then apply", () => {
  it(`prop_planOrderSync_changes_nothing (seed ${SEED}): planning at any record, twice, gives one plan and the same artifacts`, () => {
    fc.assert(fc.property(scenario, (s) => {
      const plain = replayed(s);
      const planned = replayed(s, (engine, index) => {
        if (index % s.every !== 0) return;
        expect(planFacts(engine.planOrderSync())).toEqual(planFacts(engine.planOrderSync()));
      });
      expect(planned).toEqual(plain);
    }), { seed: SEED, numRuns: NUM_RUNS });
  });

  it(`prop_planOrderSync_predicts_the_run (seed ${SEED}): the final run catches the fills and counts the orphans its plan named`, () => {
    fc.assert(fc.property(scenario, (s) => {
      let last: OrderSyncPlan | undefined;
      const artifacts = replayed(s, (engine) => { last = engine.planOrderSync(); });
      const doc = JSON.parse(artifacts["reconcile-report.json"]) as {
        reconcile_runs: { items: Array<{ trigger: string; counts: { fills_caught: number; orphan_broker_orders: number } }> };
      };
      const end = doc.reconcile_runs.items.at(-1);
      if (end === undefined || end.trigger !== "end" || last === undefined) return;
      // A plan made after the last record, before the final run, is the final run's plan.
      expect(end.counts.fills_caught).toBe(last.caught.length);
      expect(end.counts.orphan_broker_orders).toBe(last.orders.filter(({ sync }) => sync !== null && !("e" in sync)).length);
    }), { seed: SEED, numRuns: NUM_RUNS });
  });
});
