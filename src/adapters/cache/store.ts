// The order-id cache a replay writes (its file: schema.ts; one replay at a time: claim.ts).
//
// A replay never edits `entries` while it runs; it appends its changes to `ops`. When it finishes,
// one transaction folds them into `entries` and marks the run complete. That split is what makes a
// killed replay resumable byte for byte: rerun with the same inputs, it recomputes every change,
// finds each one already in `ops` (and checks it is the same), and writes only what the killed run
// had not reached — so no order is ever recorded as sent twice. A replay over different inputs is a
// new engine start: it first folds any interrupted run's changes (they were acknowledged writes).

import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { CacheEntry, CacheOp } from "../../core/books/cache.js";
import { ConfigError, IoError } from "../../domain/errors.js";
import { faultPoint } from "../fault-points.js";
import { openDatabase, sqliteBusyWaitMs, sqliteIoReason } from "../sqlite-files.js";
import { type Claim, claimCache, forgetClaim, releaseClaim, releaseQuietly } from "./claim.js";
import { BatchChanges, changesOf, entriesChecksum, entryToRow, type EntryRow, opCrc, type OpRow } from "./rows.js";
import { batchKey, CACHE_SCHEMA_VERSION, checkCacheFile, metaValue, readEntries, UPGRADE_FROM_1, UPGRADE_TO_3 } from "./schema.js";

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

type StoreMode = "write" | "resume" | "rerun";

/** A cache file opened, checked and claimed for one replay: what its store works with. */
interface OpenedStore {
  readonly db: Database.Database;
  readonly runKey: string;
  readonly mode: StoreMode;
  /** Changes the interrupted run had already written, by the last input record of their batch. */
  readonly logged: ReadonlyMap<number, readonly string[]>;
  readonly lastLoggedSeq: number;
  readonly claim: Claim;
}

/** Input records whose cache changes share one transaction unless `--cache-batch` says otherwise. */
export const CACHE_BATCH_DEFAULT = 256;

export class SqliteCacheStore {
  private readonly insertOp: Database.Statement<[string, number, number, string, string]>;
  /** Writes one batch's changes as one row (seq: the batch's last input record) and counts it, in one transaction. */
  private readonly writeBatch: (seq: number, bodies: readonly string[]) => void;
  /** The changes of the batch under way (since the last multiple of recordsPerTransaction). */
  private batch = new BatchChanges();
  private recordsPerTransaction = CACHE_BATCH_DEFAULT;

  private readonly db: Database.Database;
  private readonly runKey: string;
  private readonly mode: StoreMode;
  /** Changes the interrupted run had already written, by the last input record of their batch. */
  private readonly logged: ReadonlyMap<number, readonly string[]>;
  private readonly lastLoggedSeq: number;
  /** This replay's claim on the file (meta `holder`), removed when it commits or aborts. */
  private readonly claim: Claim;

  private constructor(opened: OpenedStore) {
    const { db } = opened;
    this.db = db;
    this.runKey = opened.runKey;
    this.mode = opened.mode;
    this.logged = opened.logged;
    this.lastLoggedSeq = opened.lastLoggedSeq;
    this.claim = opened.claim;
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
      db = openDatabase(resolve(path), { fileMustExist: true, timeout });
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
      return { store: new SqliteCacheStore({ db, runKey, mode: "rerun", logged: new Map(), lastLoggedSeq: -1, claim }), entries: base, failure: null, resuming: false, rerun: true };
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
    return { store: new SqliteCacheStore({ db, runKey, mode: resuming ? "resume" : "write", logged, lastLoggedSeq, claim }), entries, failure: null, resuming, rerun: false };
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
    forgetClaim(this.claim);
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
      forgetClaim(this.claim);
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
