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
// One replay at a time: a replay claims the file by writing itself in as its holder (meta `holder`:
// process id, host, the process's start time and a token for this open), in one IMMEDIATE
// transaction, so of two replays started at the same instant exactly one claims it (SQLite lets one
// writer at a time begin; the other waits for that short transaction and then finds the holder).
// The claim is released when the replay commits or aborts. A holder that died (killed, the machine
// restarted) leaves its row: a process that is gone, or whose id now names a process started at
// another time, holds nothing, and its claim is taken over. (Not SQLite's EXCLUSIVE locking mode:
// taking that lock is two steps, and two replays that each took the first step would both fail the
// second, each refused and neither running; any reader holding the file would refuse a replay too.)
// Readers (`cache dump`) are never blocked: the file is in WAL mode, and a reader sees the last
// committed transaction.
//
// A replay never edits `entries` while it runs; it appends its changes to `ops`. When it finishes,
// one transaction folds them into `entries` and marks the run complete. That split is what makes a
// killed replay resumable byte for byte: rerun with the same inputs, it recomputes every change,
// finds each one already in `ops` (and checks it is the same), and writes only what the killed run
// had not reached — so no order is ever recorded as sent twice. A replay over different inputs is a
// new engine start: it first folds any interrupted run's changes (they were acknowledged writes).

