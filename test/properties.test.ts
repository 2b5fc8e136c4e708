// The laws of the replay, as fast-check properties over generated scenarios (`recon-proof gen`).
// Budget: NUM_RUNS (default 25 per law, seconds in all); `npm run test:deep` runs many more.
// A failure prints fast-check's seed and path, and writes the shrunk counterexample as literal files
// to a temporary folder it names; copied into fixtures/regressions/, test/regressions.test.ts
// replays it on every run.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FAULTS } from "../src/gen/generate.js";
import { checkLaw, expectNoResendWithinTtl, generate, type LawInput, LAWS, lawTtlMs, replayLines } from "./helpers/laws.js";

const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 25);
const SEED = process.env["FC_SEED"] === undefined ? undefined : Number(process.env["FC_SEED"]);
const MAX_EVENTS = Number(process.env["MAX_EVENTS"] ?? 400);

const scenario = (faults: fc.Arbitrary<string[]>) => fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  events: fc.integer({ min: 60, max: MAX_EVENTS }),
  faults,
  pick: fc.nat(),
});
const anyFaults = fc.subarray([...FAULTS].filter((f) => f !== "corrupt-cache"));
const allFaults = fc.subarray([...FAULTS]);
const noFaults = fc.constant([] as string[]);

function law(name: keyof typeof LAWS, arb: fc.Arbitrary<LawInput>, runsPerNumRun = 1) {
  it(LAWS[name].title, () => checkLaw(name, arb, { numRuns: NUM_RUNS * runsPerNumRun, seed: SEED }), 600_000);
}

describe("laws of the replay (fast-check over generated scenarios)", () => {
  law("determinism", scenario(anyFaults));
  law("duplicateDelivery", scenario(anyFaults));
  law("sameTimestampReorder", scenario(anyFaults));
  law("conservation", scenario(noFaults));
  law("faultsFound", scenario(anyFaults));
  law("nothingFoundWithoutFaults", scenario(noFaults));
  law("crashResume", scenario(fc.subarray(["disconnect", "crash-restart", "duplicate-delivery", "drop-ack"])));
  law("noResendWithinTtl", scenario(anyFaults));
  law("pnlAgreement", scenario(anyFaults));
  // It replays nothing (it only generates), so it affords four times the cases.
  law("truthFromBooks", scenario(allFaults), 4);
});

describe("the generator's ground truth", () => {
  // An orphan (a manual buy of 1000 GBPUSD) and a unit-drift restart whose snapshot holds the
  // engine's GBPUSD 1000 units long even each other out: both books agree, so there is no drift to find.
  const evenedOut = { seed: 12, events: 480, faults: ["duplicate-delivery", "orphan", "unit-drift"], pick: 0 };

  it("expects no drift where two faults even the books out, and the replay finds none", () => {
    const s = generate(evenedOut);
    LAWS.truthFromBooks.check(s);
    expect(s.truth.findings.map((f) => f.kind)).toEqual(["orphan_broker_order"]);
    LAWS.faultsFound.check(s, 0);
    const r = replayLines(s.journal, s.broker, s.config);
    expect(r.report.findings.items.filter((f) => f.kind === "position_drift")).toEqual([]);
  });

  it("truthFromBooks fails on a truth that expects a drift the books do not show", () => {
    const s = generate(evenedOut);
    const wrong = { ...s, truth: { ...s.truth, findings: [...s.truth.findings, { kind: "position_drift", symbol: "GBPUSD" }] } };
    expect(() => LAWS.truthFromBooks.check(wrong)).toThrow();
  });
});

describe("the laws can fail", () => {
  it("a broken cache store that commits a run when the process dies breaks crash-resume, and the law says so", () => {
    // The resumed run then sees its own earlier sends as someone else's and skips them as duplicates.
    expect(() => LAWS.crashResume.check(generate({ seed: 3, events: 200, faults: [], pick: 120 }), 120, { commitOnCrash: true })).toThrow();
  });

  it("noResendWithinTtl reaches the branch where an id's TTL has passed and it is sent again", () => {
    // The generator re-emits a decision after every restart; with a 1 s TTL it is sent again.
    const s = generate({ seed: 7, events: 600, faults: [], pick: 1 });
    const ttl = lawTtlMs(s, 1);
    expect(ttl).toBe(1_000);
    const r = replayLines(s.journal, s.broker, { ...s.config, idempotency_ttl_ms: ttl });
    expect(expectNoResendWithinTtl(r.sent, ttl)).toBeGreaterThan(0);
  });

  it("noResendWithinTtl fails when an id is sent again within its TTL", () => {
    expect(() => expectNoResendWithinTtl([{ clientOrderId: "C1", ms: 0, index: 0 }, { clientOrderId: "C1", ms: 999, index: 5 }], 1_000)).toThrow(/C1 sent again after 999 ms/);
  });
});
