// `npm run bench`: speed and memory as ratios against baselines measured in the same run, on the
// same machine, on the same generated files. Never a timed assertion in a test. `--help` says how.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initCache } from "../adapters/cache/schema.js";
import { SqliteCacheStore } from "../adapters/cache/store.js";
import { LineReader } from "../adapters/lines.js";
import type { CacheEntry } from "../core/books/cache.js";
import * as D from "../domain/decimal.js";
import { runReplay } from "../run/replay.js";
import { replay as libraryReplay } from "../api/replay.js";
import { writeSteadyLogs } from "./steady-logs.js";

const HELP = `Usage: npm run bench -- [--decisions N] [--rounds N] [--rss N,N|none] [--duckdb on|off] [--only scale]

Measures, in one run and on the same generated files, every figure of docs/benchmarks.md's
table as a ratio to a baseline measured in that run (this machine is shared: ratios within one
run are what compare; each time is the best of --rounds runs):

  floor               read both files line by line and JSON.parse each line
  replay / floor      the replay, cache off, artifacts written (user CPU and wall time)
  DuckDB / floor      the peer a user would pick instead: DuckDB (2 threads) reading both files,
                      deduping by event id, fill totals per order, net position per symbol
                      (only when the dev dependency @duckdb/node-api is installed)
  cache on / off      the SQLite order-id cache at the default group commit, and written
                      through (--cache-batch 1)
  shards / unsharded  replay --shard 1/2 and 2/2 as two processes at once, then merge, against
                      one unsharded replay process (wall time: this is about both cores)
  --jobs 2 / 1        replay --jobs 2 (the main thread reads the logs once, two worker threads
                      replay the shards, merged in memory) against --jobs 1, wall time, the
                      process's CPU time and peak RSS
  N runners          the CI matrix simulated: replay --shard K/N for each K, each process alone
                      (as on its own runner), then merge; the slowest shard plus the merge, the
                      merge alone, and the largest shard's peak RSS, each against one unsharded
                      replay process (N = 1, 2, 4, 8)
  peak RSS            a replay in a child process at each --rss size, default config (the
                      largest is over 2 000 000 decisions, without a restart)
  library / process   replay() called in this process against \`recon-proof replay\` as a child
                      process, on the bundled healthy scenario (7 + 14 lines): what a caller
                      saves by importing the library instead of spawning the command

The scenario: N decisions (default 500 000), one a second over four symbols, each accepted and
filled (three lines per decision: 1 500 000 lines, 1 000 000 of them broker events), no restart.

Options:
  --decisions N   decisions in the timed scenario (default 500000)
  --rounds N      runs of each timed measure; the best counts (default 3)
  --rss LIST      decisions of the peak-RSS scenarios, or none (default 500000,2500000:
                  1 M and 5 M broker events)
  --duckdb on|off the DuckDB peer row (default on when installed)
  --only library  the library / process row alone (seconds, not minutes)
  --only scale    only the N-runners rows
  -h, --help      this help

Examples:
  npm run bench                                       # the table in docs/benchmarks.md, about 20 minutes
  npm run bench -- --decisions 100000 --rss none      # a quick look
  npm run bench -- --only library                     # in-process replay against a spawned one
  npm run bench -- --only scale --rounds 1            # the scale-out rows alone
`;

interface Row { readonly what: string; readonly value: string; readonly note: string }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface Took { readonly wallMs: number; readonly userMs: number }

async function took(fn: () => unknown): Promise<Took> {
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  await fn();
  return { wallMs: Number(process.hrtime.bigint() - t) / 1e6, userMs: process.cpuUsage(cpu).user / 1000 };
}

/** Best of `n` runs (least disturbed by whatever else the machine is doing), wall and user CPU apart. */
async function best(n: number, fn: () => unknown): Promise<Took> {
  let wallMs = Infinity;
  let userMs = Infinity;
  for (let i = 0; i < n; i++) {
    const t = await took(fn);
    wallMs = Math.min(wallMs, t.wallMs);
    userMs = Math.min(userMs, t.userMs);
  }
  return { wallMs, userMs };
}

/** The floor: a bare loop that reads both files line by line and JSON.parses each line. */
function floor(dir: string): number {
  let n = 0;
  for (const f of ["journal.jsonl", "broker.jsonl"]) {
    for (const { text } of new LineReader(join(dir, f), f, 1 << 20)) {
      JSON.parse(text);
      n += 1;
    }
  }
  return n;
}