import Database from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, linkSync, readFileSync, renameSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { crc32 } from "node:zlib";
import type { CacheEntry, CacheOp, CacheStatus } from "../../core/cache.js";
import * as D from "../../domain/decimal.js";
import { ConfigError, IoError } from "../../domain/errors.js";
import type { Side } from "../../domain/records.js";
import { faultPoint } from "../fault-points.js";
import { openReadOnly, sqliteBusyWaitMs, sqliteIoReason } from "../sqlite-files.js";
import { ioReason } from "../write-lines.js";

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
const UPGRADE_FROM_1 = `
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
const UPGRADE_TO_3 = "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '3')";

/** The changes a logged row holds, one JSON text each (JSON.stringify never writes a raw newline). */
const changesOf = (body: string): string[] => body.split("\n");

interface EntryRow {
  client_order_id: string; decision_id: string; symbol: string; side: string; size: string;
  ref_price: string; filled_qty: string; ttl_utc_ms: number; status: string;
}

interface OpRow { seq: number; idx: number; body: string; crc: string }

// ------------------------------------------------------------------ (de)serialization

function entryToRow(e: CacheEntry): EntryRow {
  return {
    client_order_id: e.clientOrderId, decision_id: e.decisionId, symbol: e.symbol, side: e.side,
    size: D.toPlain(e.size), ref_price: D.toPlain(e.refPrice), filled_qty: D.toPlain(e.filledQty),
    ttl_utc_ms: e.ttlUtcMs, status: e.status,
  };
}

function decOrFail(text: string, what: string): D.Dec {
  const d = D.parseDec(text);
  if (d === undefined) throw new Error(`${what} is not a decimal: ${text}`);
  return d;
}

function entryFromRow(r: EntryRow): CacheEntry {
  if (r.side !== "buy" && r.side !== "sell") throw new Error(`entry ${r.client_order_id}: bad side ${r.side}`);
  if (r.status !== "sent" && r.status !== "pending_fill" && r.status !== "closed") {
    throw new Error(`entry ${r.client_order_id}: bad status ${r.status}`);
  }
  return {
    clientOrderId: r.client_order_id, decisionId: r.decision_id, symbol: r.symbol, side: r.side as Side,
    size: decOrFail(r.size, "size"), refPrice: decOrFail(r.ref_price, "ref_price"),
    filledQty: decOrFail(r.filled_qty, "filled_qty"), ttlUtcMs: r.ttl_utc_ms, status: r.status as CacheStatus,
  };
}

function opBody(op: CacheOp): string {
  return op.op === "put" ? JSON.stringify({ op: "put", entry: entryToRow(op.entry) })
    : JSON.stringify({ op: "purge", client_order_ids: op.clientOrderIds });
}

/** CRC-32 of a change and its position: catches a torn or edited row (cheap enough to run per change). */
function opCrc(runKey: string, seq: number, idx: number, body: string): string {
  // The CRC of `runKey|seq|idx|body`, continued over the body rather than computed over one
  // concatenated string (which would copy every body once more).
  return crc32(body, crc32(`${runKey}|${seq}|${idx}|`)).toString(16).padStart(8, "0");
}

function entriesChecksum(entries: readonly EntryRow[]): string {
  const h = createHash("sha256");
  for (const e of [...entries].sort((a, b) => (a.client_order_id < b.client_order_id ? -1 : 1))) {
    h.update([e.client_order_id, e.decision_id, e.symbol, e.side, e.size, e.ref_price, e.filled_qty, e.ttl_utc_ms, e.status].join("\t") + "\n");
  }
  return h.digest("hex");
}

// ------------------------------------------------------------------ the store

export interface CacheOpenResult {
  /** Null when the cache could not be loaded: the replay then runs on an empty in-memory cache with the kill switch engaged. */
  readonly store: SqliteCacheStore | null;
  readonly entries: readonly CacheEntry[];
  readonly failure: string | null;
  /** True when this replay continues one that was killed part way. */
  readonly resuming: boolean;
  /** True when this replay is the cache's last completed one, run again (from the entries it started with). */
  readonly rerun: boolean;
}

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
    const db = new Database(tmp);
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

// ------------------------------------------------------------------ one replay at a time

const HOLDER_KEY = "holder";

/** The replay that holds a cache: its process, and a token for this one open of the file. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  /** When the process started (Linux: clock ticks since boot), so that a reused process id is told apart; null where unknown. */
  readonly started: string | null;
  readonly token: string;
}

/** Tokens of the caches this process holds open: a store closed without releasing is a holder that died. */
const heldHere = new Set<string>();

function processStarted(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is the state (field 3); a zombie has ended. fields[19] is starttime (field 22).
    return fields[0] === "Z" ? "ended" : fields[19] ?? null;
  } catch {
    return null;
  }
}

function holderAlive(h: Holder): boolean {
  if (h.host !== hostname()) return true; // another machine's processes cannot be seen from here
  if (h.pid === process.pid) return heldHere.has(h.token);
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return (err as { code?: unknown }).code !== "ESRCH"; // EPERM: alive, another user's
  }
  const started = processStarted(h.pid);
  return started === null || h.started === null || started === h.started;
}

function parseHolder(text: string | undefined): Holder | null {
  if (text === undefined || text === "") return null;
  try {
    const h = JSON.parse(text) as Holder;
    return typeof h.pid === "number" && typeof h.host === "string" && typeof h.token === "string" ? h : null;
  } catch {
    return null; // not a claim this build wrote: nobody holds the file through it
  }
}

const holderWords = (h: Holder): string => `pid ${h.pid}${h.host === hostname() ? "" : ` on ${h.host}`}`;

/** This replay's claim on a cache, and the row it replaced (a dead holder's), put back if the load fails. */
interface Claim {
  readonly text: string;
  readonly token: string;
  readonly replaced: string | undefined;
}

/**
 * Claims the cache for this replay, in one transaction (see the top of this file), after `check`
 * ran inside it: a live holder is an IoError, and a file `check` rejects is left as it was, byte for
 * byte (the transaction wrote nothing). Returns what `check` returned and the claim.
 */
function claimCache<T>(db: Database.Database, path: string, check: () => T): { checked: T; claim: Claim } {
  const me: Holder = { pid: process.pid, host: hostname(), started: processStarted(process.pid), token: randomUUID() };
  const text = JSON.stringify(me);
  const result = db.transaction(() => {
    const replaced = metaValue(db, HOLDER_KEY);
    const held = parseHolder(replaced);
    if (held !== null && holderAlive(held)) {
      throw new IoError(`another replay holds the order-id cache ${path} (${holderWords(held)}): wait for it to finish (nothing was written, the cache is untouched)`);
    }
    const checked = check();
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(HOLDER_KEY, text);
    return { checked, claim: { text, token: me.token, replaced } };
  }).immediate();
  heldHere.add(me.token);
  return result;
}

/** The statements that remove this replay's claim (inside the caller's transaction). */
function releaseClaim(db: Database.Database, claim: Claim, restore = false): void {
  if (restore && claim.replaced !== undefined) db.prepare("UPDATE meta SET value = ? WHERE key = ?").run(claim.replaced, HOLDER_KEY);
  else db.prepare("DELETE FROM meta WHERE key = ? AND value = ?").run(HOLDER_KEY, claim.text);
  heldHere.delete(claim.token);
}

/** The process id of the live replay holding the cache, or null. */
function liveHolderPid(db: Database.Database): number | null {
  const held = parseHolder(metaValue(db, HOLDER_KEY));
  return held !== null && holderAlive(held) ? held.pid : null;
}

const metaValue = (db: Database.Database, key: string): string | undefined =>
  (db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value?: string } | undefined)?.value;

interface RunRow { run_key: string; state: string; changes: number }

/**
 * What a file must pass before a replay writes anything to it (run inside the claim's transaction,
 * so a rejected file is left exactly as it was); returns its schema version.
 */
function checkCacheFile(db: Database.Database): string {
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

function readEntries(db: Database.Database, table: "entries" | "base_entries", checksumKey: string): CacheEntry[] {
  const rows = db.prepare(`SELECT * FROM ${table}`).all() as EntryRow[];
  if (metaValue(db, checksumKey) !== entriesChecksum(rows)) {
    throw new Error(table === "entries" ? "checksum mismatch: the entries are not the ones last written" : "checksum mismatch in the entries the last run started from");
  }
  return rows.map(entryFromRow); // validates every row before anything is written
}

type StoreMode = "write" | "resume" | "rerun";

/** Input records whose cache changes share one transaction unless `--cache-batch` says otherwise. */
export const CACHE_BATCH_DEFAULT = 256;

/** Where a run's batch size is kept while it runs: a resumed run must cut its batches where the killed one did. */
const batchKey = (runKey: string): string => `batch:${runKey}`;

/**
 * The changes of one batch of input records, one per entry: an entry changed several times in a
 * batch (sent, accepted, filled) is written once, as it ended; entries the batch purged are one
 * purge change first. Folding these gives the same entries as folding every change in order.
 */
class BatchChanges {
  private readonly puts = new Map<string, CacheEntry>();
  private readonly purged = new Set<string>();

  add(ops: readonly CacheOp[]): void {
    for (const op of ops) {
      if (op.op === "put") {
        this.purged.delete(op.entry.clientOrderId);
        this.puts.set(op.entry.clientOrderId, op.entry);
      } else {
        for (const id of op.clientOrderIds) {
          this.puts.delete(id);
          this.purged.add(id);
        }
      }
    }
  }

  /** The batch's changes, in a deterministic order (purges by id, then puts in the order first changed). */
  bodies(): string[] {
    const rows: CacheOp[] = [];
    if (this.purged.size > 0) rows.push({ op: "purge", clientOrderIds: [...this.purged].sort() });
    for (const entry of this.puts.values()) rows.push({ op: "put", entry });
    return rows.map(opBody);
  }
}

export class SqliteCacheStore {
  private readonly insertOp: Database.Statement<[string, number, number, string, string]>;
  /** Writes one batch's changes as one row (seq: the batch's last input record) and counts it, in one transaction. */
  private readonly writeBatch: (seq: number, bodies: readonly string[]) => void;
  /** The changes of the batch under way (since the last multiple of recordsPerTransaction). */
  private batch = new BatchChanges();
  private recordsPerTransaction = CACHE_BATCH_DEFAULT;

  private constructor(
    private readonly db: Database.Database,
    private readonly runKey: string,
    private readonly mode: StoreMode,
    /** Changes the interrupted run had already written, by the last input record of their batch. */
    private readonly logged: ReadonlyMap<number, readonly string[]>,
    private readonly lastLoggedSeq: number,
    /** This replay's claim on the file (meta `holder`), removed when it commits or aborts. */
    private readonly claim: Claim,
  ) {
    this.insertOp = db.prepare("INSERT INTO ops (run_key, seq, idx, body, crc) VALUES (?, ?, ?, ?, ?)");
    const countChanges = db.prepare("UPDATE runs SET changes = changes + ? WHERE run_key = ?");
    // One row per batch, not per entry: a row costs a call into SQLite and a CRC whatever its
    // size, and at the default batch that was most of what the cache cost (docs/benchmarks.md).
    this.writeBatch = db.transaction((seq: number, bodies: readonly string[]) => {
      const body = bodies.join("\n");
      this.insertOp.run(this.runKey, seq, 0, body, opCrc(this.runKey, seq, 0, body));
      countChanges.run(1, this.runKey);
    });
  }

  /**
   * Opens the cache for a replay identified by `runKey`. Load problems are returned, never thrown
   * (the replay then runs with the kill switch engaged); another replay holding the cache, or
   * SQLite's lock held past sqlite_busy_wait_ms, is an IoError (nothing runs).
   */
  static open(path: string, runKey: string): CacheOpenResult {
    const failed = (failure: string): CacheOpenResult => ({ store: null, entries: [], failure, resuming: false, rerun: false });
    // File names only: the failure is written into the artifacts, which never hold a path.
    if (!existsSync(path)) return failed(`cache file ${basename(path)} missing (create one with: recon-proof cache init)`);
    const timeout = sqliteBusyWaitMs();
    let db: Database.Database;
    try {
      db = new Database(resolve(path), { fileMustExist: true, timeout });
    } catch (err) {
      return failed(`cache unreadable: ${(err as Error).message}`);
    }
    let claim: Claim | null = null;
    try {
      faultPoint("cache-claim");
      const claimed = claimCache(db, path, () => checkCacheFile(db));
      claim = claimed.claim;
      return SqliteCacheStore.load(db, runKey, claimed.checked, claim);
    } catch (err) {
      if (claim !== null) releaseQuietly(db, claim);
      db.close();
      if (err instanceof IoError) throw err;
      // Locked past the wait, read-only, a failing disk: the replay cannot keep its cache, and runs not at all.
      const io = sqliteIoReason(err, path);
      if (io !== null) throw new IoError(`cannot use the order-id cache ${path}: ${io} (nothing was written, the cache is untouched)`);
      return failed(`cache rejected: ${(err as Error).message}`);
    }
  }

  /** Loads the claimed, checked file's entries (throws what makes it a rejected cache). */
  private static load(db: Database.Database, runKey: string, version: string, claim: Claim): CacheOpenResult {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL"); // WAL + NORMAL survives a killed process (docs/cache.md)
    if (version === "1") db.transaction(() => db.exec(UPGRADE_FROM_1))();
    // Schema 3 is written only once the file has passed every check below: a file this build
    // rejects stays readable by the build that wrote it.
    const upgradeTo3 = () => {
      if (version !== CACHE_SCHEMA_VERSION) db.exec(UPGRADE_TO_3);
    };

    const mine = db.prepare("SELECT state FROM runs WHERE run_key = ?").get(runKey) as { state: string } | undefined;
    if (mine?.state === "complete" && metaValue(db, "last_run") === runKey) {
      const base = readEntries(db, "base_entries", "base_checksum");
      upgradeTo3();
      return { store: new SqliteCacheStore(db, runKey, "rerun", new Map(), -1, claim), entries: base, failure: null, resuming: false, rerun: true };
    }
    const interrupted = db.prepare("SELECT run_key FROM runs WHERE state = 'running' AND run_key <> ?").all(runKey) as { run_key: string }[];
    for (const r of interrupted) foldRun(db, r.run_key, "abandoned");
    const resuming = mine?.state === "running";
    if (!resuming) db.prepare("INSERT OR REPLACE INTO runs (run_key, state, changes) VALUES (?, 'running', 0)").run(runKey);
    const logged = new Map<number, string[]>();
    let lastLoggedSeq = -1;
    for (const op of db.prepare("SELECT seq, body FROM ops WHERE run_key = ? ORDER BY seq, idx").all(runKey) as OpRow[]) {
      const list = logged.get(op.seq) ?? [];
      list.push(...changesOf(op.body));
      logged.set(op.seq, list);
      lastLoggedSeq = op.seq;
    }
    const entries = readEntries(db, "entries", "entries_checksum");
    upgradeTo3();
    return { store: new SqliteCacheStore(db, runKey, resuming ? "resume" : "write", logged, lastLoggedSeq, claim), entries, failure: null, resuming, rerun: false };
  }

  /**
   * Group commit: the changes of `n` input records (records kn .. kn+n-1) go in one transaction
   * and one row, one JSON line per entry changed. A kill loses at most the last `n` records'
   * changes, which the resumed replay recomputes and writes (it is deterministic), so resume stays
   * byte-identical and no order is recorded as sent twice; what is given up is that each change is
   * on disk before the next record is replayed (n = 1 keeps that). A resumed run keeps the batch
   * size it started with.
   */
  setRecordsPerTransaction(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`records per cache transaction: a whole number >= 1, got ${n}`);
    if (this.mode === "rerun") return;
    if (this.mode === "resume") {
      // A run started by a build that did not keep batch sizes in the file logged its changes
      // record by record.
      this.recordsPerTransaction = Number(metaValue(this.db, batchKey(this.runKey)) ?? "1");
      return;
    }
    this.recordsPerTransaction = n;
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(batchKey(this.runKey), String(n));
  }

  /**
   * Takes the changes of input record `seq`. At the end of its batch they are written in one
   * transaction or, when resuming, checked against what the interrupted run wrote for that batch.
   * A rerun of a completed replay writes nothing: its result is checked once, at commit.
   */
  apply(seq: number, ops: readonly CacheOp[]): void {
    if (this.mode === "rerun") return;
    this.batch.add(ops);
    if ((seq + 1) % this.recordsPerTransaction === 0) this.endBatch(seq);
  }

  private endBatch(lastSeq: number): void {
    const bodies = this.batch.bodies();
    this.batch = new BatchChanges();
    if (lastSeq <= this.lastLoggedSeq) {
      const before = this.logged.get(lastSeq) ?? [];
      if (before.length !== bodies.length || before.some((b, i) => b !== bodies[i])) {
        throw new IoError(`the resumed replay differs from the interrupted one at input record ${lastSeq + 1}: the cache does not belong to these inputs`);
      }
      return;
    }
    if (bodies.length === 0) return;
    try {
      this.writeBatch(lastSeq, bodies);
    } catch (err) {
      throw new IoError(`cannot write the order-id cache: ${(err as Error).message}`);
    }
  }

  /**
   * The replay finished and its artifacts are written: its final cache becomes the entries (the
   * ones it started from are kept as base_entries, for a rerun), and its change log is closed, in
   * one transaction. (The final state is the fold of the logged changes — the replay is
   * deterministic — so it is written directly rather than re-derived from the log.) A rerun only
   * checks it ended where the completed run did.
   */
  commit(finalEntries: readonly CacheEntry[]): void {
    try {
      const rows = finalEntries.map(entryToRow);
      // The checksum of the rows as given, not read back: every column is TEXT or INTEGER and
      // stored as is (strings are well-formed text, checked at input), and the next open reads
      // them back and checks it (reading them back here too doubled the commit).
      const checksum = entriesChecksum(rows);
      if (this.mode === "rerun") {
        if (checksum !== metaValue(this.db, "entries_checksum")) {
          throw new IoError("the replay run again ended with other entries than the completed run left: the cache does not belong to these inputs");
        }
        this.db.transaction(() => releaseClaim(this.db, this.claim))();
        return;
      }
      // Changes not yet written need not be: the final entries below are their fold.
      this.batch = new BatchChanges();
      this.db.transaction(() => {
        this.db.exec("DELETE FROM base_entries; INSERT INTO base_entries SELECT * FROM entries");
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('base_checksum', ?), ('last_run', ?)")
          .run(metaValue(this.db, "entries_checksum") ?? "", this.runKey);
        this.db.prepare("DELETE FROM entries").run();
        // Positional parameters: binding by name costs a property lookup per column per entry.
        const insert = this.db.prepare(`INSERT INTO entries
          (client_order_id, decision_id, symbol, side, size, ref_price, filled_qty, ttl_utc_ms, status)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        for (const r of rows) insert.run(r.client_order_id, r.decision_id, r.symbol, r.side, r.size, r.ref_price, r.filled_qty, r.ttl_utc_ms, r.status);
        this.db.prepare("DELETE FROM ops WHERE run_key = ?").run(this.runKey);
        this.db.prepare("DELETE FROM meta WHERE key = ?").run(batchKey(this.runKey));
        this.db.prepare("UPDATE runs SET state = 'complete', changes = 0 WHERE run_key = ?").run(this.runKey);
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('entries_checksum', ?)").run(checksum);
        releaseClaim(this.db, this.claim);
      })();
    } catch (err) {
      if (err instanceof IoError) throw err;
      throw new IoError(`cannot commit the order-id cache: ${(err as Error).message}`);
    } finally {
      this.db.close();
    }
  }

  /**
   * Closes the file and writes nothing more: what a killed process leaves (its changes so far are
   * logged, and the next replay with the same inputs resumes them). Its claim stays in the file, as
   * a dead holder's does, and is taken over by the next replay.
   */
  close(): void {
    heldHere.delete(this.claim.token);
    this.db.close();
  }

  /**
   * The replay stopped (bad input, an interrupt, a failed write): forget its changes, leaving the
   * cache as it was. When even that cannot be written (a full disk) the changes stay logged under
   * a running run, which the next replay resumes or folds: the cache is intact either way.
   */
  abort(): void {
    try {
      this.db.transaction(() => {
        if (this.mode !== "rerun") {
          this.db.prepare("DELETE FROM ops WHERE run_key = ?").run(this.runKey);
          this.db.prepare("DELETE FROM meta WHERE key = ?").run(batchKey(this.runKey));
          this.db.prepare("DELETE FROM runs WHERE run_key = ?").run(this.runKey);
        }
        releaseClaim(this.db, this.claim);
      })();
    } catch {
      // Left logged, and the claim left as a dead holder's, as said above; the error that stopped
      // the replay is the one reported.
      heldHere.delete(this.claim.token);
    } finally {
      try {
        this.db.close();
      } catch {
        // The file is closed by the process exit all the same.
      }
    }
  }
}

