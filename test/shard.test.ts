// Sharding (`replay --shard K/N`) and `merge`: the merged artifacts are byte for byte the unsharded
// replay's, or merge refuses and says which cross-symbol rule (kill switch, daily loss cap) could
// have made them differ. Generated scenarios trade three symbols (EURUSD, GBPUSD, USDJPY); the
// input formats carry no account, so a shard owns symbols.

import fc from "fast-check";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mergeShards } from "../src/core/shard/merge.js";
import { replayShardSteps, runToEnd } from "../src/core/replay.js";
import { shardOfSymbol } from "../src/core/shard/shard.js";
import { ShardTally } from "../src/core/shard/tally.js";
import { resolveConfig } from "../src/domain/config.js";
import { configToJson } from "../src/domain/config-json.js";
import type { TradeRow } from "../src/domain/report.js";
import { type PeekedBrokerLine, type PeekedJournalLine, peekBrokerLine, peekJournalLine } from "../src/domain/peek.js";
import type { BrokerEvent, JournalRecord } from "../src/domain/records.js";
import { parseBrokerLine, parseJournalLine } from "../src/domain/validate.js";
import { FAULTS, generateScenario, type Fault } from "../src/gen/generate.js";
import { renderArtifacts, type RenderedArtifacts } from "../src/artifacts/render.js";
import {
  parseGroupLine, parseShardManifest, renderGroupLine, renderShardManifest, SHARD_FORMAT, SHARD_FORMAT_VERSION, sha256Hex,
} from "../src/shard/codec.js";
import { runCli, SCENARIOS, scenarioNames, tempDir } from "./helpers/cli.js";
import { replayLines } from "./helpers/laws.js";

const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 12);
const SEED = process.env["FC_SEED"] === undefined ? undefined : Number(process.env["FC_SEED"]);
const MAX_EVENTS = Number(process.env["MAX_EVENTS"] ?? 800);
const ARTIFACTS = ["trades.csv", "reconcile-report.json", "summary.txt", "metrics.txt"] as const;

type Merged = { ok: true; artifacts: RenderedArtifacts } | { ok: false; why: string; shardErrors: string[] };

/**
 * How a shard reads its lines: "peeked" as `replay --shard` does (a line it may not own only peeked
 * at, validated by its owner), or "whole" (every line validated by every shard).
 */
type Reading = "peeked" | "whole";

function* journalOf(lines: readonly string[], reading: Reading): Generator<JournalRecord | PeekedJournalLine> {
  for (const [i, t] of lines.entries()) yield (reading === "peeked" ? peekJournalLine(t, i + 1) : undefined) ?? parseJournalLine(t, i + 1);
}

function* brokerOf(lines: readonly string[], reading: Reading): Generator<BrokerEvent | PeekedBrokerLine> {
  for (const [i, t] of lines.entries()) yield (reading === "peeked" ? peekBrokerLine(t, i + 1, i + 1) : undefined) ?? parseBrokerLine(t, i + 1);
}

/** Shards a replay in memory, through the shard file format (rendered and parsed back), and merges. */
function shardAndMerge(journal: readonly string[], broker: readonly string[], configJson: object, n: number, reading: Reading = "peeked"): Merged {
  const config = resolveConfig(configJson);
  const meta = { journal: { name: "journal.jsonl", sha256: "-", lines: journal.length }, broker: { name: "broker.jsonl", sha256: "-", lines: broker.length },
    configFile: null, configHash: "law", effectiveConfig: configToJson(config) };
  const shards = [];
  const shardErrors: string[] = [];
  for (let k = 1; k <= n; k += 1) {
    const lines: string[] = [];
    const spec = { index: k, count: n, by: "symbol" as const };
    const inputs = { config, journal: journalOf(journal, reading), broker: brokerOf(broker, reading) };
    let result;
    try {
      result = runToEnd(replayShardSteps(inputs, { configHash: "law", cacheEntries: [], cacheFailure: null },
        { spec, emit: (g) => lines.push(renderGroupLine(g)) }));
    } catch (err) {
      shardErrors.push((err as Error).message);
      continue;
    }
    const manifest = parseShardManifest(renderShardManifest({
      format: SHARD_FORMAT, version: SHARD_FORMAT_VERSION, shard: spec, meta, state: result.state, evidence: result.evidence, groups: lines.length,
      groupsSha256: sha256Hex(lines.join("")),
    }));
    const groups = lines.map((l, i) => parseGroupLine(l.trimEnd(), i + 1));
    // What merge checks each shard's end state against: its groups never contradict it.
    const tally = new ShardTally(spec);
    for (const g of groups) expect(tally.add(g), `shard ${k}/${n}, group ${g.seq}`).toBeNull();
    expect(tally.contradiction(manifest.state, manifest.evidence), `shard ${k}/${n}`).toBeNull();
    shards.push({ state: manifest.state, evidence: manifest.evidence, groups });
  }
  if (shardErrors.length > 0) return { ok: false, why: shardErrors.join(" | "), shardErrors };
  const trades: TradeRow[] = [];
  try {
    const report = mergeShards(config, shards, (rows) => trades.push(...rows));
    return { ok: true, artifacts: renderArtifacts({ ...report, trades }, meta) };
  } catch (err) {
    return { ok: false, why: (err as Error).message, shardErrors };
  }
}

