// `replay --jobs N`: the replay as N shards in worker threads, merged in memory, writes the same four
// artifacts byte for byte as one job; where the shards cannot be merged exactly it replays in one
// job and says so; bad input is reported exactly as one job reports it. The main thread runs from
// the sources here and the workers from the build (dist/, compiled by `pretest`).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FAULT_ENV } from "../src/adapters/fault-points.js";
import { chooseJobs, JOBS_AUTO_INPUT_BYTES_MIN, parseJobs } from "../src/jobs/replay/choose.js";
import { runReplayInJobs } from "../src/jobs/replay/jobs.js";
import { JOBS_FLOW_DEFAULT } from "../src/jobs/replay/protocol.js";
import { runReplay } from "../src/run/replay.js";
import { GroupStreamMerge, mergeGroupStreams } from "../src/core/shard/merge.js";
import type { EmitGroup } from "../src/core/output/emit.js";
import type { SkippedDecision } from "../src/domain/report.js";
import { FAULTS, generateScenario, type Fault } from "../src/gen/generate.js";
import { CLI, readArtifacts, REPO, runCli, SCENARIOS, scenarioNames, tempDir } from "./helpers/cli.js";

const WORKER = pathToFileURL(join(REPO, "dist", "jobs", "replay", "worker.js"));
const quiet = { update: () => {} };
const SEED = Number(process.env["FC_SEED"] ?? 1809);

interface Inputs { journal: string; broker: string; config: string }