function cacheWritesPerSecond(steps: number): number {
  const path = join(mkdtempSync(join(tmpdir(), "recon-bench-")), "c.db");
  initCache(path);
  const store = SqliteCacheStore.open(path, "bench").store!;
  store.setRecordsPerTransaction(1);
  const entry = (i: number): CacheEntry => ({ clientOrderId: `id-${i}`, decisionId: `D-${i}`, symbol: "EURUSD", side: "buy",
    size: D.decFromInt(1000), refPrice: D.parseDec("1.085")!, filledQty: D.ZERO, ttlUtcMs: 1e13, status: "sent" });
  const t = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) store.apply(i, [{ op: "put", entry: entry(i) }]);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  store.commit([]);
  return Math.round(steps / (ms / 1000));
}

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

const SMALL_SCENARIO = fileURLToPath(new URL("../../fixtures/scenarios/healthy/", import.meta.url));

/** replay() in this process against the command in a child process, on a small bundled scenario. */
async function libraryRows(scratch: string, rounds: number): Promise<Row[]> {
  const files = { journal: join(SMALL_SCENARIO, "journal.jsonl"), broker: join(SMALL_SCENARIO, "broker.jsonl"), config: join(SMALL_SCENARIO, "config.json") };
  const runs = Math.max(rounds, 10);
  await libraryReplay(files); // the first call loads the code: a long-lived caller pays that once
  const inProcess = await best(runs, () => libraryReplay(files));
  const spawned = await best(runs, () => cli(["replay", "--journal", files.journal, "--broker", files.broker, "--config", files.config, "--out", join(scratch, "out-small")]));
  return [{
    what: "library replay() / CLI process", value: `${(inProcess.wallMs / spawned.wallMs).toFixed(3)}x`,
    note: `wall time on the healthy scenario: ${inProcess.wallMs.toFixed(1)} ms in process, ${spawned.wallMs.toFixed(0)} ms spawning \`recon-proof replay\``,
  }];
}

/** Runs the CLI in a child process; resolves with its exit code. */
function cli(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString("utf8"); });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 || code === 3 ? resolve(code) : reject(new Error(`${args[0]} exit ${code}: ${stderr}`))));
  });
}

/** A CLI replay in a child process: wall time, the child's CPU time (user + system), peak RSS and exit code (0 or 3). */
function replayProcess(args: readonly string[]): { wallMs: number; cpuMs: number; rssBytes: number; code: number } {
  const self = fileURLToPath(import.meta.url);
  const started = performance.now();
  const r = spawnSync(process.execPath, [self, "--child-cli", ...args], { encoding: "utf8" });
  const wallMs = performance.now() - started;
  if (r.status !== 0 && r.status !== 3) throw new Error(`child replay failed: ${r.stderr}`);
  // A --jobs run that fell back to one job would time the wrong thing.
  if (r.stderr.includes("replaying in one job")) throw new Error(`child replay did not run as asked: ${r.stderr}`);
  const [cpuMs, rssBytes] = r.stdout.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { wallMs, cpuMs: cpuMs!, rssBytes: rssBytes!, code: r.status };
}

/** replay --jobs 2 against --jobs 1, each the best of `rounds` by wall time, run alternately. */
function jobsRows(inputs: readonly string[], out: (name: string) => string, rounds: number): Row[] {
  type Run = ReturnType<typeof replayProcess>;
  const bestOf = (a: Run | null, b: Run) => (a === null || b.wallMs < a.wallMs ? b : a);
  let one: Run | null = null;
  let split: Run | null = null;
  for (let r = 0; r < rounds; r += 1) {
    one = bestOf(one, replayProcess(["replay", ...inputs, "--jobs", "1", "--out", out("jobs1")]));
    split = bestOf(split, replayProcess(["replay", ...inputs, "--jobs", "2", "--out", out("jobs2")]));
  }
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const run = (what: string, r: Run): Row => ({ what, value: `${(r.wallMs / 1000).toFixed(1)} s`, note: `wall time; CPU ${(r.cpuMs / 1000).toFixed(1)} s; peak RSS ${mib(r.rssBytes)}` });
  const ratio = (what: string, r: Run, note: string): Row => ({
    what, value: `${(r.wallMs / one!.wallMs).toFixed(2)}x`, note: `wall time (CPU ${(r.cpuMs / one!.cpuMs).toFixed(2)}x)${note}`,
  });
  return [
    run("replay --jobs 1 (CLI)", one!),
    run("replay --jobs 2 (one reader, two workers)", split!),
    ratio("--jobs 2 / --jobs 1", split!, "; target below 1x on 2 cores"),
  ];
}