/** Applies a run's logged changes to the entries, in order, and closes the run, in one transaction. */
function foldRun(db: Database.Database, runKey: string, state: "complete" | "abandoned"): void {
  const upsert = db.prepare(`INSERT OR REPLACE INTO entries
    (client_order_id, decision_id, symbol, side, size, ref_price, filled_qty, ttl_utc_ms, status)
    VALUES (@client_order_id, @decision_id, @symbol, @side, @size, @ref_price, @filled_qty, @ttl_utc_ms, @status)`);
  const remove = db.prepare("DELETE FROM entries WHERE client_order_id = ?");
  db.transaction(() => {
    for (const op of db.prepare("SELECT seq, idx, body, crc FROM ops WHERE run_key = ? ORDER BY seq, idx").all(runKey) as OpRow[]) {
      if (op.crc !== opCrc(runKey, op.seq, op.idx, op.body)) throw new Error(`checksum mismatch in change ${op.seq}.${op.idx} of run ${runKey.slice(0, 12)}`);
      for (const change of changesOf(op.body)) {
        const parsed = JSON.parse(change) as { op: string; entry?: EntryRow; client_order_ids?: string[] };
        if (parsed.op === "put" && parsed.entry !== undefined) upsert.run(parsed.entry);
        else for (const id of parsed.client_order_ids ?? []) remove.run(id);
      }
    }
    db.prepare("DELETE FROM ops WHERE run_key = ?").run(runKey);
    db.prepare("DELETE FROM meta WHERE key = ?").run(batchKey(runKey));
    db.prepare("UPDATE runs SET state = ?, changes = 0 WHERE run_key = ?").run(state, runKey);
    const rows = db.prepare("SELECT * FROM entries").all() as EntryRow[];
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('entries_checksum', ?)").run(entriesChecksum(rows));
    // The entries moved on: the last completed run can no longer be rerun from where it started.
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_run', '')").run();
  })();
}

