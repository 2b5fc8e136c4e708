// The order-id cache on disk: SQLite through better-sqlite3 (synchronous, so the replay stays one
// deterministic loop), WAL mode, written through after every replay step that changes it.
//
// Layout:
//   meta(key, value)       schema_version, entries_checksum (sha256 over the committed entries)
//   entries(...)           the cache as the last finished replay left it
//   runs(run_key, state)   one row per replay: run_key = sha256 of the inputs and the config
//   ops(run_key, seq, idx, body, crc)
//                          the current replay's changes, one transaction per input record
//
// A replay never edits `entries` while it runs; it appends its changes to `ops`. When it finishes,
// one transaction folds them into `entries` and marks the run complete. That split is what makes a
// killed replay resumable byte for byte: rerun with the same inputs, it recomputes every change,
// finds each one already in `ops` (and checks it is the same), and writes only what the killed run
// had not reached — so no order is ever recorded as sent twice. A replay over different inputs is a
// new engine start: it first folds any interrupted run's changes (they were acknowledged writes).

import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { crc32 } from "node:zlib";
import type { CacheEntry, CacheOp, CacheStatus } from "../core/cache.js";
import * as D from "../domain/decimal.js";
import { ConfigError, IoError } from "../domain/errors.js";
import type { Side } from "../domain/records.js";

export const CACHE_SCHEMA_VERSION = "1";

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
  client_order_id TEXT PRIMARY KEY, decision_id TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
  size TEXT NOT NULL, ref_price TEXT NOT NULL, filled_qty TEXT NOT NULL, ttl_utc_ms INTEGER NOT NULL,
  status TEXT NOT NULL);