/** Two shard processes at once, then merge; against one unsharded replay process. Wall time. */
async function shardRows(dir: string, scratch: string, rounds: number): Promise<Row[]> {
  const inputs = ["--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl")];
  const out = (name: string) => join(scratch, name, String(Math.random()).slice(2));
  const unsharded = await best(rounds, () => cli(["replay", ...inputs, "--jobs", "1", "--out", out("unsharded")]));
  let mergeMs = Infinity;
  const sharded = await best(rounds, async () => {
    const dirs = [out("s1"), out("s2")];
    await Promise.all([1, 2].map((k) => cli(["replay", ...inputs, "--shard", `${k}/2`, "--out", dirs[k - 1]!])));
    mergeMs = Math.min(mergeMs, (await took(() => cli(["merge", "--out", out("merged"), ...dirs]))).wallMs);
  });
  return [
    { what: "replay, one process (CLI)", value: `${(unsharded.wallMs / 1000).toFixed(1)} s`, note: "wall time" },
    { what: "--shard 1/2 ∥ --shard 2/2, then merge", value: `${(sharded.wallMs / 1000).toFixed(1)} s`, note: "wall time, both processes at once" },
    { what: "sharded + merge / unsharded", value: `${(sharded.wallMs / unsharded.wallMs).toFixed(2)}x`, note: "target below 1x on 2 cores" },
    { what: "merge alone", value: `${(mergeMs / 1000).toFixed(1)} s`, note: "wall time" },
    ...jobsRows(inputs, out, rounds),
  ];
}

/**
 * Scale-out on a CI matrix, simulated: each shard runs alone (as on its own runner), one after
 * another, and the matrix's time is its slowest shard plus the merge. Against one unsharded replay
 * process: wall time and peak RSS, each the best of `rounds`.
 */
function scaleRows(dir: string, scratch: string, rounds: number): Row[] {
  type Run = ReturnType<typeof replayProcess>;
  const inputs = ["--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl")];
  const out = (name: string) => join(scratch, "scale", name, String(Math.random()).slice(2));
  const bestOf = (args: () => string[]): Run => {
    let best: Run | null = null;
    for (let r = 0; r < rounds; r += 1) {
      const run = replayProcess(args());
      if (best === null || run.wallMs < best.wallMs) best = run;
    }
    return best!;
  };
  const unsharded = bestOf(() => ["replay", ...inputs, "--out", out("unsharded")]);
  const matrix = (n: number) => {
    const dirs = Array.from({ length: n }, (_v, i) => join(scratch, "scale", `n${n}`, `shard-${i + 1}`));
    const shards = dirs.map((d, i) => bestOf(() => {
      rmSync(d, { recursive: true, force: true });
      return ["replay", ...inputs, "--shard", `${i + 1}/${n}`, "--out", d];
    }));
    const merge = bestOf(() => ["merge", "--out", out(`merged-${n}`), ...dirs]);
    const slowest = shards.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    return { n, slowest: slowest.wallMs, slowestCpu: slowest.cpuMs, rss: Math.max(...shards.map((s) => s.rssBytes)), merge: merge.wallMs, mergeCpu: merge.cpuMs };
  };
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const x = (r: number) => `${r.toFixed(2)}x`;
  const rows: Row[] = [{ what: "unsharded replay, one runner", value: s(unsharded.wallMs),
    note: `wall time; CPU ${s(unsharded.cpuMs)}; peak RSS ${(unsharded.rssBytes / 2 ** 20).toFixed(0)} MiB` }];
  const targets: Record<number, string> = { 4: "target <= 0.40", 8: "target <= 0.25" };
  for (const n of [1, 2, 4, 8]) {
    process.stderr.write(`bench: ${n} shards, each alone...\n`);
    const m = matrix(n);
    rows.push(
      { what: `${n} runners: slowest shard + merge / unsharded`, value: x((m.slowest + m.merge) / unsharded.wallMs),
        note: `slowest shard ${s(m.slowest)} (CPU ${s(m.slowestCpu)}), merge ${s(m.merge)}${targets[n] === undefined ? "" : `; ${targets[n]}`}` },
      { what: `${n} runners: merge / unsharded`, value: x(m.merge / unsharded.wallMs), note: `merge CPU ${s(m.mergeCpu)}${n === 4 ? "; target <= 0.08" : ""}` },
      { what: `${n} runners: peak RSS of a shard / unsharded`, value: x(m.rss / unsharded.rssBytes),
        note: `largest shard ${(m.rss / 2 ** 20).toFixed(0)} MiB${n === 4 ? "; target <= 0.5" : ""}` },
    );
  }
  return rows;
}

