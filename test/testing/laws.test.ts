// The laws of the testing entry point, run as a team would run them: on a recorded log of ours and on
// generated scenarios; and, broken on purpose, they fail with the seed and the shrunk case.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type CheckedCase, expectDeterministic, expectDuplicateDeliveryIsNoOp, expectFindings, expectKillResumeIdentical, injectFault, loadLogs, replayLogs, scenarioArbitrary,
} from "../../src/testing/index.js";
import { REPO } from "../helpers/cli.js";

const healthy = loadLogs(join(REPO, "fixtures/scenarios/healthy"));
const small = scenarioArbitrary({ minEvents: 40, maxEvents: 120 });

describe("the laws hold on a recorded log and on generated scenarios", () => {
  it("expectDeterministic", () => {
    expectDeterministic(healthy, { numRuns: 1 });
    expectDeterministic(small, { numRuns: 5 });
  });

  it("expectDuplicateDeliveryIsNoOp", () => {
    expectDuplicateDeliveryIsNoOp(healthy, { numRuns: 30 });
    expectDuplicateDeliveryIsNoOp(small, { numRuns: 5 });
  });

  it("expectKillResumeIdentical", () => {
    expectKillResumeIdentical(healthy, { numRuns: 20 });
    expectKillResumeIdentical(small, { numRuns: 5 });
  });

  it("expectFindings: each generated scenario's ground truth is found", () => {
    expectFindings(small, { numRuns: 10 });
  });
});

describe("a fixed case is checked once: it holds no choice for more runs to explore", () => {
  /** How many times the law reads the logs' journal: one count per replay's read of it. */
  function journalReads(check: (c: CheckedCase) => void): number {
    let reads = 0;
    const counted: CheckedCase = { ...healthy, expected: { findings: [], unchanged: false, duplicateDeliveriesAdded: 0 } };
    Object.defineProperty(counted, "journal", { get: () => { reads++; return healthy.journal; } });
    check(counted);
    return reads;
  }

  it("expectFindings and expectDeterministic, given one case, replay it as often as one run does", () => {
    const once = journalReads((c) => expectFindings(c, { numRuns: 1 }));
    expect(once).toBeGreaterThan(0);
    expect(journalReads((c) => expectFindings(c))).toBe(once);
    expect(journalReads((c) => expectDeterministic(c))).toBe(journalReads((c) => expectDeterministic(c, { numRuns: 1 })));
  });
});

describe("a broken law fails with the seed, the path and the shrunk counterexample", () => {
  it("a finding that is not there: the message names it, the seed, and the smallest case", () => {
    const wrong = scenarioArbitrary({ minEvents: 40, maxEvents: 120, faults: ["orphan"] })
      .map((c) => ({ ...c, expected: { ...c.expected, findings: [...c.expected.findings, { kind: "overfill" }] } }));
    let message = "";
    try {
      expectFindings(wrong, { numRuns: 3, seed: 42 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^expectFindings failed after 1 run\(s\) and \d+ shrink\(s\)\nseed: 42, path: "[\d:]+"/);
    expect(message).toContain("did not find overfill - -");
    // Shrunk to the smallest scenario the arbitrary allows: seed 0, the fewest events, no fault.
    expect(message).toContain('"seed": 0,\n  "events": 40,\n  "faults": [],');
  });

  it("a fault claimed to change nothing that does change the findings: the message says what changed", () => {
    const missed = injectFault(healthy, "missed-fill", 0)!;
    expect(() => expectFindings({ ...missed, expected: { ...missed.expected, unchanged: true } }, { numRuns: 1 }))
      .toThrow(/the findings changed\nexpected:\n  \(none\)\nreported:\n  position_drift - EURUSD/);
  });

  it("logs the replay refuses: the error names the file and line, as the command line does", () => {
    const late = { ...healthy, journal: [healthy.journal[1]!, healthy.journal[0]!, ...healthy.journal.slice(2)] };
    expect(() => replayLogs(late)).toThrow(/^bad input: journal\.jsonl:2: field "ts": expected a time at or after/);
    expect(() => expectDeterministic(late)).toThrow(/expectDeterministic failed[^]*bad input: journal\.jsonl:2/);
  });
});
