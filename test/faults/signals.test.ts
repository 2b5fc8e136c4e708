// SIGINT, SIGTERM and SIGHUP during a replay. A short message, the staged set removed (--out as it
// was, nothing left beside it), the cache's pending changes discarded, and the shell's exit code for
// the signal: 130, 143, 129. The signal is sent by the process to itself at an exact record
// (RECON_PROOF_TEST_FAULT), or by the test while the replay is stopped.

import Database from "better-sqlite3";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initCache } from "../../src/adapters/cache/schema.js";
import { FAULT_ENV } from "../../src/adapters/fault-points.js";
import { stopped } from "./helpers.js";
import { besideOut, readArtifacts, replayScenario, runCli, startCli, tempDir } from "../helpers/cli.js";

let scenario: string;
beforeAll(() => {
  scenario = join(tempDir(), "scenario");
  expect(runCli(["gen", "--seed", "15", "--events", "20000", "--out", scenario]).status).toBe(0);
});

function replayArgs(out: string, cache: string): string[] {
  return ["replay", "--journal", join(scenario, "journal.jsonl"), "--broker", join(scenario, "broker.jsonl"),
    "--config", join(scenario, "config.json"), "--cache", cache, "--out", out];
}

function cacheRows(path: string): unknown {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return [db.prepare("SELECT * FROM runs ORDER BY 1").all(), db.prepare("SELECT COUNT(*) AS n FROM ops").get(), db.prepare("SELECT COUNT(*) AS n FROM entries").get()];
  } finally {
    db.close();
  }
}

/** An output folder holding a previous set, and a cache: what an interrupted replay must leave as is. */
function previousState(): { out: string; cache: string; artifacts: Record<string, string>; rows: unknown } {
  const out = join(tempDir(), "out");
  expect(replayScenario("healthy", out).status).toBe(0);
  const cache = join(dirname(out), "cache.db");
  initCache(cache);
  return { out, cache, artifacts: readArtifacts(out), rows: cacheRows(cache) };
}

function leftAsItWas(before: ReturnType<typeof previousState>): void {
  expect(readArtifacts(before.out)).toEqual(before.artifacts);
  expect(besideOut(before.out)).toEqual([]); // no staged set, no lock left
  expect(cacheRows(before.cache)).toEqual(before.rows);
}

describe("a signal during a replay", () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`${signal}: exit ${code}, a one-line message, --out and the cache as they were`, async () => {
      const before = previousState();
      const r = await startCli(replayArgs(before.out, before.cache), { [FAULT_ENV]: `record@5000:${signal}` }).exit;
      expect([r.code, r.signal]).toEqual([code, null]);
      expect(r.stderr).toBe(`recon-proof: interrupted by ${signal}: the work in progress was discarded; its output folder and cache are as they were\n`);
      leftAsItWas(before);
    }, 60_000);
  }

  it("with --json: the one JSON document on stdout says the exit code and why, as for any failure", async () => {
    const before = previousState();
    const r = await startCli([...replayArgs(before.out, before.cache), "--json"], { [FAULT_ENV]: "record@5000:SIGTERM" }).exit;
    expect([r.code, r.signal]).toEqual([143, null]);
    const message = "interrupted by SIGTERM: the work in progress was discarded; its output folder and cache are as they were";
    expect(JSON.parse(r.stdout)).toEqual({ command: "replay", exit_code: 143, error: message });
    expect(r.stderr).toBe(`recon-proof: ${message}\n`);
    leftAsItWas(before);
  }, 60_000);

  it("a SIGINT from outside (the replay stopped at a record, signalled, continued): the same", async () => {
    const before = previousState();
    const run = startCli(replayArgs(before.out, before.cache), { [FAULT_ENV]: "record@3000:stop" });
    await stopped(run.pid);
    process.kill(run.pid, "SIGINT");
    process.kill(run.pid, "SIGCONT");
    const r = await run.exit;
    expect([r.code, r.signal]).toEqual([130, null]);
    leftAsItWas(before);
  }, 60_000);

  it("a signal that comes as the replay finishes: its exit code, and a message that the output is complete", async () => {
    const before = previousState();
    const r = await startCli(replayArgs(before.out, before.cache), { [FAULT_ENV]: "cache-committed:SIGHUP" }).exit;
    expect(r.code).toBe(129);
    expect(r.stderr).toContain("SIGHUP came as the work finished; its output is complete");
    expect(readArtifacts(before.out)["summary.txt"]).toContain("reconcile_summary");
    expect(readArtifacts(before.out)).not.toEqual(before.artifacts);
  }, 60_000);
});