/** DuckDB reading both files: what a user would pick instead of a replay (null when not installed). */
async function duckdbMs(dir: string, rounds: number): Promise<number | null> {
  let api: typeof import("@duckdb/node-api");
  try {
    api = await import("@duckdb/node-api");
  } catch {
    return null;
  }
  const instance = await api.DuckDBInstance.create(":memory:", { threads: "2" });
  const db = await instance.connect();
  const j = join(dir, "journal.jsonl").replaceAll("'", "''");
  const b = join(dir, "broker.jsonl").replaceAll("'", "''");
  const sql = `
    WITH broker AS (SELECT * FROM read_json_auto('${b}', format = 'newline_delimited')),
         events AS (SELECT DISTINCT ON (event_id) * FROM broker),
         fills AS (SELECT broker_order_id, symbol, sum(qty) AS qty, sum(CASE WHEN side = 'buy' THEN qty ELSE -qty END) AS net
                   FROM events WHERE type = 'fill' GROUP BY broker_order_id, symbol),
         decisions AS (SELECT count(*) AS n FROM read_json_auto('${j}', format = 'newline_delimited') WHERE type = 'decision')
    SELECT symbol, sum(net) AS position, count(*) AS orders, (SELECT n FROM decisions) AS decisions FROM fills GROUP BY symbol ORDER BY symbol`;
  const { wallMs } = await best(rounds, () => db.runAndReadAll(sql));
  db.closeSync();
  return wallMs;
}

