// Tests written for the comparisons in src/core that a boundary mutation check flipped (`>`/`>=`,
// `<`/`<=`) without any test failing (scripts/mutation/mutants.mjs). Each pins the boundary the
// comparison decides; `node scripts/mutation/mutants.mjs` says which test catches each mutant.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as D from "../../src/domain/decimal.js";
import { OrderIdCache } from "../../src/core/books/cache.js";
import { inexactness, mergeGroupStreams } from "../../src/core/shard/merge.js";
import { Assembler, bySymbol, CappedList } from "../../src/core/output/emit.js";
import { killRank } from "../../src/core/engine/kill-switch.js";
import { parseShardSpec, SHARD_COUNT_MAX } from "../../src/core/shard/shard.js";
import { KILL_REASONS } from "../../src/domain/report.js";
import { B, J, kinds, run } from "../helpers/replay.js";
import { d, PARAMS } from "./arbitraries.js";

const entry = (id: string, ttlUtcMs: number) => ({
  clientOrderId: id, decisionId: `D-${id}`, symbol: "EURUSD", side: "buy" as const, size: d("1"), refPrice: d("1"),
  filledQty: D.ZERO, ttlUtcMs, status: "closed" as const,
});

describe("the order-id cache's purge", () => {
  it("an entry is purged at a restart exactly at its expiry (inclusive), kept 1 ms before", () => {
    const at = (nowMs: number) => {
      const c = new OrderIdCache([entry("C1", 60_000)], 10);
      return c.purgeExpired(nowMs);
    };
    expect(at(59_999)).toBe(0);
    expect(at(60_000)).toBe(1);
  });

  it("a purge with nothing expired queues no change for the store", () => {
    const c = new OrderIdCache([entry("C1", 60_000)], 10);
    c.purgeExpired(1);
    expect(c.drainOps()).toEqual([]);
  });

  it("through the replay: a restart exactly at a closed entry's expiry purges it", () => {
    // The restart is the last record: the runs after it (startup, end) are at the same instant.
    const journal = (restartAt: string) => [J.snapshot("07:00:00"), J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1), J.restart(restartAt)];
    const broker = [B.snapshot("06:59:00"), B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 1000, 1.1),
      B.snapshot("08:00:30", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])];
    const cfg = { idempotency_ttl_ms: 60_000, slippage_presets: [{ symbol: "EURUSD", session: "eu", max_slippage_pips: 100 }] };
    expect(run(journal("08:00:59.999"), broker, cfg).report.cache.entriesPurged).toBe(0);
    expect(run(journal("08:01:00"), broker, cfg).report.cache.entriesPurged).toBe(1);
  });
});

describe("an acceptance that comes after fills completing the order", () => {
  it("an orphan filled exactly to its size before its accept arrives is filled, not live: no cancel is staged", () => {
    const orphan = (qty: number) => run([J.snapshot("07:00:00")], [B.snapshot("06:59:00"), B.fill("08:00:00", "HAND-1", "B9", "EURUSD", "buy", 1000, 1.1),
      B.accepted("08:00:01", "HAND-1", "B9", "EURUSD", "buy", qty)], { recovery: { orphan_policy: "flatten" } });
    expect(orphan(1000).report.stagedActions.items.map((a) => a.action)).toEqual(["flatten_position"]);
    expect(orphan(1001).report.stagedActions.items.map((a) => a.action)).toEqual(["flatten_position", "cancel_order"]);
  });
});

describe("the emitted groups and their assembly", () => {
  it("prop_bySymbol_stable: items are ordered by symbol and keep their order within a symbol", () => {
    const item = fc.record({ s: fc.constantFrom("A", "B", "C", null), n: fc.nat() });
    fc.assert(fc.property(fc.array(item, { maxLength: 30 }), (items) => {
      const tagged = items.map((x, i) => ({ ...x, i }));
      const out = bySymbol(tagged, (x) => x.s);
      const key = (x: { s: string | null }) => x.s ?? "";
      for (let k = 1; k < out.length; k += 1) {
        const a = out[k - 1]!;
        const b = out[k]!;
        expect(key(a) < key(b) || (key(a) === key(b) && a.i < b.i)).toBe(true);
      }
    }), PARAMS);
  });

  it("a capped list keeps exactly its first `max` items and counts the rest", () => {
    const list = new CappedList<number>(2);
    for (const n of [1, 2, 3]) list.push(n);
    expect(list.view()).toEqual({ items: [1, 2], omitted: 1 });
  });

  it("groups must arrive in strictly increasing sequence (an invariant, not bad input)", () => {
    const a = new Assembler(10);
    const empty = { findings: [], alerts: [], actions: [], ambiguous: [], outcomes: [], skipped: [], blocked: [], trades: [], kills: [] };
    a.add({ seq: 0, run: null, ...empty });
    expect(() => a.add({ seq: 0, run: null, ...empty })).toThrow(/groups arrive in sequence/);
  });

  it("every kill-switch reason has its rank, the first one included", () => {
    expect(KILL_REASONS.map(killRank)).toEqual(KILL_REASONS.map((_r, i) => i));
  });
});

