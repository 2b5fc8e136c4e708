// Fault suite: kill anywhere, resume byte for byte. KILL_POINTS random kill points (default 6;
// `npm run test:deep` runs 60) over a generated scenario, in chains of up to 5 on one cache and one
// --out: after an input record, or at a named point of the commit (while the set is written,
// between the renames of the swap, after the swap, after the artifact commit, after the cache
// commit). After every kill no order is recorded as sent twice and --out holds nothing or the
// complete set; each chain then finishes with artifacts and a cache equal to an uninterrupted
// run's. Seed: KILL_SEED.

import { join } from "node:path";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { baselineOf, killChain, type KillPoint, NAMED_KILL_POINTS, recordCount } from "../helpers/kill.js";

const SEED = Number(process.env["KILL_SEED"] ?? 16);
const KILL_POINTS = Number(process.env["KILL_POINTS"] ?? 6);
const CHAIN_POINTS_MAX = 5;

describe(`kill anywhere: ${KILL_POINTS} random kill points, all byte-identical after resume (seed ${SEED})`, () => {
  it("records and named points of the commit, at the default group commit, write-through, and a batch of 7", async () => {
    const dir = join(tempDir(), "scenario");
    expect(runCli(["gen", "--seed", String(SEED), "--events", "3000", "--faults", "disconnect,crash-restart,duplicate-delivery,drop-ack,orphan", "--out", dir]).status).toBe(0);
    const records = recordCount(dir);
    const rng = xoroshiro128plus(SEED);
    // The default group commit, write-through, and a small batch whose boundaries fall inside orders.
    const modes: string[][] = [[], ["--cache-batch", "1"], ["--cache-batch", "7"]];
    const baselines = await Promise.all(modes.map((extra) => baselineOf(dir, extra)));
    let killed = 0;
    for (let chain = 0; killed < KILL_POINTS; chain++) {
      const length = Math.min(KILL_POINTS - killed, uniformInt(rng, 1, CHAIN_POINTS_MAX));
      const points: KillPoint[] = Array.from({ length }, () => (uniformInt(rng, 0, 3) === 0
        ? { point: NAMED_KILL_POINTS[uniformInt(rng, 0, NAMED_KILL_POINTS.length - 1)]! }
        : { record: uniformInt(rng, 1, records) }));
      const mode = chain % modes.length;
      await killChain(dir, baselines[mode]!, points, modes[mode]!, `seed ${SEED}, chain ${chain} (${modes[mode]!.join(" ") || "default batch"})`);
      killed += length;
    }
    expect(killed).toBeGreaterThanOrEqual(KILL_POINTS);
  }, 1_800_000);
});
