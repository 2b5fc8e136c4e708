// Crash anywhere, then resume, equals no crash: a real `replay` process over a generated log of
// 100 000 events is SIGKILLed at seeded random moments, then run again with the same --cache until
// it finishes. Its artifacts must equal an uninterrupted run's byte for byte, and the cache must
// never have recorded an order as sent twice. Seed: KILL_SEED (printed on failure).

import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect, it } from "vitest";
import { initCache } from "../src/adapters/cache-store.js";
import { CLI, readArtifacts, runCli, tempDir } from "./helpers/cli.js";

const SEED = Number(process.env["KILL_SEED"] ?? 20251020);

interface Exit { code: number | null; signal: NodeJS.Signals | null; ms: number }

function replayArgs(dir: string, cache: string, out: string, extra: readonly string[]): string[] {
  return [CLI, "replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
    "--config", join(dir, "config.json"), "--cache", cache, "--out", out, ...extra];
}

/** Starts a replay and SIGKILLs it after `killAfterMs` (unless it ends first). */
function runAndMaybeKill(args: string[], killAfterMs: number | null): Promise<Exit> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { stdio: "ignore" });
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("exit", (code, signal) => {
      if (timer !== null) clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - started });
    });
  });
}

/** Whether the replay recorded in the cache has finished (artifacts written, cache committed). */
function runCompleted(cache: string): boolean {
  const db = new Database(cache, { readonly: true, fileMustExist: true });
  const running = (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'running'").get() as { n: number }).n;
  const complete = (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'complete'").get() as { n: number }).n;
  db.close();
  return running === 0 && complete > 0;
}

/** Orders the cache recorded as sent, counted per client order id, over every run it holds. */
function sentCounts(cache: string): Map<string, number> {
  const db = new Database(cache, { readonly: true, fileMustExist: true });
  const counts = new Map<string, number>();
  for (const { body } of db.prepare("SELECT body FROM ops").all() as Array<{ body: string }>) {
    const op = JSON.parse(body) as { op: string; entry?: { client_order_id: string; status: string } };
    if (op.op === "put" && op.entry?.status === "sent") counts.set(op.entry.client_order_id, (counts.get(op.entry.client_order_id) ?? 0) + 1);
  }
  db.close();
  return counts;
}

async function killAndResume(events: number, killCount: number, extra: readonly string[]): Promise<void> {
  const dir = join(tempDir(), "scenario");
  expect(runCli(["gen", "--seed", String(SEED), "--events", String(events), "--faults", "disconnect,crash-restart,duplicate-delivery,drop-ack", "--out", dir]).status).toBe(0);

  const baseCache = join(tempDir(), "base.db");
  initCache(baseCache);
  const baseOut = join(tempDir(), "base");
  const base = await runAndMaybeKill(replayArgs(dir, baseCache, baseOut, extra), null);
  expect(base.code, `seed ${SEED}`).toBe(0);

  const rng = xoroshiro128plus(SEED);
  const cache = join(tempDir(), "killed.db");
  initCache(cache);
  const out = join(tempDir(), "killed");
  const kills: number[] = [];
  let finished: Exit | null = null;
  for (let i = 0; i < killCount && finished === null; i++) {
    // Anywhere from the first records to the final writes of artifacts and cache.
    const at = uniformInt(rng, 50, Math.max(100, Math.floor(base.ms * 0.95)));
    const r = await runAndMaybeKill(replayArgs(dir, cache, out, extra), at);
    if (r.signal !== "SIGKILL" || runCompleted(cache)) {
      // It ended before the kill (or the kill landed while the finished process was exiting):
      // that was the resumed run, and running it again would be a new run over the same inputs.
      finished = { code: r.signal === "SIGKILL" ? 0 : r.code, signal: null, ms: r.ms };
      break;
    }
    kills.push(at);
    for (const [id, n] of sentCounts(cache)) expect(n, `seed ${SEED}: ${id} recorded as sent ${n} times`).toBe(1);
    // A killed replay writes no artifacts (they appear only, and atomically, at the end).
    if (existsSync(out)) expect(Object.keys(readArtifacts(out))).toHaveLength(4);
  }
  finished ??= await runAndMaybeKill(replayArgs(dir, cache, out, extra), null);
  expect(finished.code, `seed ${SEED}, killed at ${kills.join(", ")} ms`).toBe(0);
  expect(kills.length, `seed ${SEED}: no kill landed (baseline ${base.ms} ms)`).toBeGreaterThan(0);
  expect(readArtifacts(out), `seed ${SEED}, killed at ${kills.join(", ")} ms`).toEqual(readArtifacts(baseOut));
  const dumpBase = JSON.parse(runCli(["cache", "dump", baseCache]).stdout);
  const dumpKilled = JSON.parse(runCli(["cache", "dump", cache]).stdout);
  expect(dumpKilled.entries).toEqual(dumpBase.entries);
  expect(dumpKilled.pending_changes).toBe(0);
}

describe(`kill anywhere, then resume (seed ${SEED})`, () => {
  it("SIGKILL at 4 random moments across 100000 events; the resumed artifacts equal an uninterrupted run's", () => killAndResume(100_000, 4, []), 600_000);
  it("the same with group commit (--cache-batch 256): a kill loses unwritten changes, the resume recomputes them", () =>
    killAndResume(30_000, 3, ["--cache-batch", "256"]), 600_000);
});
