// One writer at a time owns an output folder. The owner holds a lock file beside it, created with an
// exclusive create (O_EXCL: it fails when the file exists), before it stages anything, and removed
// when its write is done or abandoned. The lock records who holds it, so that a second writer can be
// refused with a name (pid, host, command) and a lock left by a writer that died can be told from
// one whose writer still runs:
//
//   host, pid_ns   the machine (host name) and the process-id namespace (a container) of the holder:
//                  a pid means nothing elsewhere, so a lock from another host or namespace is never
//                  judged here; it is refused, and the message says how to remove it
//   boot_id        the kernel's id of this boot: a lock from an earlier boot is dead
//   pid, start_ticks  the holder, and when it started (/proc/PID/stat): a pid that no process has,
//                  a zombie, or a pid now held by a process that started at another time is dead
//   nonce          this holder's lock and no other: a writer checks it before each step that changes
//                  DIR, and removes the lock only while it is still its own
//
// A dead holder's lock is recovered: moved aside under a name of this process's own, checked to be
// the very lock judged dead (else put back), and removed; the caller says so on stderr.

import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { IoError } from "../domain/errors.js";
import { ioReason, writeFully } from "./write-lines.js";

/** A lock file that cannot be read as a lock yet is being written by its creator, unless it is older than this. */
export const LOCK_INCOMPLETE_STALE_MS = 10_000;
/** How long a lock that cannot be read yet is read again before it is judged. */
const LOCK_READ_RETRY_MS = 1_000;
const LOCK_READ_RETRY_STEP_MS = 50;
/** Takes of a lock that others keep taking and recovering in between. */
const LOCK_TAKE_ATTEMPTS_MAX = 5;

export interface LockRecord {
  readonly tool: "recon-proof";
  readonly pid: number;
  readonly host: string;
  readonly pid_ns: string | null;
  readonly boot_id: string | null;
  readonly start_ticks: number | null;
  readonly command: string;
  /** Wall-clock time the lock was taken, for the people reading a refusal. */
  readonly since: string;
  readonly nonce: string;
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** A process's state letter and start time (clock ticks after boot), from /proc; null where there is no /proc. */
function procStat(pid: number): { state: string; startTicks: number } | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow its last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "?", startTicks: Number(fields[19]) };
}

function pidNamespace(): string | null {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return null;
  }
}

/** Where this process runs: a pid means something only on its own machine, in its own namespace and boot. */
function thisMachine(): Pick<LockRecord, "host" | "pid_ns" | "boot_id"> {
  return { host: hostname(), pid_ns: pidNamespace(), boot_id: readProc("/proc/sys/kernel/random/boot_id")?.trim() ?? null };
}

/** What identifies process `pid` of this machine in a lock (the nonce is new each time). */
export function lockRecordOf(pid: number, command: string): LockRecord {
  return {
    tool: "recon-proof", pid, ...thisMachine(), start_ticks: procStat(pid)?.startTicks ?? null, command,
    since: new Date().toISOString(), nonce: randomBytes(8).toString("hex"),
  };
}

function parseLock(text: string): LockRecord | null {
  let rec: Partial<Record<keyof LockRecord, unknown>>;
  try {
    rec = JSON.parse(text) as typeof rec;
  } catch {
    return null;
  }
  if (rec.tool !== "recon-proof" || typeof rec.pid !== "number" || typeof rec.host !== "string" || typeof rec.nonce !== "string") return null;
  const asText = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    tool: "recon-proof", pid: rec.pid, host: rec.host, pid_ns: asText(rec.pid_ns), boot_id: asText(rec.boot_id),
    start_ticks: typeof rec.start_ticks === "number" ? rec.start_ticks : null, command: asText(rec.command) ?? "?", since: asText(rec.since) ?? "?", nonce: rec.nonce,
  };
}

/** The holder of a lock: running, gone (provably dead: the lock may be recovered), or on another machine. */
type Holder = { readonly state: "running" | "elsewhere" } | { readonly state: "gone"; readonly why: string };

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // it exists, as another user's
  }
}

function holderOf(rec: LockRecord): Holder {
  const here = thisMachine();
  const known = (a: string | null, b: string | null) => a !== null && b !== null;
  if (rec.host !== here.host || (known(rec.pid_ns, here.pid_ns) && rec.pid_ns !== here.pid_ns)) return { state: "elsewhere" };
  if (known(rec.boot_id, here.boot_id) && rec.boot_id !== here.boot_id) return { state: "gone", why: "the machine has restarted since" };
  if (!processExists(rec.pid)) return { state: "gone", why: `no process has pid ${rec.pid} any more` };
  const stat = procStat(rec.pid);
  if (stat !== null && (stat.state === "Z" || stat.state === "X")) return { state: "gone", why: `pid ${rec.pid} has exited` };
  if (stat !== null && rec.start_ticks !== null && stat.startTicks !== rec.start_ticks) {
    return { state: "gone", why: `pid ${rec.pid} now belongs to another process` };
  }
  return { state: "running" };
}

/** A lock file as found: its text, what it says (null: not a lock, or not written yet), how old it is. */
interface Found {
  readonly text: string;
  readonly record: LockRecord | null;
  readonly ageMs: number;
}