describe("merge's group streams", () => {
  it("a shard whose groups repeat a sequence number is not a shard's output (refused, naming the shard)", () => {
    const empty = { run: null, findings: [], alerts: [], actions: [], ambiguous: [], skipped: [], blocked: [], trades: [], kills: [] };
    const ok = [{ seq: 0, ...empty }, { seq: 1, ...empty }];
    expect([...mergeGroupStreams([ok, ok])].map((g) => g.seq)).toEqual([0, 1]);
    expect(() => [...mergeGroupStreams([ok, [{ seq: 0, ...empty }, { seq: 0, ...empty }]])]).toThrow(/shard 2 group order/);
  });
});

describe("merge's daily-loss check (refuses only when the shards' losses could reach beyond the cap)", () => {
  const evidence = (low: string) => ({ lastUnblockedDecisionGroup: -1, dayPnlLows: [["2025-10-20", d(low)] as const], cacheEntriesPeak: 0 });
  const limits = { reportListItemsMax: 10, dailyLossCap: d("500"), cacheEntriesMax: 10 };
  it("losses adding up to exactly the cap are exact; a cent more is refused", () => {
    expect(inexactness([evidence("-250"), evidence("-250")], null, limits)).toBeNull();
    expect(inexactness([evidence("-250"), evidence("-250.01")], null, limits)).toMatch(/daily loss cap 500/);
  });
});

describe("named limits at their boundary", () => {
  it("events_max: exactly that many records replay; one more is refused", () => {
    const journal = [J.snapshot("07:00:00")];
    const broker = [B.snapshot("06:59:00"), B.snapshot("07:00:01")];
    expect(kinds(run(journal, broker, { events_max: 3 }))).toEqual([]);
    expect(() => run(journal, broker, { events_max: 2 })).toThrow(/events_max=2/);
  });

  it("--shard: K = N and N = shard_count_max are allowed; K > N and N over the max are refused", () => {
    expect(parseShardSpec("3/3", "symbol")).toEqual({ index: 3, count: 3, by: "symbol" });
    expect(parseShardSpec(`1/${SHARD_COUNT_MAX}`, "symbol").count).toBe(SHARD_COUNT_MAX);
    expect(() => parseShardSpec("4/3", "symbol")).toThrow(/K must be between 1 and N/);
    expect(() => parseShardSpec(`1/${SHARD_COUNT_MAX + 1}`, "symbol")).toThrow(/shard_count_max/);
  });
});

describe("the replay's last instant", () => {
  it("the final reconciliation is stamped with the first spelling of the last instant (a later record at the same instant, written with more digits, does not restamp it)", () => {
    const journal = [J.snapshot("07:00:00"), J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1)];
    const broker = [B.snapshot("06:59:00"), B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 1000, 1.1),
      B.snapshot("09:00:00", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }]), B.snapshot("09:00:00.000", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])];
    const r = run(journal, broker);
    expect(r.report.lastRun?.trigger).toBe("end");
    expect(r.report.lastRun?.ts).toBe("2025-10-20T09:00:00Z");
  });
});

describe("the order-id cache's limit counts live ids", () => {
  it("exactly at cache_entries_max, an id past its TTL leaves to make room for a new one (one still live does not)", () => {
    const full = () => new OrderIdCache([entry("C1", 60_000), entry("C2", 120_000)], 2);
    const c = full();
    c.recordSent(entry("C3", 200_000), 60_000, 7);
    expect(c.allEntries().map((e) => e.clientOrderId)).toEqual(["C2", "C3"]);
    expect(() => full().recordSent(entry("C3", 200_000), 59_999, 7)).toThrow(/cache_entries_max=2/);
  });
});
