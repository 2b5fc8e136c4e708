// The laws checked by test/properties.test.ts over generated scenarios, and re-checked on the
// literal counterexamples under fixtures/regressions/ by test/regressions.test.ts. Each law checks a
// Scenario (journal and broker lines, config, the ground truth) with a free number to pick with, so
// a counterexample is a folder of files anyone can replay, whatever the generator does later.

import fc from "fast-check";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { initCache } from "../../src/adapters/cache/schema.js";
import { SqliteCacheStore } from "../../src/adapters/cache/store.js";
import type { CacheEntry } from "../../src/core/books/cache.js";
import { replay } from "../../src/core/replay.js";
import { resolveConfig } from "../../src/domain/config.js";
import { configToJson } from "../../src/domain/config-json.js";
import * as D from "../../src/domain/decimal.js";
import { lookUpInstrument } from "../../src/domain/instruments.js";
import { applyFill, FLAT, type Position } from "../../src/core/rules/position.js";
import { positionDrift } from "../../src/core/rules/drift.js";
import type { Report } from "../../src/domain/report.js";
import { canonicalJson, parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { type Fault, generateScenario, type GroundTruth } from "../../src/gen/generate.js";
import { renderArtifacts, type RenderedArtifacts } from "../../src/artifacts/render.js";
import { REPO, tempDir } from "./cli.js";

export interface LawInput {
  readonly seed: number;
  readonly events: number;
  readonly faults: readonly string[];
  /** A free number the law uses to choose a line, a crash point, ... */
  readonly pick: number;
}

/** What a law checks: the two logs, the config, and what reconciliation must find (when known). */
export interface Scenario {
  readonly journal: readonly string[];
  readonly broker: readonly string[];
  readonly config: Record<string, unknown>;
  readonly truth: GroundTruth;
}

/** A decision sent: its id, its event time, and the index of the input record that sent it. */
export interface Sent {
  readonly clientOrderId: string;
  readonly ms: number;
  readonly index: number;
}

interface Replayed {
  readonly report: Report;
  readonly artifacts: RenderedArtifacts;
  readonly sent: Sent[];
}

interface ReplayOptions {
  readonly cache?: { path: string; runKey: string };
  /** Stop (as if killed) after this many records, leaving the cache as a crash would. */
  readonly crashAfter?: number;
  /** Where sends go as they happen (so a crashed run's sends are still counted). */
  readonly sentSink?: Sent[];
  /** A broken store for the can-fail check: it commits the run when the process dies. */
  readonly commitOnCrash?: boolean;
}

class Crash extends Error {}

export function generate(input: LawInput): Scenario {
  return generateScenario({ seed: input.seed, events: input.events, faults: input.faults as Fault[] });
}

export function replayLines(journal: readonly string[], broker: readonly string[], configJson: object, opts: ReplayOptions = {}): Replayed {
  const config = resolveConfig(configJson);
  const j = journal.map((t, i) => parseJournalLine(t, i + 1));
  const b = broker.map((t, i) => parseBrokerLine(t, i + 1));
  const opened = opts.cache === undefined ? null : SqliteCacheStore.open(opts.cache.path, opts.cache.runKey);
  if (opened !== null && opened.failure !== null) throw new Error(opened.failure);
  const store = opened?.store ?? null;
  const sent: Sent[] = opts.sentSink ?? [];
  let steps = 0;
  let finalEntries: CacheEntry[] = [];
  let trades: Report["trades"][number][] = [];
  const report = replay(config, j, b, { configHash: "law", cacheEntries: opened?.entries ?? [], cacheFailure: null }, {
    afterStep: (engine, record, index) => {
      steps = index + 1;
      const ops = engine.drainCacheOps();
      for (const op of ops) if (op.op === "put" && op.entry.status === "sent") sent.push({ clientOrderId: op.entry.clientOrderId, ms: record.ts.ms, index });
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

type Obj = Record<string, unknown>;
type Book = Map<string, Position>;

/** What reconciliation must find, read off a generated scenario's logs alone (see truthFromBooks). */
interface BooksSay {
  readonly findings: string[];
  readonly killSwitch: boolean;
  readonly duplicateDeliveries: number;
  readonly duplicatesSkipped: number;
}

/** A generated scenario's logs, parsed: broker events once each (a redelivery is no event). */
interface Logs {
  readonly journal: readonly Obj[];
  readonly broker: readonly Obj[];
  /** Client order ids the engine decided. */
  readonly decided: ReadonlySet<string>;
  /** The client order id an event concerns (a cancel names only the broker's id: found by its accept). */
  readonly coidOf: (o: Obj) => string | undefined;
}

const findingKey = (f: { kind: string; client_order_id?: string; symbol?: string }) => `${f.kind}|${f.client_order_id ?? ""}|${f.symbol ?? ""}`;
const plainSymbol = (x: unknown) => String(x).replace(/[_/]/g, "");
const CRITICAL = /^(orphan_broker_order|stale_local_order|position_drift)\|/;

function readLogs(s: Scenario): Logs {
  const journal = s.journal.map((l) => JSON.parse(l) as Obj);
  const seenIds = new Set<string>();
  const broker = s.broker.map((l) => JSON.parse(l) as Obj).filter((o) => !seenIds.has(o["event_id"] as string) && seenIds.add(o["event_id"] as string));
  const accepted = new Map(broker.filter((o) => o["type"] === "order_accepted").map((o) => [o["broker_order_id"], o["client_order_id"] as string]));
  return { journal, broker, decided: new Set(journal.filter((o) => o["type"] === "decision").map((o) => o["client_order_id"] as string)),
    coidOf: (o) => (o["client_order_id"] as string | undefined) ?? accepted.get(o["broker_order_id"]) };
}

/** Orphans (the broker names an id the engine never decided) and lost orders (a decision the broker never names). */
function ownershipFindings(logs: Logs): string[] {
  const named = new Set(logs.broker.map(logs.coidOf).filter((c) => c !== undefined));
  return [
    ...[...named].filter((c) => !logs.decided.has(c)).map((c) => findingKey({ kind: "orphan_broker_order", client_order_id: c })),
    ...[...logs.decided].filter((c) => !named.has(c)).map((c) => findingKey({ kind: "stale_local_order", client_order_id: c })),
  ];
}

const positionsOf = (list: unknown): Book => new Map((list as Obj[]).map((p) =>
  [plainSymbol(p["symbol"]), { qty: D.parseDec(String(p["qty"]))!, avgPrice: D.parseDec(String(p["avg_price"]))! }]));

function applyFillTo(book: Book, fill: Obj): void {
  const sym = plainSymbol(fill["symbol"]);
  book.set(sym, applyFill(book.get(sym) ?? FLAT, fill["side"] as "buy" | "sell", D.decFromInt(Number(fill["qty"])), D.parseDec(String(fill["price"]))!).pos);
}

/** The fills a restart's reconciliation catches: each open order's fills beyond its filled quantity, in the broker's order. */
function caughtAtRestart(snapshot: Obj, fillsOf: ReadonlyMap<string, readonly Obj[]>, order: ReadonlyMap<Obj, number>): Obj[] {
  return (snapshot["open_orders"] as Obj[]).flatMap((open) => {
    let counted = Number(open["filled_qty"]);
    return (fillsOf.get(open["client_order_id"] as string) ?? []).filter((f) => {
      if (counted < Number(f["qty"])) return true;
      counted -= Number(f["qty"]);
      return false;
    });
  }).sort((a, b) => order.get(a)! - order.get(b)!);
}

/**
 * Walks both logs in event time (journal first among records of one millisecond) building both
 * books: the broker's is its latest snapshot plus later fills; the engine's is its latest restart
 * snapshot plus its own orders' fills (seen live, or caught: at a restart, beyond an open order's
 * filled quantity; after a disconnect, the fills made while it was down). They are compared where a
 * reconciliation surely runs (each snapshot loaded, and the end): drift and caught findings.
 */
function bookFindings(logs: Logs, config: ReturnType<typeof resolveConfig>): string[] {
  const findings: string[] = [];
  const brokerLine = new Map(logs.broker.map((o, i) => [o, i]));
  let brokerBook: Book = new Map();
  let engineBook: Book = new Map();
  const fillsOf = new Map<string, Obj[]>();
  let down = false;
  const compare = () => {
    for (const sym of new Set([...engineBook.keys(), ...brokerBook.keys()])) {
      const pip = lookUpInstrument(sym, config.instruments, config.pipSizes)!.unitSize;
      const drift = positionDrift(engineBook.get(sym) ?? FLAT, brokerBook.get(sym) ?? FLAT, pip, { units: config.driftToleranceUnits, pips: config.driftTolerancePips });
      if (drift.beyond) findings.push(findingKey({ kind: "position_drift", symbol: sym }));
    }
  };
  const merged = [...logs.journal.map((o, i) => ({ o, src: 0, i })), ...logs.broker.map((o, i) => ({ o, src: 1, i }))]
    .sort((a, b) => Date.parse(a.o["ts"] as string) - Date.parse(b.o["ts"] as string) || a.src - b.src || a.i - b.i);
  for (const { o } of merged) {
    const coid = logs.coidOf(o);
    const mine = coid !== undefined && logs.decided.has(coid);
    if (o["type"] === "snapshot") {
      engineBook = positionsOf(o["positions"]);
      for (const fill of caughtAtRestart(o, fillsOf, brokerLine)) applyFillTo(engineBook, fill);
      compare();
    } else if (o["type"] === "position_snapshot") brokerBook = positionsOf(o["positions"]);
    else if (o["type"] === "disconnect" || o["type"] === "reconnect") down = o["type"] === "disconnect";
    else if (o["type"] === "fill") {
      applyFillTo(brokerBook, o);
      if (!mine) continue;
      applyFillTo(engineBook, o);
      fillsOf.set(coid, [...(fillsOf.get(coid) ?? []), o]);
      if (down) findings.push(findingKey({ kind: "caught_by_reconcile", client_order_id: coid }));
    } else if ((o["type"] === "order_cancelled" || o["type"] === "order_rejected") && mine && down) {
      findings.push(findingKey({ kind: "order_state_caught_by_reconcile", client_order_id: coid }));
    }
  }
  compare();
  return findings;
}

/**
 * What the generated logs imply reconciliation must find: the standard a generator's truth is held
 * to. It reads every decision as sent: the generator never decides once the kill switch could be
 * engaged (its faults that engage it come after the last decision, the lost order first).
 */
function whatTheBooksSay(s: Scenario): BooksSay {
  const logs = readLogs(s);
  const findings = [...new Set([...ownershipFindings(logs), ...bookFindings(logs, resolveConfig(s.config))])].sort();
  const decisions = logs.journal.filter((o) => o["type"] === "decision").length;
  return { findings, killSwitch: !s.truth.cache_ok || findings.some((k) => CRITICAL.test(k)),
    duplicateDeliveries: s.broker.length - logs.broker.length, duplicatesSkipped: s.truth.cache_ok ? decisions - logs.decided.size : 0 };
}

interface Law {
  readonly title: string;
  /** Checks the law on a scenario; `pick` chooses a line, a crash point, a TTL, ... */
  readonly check: (s: Scenario, pick: number, opts?: { commitOnCrash?: boolean }) => void;
}

export const LAWS = {
  determinism: {
    title: "determinism: replaying a scenario twice gives identical artifact bytes",
    check: (s, pick) => {
      expect(replayLines(s.journal, s.broker, s.config).artifacts).toEqual(replayLines(s.journal, s.broker, s.config).artifacts);
    },
  },

  duplicateDelivery: {
    title: "duplicate delivery of any broker event is a no-op apart from its counter",
    check: (s, pick) => {
      const i = pick % s.broker.length;
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
    check: (s, pick) => {
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
      const k = candidates[pick % candidates.length]!;
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
    check: (s, pick) => {
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
    check: (s, pick) => {
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

  truthFromBooks: {
    title: "the ground truth follows from the generated books: each finding, the kill switch and the counts are what the two logs imply, whichever faults were combined",
    check: (s) => {
      const books = whatTheBooksSay(s);
      const listed = s.truth.findings.map(findingKey);
      expect(listed.length, "the truth names each finding once").toBe(new Set(listed).size);
      expect([...listed].sort()).toEqual(books.findings);
      expect(s.truth.kill_switch).toBe(books.killSwitch);
      expect(s.truth.duplicate_deliveries).toBe(books.duplicateDeliveries);
      expect(s.truth.duplicates_skipped).toBe(books.duplicatesSkipped);
    },
  },

  nothingFoundWithoutFaults: {
    title: "nothing is found when no fault was injected (no finding above info, no alert, no kill switch)",
    check: (s, pick) => {
      const r = replayLines(s.journal, s.broker, s.config);
      expect(r.report.findings.items.filter((f) => f.severity !== "info").map((f) => f.kind)).toEqual([]);
      expect(r.report.alerts.items.map((a) => a.alert)).toEqual([]);
      expect(r.report.totals.killSwitch).toBe(false);
      expect(r.report.totals.duplicatesSkipped).toBe(s.truth.duplicates_skipped);
    },
  },

  crashResume: {
    title: "crash at any event, then resume with the same cache, equals no crash, and nothing is sent twice across the crash",
    check: (s, pick, opts = {}) => {
      const total = s.journal.length + s.broker.length;
      const crashAfter = 1 + (pick % total);
      const base = join(tempDir(), "base.db");
      initCache(base);
      const clean = replayLines(s.journal, s.broker, s.config, { cache: { path: base, runKey: "run" } });
      const path = join(tempDir(), "crash.db");
      initCache(path);
      const beforeCrash: Sent[] = [];
      try {
        replayLines(s.journal, s.broker, s.config, { cache: { path, runKey: "run" }, crashAfter, sentSink: beforeCrash, commitOnCrash: opts.commitOnCrash === true });
      } catch (err) {
        if (!(err instanceof Crash)) throw err;
      }
      const resumed = replayLines(s.journal, s.broker, s.config, { cache: { path, runKey: "run" } });
      expect(resumed.artifacts).toEqual(clean.artifacts);
      // The resumed run recomputes the sends before the crash point (the store confirms them against
      // its log instead of recording them again) and records only the ones after it: together they
      // are exactly the uninterrupted run's sends, each once.
      expect(resumed.sent.filter((x) => x.index < crashAfter), "the resumed run recomputes the crashed run's sends").toEqual(beforeCrash);
      const acrossTheCrash = [...beforeCrash, ...resumed.sent.filter((x) => x.index >= crashAfter)];
      expect(acrossTheCrash).toEqual(clean.sent);
      expectNoResendWithinTtl(acrossTheCrash, resolveConfig(s.config).idempotencyTtlMs);
    },
  },

  pnlAgreement: {
    title: "P&L agrees to the last digit: per quote currency, the engine's rows of trades.csv sum to summary.txt, and per symbol to the report and metrics",
    check: (s) => {
      const r = replayLines(s.journal, s.broker, s.config);
      const currency = new Map(r.report.instruments.map((i) => [i.symbol, i.quoteCurrency]));
      const bySymbol = new Map<string, D.Dec>();
      const byCurrency = new Map<string, D.Dec>();
      for (const row of r.artifacts["trades.csv"].trim().split("\n").slice(1)) {
        const cells = row.split(",");
        if (cells[13] === "orphan") continue;
        const pnl = D.parseDec(cells[12]!)!;
        bySymbol.set(cells[4]!, D.add(bySymbol.get(cells[4]!) ?? D.ZERO, pnl));
        const ccy = currency.get(cells[4]!)!;
        byCurrency.set(ccy, D.add(byCurrency.get(ccy) ?? D.ZERO, pnl));
      }
      const lines = r.artifacts["summary.txt"].split("\n");
      const sorted = [...byCurrency].sort(([a], [b]) => (a < b ? -1 : 1));
      const expected = sorted.length <= 1 ? [`realized_pnl=${D.toFixed(sorted[0]?.[1] ?? D.ZERO, 2)}`]
        : ["realized_pnl=mixed", ...sorted.map(([c, v]) => `realized_pnl_${c}=${D.toFixed(v, 2)}`)];
      expect(lines.filter((l) => l.startsWith("realized_pnl"))).toEqual(expected);
      const json = JSON.parse(r.artifacts["reconcile-report.json"]) as { realized_pnl_by_symbol: { items: Array<{ symbol: string; realized_pnl: string }> } };
      expect(json.realized_pnl_by_symbol.items).toEqual([...bySymbol].sort(([a], [b]) => (a < b ? -1 : 1)).map(([symbol, v]) => ({ symbol, realized_pnl: D.toFixed(v, 2) })));
      for (const [symbol, v] of bySymbol) {
        expect(r.artifacts["metrics.txt"]).toContain(`engine_realized_pnl{symbol="${symbol}",currency="${currency.get(symbol)}"} ${D.toFixed(v, 2)}\n`);
      }
    },
  },

  noResendWithinTtl: {
    title: "no client_order_id is sent twice within its TTL (with short TTLs, so ids also come free and are sent again)",
    check: (s, pick) => {
      const config = { ...s.config, idempotency_ttl_ms: lawTtlMs(s, pick) };
      const r = replayLines(s.journal, s.broker, config);
      expectNoResendWithinTtl(r.sent, config.idempotency_ttl_ms);
      expect(r.sent.length).toBe(r.report.totals.ordersSent);
    },
  },
} satisfies Record<string, Law>;

export type LawName = keyof typeof LAWS;

/** The TTL noResendWithinTtl replays with: the scenario's own, or one short enough that ids expire. */
export function lawTtlMs(s: Scenario, pick: number): number {
  return [resolveConfig(s.config).idempotencyTtlMs, 1_000, 20_000][pick % 3]!;
}

/** Sends of an id are at least a TTL apart; returns how many were re-sends after the TTL. */
export function expectNoResendWithinTtl(sent: readonly Sent[], ttlMs: number): number {
  const last = new Map<string, number>();
  let resentAfterTtl = 0;
  for (const { clientOrderId, ms } of sent) {
    const before = last.get(clientOrderId);
    expect(before === undefined || ms - before >= ttlMs, `${clientOrderId} sent again after ${ms - (before ?? 0)} ms (TTL ${ttlMs} ms)`).toBe(true);
    if (before !== undefined) resentAfterTtl += 1;
    last.set(clientOrderId, ms);
  }
  return resentAfterTtl;
}

export const REGRESSIONS_DIR = join(REPO, "fixtures", "regressions");

/** The files of a literal counterexample: what test/regressions.test.ts replays. */
export interface SavedCounterexample {
  readonly law: LawName;
  readonly pick: number;
  readonly note: string;
}

/** Writes a scenario as a literal counterexample folder. */
export function writeCounterexample(dir: string, s: Scenario, saved: SavedCounterexample): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "journal.jsonl"), s.journal.join("\n") + "\n");
  writeFileSync(join(dir, "broker.jsonl"), s.broker.join("\n") + "\n");
  writeFileSync(join(dir, "config.json"), JSON.stringify(s.config, null, 2) + "\n");
  writeFileSync(join(dir, "truth.json"), JSON.stringify(s.truth, null, 2) + "\n");
  writeFileSync(join(dir, "law.json"), JSON.stringify(saved, null, 2) + "\n");
}

/**
 * Runs a law under fast-check. On failure the shrunk counterexample is written as a literal folder
 * in a temporary directory (never into fixtures/), and the error names it: copy it into
 * fixtures/regressions/ to keep it.
 */
export function checkLaw(name: LawName, arb: fc.Arbitrary<LawInput>, params: { numRuns: number; seed: number | undefined }): void {
  const details = fc.check(fc.property(arb, (input) => {
    LAWS[name].check(generate(input), input.pick);
  }), { numRuns: params.numRuns, ...(params.seed === undefined ? {} : { seed: params.seed }) });
  if (!details.failed) return;
  const input = details.counterexample?.[0];
  let saved = "";
  if (input !== undefined) {
    const dir = join(mkdtempSync(join(tmpdir(), "recon-proof-counterexample-")), `${name}-seed${details.seed}`);
    writeCounterexample(dir, generate(input), { law: name, pick: input.pick,
      note: `found by fast-check seed ${details.seed} path ${details.counterexamplePath}: gen seed ${input.seed}, ${input.events} events, faults ${input.faults.join(",") || "none"}` });
    saved = `\ncounterexample written to ${dir} (copy it into fixtures/regressions/ to keep it)`;
  }
  throw new Error((fc.defaultReportMessage(details) ?? `law ${name} failed (seed ${details.seed})`) + saved);
}