/** Peak RSS of a CLI replay of `decisions` under the default config (no config file), as a user would start. */
function peakRss(decisions: number, scratch: string): { bytes: number; code: number } {
  const dir = join(scratch, `rss-${decisions}`);
  mkdirSync(dir, { recursive: true });
  writeSteadyLogs(dir, decisions);
  const { rssBytes, code } = replayProcess(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--out", join(dir, "out")]);
  rmSync(dir, { recursive: true, force: true });
  return { bytes: rssBytes, code };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** The CLI's own entry, in this process, so that its CPU time and peak RSS can be read after. */
async function runChildCli(): Promise<void> {
  process.argv.splice(2, 1);
  process.on("exit", () => {
    const u = process.resourceUsage();
    process.stdout.write(`${(u.userCPUTime + u.systemCPUTime) / 1000} ${u.maxRSS * 1024}\n`);
  });
  await import("../cli/main.js");
}

/** Peak RSS of a child replay at each --rss size, and how much it grows from the smallest to the largest. */
function rssRows(scratch: string): Row[] {
  const rssArg = arg("rss", "500000,2500000");
  const rssSizes = rssArg === "none" ? [] : rssArg.split(",").filter((s) => s !== "").map(Number);
  const rss = rssSizes.map((n) => {
    process.stderr.write(`bench: peak RSS at ${fmt(n)} decisions...\n`);
    return { n, ...peakRss(n, scratch) };
  });
  const rows: Row[] = rss.map(({ n, bytes, code }) =>
    ({ what: `peak RSS, ${fmt(n)} decisions (${fmt(2 * n)} broker events)`, value: `${(bytes / 2 ** 20).toFixed(0)} MiB`, note: `child process, default config, exit ${code}; target 300 MiB` }));
  if (rss.length >= 2) rows.push({ what: "RSS growth, smallest to largest", value: `${((rss.at(-1)!.bytes / rss[0]!.bytes - 1) * 100).toFixed(0)}%`, note: "target within 10%" });
  return rows;
}

/** The rows as docs/benchmarks.md's markdown table. */
function printTable(rows: readonly Row[]): void {
  const w = Math.max(...rows.map((r) => r.what.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  process.stdout.write(`| ${"measure".padEnd(w)} | ${"value".padEnd(v)} | note |\n|${"-".repeat(w + 2)}|${"-".repeat(v + 2)}|------|\n`);
  for (const r of rows) process.stdout.write(`| ${r.what.padEnd(w)} | ${r.value.padEnd(v)} | ${r.note} |\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  if (process.argv[2] === "--child-cli") {
    await runChildCli();
    return;
  }
  const decisions = Number(arg("decisions", "500000"));
  const rounds = Number(arg("rounds", "3"));
  const scratch = mkdtempSync(join(tmpdir(), "recon-bench-"));
  if (arg("only", "") === "library") {
    printTable(await libraryRows(scratch, rounds));
    rmSync(scratch, { recursive: true, force: true });
    return;
  }
  const dir = join(scratch, "scenario");
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`bench: writing ${fmt(decisions)} decisions...\n`);
  writeSteadyLogs(dir, decisions);
  if (arg("only", "all") === "scale") {
    const scaleOnly = scaleRows(dir, scratch, rounds);
    rmSync(scratch, { recursive: true, force: true });
    printTable(scaleOnly);
    return;
  }
  const lines = floor(dir);
  const args = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), progress: { update: () => undefined } };
  process.stderr.write("bench: floor, replay, replay with cache...\n");
  const floorT = await best(rounds, () => floor(dir));
  const replayT = await best(rounds, () => runReplay({ ...args, out: join(scratch, "out") }));
  const withCache = (cacheBatch: number | undefined) => best(rounds, () => {
    const cache = join(mkdtempSync(join(tmpdir(), "recon-bench-")), "c.db");
    initCache(cache);
    runReplay({ ...args, cache, cacheBatch, out: join(scratch, "out-cache") });
  });
  const cachedT = await withCache(undefined);
  const writeThroughT = await withCache(1);
  const rate = (ms: number) => `${fmt(lines / (ms / 1000))} lines/s`;
  const ratio = (a: Took, b: Took) => `${(a.userMs / b.userMs).toFixed(2)}x`;
  const rows: Row[] = [
    { what: "input lines (journal + broker)", value: fmt(lines), note: `${fmt(decisions)} decisions, each accepted and filled; 4 symbols; no restart` },
    { what: "floor: read lines + JSON.parse", value: rate(floorT.wallMs), note: `${floorT.userMs.toFixed(0)} ms user CPU` },
    { what: "replay (cache off)", value: rate(replayT.wallMs), note: `${replayT.userMs.toFixed(0)} ms user CPU, artifacts written` },
    { what: "replay / floor", value: ratio(replayT, floorT), note: `user CPU (wall ${(replayT.wallMs / floorT.wallMs).toFixed(2)}x); target 2x, stretch 1.5x` },
  ];
  if (arg("duckdb", "on") !== "off") {
    process.stderr.write("bench: DuckDB...\n");
    const duck = await duckdbMs(dir, rounds);
    rows.push(duck === null
      ? { what: "DuckDB / floor", value: "n/a", note: "@duckdb/node-api not installed (npm install): see docs/benchmarks.md" }
      : { what: "DuckDB (2 threads) / floor", value: `${(duck / floorT.wallMs).toFixed(2)}x`, note: `wall time, ${duck.toFixed(0)} ms: dedupe by event id, fill totals, net position` });
  }
  rows.push(
    { what: "cache on (default group commit) / off", value: ratio(cachedT, replayT), note: `user CPU (wall ${(cachedT.wallMs / replayT.wallMs).toFixed(2)}x); target 1.3x` },
    { what: "cache on, --cache-batch 1 / off", value: ratio(writeThroughT, replayT), note: `user CPU (wall ${(writeThroughT.wallMs / replayT.wallMs).toFixed(2)}x); one transaction per record` },
    { what: "cache writes (one transaction each)", value: `${fmt(cacheWritesPerSecond(20_000))} /s`, note: "WAL, synchronous=NORMAL" },
  );
  process.stderr.write("bench: shards...\n");
  rows.push(...await shardRows(dir, scratch, rounds));
  process.stderr.write("bench: scale-out over simulated runners...\n");
  rows.push(...scaleRows(dir, scratch, rounds));
  rows.push(...rssRows(scratch));
  rows.push(...await libraryRows(scratch, rounds));
  rmSync(scratch, { recursive: true, force: true });
  printTable(rows);
}

await main();