function scenarioInputs(name: string): Inputs {
  const dir = join(SCENARIOS, name);
  return { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json") };
}

function writeInputs(dir: string, journal: readonly string[], broker: readonly string[], config: object): Inputs {
  mkdirSync(dir, { recursive: true });
  const files = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json") };
  writeFileSync(files.journal, journal.map((l) => `${l}\n`).join(""));
  writeFileSync(files.broker, broker.map((l) => `${l}\n`).join(""));
  writeFileSync(files.config, JSON.stringify(config));
  return files;
}

type Compared = { merged: true } | { merged: false; why: string };

/** Replays in one job and in `jobs`; the artifacts must match byte for byte when the jobs merged. */
async function compareJobs(inputs: Inputs, jobs: number, work: string): Promise<Compared> {
  const one = join(work, "one");
  const many = join(work, `jobs-${jobs}`);
  const single = runReplay({ ...inputs, out: one, progress: quiet });
  const result = await runReplayInJobs({ ...inputs, out: many, progress: quiet }, jobs, WORKER, JOBS_FLOW_DEFAULT);
  if (result.kind === "fallback") {
    expect(existsSync(many), "nothing written when the jobs fall back").toBe(false);
    return { merged: false, why: result.why };
  }
  expect(result.outcome.exitCode).toBe(single.exitCode);
  expect(readArtifacts(many)).toEqual(readArtifacts(one));
  return { merged: true };
}

/** The only honest reasons not to merge: a rule that crosses symbols. */
const CROSS_SYMBOL = /kill switch|daily loss cap|cache_entries_max/;

describe("replay --jobs N: the same artifacts as one job, byte for byte", () => {
  it("every bundled scenario without a cache, at 2 and 3 jobs: merged identically or refused for a cross-symbol rule", async () => {
    const merged: string[] = [];
    const refused: string[] = [];
    for (const name of scenarioNames().filter((n) => !existsSync(join(SCENARIOS, n, "cache.db")))) {
      for (const jobs of [2, 3]) {
        const r = await compareJobs(scenarioInputs(name), jobs, tempDir(`jobs-${name}-`));
        if (r.merged) merged.push(`${name}/${jobs}`);
        else {
          expect(r.why, `${name} at ${jobs} jobs`).toMatch(CROSS_SYMBOL);
          refused.push(`${name}/${jobs}`);
        }
      }
    }
    // Both paths are taken: the healthy case merges, a kill switch blocking decisions cannot.
    expect(merged).toEqual(expect.arrayContaining(["healthy/2", "healthy/3"]));
    expect(refused).toEqual(expect.arrayContaining(["kill-switch-blocks-decisions/2", "kill-switch-blocks-decisions/3"]));
    expect(merged.length).toBeGreaterThan(refused.length);
  }, 300_000);

  it(`law (seed ${SEED}): generated scenarios with every fault kind merge identically, or fall back for a cross-symbol rule`, async () => {
    let merged = 0;
    await fc.assert(fc.asyncProperty(
      fc.record({
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        events: fc.integer({ min: 60, max: 600 }),
        faults: fc.subarray([...FAULTS].filter((f) => f !== "corrupt-cache")),
        jobs: fc.integer({ min: 2, max: 4 }),
      }),
      async ({ seed, events, faults, jobs }) => {
        const s = generateScenario({ seed, events, faults: faults as Fault[] });
        const work = tempDir("jobs-gen-");
        const r = await compareJobs(writeInputs(join(work, "in"), s.journal, s.broker, s.config), jobs, work);
        if (r.merged) merged += 1;
        else expect(r.why).toMatch(CROSS_SYMBOL);
      }), { seed: SEED, numRuns: 8 });
    expect(merged, "some generated scenarios merged").toBeGreaterThan(0);
  }, 240_000);
});

describe("replay --jobs: flow control (a shard ahead waits instead of queueing in the main thread)", () => {
  it("at the tightest windows the merge neither stalls nor changes a byte, and no shard's queue outgrows its window", async () => {
    // Redeliveries, disconnects and a restart as well: ticks, judged redeliveries and reconcile runs at the tight windows.
    const s = generateScenario({ seed: 18, events: 3000, faults: ["duplicate-delivery", "disconnect", "crash-restart"] });
    const work = tempDir("jobs-flow-");
    const inputs = writeInputs(join(work, "in"), s.journal, s.broker, s.config);
    const one = join(work, "one");
    runReplay({ ...inputs, out: one, progress: quiet });
    const flows = [
      { groups_per_message: 1, groups_in_flight_max: 0, records_per_batch: 1, batches_in_flight_max: 0 },
      { groups_per_message: 3, groups_in_flight_max: 5, records_per_batch: 7, batches_in_flight_max: 2 },
      { groups_per_message: 64, groups_in_flight_max: 64, records_per_batch: 64, batches_in_flight_max: 3 },
    ];
    for (const flow of flows) {
      for (const jobs of [2, 3]) {
        const out = join(work, `jobs-${jobs}-${flow.groups_per_message}`);
        const result = await runReplayInJobs({ ...inputs, out, progress: quiet }, jobs, WORKER, flow);
        const what = `${jobs} jobs, ${JSON.stringify(flow)}`;
        expect(result.kind, what).toBe("done");
        if (result.kind !== "done") continue;
        expect(readArtifacts(out), what).toEqual(readArtifacts(one));
        expect(result.peakQueuedGroups).toBeGreaterThan(0);
        expect(result.peakQueuedGroups).toBeLessThanOrEqual(flow.groups_in_flight_max + flow.groups_per_message);
        // The reader sends a batch only while the worker has at most the window untaken.
        expect(result.peakUntakenBatches, what).toBeGreaterThan(0);
        expect(result.peakUntakenBatches, what).toBeLessThanOrEqual(flow.batches_in_flight_max + 1);
      }
    }
  }, 240_000);
});

describe("replay --jobs: choosing and declining", () => {
  it("auto is one job for small inputs or with --cache, one per core (at most jobs_max) for large ones", () => {
    const small = scenarioInputs("healthy");
    expect(chooseJobs("auto", small, 2)).toEqual({ jobs: 1, declined: null });
    const work = tempDir("jobs-auto-");
    const big = { journal: join(work, "j"), broker: join(work, "b") };
    writeFileSync(big.journal, Buffer.alloc(JOBS_AUTO_INPUT_BYTES_MIN / 2));
    writeFileSync(big.broker, Buffer.alloc(JOBS_AUTO_INPUT_BYTES_MIN / 2));
    expect(chooseJobs("auto", big, 2)).toEqual({ jobs: 2, declined: null });
    expect(chooseJobs("auto", big, 64)).toEqual({ jobs: 16, declined: null });
    expect(chooseJobs("auto", { ...big, cache: "c.db" }, 2)).toEqual({ jobs: 1, declined: null });
    writeFileSync(big.broker, Buffer.alloc(JOBS_AUTO_INPUT_BYTES_MIN / 2 - 1));
    expect(chooseJobs("auto", big, 2).jobs, "one byte under the threshold").toBe(1);
    expect(chooseJobs(3, small, 2)).toEqual({ jobs: 3, declined: null });
    expect(chooseJobs(2, { ...small, cache: "c.db" }, 2).declined).toMatch(/order-id cache/);
    expect(chooseJobs(1, { ...small, cache: "c.db" }, 2)).toEqual({ jobs: 1, declined: null });
  });

  it("--jobs takes auto or 1..16", () => {
    expect(parseJobs("auto")).toBe("auto");
    expect(parseJobs("1")).toBe(1);
    expect(parseJobs("16")).toBe(16);
    for (const bad of ["0", "17", "-1", "2.5", "two", ""]) expect(() => parseJobs(bad), bad).toThrow(/--jobs takes auto or a whole number from 1 to jobs_max=16/);
  });
});

describe("recon-proof replay --jobs (CLI)", () => {
  const base = (name: string, out: string, ...more: string[]) => {
    const i = scenarioInputs(name);
    return ["replay", "--journal", i.journal, "--broker", i.broker, "--config", i.config, "--out", out, ...more];
  };

  it("merges quietly where it can, and says so on stderr where it replays in one job (same artifacts, same exit code)", () => {
    const work = tempDir("jobs-cli-");
    const healthy = runCli(base("healthy", join(work, "h2"), "--jobs", "2"));
    expect(healthy.status, healthy.stderr).toBe(0);
    expect(healthy.stderr).not.toMatch(/one job/);
    expect(readArtifacts(join(work, "h2"))).toEqual(readArtifacts(runOne("healthy", work, base)));

    const killed = runCli(base("kill-switch-blocks-decisions", join(work, "k2"), "--jobs", "2"));
    const killedOne = runCli(base("kill-switch-blocks-decisions", join(work, "k1"), "--jobs", "1"));
    expect(killed.status).toBe(killedOne.status);
    expect(killed.stderr).toMatch(/--jobs 2: the shards cannot be merged exactly \(the kill switch engaged at .*\); replaying in one job/);
    expect(killedOne.stderr).not.toMatch(/one job/);
    expect(readArtifacts(join(work, "k2"))).toEqual(readArtifacts(join(work, "k1")));
  }, 60_000);

  it("reports bad input exactly as one job does (exit 65, the same file:line), with no word about jobs", () => {
    const work = tempDir("jobs-bad-");
    const i = scenarioInputs("healthy");
    const broker = join(work, "broker.jsonl");
    writeFileSync(broker, '{"ts":"2024-01-01T00:00:00Z","type":"fill"}\n');
    const args = (jobs: string, out: string) => ["replay", "--journal", i.journal, "--broker", broker, "--config", i.config, "--out", join(work, out), "--jobs", jobs];
    const one = runCli(args("1", "o1"));
    const two = runCli(args("2", "o2"));
    expect(one.status).toBe(65);
    expect(two.status).toBe(65);
    expect(two.stderr).toBe(one.stderr.replaceAll("o1", "o2"));
    expect(existsSync(join(work, "o2"))).toBe(false);
  }, 60_000);

  it("bad input found late, by the reader or only by a worker, is reported exactly as one job reports it", () => {
    const work = tempDir("jobs-bad-late-");
    const s = generateScenario({ seed: 18, events: 3000, faults: [] });
    const conflicting = s.broker[100]!.replace('"qty":7000', '"qty":7001'); // event EV-00000101 again, other content
    expect(conflicting).not.toBe(s.broker[100]);
    const cases: Array<[string, readonly string[], object]> = [
      // Only the engine counts records against events_max: a worker stops, after batches and trade rows went out.
      ["events_max", s.broker, { ...s.config, events_max: 2000 }],
      // The reader stops at a bad line after several batches went to the workers.
      ["bad line late", s.broker.map((l, i) => (i === 1700 ? '{"type":"fill"}' : l)), s.config],
      // The reader's one index of event ids finds a redelivery with other content.
      ["redelivery conflict", [...s.broker.slice(0, 900), conflicting, ...s.broker.slice(900)], s.config],
    ];
    for (const [what, broker, config] of cases) {
      const inputs = writeInputs(join(work, what.replaceAll(" ", "-")), s.journal, broker, config);
      const args = (out: string, ...more: string[]) =>
        ["replay", "--journal", inputs.journal, "--broker", inputs.broker, "--config", inputs.config, "--out", join(work, out), ...more];
      const one = runCli(args("out-1", "--jobs", "1"));
      expect(one.status, what).toBe(65);
      const two = runCli(args("out-2", "--jobs", "2"));
      expect(two.status, what).toBe(65);
      expect(two.stderr, what).toBe(one.stderr.replaceAll("out-1", "out-2"));
      expect(existsSync(join(work, "out-2")), `${what}: nothing written`).toBe(false);
    }
  }, 120_000);

  it("declines --jobs with --cache (a line on stderr, one job), refuses it with --shard and bad values (exit 2)", () => {
    const work = tempDir("jobs-usage-");
    const cache = join(work, "c.db");
    expect(runCli(["cache", "init", cache]).status).toBe(0);
    const withCache = runCli(base("healthy", join(work, "c"), "--jobs", "2", "--cache", cache));
    expect(withCache.status, withCache.stderr).toBe(0);
    expect(withCache.stderr).toMatch(/--jobs 2: the order-id cache \(--cache\) is one file written by one replay; replaying in one job/);
    const shard = runCli(base("healthy", join(work, "s"), "--jobs", "2", "--shard", "1/2"));
    expect(shard.status).toBe(2);
    expect(shard.stderr).toMatch(/--jobs cannot be combined with --shard/);
    for (const bad of ["0", "17", "x"]) {
      const r = runCli(base("healthy", join(work, `b${bad}`), "--jobs", bad));
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toMatch(/--jobs takes auto or a whole number/);
    }
    const help = runCli(["replay", "--help"]).stdout.replace(/\s+/g, " ");
    expect(help).toMatch(/--jobs <n> .*reads and validates both logs once .*default 1/);
  }, 60_000);

  it("SIGINT while the workers run: exit 130, the one-line message, --out as it was", async () => {
    const work = tempDir("jobs-sigint-");
    const s = generateScenario({ seed: 7, events: 6000, faults: [] });
    const inputs = writeInputs(join(work, "in"), s.journal, s.broker, s.config);
    const out = join(work, "out");
    mkdirSync(out);
    writeFileSync(join(out, "mine.txt"), "kept\n");
    const child = spawn(process.execPath,
      [CLI, "replay", "--journal", inputs.journal, "--broker", inputs.broker, "--config", inputs.config, "--out", out, "--adopt-out", "--jobs", "2"],
      { env: { ...process.env, [FAULT_ENV]: "record@3000:SIGINT" } });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toBe("recon-proof: interrupted by SIGINT: the work in progress was discarded; its output folder and cache are as they were\n");
    expect(readdirSync(out)).toEqual(["mine.txt"]);
    expect(readdirSync(work).sort()).toEqual(["in", "out"]);
  }, 60_000);
});

/** Replays a scenario in one job into a folder of its own; returns the folder. */
function runOne(name: string, work: string, base: (name: string, out: string, ...more: string[]) => string[]): string {
  const out = join(work, `${name}-one`);
  const r = runCli(base(name, out, "--jobs", "1"));
  expect(r.status, r.stderr).toBe(0);
  return out;
}

describe("GroupStreamMerge (the in-memory merge of shard streams)", () => {
  // A group's `skipped` list carries which shard sent it, so a combined group shows its parts.
  const group = (seq: number, shard = 0): EmitGroup => ({
    seq, run: null, findings: [], alerts: [], actions: [], ambiguous: [], skipped: [{ shard } as unknown as SkippedDecision], blocked: [], trades: [], kills: [],
  });
  const parts = (g: EmitGroup) => g.skipped.map((x) => (x as unknown as { shard: number }).shard);

  it(`prop_GroupStreamMerge_arrival_order_does_not_matter (seed ${SEED}): any chunking and interleaving gives mergeGroupStreams' sequence`, () => {
    fc.assert(fc.property(
      fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 30 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 200 }),
      (seqLists, schedule) => {
        const streams = seqLists.map((l, shard) => [...l].sort((a, b) => a - b).map((seq) => group(seq, shard)));
        const expected = [...mergeGroupStreams(streams)].map((g) => `${g.seq}:${parts(g).join(",")}`);
        const merge = new GroupStreamMerge(streams.length);
        const got: number[] = [];
        const cursor = streams.map(() => 0);
        const ended = streams.map(() => false);
        const step = (pick: number) => {
          const i = pick % streams.length;
          if (ended[i]) return;
          const take = 1 + (pick >> 3) % 5;
          const chunk = streams[i]!.slice(cursor[i], cursor[i]! + take);
          cursor[i] = cursor[i]! + chunk.length;
          if (chunk.length > 0) merge.push(i, chunk);
          else {
            merge.end(i);
            ended[i] = true;
          }
          // Sometimes the shard says how far it is: truthfully, no further than its next unsent group.
          if (!ended[i] && (pick & 4) !== 0) merge.reached(i, streams[i]![cursor[i]!]?.seq ?? 61 + (pick % 7));
          for (const g of merge.ready()) got.push(`${g.seq}:${parts(g).join(",")}`);
        };
        for (const pick of schedule) step(pick);
        for (let i = 0; i < streams.length; i += 1) while (!ended[i]) step(i);
        expect(merge.done).toBe(true);
        expect(got).toEqual(expected);
        // Independently of either: every sequence number once, in order, with the shards that sent it, in shard order.
        const union = [...new Set(seqLists.flat())].sort((a, b) => a - b);
        expect(got).toEqual(union.map((seq) => `${seq}:${seqLists.flatMap((l, shard) => (l.includes(seq) ? [shard] : [])).join(",")}`));
      }), { seed: SEED, numRuns: 300 });
  });

  it("nothing is handed out while a shard that has not ended could still have a part of the next group", () => {
    const merge = new GroupStreamMerge(2);
    merge.push(0, [group(0), group(2)]);
    expect([...merge.ready()], "shard 2 may yet send group 0").toEqual([]);
    merge.push(1, [group(1)]);
    expect([...merge.ready()].map((g) => g.seq), "shard 2 may yet send group 2").toEqual([0, 1]);
    merge.end(1);
    expect([...merge.ready()].map((g) => g.seq)).toEqual([2]);
    expect(merge.done).toBe(false);
    merge.end(0);
    expect(merge.done).toBe(true);
  });

  it("a shard that says how far it is (reached) lets the others' groups through without sending one itself", () => {
    const merge = new GroupStreamMerge(2);
    merge.push(0, [group(0), group(5)]);
    expect([...merge.ready()], "shard 2 may yet send group 0").toEqual([]);
    merge.reached(1, 3); // shard 2 has sent every group below 3: none
    expect([...merge.ready()].map((g) => g.seq), "group 5: shard 2 may still send it").toEqual([0]);
    merge.reached(1, 2); // an older word changes nothing
    merge.push(1, [group(5, 1)]);
    expect([...merge.ready()].map((g) => `${g.seq}:${parts(g).join(",")}`)).toEqual(["5:0,1"]);
    merge.push(0, [group(9)]);
    merge.reached(1, 9);
    expect([...merge.ready()], "shard 2 may yet send group 9").toEqual([]);
    merge.reached(1, 10);
    expect([...merge.ready()].map((g) => g.seq)).toEqual([9]);
  });

  it("a shard whose groups go back in sequence is a mismatch, not a silent reorder", () => {
    const merge = new GroupStreamMerge(2);
    merge.push(0, [group(3)]);
    expect(() => merge.push(0, [group(3)])).toThrow(/shard 1 group order/);
  });
});
