// Fault suite: the order-id cache on disk. A damaged pending log is a cache failure (kill switch),
// never wiped; rerunning a completed replay on its cache gives the same bytes; a full disk under
// the cache is exit 74 with the cache intact; of two replays on one cache exactly one runs, the
// other told which replay holds it (also when both start at the same instant), and a holder that
// died is taken over; `cache dump` reads a cache in use, or in a read-only folder.

import Database from "better-sqlite3";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { initCache } from "../../src/adapters/cache/schema.js";
import { FAULT_ENV } from "../../src/adapters/fault-points.js";
import { BUSY_WAIT_ENV } from "../../src/adapters/sqlite-files.js";
import { holdSqliteLock, readOnlyFolder, stopped } from "./helpers.js";
import { CLI, readArtifacts, runCli, SCENARIOS, tempDir } from "../helpers/cli.js";
import { pendingLogIds } from "../helpers/kill.js";

const HEALTHY = join(SCENARIOS, "healthy");

function replayArgs(cache: string, out: string, dir = HEALTHY): string[] {
  return ["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json"), "--cache", cache, "--out", out];
}

function freshCache(): string {
  const path = join(tempDir(), "cache.db");
  initCache(path);
  return path;
}

/** Every row of every table: what "nothing deleted" is checked against (the file's bytes may
 * change when SQLite checkpoints its WAL on close). */
