// `npm run bench`: speed and memory as ratios against baselines measured in the same run, on the
// same machine, on the same generated files. Never a timed assertion in a test.
//
//   npm run bench                                  # 1 000 000 events; peak RSS at 1 M and 5 M (~15 min)
//   npm run bench -- --events 200000 --rss none    # a quick look
//   npm run bench -- --rss 200000,1000000          # peak RSS at two other sizes

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initCache, SqliteCacheStore } from "../adapters/cache-store.js";
import { LineReader } from "../adapters/lines.js";
import { writeLinesAtomically } from "../adapters/write-lines.js";
import type { CacheEntry } from "../core/cache.js";
import * as D from "../domain/decimal.js";
import { generateScenario } from "../gen/generate.js";
import { runReplay } from "../cli/run-replay.js";

const CACHE_BATCH = 256;

interface Row { readonly what: string; readonly value: string; readonly note: string }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

/** Best of `n` runs: the least disturbed by whatever else the machine is doing. */
function best(n: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < n; i++) min = Math.min(min, time(fn).ms);
  return min;
}

function writeScenario(dir: string, events: number): void {
  const s = generateScenario({ seed: 42, events, faults: ["disconnect", "duplicate-delivery", "drop-ack"] });
  mkdirSync(dir, { recursive: true });
  writeLinesAtomically(join(dir, "journal.jsonl"), s.journal);
  writeLinesAtomically(join(dir, "broker.jsonl"), s.broker);
  writeFileSync(join(dir, "config.json"), JSON.stringify(s.config));
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
  const entry = (i: number): CacheEntry => ({ clientOrderId: `id-${i}`, decisionId: `D-${i}`, symbol: "EURUSD", side: "buy",
    size: D.decFromInt(1000), refPrice: D.parseDec("1.085")!, filledQty: D.ZERO, ttlUtcMs: 1e13, status: "sent" });
  const { ms } = time(() => {
    for (let i = 0; i < steps; i++) store.apply(i, [{ op: "put", entry: entry(i) }]);
  });
  store.commit([]);
  return Math.round(steps / (ms / 1000));
}

function peakRss(events: number, scratch: string): number {
  const dir = join(scratch, `rss-${events}`);
  writeScenario(dir, events);
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, "--child-replay", dir], { encoding: "utf8" });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`child replay failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

function main(): void {
  if (process.argv[2] === "--child-replay") {
    const dir = process.argv[3]!;
    runReplay({ journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json"), out: join(dir, "out") });
    process.stdout.write(String(process.resourceUsage().maxRSS * 1024) + "\n");
    return;
  }
  const events = Number(arg("events", "1000000"));
  const scratch = mkdtempSync(join(tmpdir(), "recon-bench-"));
  const dir = join(scratch, "scenario");
  process.stderr.write(`bench: generating ${events} events...\n`);
  writeScenario(dir, events);
  const lines = floor(dir);
  const args = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json") };
  process.stderr.write("bench: floor, replay, replay with cache...\n");
  const floorMs = best(3, () => floor(dir));
  const replayMs = best(3, () => runReplay({ ...args, out: join(scratch, "out") }));
  const withCache = (cacheBatch: number) => best(3, () => {
    const cache = join(mkdtempSync(join(tmpdir(), "recon-bench-")), "c.db");
    initCache(cache);
    runReplay({ ...args, cache, cacheBatch, out: join(scratch, "out-cache") });
  });
  const cachedMs = withCache(1);
  const batchedMs = withCache(CACHE_BATCH);
  const rate = (ms: number) => Math.round(lines / (ms / 1000)).toLocaleString("en-US");
  const rows: Row[] = [
    { what: "events (journal + broker lines)", value: lines.toLocaleString("en-US"), note: "gen --seed 42, faults disconnect,duplicate-delivery,drop-ack" },
    { what: "floor: read lines + JSON.parse", value: `${rate(floorMs)} ev/s`, note: `${floorMs.toFixed(0)} ms` },
    { what: "replay (cache off)", value: `${rate(replayMs)} ev/s`, note: `${replayMs.toFixed(0)} ms, artifacts written` },
    { what: "replay / floor", value: `${(replayMs / floorMs).toFixed(2)}x`, note: "target 1.5x" },
    { what: "replay (SQLite cache on)", value: `${rate(cachedMs)} ev/s`, note: `${cachedMs.toFixed(0)} ms` },
    { what: "cache on / cache off", value: `${(cachedMs / replayMs).toFixed(2)}x`, note: "target 1.3x; one transaction per record" },
    { what: `replay (cache on, --cache-batch ${CACHE_BATCH})`, value: `${rate(batchedMs)} ev/s`, note: `${batchedMs.toFixed(0)} ms` },
    { what: `cache on (--cache-batch ${CACHE_BATCH}) / cache off`, value: `${(batchedMs / replayMs).toFixed(2)}x`, note: "target 1.3x; group commit" },
    { what: "cache writes (one transaction each)", value: `${cacheWritesPerSecond(20_000).toLocaleString("en-US")} /s`, note: "WAL, synchronous=NORMAL" },
  ];
  const rssArg = arg("rss", "1000000,5000000");
  const rssSizes = rssArg === "none" ? [] : rssArg.split(",").filter((s) => s !== "").map(Number);
  const rss = rssSizes.map((n) => ({ n, bytes: peakRss(n, scratch) }));
  for (const { n, bytes } of rss) rows.push({ what: `peak RSS at ${n.toLocaleString("en-US")} events`, value: `${(bytes / 2 ** 20).toFixed(0)} MiB`, note: "child process, cache off" });
  if (rss.length === 2) rows.push({ what: "RSS growth", value: `${((rss[1]!.bytes / rss[0]!.bytes - 1) * 100).toFixed(0)}%`, note: "target within 10%" });
  rmSync(scratch, { recursive: true, force: true });
  const w = Math.max(...rows.map((r) => r.what.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  process.stdout.write(`| ${"measure".padEnd(w)} | ${"value".padEnd(v)} | note |\n|${"-".repeat(w + 2)}|${"-".repeat(v + 2)}|------|\n`);
  for (const r of rows) process.stdout.write(`| ${r.what.padEnd(w)} | ${r.value.padEnd(v)} | ${r.note} |\n`);
}

main();
