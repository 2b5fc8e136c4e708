// TEST-ONLY fault injection at named points, so the fault suite can kill or interrupt a replay at an
// exact place instead of guessing a moment on the wall clock. Set by the environment variable
//
//   RECON_PROOF_TEST_FAULT=<point>:<action>[,<point>:<action>...]
//
// point:   record@N          after input record N (1-based) is applied and its cache changes written
//                            (with `replay --jobs N`: after the main thread reads record N; with the
//                            bench's --jobs-reading each, in every worker thread: the signal reaches
//                            the process)
//          commit-written    the new artifact set is written and fsynced, nothing swapped yet
//          commit-swapping   in the middle of the swap (between its renames)
//          commit-swapped    the new set is in place, the previous one not yet cleaned up
//          commit-done       the artifact commit is finished (the cache is not yet committed)
//          cache-committed   the order-id cache is committed, the process has not exited
// action:  kill              SIGKILL this process (nothing after the point runs)
//          stop              SIGSTOP this process (the test continues it with SIGCONT)
//          SIGINT|SIGTERM|SIGHUP   send this process that signal
//          fail              throw an I/O error there
//
// Unset (always, outside tests) it costs one comparison per record. Documented in README "Tests".

import { IoError } from "../domain/errors.js";

export const FAULT_ENV = "RECON_PROOF_TEST_FAULT";

export const FAULT_POINTS = ["commit-written", "commit-swapping", "commit-swapped", "commit-done", "cache-committed"] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

const ACTIONS = ["kill", "stop", "SIGINT", "SIGTERM", "SIGHUP", "fail"] as const;
type Action = (typeof ACTIONS)[number];

interface Fault {
  readonly point: FaultPoint | "record";
  readonly record: number;
  readonly action: Action;
}

function parseFaults(spec: string | undefined): Fault[] {
  if (spec === undefined || spec === "") return [];
  return spec.split(",").map((item) => {
    const m = /^(?:record@([1-9]\d*)|([a-z-]+)):([A-Za-z]+)$/.exec(item.trim());
    const action = m?.[3] as Action | undefined;
    const point = m?.[2] as FaultPoint | undefined;
    if (m === null || !ACTIONS.includes(action!) || (point !== undefined && !FAULT_POINTS.includes(point))) {
      throw new Error(`${FAULT_ENV}: cannot read "${item}" (see src/adapters/fault-points.ts)`);
    }
    return { point: point ?? "record", record: m[1] === undefined ? 0 : Number(m[1]), action: action! };
  });
}

const faults = parseFaults(process.env[FAULT_ENV]);
const recordFaults = new Set(faults.filter((f) => f.point === "record").map((f) => f.record));

function act(fault: Fault): void {
  const where = fault.point === "record" ? `record@${fault.record}` : fault.point;
  switch (fault.action) {
    case "kill":
      process.kill(process.pid, "SIGKILL");
      break;
    case "stop":
      process.kill(process.pid, "SIGSTOP");
      break;
    case "fail":
      throw new IoError(`injected fault at ${where} (${FAULT_ENV})`);
    default:
      process.kill(process.pid, fault.action);
  }
}

/** Acts on a fault set for this named point, if any. */
export function faultPoint(point: FaultPoint): void {
  if (faults.length === 0) return;
  for (const f of faults) if (f.point === point) act(f);
}

/** Acts on a fault set for input record `record` (1-based), if any. */
export function faultAfterRecord(record: number): void {
  if (recordFaults.size === 0 || !recordFaults.has(record)) return;
  for (const f of faults) if (f.point === "record" && f.record === record) act(f);
}
