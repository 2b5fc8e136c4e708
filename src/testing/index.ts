// recon-proof/testing: property tests over a team's own logs, for vitest or jest. fast-check is a
// peer dependency of this entry point only.

export { faultArbitrary, SCENARIO_EVENTS_MIN, SCENARIO_FAULTS, scenarioArbitrary, type ScenarioCase, type ScenarioOptions } from "./arbitraries.js";
export { type Expected, type ExpectedFinding, FAULT_NAMES, type FaultCase, type FaultName, injectFault } from "./faults.js";
export { type CheckedCase, COUNTEREXAMPLE_LINES_SHOWN_MAX, expectDeterministic, expectDuplicateDeliveryIsNoOp, expectFindings,
  expectKillResumeIdentical, type LawOptions } from "./laws.js";
export { type LogFileNames, loadLogs } from "./logs.js";
export { type FoundFinding, type HeldPosition, type Logs, replayLogs, type ReplayOutcome } from "./run.js";