describe("sharded replay + merge equals the unsharded replay (generated three-symbol scenarios)", () => {
  it("common FX symbols spread evenly: the benchmark's four over two shards, the twelve majors 6/6", () => {
    const over2 = (symbols: string[]) => [1, 2].map((k) => symbols.filter((s) => shardOfSymbol(s, 2) === k).length);
    expect(over2(["EURUSD", "GBPJPY", "USDCAD", "AUDUSD"])).toEqual([2, 2]);
    expect(over2(["EURUSD", "GBPUSD", "USDJPY", "USDCHF", "AUDUSD", "USDCAD", "NZDUSD", "EURJPY", "GBPJPY", "EURGBP", "EURCHF", "AUDJPY"])).toEqual([6, 6]);
  });

  it("symbols spread over the shards (the partition is not trivial)", () => {
    expect(new Set(["EURUSD", "GBPUSD", "USDJPY"].map((s) => shardOfSymbol(s, 3))).size).toBe(3);
    expect(new Set(["EURUSD", "GBPUSD", "USDJPY"].map((s) => shardOfSymbol(s, 2))).size).toBe(2);
  });

  it("law: merged artifacts are byte-identical, or merge refuses only when a cross-symbol rule was in play", () => {
    let exact = 0;
    fc.assert(fc.property(
      fc.record({
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        events: fc.integer({ min: 60, max: MAX_EVENTS }),
        faults: fc.subarray([...FAULTS].filter((f) => f !== "corrupt-cache")),
        shards: fc.constantFrom(1, 2, 3, 4, 8),
      }),
      ({ seed, events, faults, shards }) => {
        const s = generateScenario({ seed, events, faults: faults as Fault[] });
        const whole = replayLines(s.journal, s.broker, s.config);
        const merged = shardAndMerge(s.journal, s.broker, s.config, shards);
        if (!merged.ok) {
          // The only honest reasons to refuse: the kill switch blocked decisions across symbols.
          expect(whole.report.totals.killSwitch, merged.why).toBe(true);
          expect(merged.why).toMatch(/kill switch|daily loss cap/);
          return;
        }
        exact += 1;
        for (const name of ARTIFACTS) expect(merged.artifacts[name], name).toBe(whole.artifacts[name]);
      },
    ), { numRuns: NUM_RUNS, seed: SEED });
    expect(exact).toBeGreaterThan(0);
  }, 600_000);

  // Found by review: orders the logs name first without a symbol, and a limit over all symbols.
  const SNAP = `{"type":"snapshot","ts":"2025-10-20T13:59:00Z","open_orders":[],"positions":[]}`;
  const POS = (id: string, ts: string) => `{"type":"position_snapshot","ts":"2025-10-20T${ts}Z","event_id":"${id}","positions":[]}`;
  const CASES: Array<{ name: string; journal: string[]; broker: string[]; config?: object }> = [
    { name: "a reject that arrives before its decision (clock skew between the logs)",
      journal: [SNAP, `{"type":"decision","ts":"2025-10-20T14:00:00.500Z","decision_id":"D-1","client_order_id":"C1","symbol":"EURUSD","side":"buy","qty":1000,"ref_price":1.085}`],
      broker: [POS("E0", "13:58:00"), `{"type":"order_rejected","ts":"2025-10-20T14:00:00.400Z","event_id":"E1","client_order_id":"C1","reason":"no"}`, POS("E2", "14:10:00")] },
    { name: "a cancel of an order the log shows only afterwards",
      journal: [SNAP],
      broker: [POS("E0", "13:58:00"), `{"type":"order_cancelled","ts":"2025-10-20T14:00:00Z","event_id":"E1","broker_order_id":"B9"}`,
        `{"type":"order_accepted","ts":"2025-10-20T14:00:01Z","event_id":"E2","client_order_id":"X9","broker_order_id":"B9","symbol":"EURUSD","side":"sell","qty":1000}`, POS("E3", "14:10:00")] },
    { name: "an orphan first seen as a reject, then filled, next to a limits mismatch",
      journal: [SNAP],
      broker: [POS("E0", "13:58:00"), `{"type":"order_rejected","ts":"2025-10-20T14:00:00Z","event_id":"E1","client_order_id":"X9","reason":"r"}`,
        `{"type":"fill","ts":"2025-10-20T14:00:01Z","event_id":"E2","client_order_id":"X9","broker_order_id":"B9","symbol":"GBPUSD","side":"sell","qty":1000,"price":1.3}`,
        `{"type":"limits_snapshot","ts":"2025-10-20T14:00:02Z","event_id":"E3","daily_loss_cap":500,"symbol_caps":{}}`] },
  ];
  for (const c of CASES) {
    it(`${c.name}: merged equals unsharded`, () => {
      const whole = replayLines(c.journal, c.broker, c.config ?? {});
      for (const n of [2, 3]) {
        const merged = shardAndMerge(c.journal, c.broker, c.config ?? {}, n);
        expect(merged.ok, merged.ok ? "" : merged.why).toBe(true);
        if (merged.ok) for (const name of ARTIFACTS) expect(merged.artifacts[name], `${n} shards: ${name}`).toBe(whole.artifacts[name]);
      }
    });
  }

  it("cache_entries_max counts every symbol's ids: shards that could exceed it together are refused", () => {
    const journal = [SNAP,
      `{"type":"decision","ts":"2025-10-20T14:00:00Z","decision_id":"D-1","client_order_id":"C1","symbol":"EURUSD","side":"buy","qty":1000,"ref_price":1.085}`,
      `{"type":"decision","ts":"2025-10-20T14:00:01Z","decision_id":"D-2","client_order_id":"C2","symbol":"GBPUSD","side":"buy","qty":1000,"ref_price":1.3}`];
    const broker = [POS("E0", "13:58:00"),
      `{"type":"order_accepted","ts":"2025-10-20T14:00:00.1Z","event_id":"E1","client_order_id":"C1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":1000}`,
      `{"type":"order_accepted","ts":"2025-10-20T14:00:01.1Z","event_id":"E2","client_order_id":"C2","broker_order_id":"B2","symbol":"GBPUSD","side":"buy","qty":1000}`];
    expect(() => replayLines(journal, broker, { cache_entries_max: 1 })).toThrow(/cache_entries_max=1/);
    const merged = shardAndMerge(journal, broker, { cache_entries_max: 1 }, 3);
    expect(merged.ok).toBe(false);
    if (!merged.ok) expect(merged.why).toMatch(/2 order-id cache entries between them, more than cache_entries_max=1/);
    expect(shardAndMerge(journal, broker, { cache_entries_max: 2 }, 3).ok).toBe(true);
  });

  it("a kill switch that blocks another symbol's decisions is refused, not merged wrong", () => {
    const dir = join(SCENARIOS, "kill-switch-blocks-decisions");
    const read = (f: string) => readFileSync(join(dir, f), "utf8").trimEnd().split("\n");
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as object;
    const merged = shardAndMerge(read("journal.jsonl"), read("broker.jsonl"), config, 2);
    expect(merged.ok).toBe(false);
    if (!merged.ok) expect(merged.why).toMatch(/kill switch engaged at .* but shard \d still took decisions after it/);
  });
});

