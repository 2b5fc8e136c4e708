// Property tests over a recorded incident: a partial fill missed during a disconnect and caught by
// reconciliation (incident/). Copy this folder, put your own journal, broker log and config in
// incident/, and run `npx vitest run`. The same calls work under jest: the checks throw an Error.

import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";
import {
  expectDeterministic, expectDuplicateDeliveryIsNoOp, expectFindings, expectKillResumeIdentical, faultArbitrary, loadLogs, scenarioArbitrary,
} from "recon-proof/testing";

const incident = loadLogs(fileURLToPath(new URL("./incident", import.meta.url)));

describe("the recorded incident", () => {
  it("replays to the same bytes every time", () => {
    expectDeterministic(incident);
  });

  it("a broker event delivered again, anywhere, changes nothing but the duplicate count", () => {
    expectDuplicateDeliveryIsNoOp(incident, { numRuns: 50 });
  });

  it("a replay killed after any record and run again gives the same bytes", () => {
    expectKillResumeIdentical(incident, { numRuns: 50 });
  });

  it("each fault injected at any point is found: a dropped ack, a disconnect, a crash, a missed fill", () => {
    expectFindings(faultArbitrary(incident), { numRuns: 100 });
  });

  it("only the faults you name, for a focused test", () => {
    expectFindings(faultArbitrary(incident, ["disconnect-window", "crash-restart"]), { numRuns: 30 });
  });
});

describe("generated scenarios", () => {
  it("every fault the generator injects is found, with its order or symbol", () => {
    expectFindings(scenarioArbitrary({ minEvents: 40, maxEvents: 150 }), { numRuns: 10 });
  });
});
