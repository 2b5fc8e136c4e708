// The engine's books and totals at the end of a replay, kept apart from the emitted lists (emit.ts)
// so that shards of one replay can be merged: per-symbol parts are disjoint across shards and are
// joined, per-shard counts are added, and account-wide parts (the same in every shard) are checked
// equal and kept once.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { BrokerLimitsMirror, CacheView, PositionView, Report, SlippageCell, Totals, TradeRow } from "../../domain/report.js";
import { DataError } from "../../domain/errors.js";
import type { Instrument } from "../../domain/instruments.js";
import type { EngineCore } from "../engine/context.js";
import type { AssembledLists } from "./emit.js";
import type { UndescribedSymbol } from "../engine/instruments.js";

/** The totals an engine counts itself (the assembler counts alerts; the kill switch is in its lists). */
export type EngineCounts = Omit<Totals, "cacheOk" | "killSwitch" | "alerts" | "ordersRejected" | "ordersCancelled" | "ordersExpired">;

export interface EngineState {
  readonly positions: readonly PositionView[];
  readonly realizedPnlBySymbol: ReadonlyArray<readonly [string, Dec]>;
  readonly instruments: readonly Instrument[];
  readonly undescribedInstruments: readonly UndescribedSymbol[];
  readonly slippage: readonly SlippageCell[];
  readonly brokerLimits: BrokerLimitsMirror | null;
  /** The cache figures but duplicates skipped (a count of the assembled list). */
  readonly cache: Omit<CacheView, "duplicatesSkipped">;
  readonly counts: EngineCounts;
}

/** Counts that every shard computes over the whole input, identically. */
const ACCOUNT_WIDE_COUNTS = [
  "duplicateDeliveries", "reconcileRuns", "reconcileRunsCoalesced", "reconcileFailures", "journalRecords", "brokerEvents",
] as const satisfies ReadonlyArray<keyof EngineCounts>;

const SUMMED_COUNTS = [
  "stale", "orphan", "duplicatesSkipped", "blockedDecisions", "fillsCaughtByReconcile", "staleOrdersCancelled",
  "slippageBreaches", "ordersSent", "fills", "unreconciledFills",
] as const satisfies ReadonlyArray<keyof EngineCounts>;

/** The cache as the engine started from it. */
export interface CacheStart {
  readonly entriesLoaded: number;
  readonly failure: string | null;
}

/** The engine's totals and books at the end of a replay: mergeable across shards. */
export function engineState(core: EngineCore, cacheStart: CacheStart, duplicateDeliveries: number): EngineState {
  const { book, view, reported, totals: t } = core;
  // Fills neither written to trades.csv nor already known to the engine (e.g. from the cache of
  // an earlier run): what a reconciliation that could not reach the broker left behind.
  let unreconciled = 0;
  for (const b of book.allOrders()) for (const f of b.fills) if (!reported.rowWritten(f) && !view.knows(f)) unreconciled += 1;
  const symbols = [...new Set([...view.positions().keys(), ...book.positions().keys()])].sort();
  const positions = symbols.map((symbol) => {
    const mine = view.position(symbol);
    const theirs = book.position(symbol);
    return { symbol, engineQty: mine.qty, engineAvgPrice: mine.avgPrice, brokerQty: theirs.qty, brokerAvgPrice: theirs.avgPrice };
  });
  const limits = book.limits;
  const cache = view.cache;
  return {
    positions,
    realizedPnlBySymbol: [...t.realizedBySymbol].sort(([a], [b]) => (a < b ? -1 : 1)),
    instruments: core.instruments.all(),
    undescribedInstruments: core.instruments.allUndescribed(),
    slippage: t.slippage.cellsSorted(),
    brokerLimits: limits === undefined ? null : { ts: limits.ts.text, dailyLossCap: limits.dailyLossCap, symbolCaps: limits.symbolCaps },
    cache: {
      ok: cacheStart.failure === null, failure: cacheStart.failure, entriesLoaded: cacheStart.entriesLoaded,
      entriesWritten: cache.entriesWritten, entriesPurged: cache.entriesPurged, liveEntries: cache.size,
    },
    counts: {
      stale: reported.staleDistinct.size, orphan: reported.orphanDistinct.size, driftPips: t.maxDriftPips,
      driftUnits: t.maxDriftUnits, duplicatesSkipped: t.skipped, blockedDecisions: t.blocked,
      duplicateDeliveries, fillsCaughtByReconcile: t.fillsCaught, staleOrdersCancelled: t.staleCancelled,
      slippageBreaches: t.slippageBreaches, realizedPnlByCurrency: sortedByKey(t.realizedByCurrency),
      feesOutsidePnlByCurrency: sortedByKey(t.feesOutsidePnlByCurrency), ordersSent: t.ordersSent,
      fills: book.fillCount, reconcileRuns: t.runs, reconcileRunsCoalesced: t.coalescedRuns,
      reconcileFailures: t.reconcileFailures, journalRecords: t.journalRecords, brokerEvents: t.brokerEvents,
      unreconciledFills: unreconciled,
    },
  };
}

