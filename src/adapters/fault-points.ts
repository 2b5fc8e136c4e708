// TEST-ONLY fault injection at named points, so the fault suite can kill or interrupt a replay at an
// exact place instead of guessing a moment on the wall clock. Set by the environment variable
//
//   RECON_PROOF_TEST_FAULT=<point>:<action>[,<point>:<action>...]
//
// point:   record@N          after input record N (1-based) is applied and its cache changes written
//                            (with `replay --jobs N`: after the main thread reads record N)
//          commit-written    the new artifact set is written and fsynced, nothing swapped yet
//          commit-swapping   in the middle of the swap (between its renames)
//          commit-swapped    the new set is in place, the previous one not yet cleaned up
//          commit-done       the artifact commit is finished (the cache is not yet committed)
//          cache-committed   the order-id cache is committed, the process has not exited
//          cache-claim       a replay is about to claim the order-id cache (with stop: two replays
//                            continued together claim it at the same instant)
//          write@N           a full or failing disk: after N bytes (0 and up) written through the
//                            checked writes (artifacts, written files, stdout to a file), a write
//                            writes what is left of N, then fails with the action's error
// action:  kill              SIGKILL this process (nothing after the point runs)
//          stop              SIGSTOP this process (the test continues it with SIGCONT)
//          SIGINT|SIGTERM|SIGHUP   send this process that signal
//          fail              throw an I/O error there
//          ENOSPC|EIO        (write@N only) the error the failing write gets
//
// Unset (always, outside tests) it costs one comparison per record. Documented in docs/architecture.md,
// "Tests".

import { IoError } from "../domain/errors.js";

export const FAULT_ENV = "RECON_PROOF_TEST_FAULT";

export const FAULT_POINTS = ["commit-written", "commit-swapping", "commit-swapped", "commit-done", "cache-committed", "cache-claim"] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

const ACTIONS = ["kill", "stop", "SIGINT", "SIGTERM", "SIGHUP", "fail"] as const;
type Action = (typeof ACTIONS)[number];
const WRITE_ERRORS = { ENOSPC: { errno: -28, text: "no space left on device" }, EIO: { errno: -5, text: "i/o error" } } as const;
type WriteError = keyof typeof WRITE_ERRORS;

interface Fault {
  readonly point: FaultPoint | "record" | "write";
  /** The record (record@N) or the bytes (write@N). */
  readonly at: number;
  readonly action: Action | WriteError;
}

function parseFault(item: string): Fault {
  const m = /^(?:(record|write)@(\d+)|([a-z-]+)):([A-Za-z]+)$/.exec(item.trim());
  const point = (m?.[1] ?? m?.[3]) as Fault["point"] | undefined;
  const at = Number(m?.[2] ?? 0);
  const action = m?.[4] as Fault["action"] | undefined;
  const ok = point === "write" ? action! in WRITE_ERRORS
    : ACTIONS.includes(action as Action) && (point === "record" ? at >= 1 : FAULT_POINTS.includes(point as FaultPoint));
  if (m === null || !ok) throw new Error(`${FAULT_ENV}: cannot read "${item}" (see src/adapters/fault-points.ts)`);
  return { point: point!, at, action: action! };
}

interface Faults {
  readonly all: readonly Fault[];
  readonly records: ReadonlySet<number>;
  readonly disk: Fault | null;
  /** Bytes the checked writes may still write before the injected disk fault. */
  diskRoom: number;
}

let loaded: Faults | null = null;

/**
 * The faults the environment sets, read at the first point reached rather than when this module is
 * imported: importing the library reads no environment and cannot throw. The command line reads
 * them when it starts, so a variable it cannot read stops it before it does anything.
 */
export function loadFaults(): Faults {
  if (loaded !== null) return loaded;
  const text = process.env[FAULT_ENV];
  const all = text === undefined || text === "" ? [] : text.split(",").map(parseFault);
  const disk = all.find((f) => f.point === "write") ?? null;
  loaded = { all, records: new Set(all.filter((f) => f.point === "record").map((f) => f.at)), disk, diskRoom: disk?.at ?? Infinity };
  return loaded;
}

function act(fault: Fault): void {
  const where = fault.point === "record" ? `record@${fault.at}` : fault.point;
  switch (fault.action) {
    case "kill":
      process.kill(process.pid, "SIGKILL");
      break;
    case "stop":
      process.kill(process.pid, "SIGSTOP");
      break;
    case "fail":
      throw new IoError(`injected fault at ${where} (${FAULT_ENV})`);
    case "ENOSPC":
    case "EIO":
      break; // a disk fault acts in writeRoom, not at a point
    default:
      process.kill(process.pid, fault.action);
  }
}

/** Acts on a fault set for this named point, if any. */
export function faultPoint(point: FaultPoint): void {
  const faults = loadFaults().all;
  if (faults.length === 0) return;
  for (const f of faults) if (f.point === point) act(f);
}

/** Acts on a fault set for input record `record` (1-based), if any. */
export function faultAfterRecord(record: number): void {
  const faults = loaded ?? loadFaults();
  if (faults.records.size === 0 || !faults.records.has(record)) return;
  for (const f of faults.all) if (f.point === "record" && f.at === record) act(f);
}

/**
 * How many of `length` bytes the next checked write may write: all of them, unless a disk fault is
 * injected (write@N), which lets the writes fill its N bytes and then fails each further write
 * with its error, as a disk that fills up does (a short write, then ENOSPC).
 */
export function writeRoom(length: number): number {
  const faults = loadFaults();
  if (faults.disk === null) return length;
  if (faults.diskRoom === 0 && length > 0) {
    const code = faults.disk.action as WriteError;
    throw Object.assign(new Error(`${code}: ${WRITE_ERRORS[code].text}, write`), { code, errno: WRITE_ERRORS[code].errno, syscall: "write" });
  }
  const n = Math.min(length, faults.diskRoom);
  faults.diskRoom -= n;
  return n;
}
