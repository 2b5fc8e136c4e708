// The order-id cache on disk: SQLite through better-sqlite3 (synchronous, so the replay stays one
// deterministic loop), WAL mode, written in batches of input records (group commit; 1 = write-through).
//
// Layout (schema 3):
//   meta(key, value)       schema_version, entries_checksum (sha256 over the committed entries),
//                          last_run and base_checksum (see base_entries)
//   entries(...)           the cache as the last finished replay left it
//   base_entries(...)      the entries as they were before that replay (last_run): rerunning it
//                          starts from them, so it gives the same artifacts byte for byte
//   runs(run_key, state, changes)
//                          one row per replay: run_key = sha256 of the inputs and the config;
//                          changes counts its rows in ops, so a missing row is seen
//   ops(run_key, seq, idx, body, crc)
//                          the current replay's changes: one transaction and one row per batch of
//                          input records (seq: the batch's last record; idx 0), its body one JSON
//                          line per entry the batch changed; meta batch:<run_key> holds the batch
//                          size while the run is under way. (Schema 2 wrote one row per entry,
//                          idx counting them: its bodies are one line each, read the same way.)
//
// This file holds that layout, the upgrades from schemas 1 and 2, the checks a file must pass before
// a replay writes to it, and the creation of an empty one (`cache init`).