export function composeReport(lists: AssembledLists, state: EngineState, trades: readonly TradeRow[]): Report {
  const c = state.counts;
  return {
    runs: lists.runs,
    lastRun: lists.lastRun,
    findings: lists.findings,
    findingCounts: lists.findingCounts,
    alerts: lists.alerts,
    alertCounts: lists.alertCounts,
    stagedActions: lists.stagedActions,
    ambiguousMatches: lists.ambiguousMatches,
    orderOutcomes: lists.orderOutcomes,
    skippedDecisions: lists.skippedDecisions,
    blockedDecisions: lists.blockedDecisions,
    trades,
    positions: state.positions,
    realizedPnlBySymbol: state.realizedPnlBySymbol,
    instruments: state.instruments,
    undescribedInstruments: state.undescribedInstruments,
    listItemsMax: lists.listItemsMax,
    slippage: state.slippage,
    brokerLimits: state.brokerLimits,
    cache: { ...state.cache, duplicatesSkipped: c.duplicatesSkipped },
    killSwitch: lists.killSwitch,
    totals: {
      ...c, cacheOk: state.cache.ok, killSwitch: lists.killSwitch.engaged, alerts: lists.alertsTotal,
      ordersRejected: lists.outcomeCounts.rejected, ordersCancelled: lists.outcomeCounts.cancelled, ordersExpired: lists.outcomeCounts.expired,
    },
  };
}

/** A map's entries sorted by key (the order every list keyed by symbol or currency is written in). */
function sortedByKey<V>(m: ReadonlyMap<string, V>): Array<readonly [string, V]> {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => {
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * Joins the end states of the shards of one replay. Throws (with the field) when account-wide parts
 * differ or a symbol shows up in two shards: such shards do not come from one sharded replay.
 */
export function mergeStates(states: readonly EngineState[]): EngineState {
  const first = states[0];
  if (first === undefined) throw new Error("invariant: at least one shard to merge");
  for (const s of states.slice(1)) {
    for (const k of ACCOUNT_WIDE_COUNTS) {
      if (s.counts[k] !== first.counts[k]) throw new ShardMismatch(`counts.${k}`, String(first.counts[k]), String(s.counts[k]));
    }
    if (s.cache.ok !== first.cache.ok || s.cache.failure !== first.cache.failure) {
      throw new ShardMismatch("cache.ok", String(first.cache.ok), String(s.cache.ok));
    }
    if (JSON.stringify(limitsKey(s.brokerLimits)) !== JSON.stringify(limitsKey(first.brokerLimits))) {
      throw new ShardMismatch("broker_limits", "the same limits snapshot in every shard", "a different one");
    }
  }
  const disjoint = <T>(what: string, items: T[], key: (x: T) => string): T[] => {
    const sorted = items.sort(byKey(key));
    for (let i = 1; i < sorted.length; i += 1) {
      if (key(sorted[i - 1]!) === key(sorted[i]!)) throw new ShardMismatch(what, "each symbol in one shard only", `${key(sorted[i]!)} in two`);
    }
    return sorted;
  };
  const sum = (k: (typeof SUMMED_COUNTS)[number]) => states.reduce((n, s) => n + s.counts[k], 0);
  const summed = Object.fromEntries(SUMMED_COUNTS.map((k) => [k, sum(k)])) as Record<(typeof SUMMED_COUNTS)[number], number>;
  return {
    positions: disjoint("positions", states.flatMap((s) => [...s.positions]), (p) => p.symbol),
    realizedPnlBySymbol: disjoint("realized_pnl_by_symbol", states.flatMap((s) => [...s.realizedPnlBySymbol]), ([sym]) => sym),
    instruments: disjoint("instruments", states.flatMap((s) => [...s.instruments]), (i) => i.symbol),
    undescribedInstruments: disjoint("undescribed_instruments", states.flatMap((s) => [...s.undescribedInstruments]), (i) => i.symbol),
    slippage: disjoint("slippage", states.flatMap((s) => [...s.slippage]), (c) => `${c.symbol}\u0000${c.session}`),
    brokerLimits: first.brokerLimits,
    cache: {
      ok: first.cache.ok, failure: first.cache.failure, entriesLoaded: states.reduce((n, s) => n + s.cache.entriesLoaded, 0),
      entriesWritten: states.reduce((n, s) => n + s.cache.entriesWritten, 0),
      entriesPurged: states.reduce((n, s) => n + s.cache.entriesPurged, 0),
      liveEntries: states.reduce((n, s) => n + s.cache.liveEntries, 0),
    },
    counts: {
      ...first.counts,
      ...summed,
      driftPips: states.reduce((m, s) => D.max(m, s.counts.driftPips), D.ZERO),
      driftUnits: states.reduce((m, s) => D.max(m, s.counts.driftUnits), D.ZERO),
      realizedPnlByCurrency: sumByCurrency(states.map((s) => s.counts.realizedPnlByCurrency)),
      feesOutsidePnlByCurrency: sumByCurrency(states.map((s) => s.counts.feesOutsidePnlByCurrency)),
    },
  };
}

/** Amounts per currency from every shard, added currency by currency (never across currencies). */
function sumByCurrency(parts: ReadonlyArray<ReadonlyArray<readonly [string, Dec]>>): Array<readonly [string, Dec]> {
  const sums = new Map<string, Dec>();
  for (const part of parts) for (const [ccy, amount] of part) sums.set(ccy, D.add(sums.get(ccy) ?? D.ZERO, amount));
  return sortedByKey(sums);
}

function limitsKey(l: BrokerLimitsMirror | null): unknown {
  return l === null ? null : [l.ts, String(l.dailyLossCap), l.symbolCaps.map(([s, v]) => [s, String(v)])];
}

/** Shard outputs that cannot come from one sharded replay: bad input to merge (exit 65). */
export class ShardMismatch extends DataError {
  constructor(field: string, expected: string, actual: string) {
    super("shards", 0, field, `${expected} (shards of one sharded replay)`, actual);
  }
}
