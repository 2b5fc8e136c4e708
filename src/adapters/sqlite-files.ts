// SQLite files as I/O: how long to wait for another process's lock, which failures are the file
// system's (a lock, a read-only folder, a full disk: exit 74) rather than the content's, and how to
// read a database that sits in a folder this process cannot write.
//
// Reading a WAL-mode database needs its shared-memory file (-shm) beside it, which SQLite creates
// on first use; in a read-only folder it cannot, and the open fails ("attempt to write a readonly
// database", or "unable to open database file" when a -wal is there). Such a file is still read:
// when nothing is pending beside it (no -wal or -journal holding data) the database file alone is
// the whole content, and it is opened immutable (SQLite then takes no locks and creates nothing);
// otherwise the database and its log are copied into a private scratch folder and the copy is read,
// so that the committed transactions still in the log are seen (immutable would skip them).

import Database from "better-sqlite3";
import { accessSync, constants, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, IoError } from "../domain/errors.js";
import { copyInto, makeScratchFolder } from "./write-lines.js";

/**
 * Turns on URI filenames (`file:...?immutable=1`), which better-sqlite3's build leaves off unless
 * SQLITE_USE_URI=1 is in the environment when the process opens its first database (it reads the
 * variable once, then, for the whole process; it has no option for one connection). Set before a
 * database is opened rather than when this module is imported, so importing the library changes no
 * environment; the command line sets it when it starts. Plain paths are resolved to absolute ones
 * before they are opened, so no path of the user's is ever read as a URI.
 */
export function enableSqliteUriFilenames(): void {
  process.env["SQLITE_USE_URI"] ??= "1";
}

/** A better-sqlite3 database, opened with URI filenames on (enableSqliteUriFilenames). */
export function openDatabase(path: string, options?: Database.Options): Database.Database {
  enableSqliteUriFilenames();
  return new Database(path, options);
}

/** The environment variable that changes sqlite_busy_wait_ms (whole milliseconds). */
export const BUSY_WAIT_ENV = "RECON_PROOF_SQLITE_BUSY_WAIT_MS";
const SQLITE_BUSY_WAIT_MS_DEFAULT = 5000;
const SQLITE_BUSY_WAIT_MS_MAX = 600_000;

/**
 * sqlite_busy_wait_ms: how long a reader or a replay waits for a lock another process holds on an
 * SQLite file before it gives up with an I/O error (exit 74) naming the lock. 5 s by default.
 */
