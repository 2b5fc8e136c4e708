// Crash anywhere, then resume, equals no crash: a real `replay` process over a generated log of
// 100 000 events is SIGKILLed after three seeded input records and at a named point of the artifact
// commit (the test-only RECON_PROOF_TEST_FAULT hook: deterministic, whatever the machine's load),
// then run again with the same --cache until it finishes. Its artifacts must equal an
// uninterrupted run's byte for byte, and the cache must never have recorded an order as sent
// twice. One test also kills on the wall clock, retrying until a kill lands inside a run.
// Seed: KILL_SEED (printed on failure). test/faults/kill-anywhere.test.ts kills at many more points.

import { join } from "node:path";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect, it } from "vitest";
import { initCache } from "../src/adapters/cache/schema.js";
import { readArtifacts, runCli, tempDir } from "./helpers/cli.js";
import {
  baselineOf, checkAfterKill, killChain, type KillPoint, killSpec, NAMED_KILL_POINTS, recordCount, replayArgs, runAndMaybeKill, runCompleted,
} from "./helpers/kill.js";

const SEED = Number(process.env["KILL_SEED"] ?? 20251020);
const FAULTS = "disconnect,crash-restart,duplicate-delivery,drop-ack";

function scenario(events: number): string {
  const dir = join(tempDir(), "scenario");
  expect(runCli(["gen", "--seed", String(SEED), "--events", String(events), "--faults", FAULTS, "--out", dir]).status).toBe(0);
  return dir;
}

/** `records` seeded record kill points in increasing order, then one named point of the commit. */
function seededPoints(dir: string, records: number): KillPoint[] {
  const rng = xoroshiro128plus(SEED);
  const n = recordCount(dir);
  const at = Array.from({ length: records }, () => uniformInt(rng, 1, n)).sort((a, b) => a - b);
  const named = NAMED_KILL_POINTS[uniformInt(rng, 0, NAMED_KILL_POINTS.length - 1)]!;
  return [...at.map((record) => ({ record })), { point: named }];
}

describe(`kill anywhere, then resume (seed ${SEED})`, () => {
  it("SIGKILL after 3 seeded records and at a named point of the commit, across 100000 events at the default group commit; the resumed artifacts equal an uninterrupted run's", async () => {
    const dir = scenario(100_000);
    await killChain(dir, await baselineOf(dir, []), seededPoints(dir, 3), [], `seed ${SEED}`);
  }, 600_000);

  it("the same written through (--cache-batch 1): every record's changes on disk before the next", async () => {
    const dir = scenario(30_000);
    const extra = ["--cache-batch", "1"];
    await killChain(dir, await baselineOf(dir, extra), seededPoints(dir, 3), extra, `seed ${SEED}, --cache-batch 1`);
  }, 600_000);

  it("a run killed at the default group commit and resumed with another --cache-batch keeps the batches it started with", async () => {
    const dir = scenario(30_000);
    const base = await baselineOf(dir, []);
    const cache = join(tempDir(), "killed.db");
    initCache(cache);
    const out = join(tempDir(), "out");
    const at = seededPoints(dir, 1)[0]!;
    const killed = await runAndMaybeKill(replayArgs(dir, cache, out, []), null, killSpec(at));
    expect(killed.signal, `seed ${SEED}: the kill did not land`).toBe("SIGKILL");
    checkAfterKill(cache, out, base.artifacts, `seed ${SEED}, killed at ${killSpec(at)}`);
    const finished = await runAndMaybeKill(replayArgs(dir, cache, out, ["--cache-batch", "1"]), null);
    expect(finished.code, `seed ${SEED}`).toBe(base.code);
    expect(readArtifacts(out)).toEqual(base.artifacts);
  }, 600_000);

  it("a SIGKILL on the wall clock, retried on a fresh cache until one lands inside a run, then resumed", async () => {
    const dir = scenario(30_000);
    const base = await baselineOf(dir, []);
    const rng = xoroshiro128plus(SEED);
    let upper = Math.max(100, Math.floor(base.ms * 0.95));
    for (let attempt = 1; ; attempt++) {
      const cache = join(tempDir(), "killed.db");
      initCache(cache);
      const out = join(tempDir(), "killed");
      const at = uniformInt(rng, 50, upper);
      const r = await runAndMaybeKill(replayArgs(dir, cache, out, []), at);
      if (r.signal === "SIGKILL" && !runCompleted(cache)) {
        checkAfterKill(cache, out, base.artifacts, `seed ${SEED}, killed at ${at} ms`);
        const finished = await runAndMaybeKill(replayArgs(dir, cache, out, []), null);
        expect(finished.code, `seed ${SEED}, killed at ${at} ms`).toBe(base.code);
        expect(readArtifacts(out)).toEqual(base.artifacts);
        return;
      }
      // The run ended before the kill (a loaded machine is slower to start, or faster than the
      // baseline): try again, sooner.
      expect(attempt, `seed ${SEED}: no wall-clock kill landed inside a run in ${attempt} attempts`).toBeLessThan(20);
      upper = Math.max(60, Math.floor(upper / 2));
    }
  }, 600_000);
});