/**
 * Undoes this replay's claim when the load failed, putting back the row it replaced (the file is
 * left as it was); when even that fails, the claim is left as a dead holder's.
 */
function releaseQuietly(db: Database.Database, claim: Claim): void {
  try {
    db.transaction(() => releaseClaim(db, claim, true))();
  } catch {
    heldHere.delete(claim.token);
  }
}

/**
 * The cache as JSON for Ops (`recon-proof cache dump`): entries, runs, pending changes, integrity,
 * and the replay holding it, if one is running. It does not wait for that replay: it reads the
 * last committed transaction. A cache in a read-only folder is read all the same (sqlite-files.ts).
 */
export function dumpCache(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new IoError(`no cache at ${path}`);
  let opened: ReturnType<typeof openReadOnly>;
  try {
    opened = openReadOnly(path);
  } catch (err) {
    if (err instanceof IoError || err instanceof ConfigError) throw err;
    throw new IoError(`cannot open cache ${path}: ${sqliteIoReason(err, path) ?? (err as Error).message}`);
  }
  const db = opened.db;
  try {
    const rows = (db.prepare("SELECT * FROM entries ORDER BY client_order_id").all() as EntryRow[]);
    const meta = Object.fromEntries((db.prepare("SELECT key, value FROM meta ORDER BY key").all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    return {
      schema_version: meta["schema_version"] ?? null,
      checksum_ok: meta["entries_checksum"] === entriesChecksum(rows),
      entries: rows.map((r) => ({ ...r, ttl_utc: new Date(r.ttl_utc_ms).toISOString() })),
      runs: db.prepare("SELECT run_key, state FROM runs ORDER BY run_key").all(),
      last_completed_run: meta["last_run"] || null,
      // Changes, not rows: a row holds a batch, one line per change.
      pending_changes: (db.prepare("SELECT COALESCE(SUM(LENGTH(body) - LENGTH(REPLACE(body, char(10), '')) + 1), 0) AS n FROM ops").get() as { n: number }).n,
      held_by_pid: liveHolderPid(db),
    };
  } catch (err) {
    throw new IoError(`cannot read cache ${path}: ${sqliteIoReason(err, path) ?? (err as Error).message}`);
  } finally {
    opened.close();
  }
}