describe("a shard validates only the lines it owns: every bundled scenario at 2, 3, 4 and 8 shards", () => {
  const read = (dir: string, f: string) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l.trim() !== "");
  for (const name of scenarioNames()) {
    it(`${name}: merged equals unsharded, or the same refusal as when every shard validates every line`, () => {
      const dir = join(SCENARIOS, name);
      const [journal, broker] = [read(dir, "journal.jsonl"), read(dir, "broker.jsonl")];
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as object;
      let whole: ReturnType<typeof replayLines> | null = null;
      let refused: string | null = null;
      try {
        whole = replayLines(journal, broker, config);
      } catch (err) {
        refused = (err as Error).message;
      }
      for (const n of [2, 3, 4, 8]) {
        const peeked = shardAndMerge(journal, broker, config, n);
        const validated = shardAndMerge(journal, broker, config, n, "whole");
        if (refused !== null) {
          // Bad input: the shard that owns the bad line refuses it in the unsharded replay's words.
          expect(peeked.ok).toBe(false);
          if (!peeked.ok) expect(peeked.shardErrors, `${n} shards`).toContain(refused);
          continue;
        }
        if (!peeked.ok) {
          expect(validated.ok ? "merged" : validated.why, `${n} shards`).toBe(peeked.why);
          expect(peeked.why).toMatch(/kill switch|daily loss cap|cache_entries_max/);
          continue;
        }
        for (const artifact of ARTIFACTS) expect(peeked.artifacts[artifact], `${n} shards: ${artifact}`).toBe(whole!.artifacts[artifact]);
      }
    });
  }
});

