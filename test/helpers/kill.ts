// Killing real replay processes and resuming them: shared by the kill-resume tests and the fault
// suite's kill-anywhere test. A kill lands at an exact record or a named point of the commit
// through the test-only RECON_PROOF_TEST_FAULT hook (src/adapters/fault-points.ts); one test also
// kills on the wall clock.

import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { FAULT_ENV, FAULT_POINTS, type FaultPoint } from "../../src/adapters/fault-points.js";
import { initCache } from "../../src/adapters/cache/schema.js";
import { placeOf } from "../../src/adapters/out-dir.js";
import { CLI, readArtifacts, runCli, tempDir } from "./cli.js";

export interface Exit { code: number | null; signal: NodeJS.Signals | null; ms: number }

export function replayArgs(dir: string, cache: string, out: string, extra: readonly string[]): string[] {
  return [CLI, "replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
    "--config", join(dir, "config.json"), "--cache", cache, "--out", out, ...extra];
}

/** Starts a replay (with a fault set, if any) and SIGKILLs it after `killAfterMs` (unless it ends first). */
export function runAndMaybeKill(args: string[], killAfterMs: number | null, fault: string | null = null): Promise<Exit> {
  return new Promise((resolve) => {
    const started = Date.now();
    const env = fault === null ? process.env : { ...process.env, [FAULT_ENV]: fault };
    const child = spawn(process.execPath, args, { stdio: "ignore", env });
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("exit", (code, signal) => {
      if (timer !== null) clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - started });
    });
  });
}

/** Input records of a scenario folder: one per line of its two logs. */
export function recordCount(dir: string): number {
  const lines = (f: string) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l.trim() !== "").length;
  return lines("journal.jsonl") + lines("broker.jsonl");
}

/** Whether the replay recorded in the cache has finished (artifacts written, cache committed). */
export function runCompleted(cache: string): boolean {
  const db = new Database(cache, { readonly: true, fileMustExist: true });
  const running = (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'running'").get() as { n: number }).n;
  const complete = (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'complete'").get() as { n: number }).n;
  db.close();
  return running === 0 && complete > 0;
}

/**
 * What the cache's pending log holds: every client order id it names, and those it records as sent
 * again after it already held them (a second send). Group commit writes an order once per batch as
 * the batch left it (an order sent and filled inside one batch is logged only as filled), so "sent
 * twice" is a change back to `sent` for an id already logged, not a count of `sent` changes. An id
 * purged (past its TTL) may be sent again.
 */
export function pendingLogIds(cache: string): { readonly named: Set<string>; readonly sentAgain: string[] } {
  const db = new Database(cache, { readonly: true, fileMustExist: true });
  const held = new Set<string>();
  const named = new Set<string>();
  const sentAgain: string[] = [];
  for (const { body } of db.prepare("SELECT body FROM ops ORDER BY run_key, seq, idx").all() as Array<{ body: string }>) {
    for (const line of body.split("\n")) { // a row holds a batch: one JSON line per entry changed
      const op = JSON.parse(line) as { op: string; entry?: { client_order_id: string; status: string }; client_order_ids?: string[] };
      if (op.op === "purge") for (const id of op.client_order_ids ?? []) held.delete(id);
      if (op.op !== "put" || op.entry === undefined) continue;
      const id = op.entry.client_order_id;
      if (op.entry.status === "sent" && held.has(id)) sentAgain.push(id);
      held.add(id);
      named.add(id);
    }
  }
  db.close();
  return { named, sentAgain };
}

/** Where the set a kill left is: --out, or (killed between the two renames of the swap) the complete set beside it; null if none. */
export function setAfterKill(out: string): string | null {
  if (existsSync(out)) return out;
  const ready = placeOf(out).ready;
  return existsSync(ready) ? ready : null;
}

/**
 * What must hold after every kill: no order recorded as sent twice, and --out either never written
 * or holding the complete set an uninterrupted run writes (never a part, never a mix); between the
 * two renames of the swap, that complete set waits beside the missing --out.
 */
export function checkAfterKill(cache: string, out: string, expected: Record<string, string>, what: string): void {
  expect(pendingLogIds(cache).sentAgain, `${what}: ids recorded as sent again`).toEqual([]);
  const held = setAfterKill(out);
  if (held !== null) expect(readArtifacts(held), `${what}: --out after the kill`).toEqual(expected);
}

/** A kill point: after an input record, or at a named point of the commit. */
export type KillPoint = { readonly record: number } | { readonly point: FaultPoint };

export function killSpec(p: KillPoint): string {
  return "record" in p ? `record@${p.record}:kill` : `${p.point}:kill`;
}

export const NAMED_KILL_POINTS: readonly FaultPoint[] = FAULT_POINTS;

export interface Baseline {
  readonly code: number | null;
  readonly artifacts: Record<string, string>;
  readonly entries: unknown;
  readonly ms: number;
}

/** An uninterrupted replay of the scenario on a fresh cache: what every resumed chain must equal. */
export async function baselineOf(dir: string, extra: readonly string[]): Promise<Baseline> {
  const cache = join(tempDir(), "base.db");
  initCache(cache);
  const out = join(tempDir(), "base");
  const r = await runAndMaybeKill(replayArgs(dir, cache, out, extra), null);
  expect([0, 3]).toContain(r.code); // healthy, or the kill switch the scenario's faults engage
  return { code: r.code, artifacts: readArtifacts(out), entries: dumpOf(cache).entries, ms: r.ms };
}

function dumpOf(cache: string): { entries: unknown; pending_changes: number } {
  return JSON.parse(runCli(["cache", "dump", cache]).stdout) as { entries: unknown; pending_changes: number };
}

/**
 * Kills a replay at each point in turn (each run resuming the one before, on one cache and one
 * --out), checking after every kill, then lets it finish: its artifacts and cache must equal the
 * baseline's. Every point must land (a record within the inputs, or a point every run passes).
 */
export async function killChain(dir: string, baseline: Baseline, points: readonly KillPoint[], extra: readonly string[], what: string): Promise<void> {
  const cache = join(tempDir(), "killed.db");
  initCache(cache);
  const out = join(tempDir(), "out");
  let written = false;
  for (const p of points) {
    const r = await runAndMaybeKill(replayArgs(dir, cache, out, extra), null, killSpec(p));
    const where = `${what}, killed at ${points.map(killSpec).join(" ")} (now ${killSpec(p)})`;
    expect(r.signal, `${where}: the kill did not land`).toBe("SIGKILL");
    // Once a set is in --out, it never goes away again (mid-swap it waits, complete, beside --out).
    if (written) expect(setAfterKill(out), `${where}: --out is gone`).not.toBeNull();
    checkAfterKill(cache, out, baseline.artifacts, where);
    written = setAfterKill(out) !== null;
  }
  const finished = await runAndMaybeKill(replayArgs(dir, cache, out, extra), null);
  expect(finished.code, what).toBe(baseline.code);
  expect(readArtifacts(out), what).toEqual(baseline.artifacts);
  const dump = dumpOf(cache);
  expect(dump.entries, what).toEqual(baseline.entries);
  expect(dump.pending_changes, what).toBe(0);
}