function contents(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

function edit(path: string, sql: string): void {
  const db = new Database(path, { fileMustExist: true });
  db.exec(sql);
  db.close();
}

const baseline = (() => {
  let artifacts: Record<string, string> | null = null;
  return () => {
    if (artifacts === null) {
      const out = join(tempDir(), "base");
      expect(runCli(replayArgs(freshCache(), out)).status).toBe(0);
      artifacts = readArtifacts(out);
    }
    return artifacts;
  };
})();

/** A cache holding a replay of the healthy scenario killed after its record `n` (written through, so its log has rows). */
function interruptedCache(n: number): string {
  const cache = freshCache();
  expect(runCli([...replayArgs(cache, join(tempDir(), "killed")), "--cache-batch", "1"], { [FAULT_ENV]: `record@${n}:kill` }).status).toBe(-1);
  return cache;
}

describe("a damaged pending log is a cache failure, and nothing is deleted", () => {
  const damage: Array<[string, string]> = [
    ["a missing change row", "DELETE FROM ops WHERE rowid = (SELECT MAX(rowid) FROM ops)"],
    ["a missing run row", "DELETE FROM runs"],
    ["a run marked complete whose changes were never folded", "UPDATE runs SET state = 'complete'"],
  ];
  for (const [name, sql] of damage) {
    it(`${name}: cache_ok=false, kill switch (exit 3), the log left as it was`, () => {
      const cache = interruptedCache(12);
      edit(cache, sql);
      const before = contents(cache);
      const out = join(tempDir(), "out");
      const r = runCli(replayArgs(cache, out));
      expect(r.status, r.stderr).toBe(3);
      expect(readArtifacts(out)["summary.txt"]!.split("\n")[0]).toMatch(/cache_ok=false$/);
      expect(JSON.parse(readArtifacts(out)["reconcile-report.json"]!).cache.failure).toMatch(/pending/);
      expect(contents(cache)).toEqual(before);
    });
  }
});

describe("rerunning a completed replay on its cache", () => {
  it("gives the same artifacts, byte for byte, and leaves the cache as the first run left it", () => {
    const cache = freshCache();
    const first = join(tempDir(), "first");
    expect(runCli(replayArgs(cache, first)).status).toBe(0);
    const after = contents(cache);
    const again = join(tempDir(), "again");
    const r = runCli(replayArgs(cache, again));
    expect(r.status, r.stderr).toBe(0);
    expect(readArtifacts(again)).toEqual(readArtifacts(first));
    expect(contents(cache)).toEqual(after);
  });

  it("a kill after the cache commit, before exit, resumes to the same result", () => {
    const cache = freshCache();
    const out = join(tempDir(), "out");
    expect(runCli(replayArgs(cache, out), { [FAULT_ENV]: "cache-committed:kill" }).status).toBe(-1);
    expect(runCli(replayArgs(cache, out)).status).toBe(0);
    expect(readArtifacts(out)).toEqual(baseline());
  });
});

/**
 * A generated scenario, its uninterrupted artifacts, and a cache holding a replay of it killed at
 * record 600 (past the default batch's second end, record 512).
 */
function killedAtRecord600(more: readonly string[]): { scenario: string; expected: string; cache: string } {
  const scenario = join(tempDir(), "scenario");
  expect(runCli(["gen", "--seed", "18", "--events", "3000", "--out", scenario]).status).toBe(0);
  const expected = join(tempDir(), "expected");
  expect(runCli(replayArgs(freshCache(), expected, scenario)).status).toBe(0);
  const cache = freshCache();
  const killed = runCli([...replayArgs(cache, join(tempDir(), "killed"), scenario), ...more], { [FAULT_ENV]: "record@600:kill" });
  expect(killed.status).toBe(-1);
  return { scenario, expected, cache };
}

/** Resumes the killed replay: it must end exactly as the uninterrupted one. */
function resumeMatches({ scenario, expected, cache }: { scenario: string; expected: string; cache: string }): void {
  const out = join(tempDir(), "out");
  const r = runCli(replayArgs(cache, out, scenario));
  expect(r.status, r.stderr).toBe(0);
  expect(readArtifacts(out)).toEqual(readArtifacts(expected));
}

describe("a run killed by a build that did not keep its batch size in the file", () => {
  it("resumes record by record, as that build logged it, to the same artifacts", () => {
    // Its changes logged one record at a time.
    const killed = killedAtRecord600(["--cache-batch", "1"]);
    edit(killed.cache, "DELETE FROM meta WHERE key LIKE 'batch:%'");
    resumeMatches(killed);
  });
});

describe("a schema 2 file this build rejects", () => {
  it("is left as it was, still at schema 2 (the upgrade is written only once every check passed)", () => {
    const cache = freshCache();
    // Another run's log row whose CRC is right but whose body is not a change: found only when folded.
    const body = "not a change";
    const runKey = "f".repeat(64);
    edit(cache, `UPDATE meta SET value = '2' WHERE key = 'schema_version';
      INSERT INTO runs (run_key, state, changes) VALUES ('${runKey}', 'running', 1);
      INSERT INTO ops (run_key, seq, idx, body, crc) VALUES ('${runKey}', 0, 0, '${body}', '${crc32(`${runKey}|0|0|${body}`).toString(16).padStart(8, "0")}');`);
    const before = contents(cache);
    const out = join(tempDir(), "out");
    const r = runCli(replayArgs(cache, out));
    expect(r.status, r.stderr).toBe(3);
    expect(JSON.parse(readArtifacts(out)["reconcile-report.json"]!).cache.failure).toMatch(/^cache rejected: /);
    expect(contents(cache)).toEqual(before);
  });
});

describe("a run killed by a schema 2 build (one log row per entry changed, not per batch)", () => {
  it("is upgraded to schema 3, resumed to the same artifacts, and nothing is recorded as sent twice", () => {
    const killed = killedAtRecord600([]);
    const cache = killed.cache;
    // Rewrite the log as schema 2 wrote it: each batch's changes as rows 0, 1, 2, ... of one line each.
    const db = new Database(cache, { fileMustExist: true });
    const rows = db.prepare("SELECT run_key, seq, body FROM ops ORDER BY seq").all() as Array<{ run_key: string; seq: number; body: string }>;
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.some((r) => r.body.includes("\n"))).toBe(true);
    db.exec("DELETE FROM ops");
    const insert = db.prepare("INSERT INTO ops (run_key, seq, idx, body, crc) VALUES (?, ?, ?, ?, ?)");
    let count = 0;
    for (const r of rows) {
      r.body.split("\n").forEach((line, idx) => {
        insert.run(r.run_key, r.seq, idx, line, crc32(`${r.run_key}|${r.seq}|${idx}|${line}`).toString(16).padStart(8, "0"));
        count += 1;
      });
    }
    db.prepare("UPDATE runs SET changes = ?").run(count);
    db.exec("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    db.close();
    // Resumed, then killed after its artifacts and before its cache commit: the log then holds the
    // schema 2 rows and the resumed run's schema 3 rows, and no order may be in it as sent twice.
    const beforeCommit = runCli(replayArgs(cache, join(tempDir(), "resumed"), killed.scenario), { [FAULT_ENV]: "commit-done:kill" });
    expect(beforeCommit.status, beforeCommit.stderr).toBe(-1);
    const log = pendingLogIds(cache);
    const killedIds = new Set(rows.flatMap((r) => r.body.split("\n").map((l) => (JSON.parse(l) as { entry?: { client_order_id: string } }).entry?.client_order_id)).filter((id) => id !== undefined));
    expect(log.named.size).toBeGreaterThan(killedIds.size); // the resumed run's batches are there too
    expect(log.sentAgain).toEqual([]);
    // `cache dump` counts changes (lines), not rows (a schema 3 row is a batch).
    const check = new Database(cache, { readonly: true, fileMustExist: true });
    const lines = (check.prepare("SELECT body FROM ops").all() as Array<{ body: string }>).reduce((n, r) => n + r.body.split("\n").length, 0);
    const rowCount = (check.prepare("SELECT COUNT(*) AS n FROM ops").get() as { n: number }).n;
    check.close();
    expect(lines).toBeGreaterThan(rowCount);
    expect(JSON.parse(runCli(["cache", "dump", cache]).stdout).pending_changes).toBe(lines);
    resumeMatches(killed);
    expect(JSON.parse(runCli(["cache", "dump", cache]).stdout).schema_version).toBe("3");
  });
});
describe("a full disk under the cache", () => {
  it("exit 74 with a message (no stack trace), and the cache intact: the next run resumes to the same result", () => {
    const scenario = join(tempDir(), "scenario");
    expect(runCli(["gen", "--seed", "16", "--events", "3000", "--out", scenario]).status).toBe(0);
    const cache = freshCache();
    const out = join(tempDir(), "out");
    // 200 KiB: the cache's write-ahead log reaches it after a few dozen transactions.
    const r = spawnSync("bash", ["-c", `ulimit -f 200 && exec "$0" "$@"`, process.execPath, CLI, ...replayArgs(cache, out, scenario)], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(74);
    expect(r.stderr).toContain("order-id cache");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const db = new Database(cache, { readonly: true, fileMustExist: true });
    expect(db.pragma("quick_check", { simple: true })).toBe("ok");
    db.close();
    const resumed = join(tempDir(), "resumed");
    expect(runCli(replayArgs(cache, resumed, scenario)).status).toBe(0);
    const clean = join(tempDir(), "clean");
    expect(runCli(replayArgs(freshCache(), clean, scenario)).status).toBe(0);
    expect(readArtifacts(resumed)).toEqual(readArtifacts(clean));
  });
});

/** A replay started in the background (with a fault set, if any): its process, exit and stderr. */
function startReplay(cache: string, out: string, fault?: string) {
  const child = spawn(process.execPath, [CLI, ...replayArgs(cache, out)], {
    env: { ...process.env, ...(fault === undefined ? {} : { [FAULT_ENV]: fault }) }, stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve((code = c))));
  return { pid: child.pid!, exited, stderr: () => stderr, code: () => code, cont: () => process.kill(child.pid!, "SIGCONT") };
}
type Started = ReturnType<typeof startReplay>;

/** Resolves once the replay has exited or is stopped (SIGSTOP): "exited" or "stopped". */
async function exitedOrStopped(r: Started): Promise<"exited" | "stopped"> {
  for (;;) {
    if (r.code() !== undefined) return "exited";
    let state = "";
    try {
      const stat = readFileSync(`/proc/${r.pid}/stat`, "utf8");
      state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    } catch {
      // gone: its exit is on its way
    }
    if (state === "T") return "stopped";
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The claim row a replay writes into the cache (meta `holder`), or undefined. */
function claimRow(cache: string): string | undefined {
  return (contents(cache)["meta"] as Array<{ key: string; value: string }>).find((r) => r.key === "holder")?.value;
}

/** This process's start time as the claim records it (Linux), for a claim naming this process. */
function startedOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

describe("two replays on one cache", () => {
  it("the second is told which replay holds the cache (exit 74); the first finishes as if alone", async () => {
    const cache = freshCache();
    const firstOut = join(tempDir(), "first");
    const first = startReplay(cache, firstOut, "record@10:stop");
    await stopped(first.pid);
    const second = runCli(replayArgs(cache, join(tempDir(), "second")));
    first.cont();
    expect(second.status, second.stderr).toBe(74);
    expect(second.stderr).toContain(`another replay holds the order-id cache ${cache} (pid ${first.pid})`);
    expect(await first.exited).toBe(0);
    expect(readArtifacts(firstOut)).toEqual(baseline());
    expect(claimRow(cache)).toBeUndefined(); // released with the commit
  });

  it("two replays started at the same instant: exactly one claims the cache, every time (20 pairs)", async () => {
    for (let pair = 0; pair < 20; pair++) {
      const cache = freshCache();
      // Each stops just before its claim; both are continued together. The one that claims stops
      // again at its first record, holding the cache, so the other must find it held.
      const [a, b] = ["a", "b"].map((n) => startReplay(cache, join(tempDir(), n), "cache-claim:stop,record@1:stop")) as [Started, Started];
      await Promise.all([stopped(a.pid), stopped(b.pid)]);
      a.cont();
      b.cont();
      const states = await Promise.all([exitedOrStopped(a), exitedOrStopped(b)]);
      const holder = states[0] === "stopped" ? a : b;
      const loser = holder === a ? b : a;
      expect(states.sort(), `pair ${pair}: ${a.stderr()} | ${b.stderr()}`).toEqual(["exited", "stopped"]);
      expect(loser.code(), loser.stderr()).toBe(74);
      expect(loser.stderr()).toContain(`another replay holds the order-id cache ${cache} (pid ${holder.pid})`);
      holder.cont();
      expect(await holder.exited, holder.stderr()).toBe(0);
    }
  });

  it("a replay that starts while another process reads the cache (an open read transaction) is not refused", async () => {
    const cache = freshCache();
    const reader = await holdSqliteLock(cache, "BEGIN; SELECT COUNT(*) FROM entries");
    try {
      const out = join(tempDir(), "out");
      const r = runCli(replayArgs(cache, out));
      expect(r.status, r.stderr).toBe(0);
      expect(readArtifacts(out)).toEqual(baseline());
    } finally {
      await reader.release();
    }
  });

  it("SQLite's lock held by another process past sqlite_busy_wait_ms: exit 74 naming the cache, the lock and its holder", async () => {
    const cache = freshCache();
    const writer = await holdSqliteLock(cache, "BEGIN IMMEDIATE");
    try {
      const r = runCli(replayArgs(cache, join(tempDir(), "out")), { [BUSY_WAIT_ENV]: "300" });
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`cannot use the order-id cache ${cache}: SQLite's lock on it is held by another process (pid ${writer.pid}); gave up after waiting sqlite_busy_wait_ms=300 ms`);
    } finally {
      await writer.release();
    }
  });

  it("a replay that died holding the cache: its claim is taken over by the next replay, which resumes it", () => {
    const cache = interruptedCache(12);
    const claim = JSON.parse(claimRow(cache)!) as { pid: number };
    expect(() => process.kill(claim.pid, 0)).toThrow(); // the holder is gone
    const out = join(tempDir(), "out");
    const r = runCli(replayArgs(cache, out));
    expect(r.status, r.stderr).toBe(0);
    expect(readArtifacts(out)).toEqual(baseline());
    expect(claimRow(cache)).toBeUndefined();
  });

  it("a claim naming a live process is honoured; one naming a process id now used by a process started at another time is taken over", () => {
    const cache = freshCache();
    const host = hostname();
    const claimBy = (started: string) => edit(cache, `INSERT OR REPLACE INTO meta (key, value) VALUES ('holder', '${JSON.stringify({ pid: process.pid, host, started, token: "t" })}')`);
    claimBy(startedOf(process.pid));
    const refused = runCli(replayArgs(cache, join(tempDir(), "refused")));
    expect(refused.status, refused.stderr).toBe(74);
    expect(refused.stderr).toContain(`(pid ${process.pid})`);
    claimBy(String(Number(startedOf(process.pid)) + 1));
    const r = runCli(replayArgs(cache, join(tempDir(), "out")));
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("a cache the replay cannot write", () => {
  it("in a read-only folder: exit 74 naming it, nothing run, the cache as it was", () => {
    const source = freshCache();
    const folder = readOnlyFolder((dir) => copyFileSync(source, join(dir, "cache.db")));
    if (folder === null) return;
    try {
      const cache = join(folder.dir, "cache.db");
      const before = readFileSync(cache);
      const out = join(tempDir(), "out");
      const r = runCli(replayArgs(cache, out));
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`cannot use the order-id cache ${cache}: its folder is read-only to this process`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readFileSync(cache).equals(before)).toBe(true);
    } finally {
      folder.release();
    }
  });
});

describe("cache dump", () => {
  it("while a replay holds the cache: prints at once what is committed, naming the replay that holds it", async () => {
    const cache = freshCache();
    const replay = startReplay(cache, join(tempDir(), "out"), "record@10:stop");
    await stopped(replay.pid);
    try {
      const r = runCli(["cache", "dump", cache]);
      expect(r.status, r.stderr).toBe(0);
      const dump = JSON.parse(r.stdout) as { held_by_pid: number | null; runs: Array<{ state: string }> };
      expect(dump.held_by_pid).toBe(replay.pid);
      expect(dump.runs.map((x) => x.state)).toEqual(["running"]);
    } finally {
      replay.cont();
    }
    expect(await replay.exited).toBe(0);
    expect((JSON.parse(runCli(["cache", "dump", cache]).stdout) as { held_by_pid: unknown }).held_by_pid).toBeNull();
  });

  for (const [name, files] of [["a cache at rest (nothing in its -wal)", ["cache.db"]], ["an interrupted replay's cache, its changes still in the -wal", ["cache.db", "cache.db-wal"]]] as const) {
    it(`${name}, in a read-only folder: dumped as it is where it can be written`, () => {
      const cache = files.length === 1 ? freshCache() : interruptedCache(12);
      if (files.length === 2) expect(statSync(`${cache}-wal`).size).toBeGreaterThan(0);
      const expected = runCli(["cache", "dump", cache]);
      expect(expected.status).toBe(0);
      const folder = readOnlyFolder((dir) => {
        for (const f of files) copyFileSync(join(dirname(cache), f), join(dir, f));
      });
      if (folder === null) return;
      try {
        const r = runCli(["cache", "dump", join(folder.dir, "cache.db")]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toBe(expected.stdout);
      } finally {
        folder.release();
      }
    });
  }
});