function readFound(path: string): Found | null {
  try {
    const text = readFileSync(path, "utf8");
    return { text, record: parseLock(text), ageMs: Date.now() - statSync(path).mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Reads a lock, waiting a moment for one its creator has not finished writing. */
function readLock(path: string): Found | null {
  let found = readFound(path);
  for (let waited = 0; found !== null && found.record === null && waited < LOCK_READ_RETRY_MS; waited += LOCK_READ_RETRY_STEP_MS) {
    sleepMs(LOCK_READ_RETRY_STEP_MS);
    found = readFound(path);
  }
  return found;
}

/** Creates the lock file with `text`, or returns false when it exists. */
function createExclusive(path: string, text: string, outDir: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw cannotLock(path, outDir, err);
  }
  try {
    writeFully(fd, text);
  } catch (err) {
    // A lock that says nothing (a full disk) is no one's: take it away rather than leave it to expire.
    closeSync(fd);
    rmSync(path, { force: true });
    throw cannotLock(path, outDir, err);
  }
  closeSync(fd);
  return true;
}

function cannotLock(path: string, outDir: string, err: unknown): IoError {
  return new IoError(`cannot write the lock of --out ${outDir} (${path}): ${ioReason(err)}; nothing was written`);
}

/**
 * Removes a dead holder's lock, and only that one: a writer may have recovered it and taken the
 * lock since it was read, so it is moved aside first and put back unless it is the lock judged dead.
 */
function removeDeadLock(path: string, dead: string): boolean {
  const moved = `${path}.recovering-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, moved);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false; // another writer recovered it first
    throw err;
  }
  const got = readFileSync(moved, "utf8");
  if (got !== dead) createExclusive(path, got, path); // a live writer's lock: give it back (its holder sees the loss if a third took it)
  rmSync(moved, { force: true });
  return got === dead;
}

function describeHolder(rec: LockRecord): string {
  return `pid ${rec.pid} on ${rec.host} (${rec.command}, since ${rec.since})`;
}

/** The holder of a found lock; a lock file never completed counts as a running holder's until it is old. */
function holderOfFound(found: Found): Holder {
  if (found.record !== null) return holderOf(found.record);
  return found.ageMs > LOCK_INCOMPLETE_STALE_MS ? { state: "gone", why: "its lock file was never completed" } : { state: "running" };
}

function refusal(outDir: string, path: string, rec: LockRecord | null, holder: Holder): string {
  if (rec === null) {
    return `--out ${outDir} is being taken by another recon-proof (its lock file ${path} is being written): refused, nothing was written; run again when it has finished`;
  }
  if (holder.state === "elsewhere") {
    return `--out ${outDir} is locked by recon-proof ${describeHolder(rec)}, on another machine or container, which recon-proof cannot check from here: refused, nothing was written. ` +
      `If that process is no longer running, remove ${path} and run again`;
  }
  return `--out ${outDir} is being written by another recon-proof, ${describeHolder(rec)}: refused, nothing was written; run again when it has finished`;
}

const held = new Set<OutDirLock>();
let releasedAtExit = false;

/** The lock on one output folder, held by this process. */
export class OutDirLock {
  private constructor(private readonly path: string, private readonly nonce: string) {
    if (!releasedAtExit) process.once("exit", () => { for (const lock of [...held]) lock.release(); });
    releasedAtExit = true;
    held.add(this);
  }

  /**
   * Takes the lock at `path` for `outDir`, recovering it from a dead holder (told to `note`).
   * Throws IoError (nothing written) when a live writer, or one this machine cannot check, holds it.
   */
  static take(path: string, outDir: string, command: string, note: (line: string) => void): OutDirLock {
    const record = lockRecordOf(process.pid, command);
    const text = JSON.stringify(record) + "\n";
    for (let attempt = 0; attempt < LOCK_TAKE_ATTEMPTS_MAX; attempt++) {
      if (createExclusive(path, text, outDir)) return new OutDirLock(path, record.nonce);
      const found = readLock(path);
      if (found === null) continue; // released meanwhile
      const holder = holderOfFound(found);
      if (holder.state !== "gone") throw new IoError(refusal(outDir, path, found.record, holder));
      if (removeDeadLock(path, found.text)) {
        const who = found.record === null ? "" : `, ${describeHolder(found.record)},`;
        note(`--out ${outDir}: the writer that held it${who} is no longer running (${holder.why}): its lock is recovered, and its unfinished write is cleaned up`);
      }
    }
    throw new IoError(`--out ${outDir}: other writers keep taking its lock (${path}): nothing was written; run again when they have finished`);
  }

  /** True while the lock file is still this holder's. */
  holds(): boolean {
    if (!held.has(this)) return false;
    const found = readFound(this.path);
    return found?.record?.nonce === this.nonce;
  }

  /** Throws IoError when the lock is no longer this holder's (someone removed or recovered it). */
  check(outDir: string): void {
    if (!this.holds()) {
      throw new IoError(`lost the lock on --out ${outDir} (${this.path} was removed or taken by another writer): this write stops, and leaves --out to the writer that holds it`);
    }
  }

  /** Removes the lock file if it is still this holder's; never another's. */
  release(): void {
    if (!held.has(this)) return;
    try {
      if (this.holds()) rmSync(this.path, { force: true });
    } catch {
      // Left for the next writer, which finds this process gone.
    }
    held.delete(this);
  }
}