CREATE TABLE runs (run_key TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE ops (run_key TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL,
  crc TEXT NOT NULL, PRIMARY KEY (run_key, seq, idx));
`;

interface EntryRow {
  client_order_id: string; decision_id: string; symbol: string; side: string; size: string;
  ref_price: string; filled_qty: string; ttl_utc_ms: number; status: string;
}

interface OpRow { seq: number; idx: number; body: string; crc: string }

// ------------------------------------------------------------------ (de)serialization

function entryToJson(e: CacheEntry): Record<string, string | number> {
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
  return op.op === "put" ? JSON.stringify({ op: "put", entry: entryToJson(op.entry) })
    : JSON.stringify({ op: "purge", client_order_ids: op.clientOrderIds });
}

/** CRC-32 of a change and its position: catches a torn or edited row (cheap enough to run per change). */
function opCrc(runKey: string, seq: number, idx: number, body: string): string {
  return crc32(`${runKey}|${seq}|${idx}|${body}`).toString(16).padStart(8, "0");
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
}

/** Creates an empty cache file. Refuses to overwrite one. */
export function initCache(path: string): void {
  if (existsSync(path)) throw new ConfigError(`a file already exists at ${path}; a cache is never overwritten`);
  try {
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.exec(SCHEMA);
    db.prepare("INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)")
      .run("schema_version", CACHE_SCHEMA_VERSION, "entries_checksum", entriesChecksum([]));
    db.close();
  } catch (err) {
    throw new IoError(`cannot create cache ${path}: ${(err as Error).message}`);
  }
}

export class SqliteCacheStore {
  private readonly insertOp: Database.Statement<[string, number, number, string, string]>;
  private readonly writeSteps: (steps: ReadonlyArray<readonly [number, readonly string[]]>) => void;
  private opsWritten = 0;
  /** Steps not yet written (only with records_per_transaction > 1). */
  private unwritten: Array<readonly [number, readonly string[]]> = [];
  private unwrittenRecords = 0;
  private recordsPerTransaction = 1;

  private constructor(
    private readonly db: Database.Database,
    private readonly runKey: string,
    /** Changes the interrupted run had already written, by input record index. */
    private readonly logged: ReadonlyMap<number, readonly string[]>,
    private readonly lastLoggedSeq: number,
  ) {
    this.insertOp = db.prepare("INSERT INTO ops (run_key, seq, idx, body, crc) VALUES (?, ?, ?, ?, ?)");
    this.writeSteps = db.transaction((steps: ReadonlyArray<readonly [number, readonly string[]]>) => {
      for (const [seq, bodies] of steps) {
        bodies.forEach((body, idx) => this.insertOp.run(this.runKey, seq, idx, body, opCrc(this.runKey, seq, idx, body)));
      }
    });
  }

  /** Opens the cache for a replay identified by `runKey`. Load problems are returned, never thrown. */
  static open(path: string, runKey: string): CacheOpenResult {
    const failed = (failure: string): CacheOpenResult => ({ store: null, entries: [], failure, resuming: false });
    // File names only: the failure is written into the artifacts, which never hold a path.
    if (!existsSync(path)) return failed(`cache file ${basename(path)} missing (create one with: recon-proof cache init)`);
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
    } catch (err) {
      return failed(`cache unreadable: ${(err as Error).message}`);
    }
    try {
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(`SQLite integrity check: ${String(check)}`);
      const version = (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value?: string } | undefined)?.value;
      if (version !== CACHE_SCHEMA_VERSION) throw new Error(`schema version ${version ?? "missing"}, expected ${CACHE_SCHEMA_VERSION}`);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL"); // WAL + NORMAL survives a killed process; see README
      const rows = db.prepare("SELECT * FROM entries").all() as EntryRow[];
      const stored = (db.prepare("SELECT value FROM meta WHERE key = 'entries_checksum'").get() as { value?: string } | undefined)?.value;
      if (stored !== entriesChecksum(rows)) throw new Error("checksum mismatch: the entries are not the ones last written");
      rows.forEach(entryFromRow); // validates every row before anything is written

      const interrupted = db.prepare("SELECT run_key FROM runs WHERE state = 'running' AND run_key <> ?").all(runKey) as { run_key: string }[];
      for (const r of interrupted) foldRun(db, r.run_key, "abandoned");
      const mine = db.prepare("SELECT state FROM runs WHERE run_key = ?").get(runKey) as { state: string } | undefined;
      const resuming = mine?.state === "running";
      if (!resuming) {
        db.prepare("INSERT OR REPLACE INTO runs (run_key, state) VALUES (?, 'running')").run(runKey);
        db.prepare("DELETE FROM ops WHERE run_key = ?").run(runKey);
      }
      const logged = new Map<number, string[]>();
      let lastLoggedSeq = -1;
      for (const op of db.prepare("SELECT seq, idx, body, crc FROM ops WHERE run_key = ? ORDER BY seq, idx").all(runKey) as OpRow[]) {
        if (op.crc !== opCrc(runKey, op.seq, op.idx, op.body)) throw new Error(`checksum mismatch in the interrupted run's change ${op.seq}.${op.idx}`);
        const list = logged.get(op.seq) ?? [];
        list.push(op.body);
        logged.set(op.seq, list);
        lastLoggedSeq = op.seq;
      }
      const entries = (db.prepare("SELECT * FROM entries").all() as EntryRow[]).map(entryFromRow);
      return { store: new SqliteCacheStore(db, runKey, logged, lastLoggedSeq), entries, failure: null, resuming };
    } catch (err) {
      db.close();
      return failed(`cache rejected: ${(err as Error).message}`);
    }
  }

  /**
   * Writes the changes of input record `seq` in one transaction, or, when resuming, checks them
   * against what the interrupted run wrote for that record.
   */
  /**
   * Group commit: write the changes of up to `n` input records per transaction instead of one.
   * A kill loses at most the last `n` records' changes, which the resumed replay recomputes and
   * writes (it is deterministic), so resume stays byte-identical and no order is recorded as sent
   * twice; what is given up is that each change is on disk before the next record is replayed.
   */
  setRecordsPerTransaction(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`records per cache transaction: a whole number >= 1, got ${n}`);
    this.recordsPerTransaction = n;
  }

  apply(seq: number, ops: readonly CacheOp[]): void {
    const bodies = ops.map(opBody);
    if (seq <= this.lastLoggedSeq) {
      const before = this.logged.get(seq) ?? [];
      if (before.length !== bodies.length || before.some((b, i) => b !== bodies[i])) {
        throw new IoError(`the resumed replay differs from the interrupted one at input record ${seq + 1}: the cache does not belong to these inputs`);
      }
      return;
    }
    if (bodies.length > 0) this.unwritten.push([seq, bodies]);
    this.unwrittenRecords += 1;
    if (this.unwrittenRecords >= this.recordsPerTransaction) this.flush();
  }

  private flush(): void {
    const steps = this.unwritten;
    this.unwritten = [];
    this.unwrittenRecords = 0;
    if (steps.length === 0) return;
    try {
      this.writeSteps(steps);
      for (const [, bodies] of steps) this.opsWritten += bodies.length;
    } catch (err) {
      throw new IoError(`cannot write the order-id cache: ${(err as Error).message}`);
    }
  }

  /**
   * The replay finished and its artifacts are written: its final cache becomes the entries, and its
   * change log is closed, in one transaction. (The final state is the fold of the logged changes —
   * the replay is deterministic — so it is written directly rather than re-derived from the log.)
   */
  commit(finalEntries: readonly CacheEntry[]): void {
    try {
      // Changes not yet written need not be: the final entries below are their fold.
      this.unwritten = [];
      this.db.transaction(() => {
        this.db.prepare("DELETE FROM entries").run();
        const insert = this.db.prepare(`INSERT INTO entries
          (client_order_id, decision_id, symbol, side, size, ref_price, filled_qty, ttl_utc_ms, status)
          VALUES (@client_order_id, @decision_id, @symbol, @side, @size, @ref_price, @filled_qty, @ttl_utc_ms, @status)`);
        for (const e of finalEntries) insert.run(entryToJson(e));
        this.db.prepare("DELETE FROM ops WHERE run_key = ?").run(this.runKey);
        this.db.prepare("UPDATE runs SET state = 'complete' WHERE run_key = ?").run(this.runKey);
        const rows = this.db.prepare("SELECT * FROM entries").all() as EntryRow[];
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('entries_checksum', ?)").run(entriesChecksum(rows));
      })();
    } catch (err) {
      throw new IoError(`cannot commit the order-id cache: ${(err as Error).message}`);
    } finally {
      this.db.close();
    }
  }

  /** The replay stopped on bad input: forget its changes, leaving the cache as it was. */
  abort(): void {
    try {
      this.db.transaction(() => {
        this.db.prepare("DELETE FROM ops WHERE run_key = ?").run(this.runKey);
        this.db.prepare("DELETE FROM runs WHERE run_key = ?").run(this.runKey);
      })();
    } finally {
      this.db.close();
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
      const parsed = JSON.parse(op.body) as { op: string; entry?: EntryRow; client_order_ids?: string[] };
      if (parsed.op === "put" && parsed.entry !== undefined) upsert.run(parsed.entry);
      else for (const id of parsed.client_order_ids ?? []) remove.run(id);
    }
    db.prepare("DELETE FROM ops WHERE run_key = ?").run(runKey);
    db.prepare("UPDATE runs SET state = ? WHERE run_key = ?").run(state, runKey);
    const rows = db.prepare("SELECT * FROM entries").all() as EntryRow[];
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('entries_checksum', ?)").run(entriesChecksum(rows));
  })();
}

/** The cache as JSON for Ops (`recon-proof cache dump`): entries, runs, pending changes, integrity. */
export function dumpCache(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new IoError(`no cache at ${path}`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new IoError(`cannot open cache ${path}: ${(err as Error).message}`);
  }
  try {
    const rows = (db.prepare("SELECT * FROM entries ORDER BY client_order_id").all() as EntryRow[]);
    const meta = Object.fromEntries((db.prepare("SELECT key, value FROM meta ORDER BY key").all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    return {
      schema_version: meta["schema_version"] ?? null,
      checksum_ok: meta["entries_checksum"] === entriesChecksum(rows),
      entries: rows.map((r) => ({ ...r, ttl_utc: new Date(r.ttl_utc_ms).toISOString() })),
      runs: db.prepare("SELECT run_key, state FROM runs ORDER BY run_key").all(),
      pending_changes: (db.prepare("SELECT COUNT(*) AS n FROM ops").get() as { n: number }).n,
    };
  } catch (err) {
    throw new IoError(`cannot read cache ${path}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}