import type Database from "better-sqlite3";
import { existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { CacheEntry } from "../../core/books/cache.js";
import { IoError } from "../../domain/errors.js";
import { openDatabase, sqliteIoReason } from "../sqlite-files.js";
import { ioReason } from "../write-lines.js";
import { entriesChecksum, entryFromRow, type EntryRow, opCrc, type OpRow } from "./rows.js";

export const CACHE_SCHEMA_VERSION = "3";

const ENTRY_COLUMNS = `client_order_id TEXT PRIMARY KEY, decision_id TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
  size TEXT NOT NULL, ref_price TEXT NOT NULL, filled_qty TEXT NOT NULL, ttl_utc_ms INTEGER NOT NULL,
  status TEXT NOT NULL`;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (${ENTRY_COLUMNS});
CREATE TABLE base_entries (${ENTRY_COLUMNS});
CREATE TABLE runs (run_key TEXT PRIMARY KEY, state TEXT NOT NULL, changes INTEGER NOT NULL DEFAULT 0);
CREATE TABLE ops (run_key TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL,
  crc TEXT NOT NULL, PRIMARY KEY (run_key, seq, idx));
`;

/** Schema 1 (no base entries, no change counts) is upgraded in place when it loads intact. */
export const UPGRADE_FROM_1 = `
CREATE TABLE base_entries (${ENTRY_COLUMNS});
ALTER TABLE runs ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET changes = (SELECT COUNT(*) FROM ops WHERE ops.run_key = runs.run_key);
INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '2'), ('last_run', '');
`;

/**
 * Schema 2 logged one row per changed entry; schema 3 one row per batch, its body a JSON line per
 * entry. A schema 2 row is a one-line body, so its log reads as it is: only the version moves (an
 * older recon-proof then refuses the file instead of misreading a batch row).
 */
export const UPGRADE_TO_3 = "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '3')";

export const metaValue = (db: Database.Database, key: string): string | undefined =>
  (db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value?: string } | undefined)?.value;
/** Where a run's batch size is kept while it runs: a resumed run must cut its batches where the killed one did. */
export const batchKey = (runKey: string): string => `batch:${runKey}`;
/** Removes a file SQLite was building and the files it keeps beside it. */
function removeDatabaseFiles(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
}

/** Puts a finished file at `path` unless something is there already (a hard link cannot replace one). */
function placeWithoutReplacing(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
    rmSync(tmp);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "EEXIST") throw new IoError(`a file already exists at ${path}; a cache is never overwritten`);
    // A file system without hard links: a rename, after the check above.
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw err;
    if (existsSync(path)) throw new IoError(`a file already exists at ${path}; a cache is never overwritten`);
    renameSync(tmp, path);
  }
}

/**
 * Creates an empty cache file. Refuses to overwrite one. The file is built under a temporary name
 * beside it and put in place only when complete, so a full disk leaves nothing (no empty file
 * that a later `cache init` would refuse to replace).
 */
export function initCache(path: string): void {
  if (existsSync(path)) throw new IoError(`a file already exists at ${path}; a cache is never overwritten`);
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const db = openDatabase(tmp);
    try {
      db.pragma("journal_mode = WAL");
      db.exec(SCHEMA);
      db.prepare("INSERT INTO meta (key, value) VALUES (?, ?), (?, ?), (?, ?), (?, ?)")
        .run("schema_version", CACHE_SCHEMA_VERSION, "entries_checksum", entriesChecksum([]), "last_run", "", "base_checksum", entriesChecksum([]));
    } finally {
      db.close(); // folds the WAL into the file and removes it: the file alone is the cache
    }
    placeWithoutReplacing(tmp, path);
  } catch (err) {
    removeDatabaseFiles(tmp);
    if (err instanceof IoError) throw err;
    throw new IoError(`cannot create cache ${path}: ${sqliteIoReason(err, tmp) ?? ioReason(err)}; nothing was created`);
  }
}

interface RunRow { run_key: string; state: string; changes: number }

/**
 * What a file must pass before a replay writes anything to it (run inside the claim's transaction,
 * so a rejected file is left exactly as it was); returns its schema version.
 */
export function checkCacheFile(db: Database.Database): string {
  const check = db.pragma("quick_check", { simple: true });
  if (check !== "ok") throw new Error(`SQLite integrity check: ${String(check)}`);
  const version = metaValue(db, "schema_version");
  if (version !== CACHE_SCHEMA_VERSION && version !== "2" && version !== "1") throw new Error(`schema version ${version ?? "missing"}, expected ${CACHE_SCHEMA_VERSION}`);
  readEntries(db, "entries", "entries_checksum");
  if (version !== "1") checkPendingLog(db); // a bad log is kept for Ops
  return version;
}

/** The log must be one the replays wrote: anything else is a cache failure, and nothing is deleted. */
function checkPendingLog(db: Database.Database): void {
  function fail(what: string): never {
    throw new Error(`the pending log is inconsistent: ${what}`);
  }
  const runs = new Map((db.prepare("SELECT run_key, state, changes FROM runs").all() as RunRow[]).map((r) => [r.run_key, r]));
  const counted = new Map<string, number>();
  let last = { key: "", seq: -1, idx: -1 };
  for (const op of db.prepare("SELECT run_key, seq, idx, body, crc FROM ops ORDER BY run_key, seq, idx").all() as Array<OpRow & { run_key: string }>) {
    const run = runs.get(op.run_key);
    const who = `run ${op.run_key.slice(0, 12)}`;
    if (run === undefined) fail(`changes of ${who}, which has no run row`);
    if (run.state !== "running") fail(`changes of ${who}, which is marked ${run.state} (its changes were never folded)`);
    if (op.crc !== opCrc(op.run_key, op.seq, op.idx, op.body)) fail(`checksum mismatch in change ${op.seq}.${op.idx} of ${who}`);
    const follows = op.run_key === last.key && op.seq === last.seq ? op.idx === last.idx + 1 : op.idx === 0;
    if (!follows) fail(`change ${op.seq}.${op.idx} of ${who} does not follow the one before it (a row is missing)`);
    last = { key: op.run_key, seq: op.seq, idx: op.idx };
    counted.set(op.run_key, (counted.get(op.run_key) ?? 0) + 1);
  }
  for (const run of runs.values()) {
    if (run.state !== "running" && run.state !== "complete" && run.state !== "abandoned") fail(`run ${run.run_key.slice(0, 12)} is in an unknown state ${run.state}`);
    const found = counted.get(run.run_key) ?? 0;
    if (run.state === "running" && found !== run.changes) fail(`run ${run.run_key.slice(0, 12)} wrote ${run.changes} changes, ${found} are there (a row is missing)`);
  }
  const lastRun = metaValue(db, "last_run") ?? "";
  if (lastRun !== "" && runs.get(lastRun)?.state !== "complete") fail(`the last completed run ${lastRun.slice(0, 12)} is not recorded as complete`);
}

export function readEntries(db: Database.Database, table: "entries" | "base_entries", checksumKey: string): CacheEntry[] {
  const rows = db.prepare(`SELECT * FROM ${table}`).all() as EntryRow[];
  if (metaValue(db, checksumKey) !== entriesChecksum(rows)) {
    throw new Error(table === "entries" ? "checksum mismatch: the entries are not the ones last written" : "checksum mismatch in the entries the last run started from");
  }
  return rows.map(entryFromRow); // validates every row before anything is written
}
