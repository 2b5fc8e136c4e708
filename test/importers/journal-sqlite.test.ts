// Engine SQLite journals → canonical journal.

import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUSY_WAIT_ENV } from "../../src/adapters/sqlite-files.js";
import { DataError } from "../../src/domain/errors.js";
import { runCli } from "../helpers/cli.js";
import { holdSqliteLock, readOnlyFolder } from "../faults/helpers.js";
import { dbFrom, E2E, importChecked, records, tmp } from "./helpers.js";

const SQL = readFileSync(join(E2E, "journal-sqlite", "journal.sql"), "utf8");

describe("import journal-sqlite: decisions, snapshots and times from an engine's journal", () => {
  it("turns broker_orders into decisions (axfl_id, strategy via map) with a startup snapshot and restart snapshots", () => {
    const r = records(importChecked("journal-sqlite", [dbFrom(SQL)]));
    expect(r.map((x) => x["type"])).toEqual(["snapshot", "decision", "restart", "snapshot", "decision"]);
    expect(r[0]).toMatchObject({ ts: "2025-10-20T07:59:00Z", positions: [] });
    expect(r[1]).toMatchObject({ ts: "2025-10-20T08:00:00.000000Z", decision_id: "T-0001", client_order_id: "AXFL::lsg::EURUSD::20251020080000::11111111", side: "buy", qty: "10000", ref_price: "1.08502", strategy: "lsg" });
    expect(r[3]).toMatchObject({ ts: "2025-10-20T11:00:00Z", positions: [{ symbol: "EURUSD", qty: "10000", avg_price: "1.08502" }] });
    expect(r[4]).toMatchObject({ decision_id: "order:6002", side: "sell", qty: "5000", strategy: "orb" });
  });

  it("an unknown schema is a clear data error naming the tables found", () => {
    const p = dbFrom("CREATE TABLE trades (id INTEGER, px REAL);");
    expect(() => importChecked("journal-sqlite", [p])).toThrow(DataError);
    expect(() => importChecked("journal-sqlite", [p])).toThrow(/broker_orders table .*this database has tables trades, a schema the importer does not know/);
    const q = dbFrom("CREATE TABLE broker_orders (order_id TEXT, symbol TEXT);");
    expect(() => importChecked("journal-sqlite", [q])).toThrow(/missing client_tag, side, units, entry, status, opened_at, closed_at/);
  });

  it("a naive journal time needs --tz, and with it is converted to UTC", () => {
    const naive = SQL.replaceAll("+00:00", "");
    expect(() => importChecked("journal-sqlite", [dbFrom(naive)])).toThrow(/a timestamp with a zone offset, or --tz/);
    const r = records(importChecked("journal-sqlite", [dbFrom(naive)], { tz: "Europe/London" }));
    expect(r.find((x) => x["type"] === "decision")!["ts"]).toBe("2025-10-20T07:00:00.000000Z");
  });
});

// ------------------------------------------------------------------ locked and read-only journals

/** The engine's journal as SQLite keeps it in WAL mode, written into `dir`, with nothing left in its -wal. */
function walJournalIn(dir: string): string {
  const path = join(dir, "journal.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec(SQL);
  db.close();
  return path;
}

/** One more order, committed by a writer killed before SQLite folded its -wal into the file; the -shm goes too. */
const LATE_ORDER = "INSERT INTO broker_orders VALUES ('6003','AXFL::lsg::EURUSD::20251020130000::33333333','EURUSD','long',2000,1.0861,NULL,NULL,'open','2025-10-20T13:00:00+00:00',NULL,'{}')";

function killedWriterLeavesWal(path: string): void {
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const script = `const db = new (require(${JSON.stringify(sqlite)}))(${JSON.stringify(path)}); db.pragma("wal_autocheckpoint = 0");
    db.exec(${JSON.stringify(LATE_ORDER)}); process.kill(process.pid, "SIGKILL");`;
  expect(spawnSync(process.execPath, ["-e", script]).signal).toBe("SIGKILL");
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
  rmSync(`${path}-shm`);
}

const importCli = (path: string, env: Record<string, string> = {}) => runCli(["import", "journal-sqlite", path], env);

describe("a locked or read-only journal is an I/O condition, not bad input", () => {
  it("held under another process's exclusive lock: waits sqlite_busy_wait_ms, then exit 74 naming the file, the lock and its holder", async () => {
    const path = dbFrom(SQL);
    const holder = await holdSqliteLock(path, "BEGIN EXCLUSIVE; SELECT COUNT(*) FROM broker_orders");
    try {
      const r = importCli(path, { [BUSY_WAIT_ENV]: "300" });
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`cannot read journal database ${path}: SQLite's lock on it is held by another process (pid ${holder.pid}); gave up after waiting sqlite_busy_wait_ms=300 ms`);
      expect(r.stdout).toBe("");
    } finally {
      await holder.release();
    }
  });

  it("a lock released within the wait: the import waits for it and succeeds", async () => {
    const path = dbFrom(SQL);
    const holder = await holdSqliteLock(path, "BEGIN EXCLUSIVE; SELECT COUNT(*) FROM broker_orders", 300);
    try {
      const r = importCli(path);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(importCli(dbFrom(SQL)).stdout);
    } finally {
      await holder.release();
    }
  });

  it("a WAL journal in a read-only folder (nothing pending beside it) is read", () => {
    const expected = importCli(walJournalIn(tmp()));
    expect(expected.status).toBe(0);
    const folder = readOnlyFolder((dir) => walJournalIn(dir));
    if (folder === null) return;
    try {
      const r = importCli(join(folder.dir, "journal.db"));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(expected.stdout);
    } finally {
      folder.release();
    }
  });

  it("a WAL journal in a read-only folder with committed rows still in its -wal: read with them", () => {
    const folder = readOnlyFolder((dir) => killedWriterLeavesWal(walJournalIn(dir)));
    if (folder === null) return;
    try {
      const r = importCli(join(folder.dir, "journal.db"));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("AXFL::lsg::EURUSD::20251020130000::33333333");
      expect(readdirSync(folder.dir).sort()).toEqual(["journal.db", "journal.db-wal"]);
    } finally {
      folder.release();
    }
  });

  it("a file that is not a database is still bad input (exit 65)", () => {
    const path = join(tmp(), "journal.db");
    writeFileSync(path, "not an sqlite file ".repeat(200));
    const r = importCli(path);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toContain("expected an SQLite database");
  });
});
