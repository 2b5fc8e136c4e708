// The order-id cache on disk (issue: restart-safe idempotency): load failures engage the kill
// switch and never start empty; entries close on fill and cancel; a new run over other inputs
// blocks still-live ids; bad input leaves the cache as it was; and a model-based test of the cache
// against a plain Map, with reopen-from-disk steps.

import Database from "better-sqlite3";
import fc from "fast-check";
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initCache } from "../src/adapters/cache/schema.js";
import { SqliteCacheStore } from "../src/adapters/cache/store.js";
import { type CacheEntry, OrderIdCache } from "../src/core/books/cache.js";
import * as D from "../src/domain/decimal.js";
import { readArtifacts, runCli, SCENARIOS, tempDir } from "./helpers/cli.js";

function replayWithCache(scenario: string, cache: string, out: string, journal?: string, broker?: string) {
  const dir = join(SCENARIOS, scenario);
  return runCli(["replay", "--journal", journal ?? join(dir, "journal.jsonl"), "--broker", broker ?? join(dir, "broker.jsonl"),
    "--config", join(dir, "config.json"), "--cache", cache, "--out", out]);
}

function freshCache(): string {
  const path = join(tempDir(), "cache.db");
  initCache(path);
  return path;
}

function dump(path: string): { entries: Array<{ client_order_id: string; status: string; filled_qty: string }>; checksum_ok: boolean } {
  const r = runCli(["cache", "dump", path]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("a cache that cannot be trusted engages the kill switch, and is left as it was", () => {
  const broken: Array<[string, (path: string) => void, RegExp]> = [
    ["missing", () => undefined, /cache file cache\.db missing/],
    ["not a database", (p) => writeFileSync(p, "this is not sqlite ".repeat(100)), /cache (unreadable|rejected)/],
    ["truncated", (p) => { initCache(p); const db = new Database(p); db.pragma("journal_mode = DELETE"); for (let i = 0; i < 200; i++) db.prepare("INSERT INTO entries VALUES (?, 'D', 'EURUSD', 'buy', '1', '1', '0', 9999999999999, 'sent')").run(`id-${i}`); db.close(); truncateSync(p, Math.floor(statSync(p).size / 2)); }, /cache (unreadable|rejected)/],
    ["wrong schema version", (p) => { initCache(p); const db = new Database(p); db.prepare("UPDATE meta SET value = '0' WHERE key = 'schema_version'").run(); db.close(); }, /schema version 0, expected 3/],
    ["checksum mismatch", (p) => { initCache(p); const db = new Database(p); db.prepare("INSERT INTO entries VALUES ('X', 'D', 'EURUSD', 'buy', '1', '1', '0', 1, 'sent')").run(); db.close(); }, /checksum mismatch/],
  ];
  for (const [name, make, why] of broken) {
    it(`${name}: cache_ok=false, ALERT_IDEMPOTENCY_PERSISTENCE_FAILED, kill switch (exit 3), file untouched`, () => {
      const path = join(tempDir(), "cache.db");
      make(path);
      const before = name === "missing" ? null : readFileSync(path);
      const out = join(tempDir(), "out");
      const r = replayWithCache("healthy", path, out);
      expect(r.status, r.stderr).toBe(3);
      const a = readArtifacts(out);
      expect(a["summary.txt"]!.split("\n")[0]).toMatch(/cache_ok=false$/);
      expect(a["summary.txt"]).toContain("kill_switch_reasons=cache_load_failed");
      expect(a["reconcile-report.json"]).toContain(`"alert": "ALERT_IDEMPOTENCY_PERSISTENCE_FAILED"`);
      expect(JSON.parse(a["reconcile-report.json"]!).cache.failure).toMatch(why);
      if (before !== null) expect(readFileSync(path).equals(before)).toBe(true);
    });
  }
});

describe("entries through a replay", () => {
  it("fills and cancels close the entries; the artifacts equal an in-memory replay's", () => {
    const cache = freshCache();
    const out = join(tempDir(), "out");
    expect(replayWithCache("healthy", cache, out).status).toBe(0);
    const entries = dump(cache).entries;
    expect(entries).toHaveLength(5);
    expect(entries.every((e) => e.status === "closed")).toBe(true);
    expect(dump(cache).checksum_ok).toBe(true);
    const mem = join(tempDir(), "mem");
    const dir = join(SCENARIOS, "healthy");
    runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json"), "--out", mem]);
    expect(readArtifacts(out)).toEqual(readArtifacts(mem));
  });

  it("a replay over other inputs with the same cache is a new engine start: live ids are blocked as duplicates", () => {
    const cache = freshCache();
    expect(replayWithCache("healthy", cache, join(tempDir(), "a")).status).toBe(0);
    // The same journal with its snapshot moved one second: other inputs, same decisions. The broker
    // shows only its opening lines this time (its fills of those orders again would be overfills of
    // orders the cache holds as filled: the kill switch, not this test's subject).
    const dir = join(SCENARIOS, "healthy");
    const journal = join(tempDir(), "journal.jsonl");
    writeFileSync(journal, readFileSync(join(dir, "journal.jsonl"), "utf8").replace("06:59:00Z", "06:59:01Z"));
    const broker = join(tempDir(), "broker.jsonl");
    writeFileSync(broker, readFileSync(join(dir, "broker.jsonl"), "utf8").split("\n").slice(0, 2).join("\n") + "\n");
    const out = join(tempDir(), "b");
    expect(replayWithCache("healthy", cache, out, journal, broker).status).toBe(0);
    const summary = readArtifacts(out)["summary.txt"]!;
    expect(summary).toContain("duplicates_skipped=5\n");
    expect(summary).toContain("orders_sent=0\n");
  });

  it("a cache of schema 1 (before base entries and change counts) is upgraded in place and used", () => {
    const path = join(tempDir(), "v1.db");
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE entries (client_order_id TEXT PRIMARY KEY, decision_id TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
        size TEXT NOT NULL, ref_price TEXT NOT NULL, filled_qty TEXT NOT NULL, ttl_utc_ms INTEGER NOT NULL, status TEXT NOT NULL);
      CREATE TABLE runs (run_key TEXT PRIMARY KEY, state TEXT NOT NULL);
      CREATE TABLE ops (run_key TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL, crc TEXT NOT NULL, PRIMARY KEY (run_key, seq, idx));
      INSERT INTO meta VALUES ('schema_version', '1'), ('entries_checksum', '${"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}');`);
    db.close();
    const out = join(tempDir(), "out");
    expect(replayWithCache("healthy", path, out).status).toBe(0);
    expect(readArtifacts(out)["summary.txt"]!.split("\n")[0]).toMatch(/cache_ok=true$/);
    expect(dump(path).entries).toHaveLength(5);
  });

  it("bad input stops the replay and leaves the cache exactly as it was", () => {
    const cache = freshCache();
    expect(replayWithCache("healthy", cache, join(tempDir(), "a")).status).toBe(0);
    const before = dump(cache);
    const journal = join(tempDir(), "journal.jsonl");
    const lines = readFileSync(join(SCENARIOS, "healthy", "journal.jsonl"), "utf8").trimEnd().split("\n");
    writeFileSync(journal, [...lines.slice(0, 3), `{"type":"decision","ts":"2025-10-20T23:00:00Z"}`].join("\n") + "\n");
    const r = replayWithCache("healthy", cache, join(tempDir(), "b"), journal);
    expect(r.status).toBe(65);
    expect(dump(cache)).toEqual(before);
  });
});

// ------------------------------------------------------------------ model-based test

interface Model { entries: Map<string, { status: string; filled: number; ttl: number }>; now: number }
interface Real { cache: OrderIdCache; store: SqliteCacheStore; path: string; seq: number; run: number }

const IDS = ["a", "b", "c", "d"];
const entryFor = (id: string, ttl: number): CacheEntry => ({
  clientOrderId: id, decisionId: `D-${id}`, symbol: "EURUSD", side: "buy", size: D.decFromInt(10),
  refPrice: D.parseDec("1.1")!, filledQty: D.ZERO, ttlUtcMs: ttl, status: "sent",
});

function persist(r: Real): void {
  r.store.apply(r.seq, r.cache.drainOps());
  r.seq += 1;
}

class SendCommand implements fc.Command<Model, Real> {
  constructor(readonly id: string, readonly ttlMs: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const ttl = m.now + this.ttlMs;
    r.cache.recordSent(entryFor(this.id, ttl), m.now, 1);
    persist(r);
    m.entries.set(this.id, { status: "sent", filled: 0, ttl });
  }
  toString = () => `send(${this.id}, ttl=${this.ttlMs})`;
}

class UpdateCommand implements fc.Command<Model, Real> {
  constructor(readonly id: string, readonly status: "pending_fill" | "closed", readonly filled: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.cache.update(this.id, this.status, D.decFromInt(this.filled));
    persist(r);
    const e = m.entries.get(this.id);
    if (e !== undefined && !(e.status === "closed" && this.status !== "closed")) m.entries.set(this.id, { ...e, status: this.status, filled: this.filled });
  }
  toString = () => `update(${this.id}, ${this.status}, ${this.filled})`;
}

class PurgeCommand implements fc.Command<Model, Real> {
  constructor(readonly advanceMs: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.now += this.advanceMs;
    const purged = r.cache.purgeExpired(m.now);
    persist(r);
    const expected = [...m.entries].filter(([, e]) => e.ttl <= m.now).map(([id]) => id);
    for (const id of expected) m.entries.delete(id);
    expect(purged).toBe(expected.length);
  }
  toString = () => `purge(+${this.advanceMs})`;
}

/** Finish the run (fold into entries), reopen the file as a new run, and rebuild the in-memory cache from disk. */
class ReopenCommand implements fc.Command<Model, Real> {
  check = () => true;
  run(_m: Model, r: Real): void {
    r.store.commit(r.cache.allEntries());
    r.run += 1;
    const opened = SqliteCacheStore.open(r.path, `run-${r.run}`);
    expect(opened.failure).toBeNull();
    r.store = opened.store!;
    r.cache = new OrderIdCache(opened.entries, 1000);
    r.seq = 0;
  }
  toString = () => "reopen";
}

function agree(m: Model, r: Real): void {
  for (const id of IDS) {
    const e = r.cache.get(id);
    const want = m.entries.get(id);
    expect(e === undefined ? undefined : { status: e.status, filled: Number(D.toPlain(e.filledQty)), ttl: e.ttlUtcMs }).toEqual(want);
    expect(r.cache.live(id, m.now) !== undefined).toBe(want !== undefined && want.ttl > m.now);
  }
}

describe("order-id cache, model-based (fast-check commands against a Map, with reopen from disk)", () => {
  it("the cache, written through to SQLite and reopened at any point, always equals the model", () => {
    const id = fc.constantFrom(...IDS);
    const commands = [
      fc.tuple(id, fc.integer({ min: 1, max: 500 })).map(([i, t]) => new SendCommand(i, t)),
      fc.tuple(id, fc.constantFrom("pending_fill" as const, "closed" as const), fc.integer({ min: 0, max: 10 })).map(([i, s, f]) => new UpdateCommand(i, s, f)),
      fc.integer({ min: 0, max: 300 }).map((a) => new PurgeCommand(a)),
      fc.constant(new ReopenCommand()),
    ];
    fc.assert(fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
      const path = join(tempDir(), "model.db");
      initCache(path);
      const opened = SqliteCacheStore.open(path, "run-0");
      const real: Real = { cache: new OrderIdCache(opened.entries, 1000), store: opened.store!, path, seq: 0, run: 0 };
      const model: Model = { entries: new Map(), now: 0 };
      fc.modelRun(() => ({ model, real }), [...cmds].flatMap((c) => [c, { check: () => true, run: (m: Model, r: Real) => agree(m, r), toString: () => "" } as fc.Command<Model, Real>]));
      real.store.commit(real.cache.allEntries());
    }), { numRuns: 60 });
  });

  it("a copy of a cache taken while a run was under way resumes without writing its changes twice", () => {
    const path = join(tempDir(), "c.db");
    initCache(path);
    const first = SqliteCacheStore.open(path, "same-run");
    const cache = new OrderIdCache(first.entries, 10);
    cache.recordSent(entryFor("a", 100), 0, 1);
    first.store!.apply(0, cache.drainOps());
    // The process "dies" here: a copy of the file is what survives.
    const copy = join(tempDir(), "copy.db");
    copyFileSync(path, copy);
    for (const suffix of ["-wal", "-shm"]) {
      try { copyFileSync(path + suffix, copy + suffix); } catch { /* no WAL file yet */ }
    }
    first.store!.close(); // the process is gone: its claim in the copy is a dead holder's
    const again = SqliteCacheStore.open(copy, "same-run");
    expect(again.resuming).toBe(true);
    const replayed = new OrderIdCache(again.entries, 10);
    replayed.recordSent(entryFor("a", 100), 0, 1);
    again.store!.apply(0, replayed.drainOps()); // verified, not re-written
    replayed.recordSent(entryFor("b", 100), 0, 2);
    again.store!.apply(1, replayed.drainOps());
    again.store!.commit(replayed.allEntries());
    const db = new Database(copy, { readonly: true });
    expect((db.prepare("SELECT client_order_id FROM entries ORDER BY 1").all() as Array<{ client_order_id: string }>).map((r) => r.client_order_id)).toEqual(["a", "b"]);
    db.close();
  });
});

describe("group commit (the default): one row per batch, one change per entry it changed", () => {
  it("an order sent, accepted and filled inside one batch is one change, as it ended", () => {
    const path = join(tempDir(), "c.db");
    initCache(path);
    const store = SqliteCacheStore.open(path, "batch-run").store!;
    store.setRecordsPerTransaction(4);
    const cache = new OrderIdCache([], 10);
    cache.recordSent(entryFor("a", 100), 0, 1);
    store.apply(0, cache.drainOps());
    cache.update("a", "pending_fill", D.ZERO);
    store.apply(1, cache.drainOps());
    cache.update("a", "closed", D.decFromInt(10));
    cache.recordSent(entryFor("b", 100), 0, 3);
    store.apply(2, cache.drainOps());
    store.apply(3, cache.drainOps()); // the batch of records 0-3 ends here
    store.close(); // as a killed process leaves it
    const db = new Database(path, { readonly: true });
    const rows = db.prepare("SELECT seq, idx, body FROM ops ORDER BY seq, idx").all() as Array<{ seq: number; idx: number; body: string }>;
    db.close();
    expect(rows.map((r) => [r.seq, r.idx])).toEqual([[3, 0]]);
    const changes = rows[0]!.body.split("\n").map((line) => JSON.parse(line) as { entry: { client_order_id: string; status: string } });
    expect(changes.map((c) => [c.entry.client_order_id, c.entry.status])).toEqual([["a", "closed"], ["b", "sent"]]);
  });
});