export function sqliteBusyWaitMs(): number {
  const text = process.env[BUSY_WAIT_ENV];
  if (text === undefined || text === "") return SQLITE_BUSY_WAIT_MS_DEFAULT;
  if (!/^\d+$/.test(text) || Number(text) > SQLITE_BUSY_WAIT_MS_MAX) {
    throw new ConfigError(`${BUSY_WAIT_ENV} (sqlite_busy_wait_ms): a whole number of milliseconds from 0 to ${SQLITE_BUSY_WAIT_MS_MAX}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const codeOf = (err: unknown): string => String((err as { code?: unknown }).code ?? "");

/** Another connection holds SQLite's lock (and went on holding it for the whole wait). */
export function isBusy(err: unknown): boolean {
  const code = codeOf(err);
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

/** Processes other than this one holding a POSIX lock on `path` or its -shm, from /proc/locks (Linux). */
function lockHolders(path: string): number[] {
  try {
    const ids = [path, `${path}-shm`].filter(existsSync).map((p) => {
      const st = statSync(p);
      const major = Math.floor(st.dev / 256) & 0xfff;
      const minor = (st.dev & 0xff) | (Math.floor(st.dev / 4096) & ~0xff);
      return `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}:${st.ino}`;
    });
    const pids = readFileSync("/proc/locks", "utf8").split("\n").map((line) => line.trim().split(/\s+/))
      .filter((f) => ids.includes(f[5] ?? "")).map((f) => Number(f[4])).filter((pid) => pid > 0 && pid !== process.pid);
    return [...new Set(pids)].sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** "locked by another process (pid 42); gave up after sqlite_busy_wait_ms=5000 ms" */
export function lockedReason(path: string): string {
  const pids = lockHolders(path);
  const who = pids.length === 0 ? "another process" : `another process (pid ${pids.join(", ")})`;
  return `SQLite's lock on it is held by ${who}; gave up after waiting sqlite_busy_wait_ms=${sqliteBusyWaitMs()} ms`;
}

/**
 * The words for an SQLite failure that is the file system's, not the content's: a lock held too
 * long, a read-only or unopenable file, a full disk, a failing device. Null for anything else (not
 * a database, corrupt content, a missing table): that is the content's.
 */
export function sqliteIoReason(err: unknown, path: string): string | null {
  const code = codeOf(err);
  const message = (err as Error).message;
  if (isBusy(err)) return lockedReason(path);
  if (code.startsWith("SQLITE_FULL")) return `the disk is full (${code})`;
  if (/^SQLITE_(READONLY|CANTOPEN)/.test(code)) return `${readOnlyCause(path) ?? message} (${code})`;
  if (/^SQLITE_(IOERR|PERM|AUTH)/.test(code)) return `${message} (${code})`;
  return null;
}

/** Why SQLite could not open or write `path`: its folder or the file is read-only to this process. */
function readOnlyCause(path: string): string | null {
  const writable = (p: string) => {
    try {
      accessSync(p, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (!writable(dirname(resolve(path)))) return `its folder is read-only to this process (SQLite keeps ${basename(path)}-wal and -shm beside it)`;
  if (existsSync(path) && !writable(path)) return "the file is read-only to this process";
  return null;
}

/** An SQLite database opened for reading; close() also removes a scratch copy, if one was made. */
export interface ReadOnlyDb {
  readonly db: Database.Database;
  /** How the file was opened: in place, immutable (nothing pending beside it), or as a scratch copy. */
  readonly how: "in place" | "immutable" | "copy";
  close(): void;
}

/** Opens and reads the schema once, so a lock, a read-only folder or a non-database shows now. */
function openAndProbe(name: string, readonly: boolean, timeout: number): Database.Database {
  const db = openDatabase(name, { readonly, fileMustExist: true, timeout });
  try {
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The folder or the -shm file cannot be written: the database is read-only where it lies. */
const cannotOpenInPlace = (err: unknown): boolean => /^SQLITE_(READONLY|CANTOPEN)/.test(codeOf(err));

const pendingBeside = (path: string): string[] =>
  [`${path}-wal`, `${path}-journal`].filter((p) => existsSync(p) && statSync(p).size > 0);

/**
 * Opens an SQLite file for reading only (see the top of this file for a read-only folder). Throws
 * IoError when the file is missing; other failures are SQLite's errors, for the caller to judge
 * with sqliteIoReason (a lock or a read-only file) or as content.
 */
export function openReadOnly(path: string): ReadOnlyDb {
  const abs = resolve(path);
  const timeout = sqliteBusyWaitMs();
  if (!existsSync(abs)) throw new IoError(`no such file: ${path}`);
  try {
    const db = openAndProbe(abs, true, timeout);
    return { db, how: "in place", close: () => db.close() };
  } catch (err) {
    if (!cannotOpenInPlace(err)) throw err;
  }
  const pending = pendingBeside(abs);
  if (pending.length === 0) {
    try {
      const db = openAndProbe(`${pathToFileURL(abs).href}?immutable=1`, true, timeout);
      return { db, how: "immutable", close: () => db.close() };
    } catch {
      // URI filenames unavailable in this process (another part opened SQLite first): copy instead.
    }
  }
  const scratch = makeScratchFolder("recon-proof-sqlite-");
  try {
    const copy = copyInto(abs, scratch);
    for (const p of pending) copyInto(p, scratch);
    // Read-write, on the copy only: a pending log is folded into it as SQLite opens it.
    const db = openAndProbe(copy, false, timeout);
    return { db, how: "copy", close: () => { db.close(); rmSync(scratch, { recursive: true, force: true }); } };
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
}
