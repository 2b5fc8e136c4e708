// The laws checked by test/properties.test.ts and re-checked on saved counterexamples by
// test/regressions.test.ts. Each law takes a plain JSON input (generator seed, size, faults and a
// free number to pick with), so a counterexample is a small file anyone can replay.

import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { initCache, SqliteCacheStore } from "../../src/adapters/cache-store.js";
import type { CacheEntry } from "../../src/core/cache.js";
import { replay } from "../../src/core/replay.js";
import { configToJson, resolveConfig } from "../../src/domain/config.js";
import * as D from "../../src/domain/decimal.js";
import type { Report } from "../../src/domain/report.js";
import { canonicalJson, parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { type Fault, generateScenario, type GeneratedScenario } from "../../src/gen/generate.js";
import { renderArtifacts, type RenderedArtifacts } from "../../src/report/render.js";
import { REPO, tempDir } from "./cli.js";

export interface LawInput {
  readonly seed: number;
  readonly events: number;
  readonly faults: readonly string[];
  /** A free number the law uses to choose a line, a crash point, ... */
  readonly pick: number;
}

interface Replayed {
  readonly report: Report;
  readonly artifacts: RenderedArtifacts;
  readonly sent: Array<{ clientOrderId: string; ms: number }>;
}

interface ReplayOptions {
  readonly cache?: { path: string; runKey: string };
  /** Stop (as if killed) after this many records, leaving the cache as a crash would. */
  readonly crashAfter?: number;
  /** A broken store for the can-fail check: it commits the run when the process dies. */
  readonly commitOnCrash?: boolean;
}

class Crash extends Error {}

function generate(input: LawInput): GeneratedScenario {
  return generateScenario({ seed: input.seed, events: input.events, faults: input.faults as Fault[] });
}

export function replayLines(journal: readonly string[], broker: readonly string[], configJson: object, opts: ReplayOptions = {}): Replayed {
  const config = resolveConfig(configJson);
  const j = journal.map((t, i) => parseJournalLine(t, i + 1));
  const b = broker.map((t, i) => parseBrokerLine(t, i + 1));
  const opened = opts.cache === undefined ? null : SqliteCacheStore.open(opts.cache.path, opts.cache.runKey);
  if (opened !== null && opened.failure !== null) throw new Error(opened.failure);
  const store = opened?.store ?? null;
  const sent: Array<{ clientOrderId: string; ms: number }> = [];
  let steps = 0;
  let finalEntries: CacheEntry[] = [];
  let trades: Report["trades"][number][] = [];
  const report = replay(config, j, b, { configHash: "law", cacheEntries: opened?.entries ?? [], cacheFailure: null }, {
    afterStep: (engine, record, index) => {
      steps = index + 1;
      const ops = engine.drainCacheOps();
      for (const op of ops) if (op.op === "put" && op.entry.status === "sent") sent.push({ clientOrderId: op.entry.clientOrderId, ms: record.ts.ms });
      store?.apply(index, ops);
      trades = trades.concat(engine.drainTrades());
      if (opts.crashAfter !== undefined && steps >= opts.crashAfter) {
        // A crash writes nothing more, and the operating system releases the file's lock.
        if (opts.commitOnCrash === true) store?.commit(engine.cacheEntries());
        else store?.close();
        throw new Crash();
      }
    },
    beforeReport: (engine) => {
      store?.apply(steps, engine.drainCacheOps());
      finalEntries = engine.cacheEntries();
    },
  });
  store?.commit(finalEntries);
  const full = { ...report, trades: trades.concat(report.trades) };
  const meta = { journal: { name: "journal.jsonl", sha256: "-", lines: journal.length }, broker: { name: "broker.jsonl", sha256: "-", lines: broker.length },
    configFile: null, configHash: "law", effectiveConfig: configToJson(config) };
  return { report: full, artifacts: renderArtifacts(full, meta), sent };
}

/** Findings as comparable keys (no ids or line numbers, which may legitimately move). */
function findingKeys(r: Report): string[] {
  return r.findings.items.map((f) => [f.kind, f.clientOrderId, f.brokerOrderId, f.symbol].join("|")).sort();
}

function orderKey(obj: Record<string, unknown>): string | null {
  if (!["fill", "order_accepted", "order_cancelled", "order_rejected"].includes(obj["type"] as string)) return null;
  return String(obj["broker_order_id"] ?? obj["client_order_id"]);
}

const CAUGHT = new Set(["fill_caught_by_reconcile", "partial_fill_caught_by_reconcile"]);

interface Law {
  readonly title: string;
  readonly check: (input: LawInput, opts?: { commitOnCrash?: boolean }) => void;
}

export const LAWS = {
  determinism: {
    title: "determinism: replaying a scenario twice gives identical artifact bytes",
    check: (input) => {
      const s = generate(input);
      expect(replayLines(s.journal, s.broker, s.config).artifacts).toEqual(replayLines(s.journal, s.broker, s.config).artifacts);
    },
  },

  duplicateDelivery: {
    title: "duplicate delivery of any broker event is a no-op apart from its counter",
    check: (input) => {
      const s = generate(input);
      const i = input.pick % s.broker.length;
      const doubled = [...s.broker.slice(0, i + 1), s.broker[i]!, ...s.broker.slice(i + 1)];
      const once = replayLines(s.journal, s.broker, s.config);
      const twice = replayLines(s.journal, doubled, s.config);
      expect(twice.report.totals.duplicateDeliveries).toBe(once.report.totals.duplicateDeliveries + 1);
      // Lines after the copy moved down by one: map evidence back before comparing.
      const unshift = (text: string) => text.replace(/"broker:(\d+)"/g, (_m, n: string) => `"broker:${Number(n) > i + 1 ? Number(n) - 1 : Number(n)}"`);
      const strip = (text: string) => text
        .replace(/duplicate_deliveries[^\n]*\n/g, "").replace(/broker_events[^\n]*\n/g, "")
        .replace(/engine_broker_duplicate_deliveries_total \d+/g, "").replace(/"lines": \d+/g, "");
      for (const name of ["trades.csv", "summary.txt", "metrics.txt", "reconcile-report.json"] as const) {
        expect(strip(unshift(twice.artifacts[name])), name).toBe(strip(once.artifacts[name]));
      }
    },
  },

  sameTimestampReorder: {
    title: "reordering broker events that share a timestamp but touch different orders changes nothing (but average-cost P&L, for two fills of one symbol)",
    check: (input) => {
      const s = generate(input);
      const objs = s.broker.map((l) => JSON.parse(l) as Record<string, unknown>);
      const candidates: number[] = [];
      // A redelivered event must keep its content (else it is a conflict): leave those lines alone.
      const idCount = new Map<string, number>();
      for (const o of objs) idCount.set(o["event_id"] as string, (idCount.get(o["event_id"] as string) ?? 0) + 1);
      const single = (o: Record<string, unknown>) => idCount.get(o["event_id"] as string) === 1;
      // Two fills of one symbol change its average price with their order; a later position
      // snapshot states the broker's average for the original order, so drift in pips would move.
      const snapshotAfter = (k: number) => objs.slice(k + 2).some((o) => o["type"] === "position_snapshot");
      for (let k = 0; k + 1 < objs.length; k++) {
        if (!single(objs[k]!) || !single(objs[k + 1]!)) continue;
        const a = orderKey(objs[k]!);
        const b = orderKey(objs[k + 1]!);
        if (a === null || b === null || a === b) continue;
        if (objs[k]!["symbol"] === objs[k + 1]!["symbol"] && snapshotAfter(k)) continue;
        candidates.push(k);
      }
      fc.pre(candidates.length > 0);
      const k = candidates[input.pick % candidates.length]!;
      // Make the pair simultaneous (the later one moves back to the earlier's time: order is kept).
      const same = [...s.broker];
      same[k + 1] = JSON.stringify({ ...objs[k + 1], ts: objs[k]!["ts"] });
      const swapped = [...same];
      [swapped[k], swapped[k + 1]] = [same[k + 1]!, same[k]!];
      const a = replayLines(s.journal, same, s.config);
      const b = replayLines(s.journal, swapped, s.config);
      // Average-cost P&L is path dependent: two simultaneous fills of one symbol realize different
      // P&L in either order (positions, findings and counts do not change). Only then is P&L left out.
      const sameSymbol = objs[k]!["symbol"] === objs[k + 1]!["symbol"];
      const summary = (t: string) => (sameSymbol ? t.replace(/^realized_pnl=.*\n/m, "") : t);
      const rows = (t: string) => t.trim().split("\n").slice(1)
        .map((r) => (sameSymbol ? r.split(",").filter((_c, i) => i !== 12).join(",") : r)).sort();
      expect(summary(b.artifacts["summary.txt"])).toBe(summary(a.artifacts["summary.txt"]));
      expect(findingKeys(b.report)).toEqual(findingKeys(a.report));
      expect(rows(b.artifacts["trades.csv"])).toEqual(rows(a.artifacts["trades.csv"]));
    },
  },

  conservation: {
    title: "conservation: broker position = its last snapshot + the signed sum of later fills, and the engine equals it after reconciliation (no drift injected)",
    check: (input) => {
      const s = generate(input);
      const r = replayLines(s.journal, s.broker, s.config);
      const book = new Map<string, D.Dec>();
      const seen = new Set<string>();
      for (const line of s.broker) {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (seen.has(o["event_id"] as string)) continue;
        seen.add(o["event_id"] as string);
        const sym = (x: unknown) => String(x).replace(/[_/]/g, "");
        if (o["type"] === "position_snapshot") {
          book.clear();
          for (const p of o["positions"] as Array<Record<string, unknown>>) book.set(sym(p["symbol"]), D.parseDec(String(p["qty"]))!);
        } else if (o["type"] === "fill") {
          const q = D.parseDec(String(o["qty"]))!;
          book.set(sym(o["symbol"]), D.add(book.get(sym(o["symbol"])) ?? D.ZERO, o["side"] === "buy" ? q : D.neg(q)));
        }
      }
      for (const p of r.report.positions) {
        expect(D.toPlain(p.brokerQty), p.symbol).toBe(D.toPlain(book.get(p.symbol) ?? D.ZERO));
        expect(D.toPlain(p.engineQty), p.symbol).toBe(D.toPlain(p.brokerQty));
      }
      expect(r.report.totals.driftUnits).toBe(D.ZERO);
    },
  },

  faultsFound: {
    title: "every injected fault is found, with the right kind and order id or symbol",
    check: (input) => {
      const s = generate(input);
      const r = replayLines(s.journal, s.broker, s.config);
      const found = r.report.findings.items;
      for (const want of s.truth.findings) {
        const hit = found.some((f) => (want.kind === "caught_by_reconcile" ? CAUGHT.has(f.kind) : f.kind === want.kind) &&
          (want.client_order_id === undefined || f.clientOrderId === want.client_order_id) &&
          (want.symbol === undefined || f.symbol === want.symbol));
        expect(hit, `expected ${canonicalJson(want)} among ${found.length} findings`).toBe(true);
      }
      expect(r.report.totals.killSwitch).toBe(s.truth.kill_switch);
      expect(r.report.totals.duplicateDeliveries).toBe(s.truth.duplicate_deliveries);
      if (!s.truth.kill_switch) expect(r.report.totals.duplicatesSkipped).toBe(s.truth.duplicates_skipped);
    },
  },

  nothingFoundWithoutFaults: {
    title: "nothing is found when no fault was injected (no finding above info, no alert, no kill switch)",
    check: (input) => {
      const s = generate(input);
      const r = replayLines(s.journal, s.broker, s.config);
      expect(r.report.findings.items.filter((f) => f.severity !== "info").map((f) => f.kind)).toEqual([]);
      expect(r.report.alerts.items.map((a) => a.alert)).toEqual([]);
      expect(r.report.totals.killSwitch).toBe(false);
      expect(r.report.totals.duplicatesSkipped).toBe(s.truth.duplicates_skipped);
    },
  },

  crashResume: {
    title: "crash at any event, then resume with the same cache, equals no crash (and sends nothing twice)",
    check: (input, opts = {}) => {
      const s = generate(input);
      const total = s.journal.length + s.broker.length;
      const crashAfter = 1 + (input.pick % total);
      const base = join(tempDir(), "base.db");
      initCache(base);
      const clean = replayLines(s.journal, s.broker, s.config, { cache: { path: base, runKey: "run" } });
      const path = join(tempDir(), "crash.db");
      initCache(path);
      let crashedSent: Replayed["sent"] = [];
      try {
        replayLines(s.journal, s.broker, s.config, { cache: { path, runKey: "run" }, crashAfter, commitOnCrash: opts.commitOnCrash === true });
      } catch (err) {
        if (!(err instanceof Crash)) throw err;
      }
      const resumed = replayLines(s.journal, s.broker, s.config, { cache: { path, runKey: "run" } });
      crashedSent = resumed.sent;
      expect(resumed.artifacts).toEqual(clean.artifacts);
      expect(crashedSent.length).toBe(clean.sent.length);
    },
  },

  noResendWithinTtl: {
    title: "no client_order_id is sent twice within its TTL",
    check: (input) => {
      const s = generate(input);
      const ttl = resolveConfig(s.config).idempotencyTtlMs;
      const r = replayLines(s.journal, s.broker, s.config);
      const last = new Map<string, number>();
      for (const { clientOrderId, ms } of r.sent) {
        const before = last.get(clientOrderId);
        expect(before === undefined || ms - before >= ttl, `${clientOrderId} sent again after ${ms - (before ?? 0)} ms`).toBe(true);
        last.set(clientOrderId, ms);
      }
      expect(r.sent.length).toBe(r.report.totals.ordersSent);
    },
  },
} satisfies Record<string, Law>;

export type LawName = keyof typeof LAWS;

export const REGRESSIONS_DIR = join(REPO, "fixtures", "regressions");

/** Runs a law under fast-check; on failure saves the shrunk counterexample and rethrows with the seed. */
export function checkLaw(name: LawName, arb: fc.Arbitrary<LawInput>, params: { numRuns: number; seed: number | undefined }): void {
  const details = fc.check(fc.property(arb, (input) => {
    LAWS[name].check(input);
  }), { numRuns: params.numRuns, ...(params.seed === undefined ? {} : { seed: params.seed }) });
  if (!details.failed) return;
  const input = details.counterexample?.[0];
  if (input !== undefined) {
    mkdirSync(REGRESSIONS_DIR, { recursive: true });
    const file = join(REGRESSIONS_DIR, `${name}-seed${details.seed}.json`);
    writeFileSync(file, JSON.stringify({ law: name, input, fc_seed: details.seed, fc_path: details.counterexamplePath,
      error: String(details.errorInstance ?? "").slice(0, 2000) }, null, 2) + "\n");
  }
  throw new Error(fc.defaultReportMessage(details) ?? `law ${name} failed (seed ${details.seed})`);
}