describe("recon-proof replay --shard / merge (CLI, files)", () => {
  const work = tempDir("recon-proof-shard-");
  const gen = join(work, "gen");
  const inputs = () => ["--journal", join(gen, "journal.jsonl"), "--broker", join(gen, "broker.jsonl"), "--config", join(gen, "config.json")];
  const shardDirs = (n: number, tag: string) => Array.from({ length: n }, (_v, i) => join(work, `${tag}-${i + 1}`));

  // Every test below starts from these: one generated scenario, replayed whole and in three shards.
  let whole: ReturnType<typeof runCli>;
  beforeAll(() => {
    expect(runCli(["gen", "--seed", "42", "--events", "4000", "--faults", "disconnect,duplicate-delivery,drop-ack,crash-restart,orphan", "--out", gen]).status).toBe(0);
    whole = runCli(["replay", ...inputs(), "--out", join(work, "whole")]);
    for (const [i, d] of shardDirs(3, "s").entries()) {
      const r = runCli(["replay", ...inputs(), "--shard", `${i + 1}/3`, "--out", d]);
      expect(r.status, r.stderr).toBe(0);
    }
  }, 120_000);

  it("three shards of a generated scenario merge into the unsharded artifacts, byte for byte", () => {
    const dirs = shardDirs(3, "s");
    for (const d of dirs) expect(readdirSync(d).sort()).toEqual([".recon-proof", "groups.jsonl", "shard.json"]);
    const merged = runCli(["merge", "--out", join(work, "merged"), ...[...dirs].reverse()]);
    expect(merged.status, merged.stderr).toBe(whole.status);
    for (const name of ARTIFACTS) {
      expect(readFileSync(join(work, "merged", name), "utf8"), name).toBe(readFileSync(join(work, "whole", name), "utf8"));
    }
  }, 120_000);

  it("refuses (exit 2) when the daily loss cap could have been reached across symbols, and leaves --out as it was", () => {
    const dir = join(SCENARIOS, "daily-loss-breach");
    const dirs = shardDirs(3, "loss");
    for (const [i, d] of dirs.entries()) {
      expect(runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json"),
        "--shard", `${i + 1}/3`, "--out", d]).status).toBe(0);
    }
    const out = join(work, "loss-out");
    mkdirSync(out);
    writeFileSync(join(out, "summary.txt"), "previous\n");
    const r = runCli(["merge", "--out", out, "--adopt-out", ...dirs]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/daily loss cap 5000/);
    expect(readdirSync(out)).toEqual(["summary.txt"]);
    expect(readFileSync(join(out, "summary.txt"), "utf8")).toBe("previous\n");
  });

  it("a bad line is refused (exit 65) by the shard that owns it, in the unsharded replay's words; the others only tick on it, and merge refuses without the owner", () => {
    const bad = join(work, "bad");
    mkdirSync(bad);
    const lines = readFileSync(join(gen, "journal.jsonl"), "utf8").split("\n");
    const at = lines.findIndex((l) => l.includes('"type":"decision"') && l.includes('"symbol":"EURUSD"'));
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at]!.replace(/"qty":[0-9.]+/, '"qty":-5');
    writeFileSync(join(bad, "journal.jsonl"), lines.join("\n"));
    const args = ["--journal", join(bad, "journal.jsonl"), "--broker", join(gen, "broker.jsonl"), "--config", join(gen, "config.json")];
    const unsharded = runCli(["replay", ...args, "--out", join(bad, "whole")]);
    expect(unsharded.status).toBe(65);
    expect(unsharded.stderr).toContain(`journal.jsonl:${at + 1}`);
    const owner = shardOfSymbol("EURUSD", 3);
    const dirs = shardDirs(3, "bad");
    for (const [i, d] of dirs.entries()) {
      const r = runCli(["replay", ...args, "--shard", `${i + 1}/3`, "--out", d]);
      if (i + 1 === owner) {
        expect(r.status).toBe(65);
        expect(r.stderr).toBe(unsharded.stderr);
        expect(existsSync(d)).toBe(false);
      } else {
        expect(r.status, r.stderr).toBe(0);
      }
    }
    const merged = runCli(["merge", "--out", join(bad, "merged"), ...dirs.filter((_d, i) => i + 1 !== owner)]);
    expect(merged.status).toBe(65);
    expect(merged.stderr).toMatch(/all 3 shards/);
  }, 120_000);

  it("names what is wrong with a shard set (exit 65): a missing shard, a foreign shard, a truncated group file", () => {
    const dirs = shardDirs(3, "s");
    const missing = runCli(["merge", "--out", join(work, "m1"), dirs[0]!, dirs[1]!]);
    expect(missing.status).toBe(65);
    expect(missing.stderr).toMatch(/shard\.count.*all 3 shards.*2 folder/);

    const other = join(work, "other");
    expect(runCli(["replay", "--journal", join(SCENARIOS, "healthy", "journal.jsonl"), "--broker", join(SCENARIOS, "healthy", "broker.jsonl"),
      "--shard", "3/3", "--out", other]).status).toBe(0);
    const foreign = runCli(["merge", "--out", join(work, "m2"), dirs[0]!, dirs[1]!, other]);
    expect(foreign.status).toBe(65);
    expect(foreign.stderr).toMatch(/meta\.journal/);

    const cut = join(work, "cut");
    mkdirSync(cut);
    writeFileSync(join(cut, "shard.json"), readFileSync(join(dirs[2]!, "shard.json")));
    const groups = readFileSync(join(dirs[2]!, "groups.jsonl"), "utf8").split("\n");
    writeFileSync(join(cut, "groups.jsonl"), groups.slice(0, Math.floor(groups.length / 2)).join("\n") + "\n");
    const truncated = runCli(["merge", "--out", join(work, "m3"), dirs[0]!, dirs[1]!, cut]);
    expect(truncated.status).toBe(65);
    expect(truncated.stderr).toMatch(/groups\.jsonl.*truncated/);
    expect(existsSync(join(work, "m3"))).toBe(false);
  }, 60_000);

  it("rejects bad --shard usage (exit 2) and a folder that is not a shard (exit 74)", () => {
    const base = ["replay", "--journal", join(SCENARIOS, "healthy", "journal.jsonl"), "--broker", join(SCENARIOS, "healthy", "broker.jsonl"), "--out", join(work, "x")];
    expect(runCli([...base, "--shard", "4/3"]).stderr).toMatch(/K must be between 1 and N/);
    expect(runCli([...base, "--shard", "1/3", "--shard-by", "account"]).status).toBe(2);
    const withCache = runCli([...base, "--shard", "1/2", "--cache", join(work, "c.db")]);
    expect(withCache.status).toBe(2);
    expect(withCache.stderr).toMatch(/cannot be combined with --cache/);
    const notShard = runCli(["merge", "--out", join(work, "m4"), join(SCENARIOS, "healthy")]);
    expect(notShard.status).toBe(74);
    expect(notShard.stderr).toMatch(/replay --shard/);
  });
});
