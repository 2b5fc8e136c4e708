// Merging the shards of one sharded replay back into the unsharded result.
//
// Every shard emits groups numbered by the same sequence (emit.ts). Merge walks the shards' group
// streams side by side and combines groups with the same number: a run's counts are added (drift
// is the largest), account-wide items are kept once, per-symbol items are joined. The Assembler
// then numbers and orders them exactly as a plain replay does.
//
// Sharding is exact only when nothing crosses shards. Three things do, and merge checks each:
//   - the kill switch: once engaged (in any shard), an unsharded replay blocks every later
//     decision, in every symbol;
//   - the daily loss cap: an unsharded replay checks the day's P&L summed over all symbols;
//   - cache_entries_max: an unsharded replay counts every symbol's order ids against it.
// When one could have changed the outcome, merge refuses rather than print a result that is
// not the unsharded one.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import { ConfigError } from "../../domain/errors.js";
import type { Report, ReconcileRun, TradeRow } from "../../domain/report.js";
import { Assembler, type EmitGroup, type KillEngage, type RawAlert, type RawFinding, type TradeKey } from "../output/emit.js";
import type { ShardEvidence } from "../engine/engine.js";
import { composeReport, type EngineState, mergeStates, ShardMismatch } from "../output/state.js";

function sumRuns(runs: readonly ReconcileRun[]): ReconcileRun {
  const first = runs[0]!;
  for (const r of runs) {
    if (r.reconcileId !== first.reconcileId || r.ts !== first.ts || r.trigger !== first.trigger || r.status !== first.status) {
      throw new ShardMismatch(`run ${first.reconcileId}`, `${first.ts} ${first.trigger} ${first.status}`, `${r.reconcileId} ${r.ts} ${r.trigger} ${r.status}`);
    }
  }
  const total = (k: keyof ReconcileRun["counts"]) => runs.reduce((n, r) => n + r.counts[k], 0);
  return {
    ...first,
    counts: {
      staleLocalOrders: total("staleLocalOrders"), orphanBrokerOrders: total("orphanBrokerOrders"),
      driftingSymbols: total("driftingSymbols"), fillsCaught: total("fillsCaught"),
      staleOrdersCancelled: total("staleOrdersCancelled"), inFlightOrders: total("inFlightOrders"),
      ambiguousMatches: total("ambiguousMatches"),
    },
    maxDriftPips: runs.reduce((m, r) => D.max(m, r.maxDriftPips), D.ZERO),
    maxDriftUnits: runs.reduce((m, r) => D.max(m, r.maxDriftUnits), D.ZERO),
  };
}

/** Account-wide items: every shard has the same ones; keep the first shard's, check the rest. */
function accountWide<T extends RawFinding | RawAlert>(parts: ReadonlyArray<readonly T[]>, what: string, seq: number): T[] {
  const lists = parts.map((items) => items.filter((x) => x.global));
  const text = (items: unknown) => JSON.stringify(items, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
  const first = text(lists[0]);
  for (const l of lists.slice(1)) {
    if (text(l) !== first) {
      throw new ShardMismatch(`${what} of group ${seq}`, "the same account-wide items in every shard", "different ones");
    }
  }
  return lists[0] ?? [];
}

/** Combines the groups with one sequence number, one per shard that emitted it. */
export function combineGroups<T extends TradeKey>(parts: ReadonlyArray<EmitGroup<T>>, shardCount: number): EmitGroup<T> {
  const first = parts[0];
  if (first === undefined) throw new Error("invariant: a group to combine");
  if (parts.length === 1 && shardCount === 1) return first;
  // One shard's part with nothing account-wide to check or reorder (most groups: one trade row).
  if (parts.length === 1 && first.run === null && first.findings.length === 0 && first.alerts.length === 0 && first.kills.length === 0) return first;
  const runs = parts.map((p) => p.run);
  let run: EmitGroup<T>["run"] = null;
  if (runs.some((r) => r !== null)) {
    if (runs.some((r) => r === null) || parts.length !== shardCount) {
      throw new ShardMismatch(`group ${first.seq}`, "a reconcile run in every shard", "a run in some shards only");
    }
    run = { run: sumRuns(runs.map((r) => r!.run)), divergence: runs.some((r) => r!.divergence) };
  }
  const kills = new Map<string, KillEngage>();
  for (const p of parts) for (const k of p.kills) if (!kills.has(k.reason)) kills.set(k.reason, k);
  return {
    seq: first.seq,
    run,
    findings: [...accountWide(parts.map((p) => p.findings), "findings", first.seq), ...parts.flatMap((p) => p.findings.filter((f) => !f.global))],
    alerts: [...accountWide(parts.map((p) => p.alerts), "alerts", first.seq), ...parts.flatMap((p) => p.alerts.filter((a) => !a.global))],
    actions: parts.flatMap((p) => p.actions),
    ambiguous: parts.flatMap((p) => p.ambiguous),
    outcomes: parts.flatMap((p) => p.outcomes),
    skipped: parts.flatMap((p) => p.skipped),
    blocked: parts.flatMap((p) => p.blocked),
    trades: parts.flatMap((p) => p.trades),
    kills: [...kills.values()],
  };
}

/**
 * Lines up the shards' group streams as they arrive (pushed in pieces, each stream in sequence
 * order) and hands out combined groups in sequence order. A sequence number is ready once every
 * shard has either shown a group at or past it or ended: only then is it known which shards have a
 * part of it. Memory holds the groups of the shards that are ahead, no more.
 */
export class GroupStreamMerge<T extends TradeKey = TradeRow> {
  private readonly queues: Array<Array<EmitGroup<T>>>;
  private readonly heads: number[];
  private readonly ended: boolean[];
  private readonly last: number[];
  /** Per shard: every group of it numbered below this has been pushed (see `reached`). */
  private readonly reachedSeq: number[];

  constructor(private readonly shardCount: number) {
    this.queues = Array.from({ length: shardCount }, () => []);
    this.heads = Array.from({ length: shardCount }, () => 0);
    this.ended = Array.from({ length: shardCount }, () => false);
    this.last = Array.from({ length: shardCount }, () => -1);
    this.reachedSeq = Array.from({ length: shardCount }, () => 0);
  }

  /**
   * Shard `i` says it has pushed every group it has numbered below `seq`: a shard that emits nothing
   * for a while no longer holds back the others' groups (a replay fed by one reader needs this: a
   * shard waiting for input cannot send a later group to show how far it is).
   */
  reached(i: number, seq: number): void {
    if (seq > this.reachedSeq[i]!) this.reachedSeq[i] = seq;
  }

  /** Shard `i`'s next groups (0-based), in its sequence order. */
  push(i: number, groups: ReadonlyArray<EmitGroup<T>>): void {
    if (this.ended[i] === true) throw new Error(`invariant: shard ${i + 1} pushed groups after its end`);
    const queue = this.queues[i]!;
    for (const g of groups) {
      if (g.seq <= this.last[i]!) throw new ShardMismatch(`shard ${i + 1} group order`, `after ${this.last[i]}`, String(g.seq));
      this.last[i] = g.seq;
      queue.push(g);
    }
  }

  /** Shard `i` has no more groups. */
  end(i: number): void {
    this.ended[i] = true;
  }

  private head(i: number): EmitGroup<T> | undefined {
    return this.queues[i]![this.heads[i]!];
  }

  private take(i: number): EmitGroup<T> {
    const g = this.head(i)!;
    this.heads[i] = this.heads[i]! + 1;
    const queue = this.queues[i]!;
    if (this.heads[i] === queue.length) { // drained: let the queue's array go
      queue.length = 0;
      this.heads[i] = 0;
    }
    return g;
  }

  /** The combined groups that are ready, in sequence order. */
  *ready(): Generator<EmitGroup<T>> {
    for (;;) {
      let seq = Infinity;
      for (let i = 0; i < this.shardCount; i += 1) {
        const h = this.head(i);
        if (h !== undefined && h.seq < seq) seq = h.seq;
      }
      if (seq === Infinity) return;
      for (let i = 0; i < this.shardCount; i += 1) {
        // Shard i may yet have a part of group `seq`, unless it ended or has shown it is past it.
        if (this.head(i) === undefined && !this.ended[i] && this.reachedSeq[i]! <= seq) return;
      }
      const parts: Array<EmitGroup<T>> = [];
      for (let i = 0; i < this.shardCount; i += 1) if (this.head(i)?.seq === seq) parts.push(this.take(i));
      yield combineGroups(parts, this.shardCount);
    }
  }

  /** How many of shard `i`'s groups wait to be combined. */
  queued(i: number): number {
    return this.queues[i]!.length - this.heads[i]!;
  }

  /** True when shard `i` has not ended and none of its groups wait: nothing is ready until it sends more. */
  waitsFor(i: number): boolean {
    return !this.ended[i] && this.head(i) === undefined;
  }

  /** True when every shard ended and every group was handed out. */
  get done(): boolean {
    return this.ended.every((e, i) => e && this.head(i) === undefined);
  }
}

/** Walks the shards' group streams (each in sequence order) and yields combined groups in order. */
export function* mergeGroupStreams(streams: ReadonlyArray<Iterable<EmitGroup>>): Generator<EmitGroup> {
  const its = streams.map((s) => s[Symbol.iterator]());
  const merge = new GroupStreamMerge(streams.length);
  const pull = (i: number) => {
    const next = its[i]!.next();
    if (next.done === true) merge.end(i);
    else merge.push(i, [next.value]);
  };
  its.forEach((_it, i) => pull(i));
  while (!merge.done) {
    for (const group of merge.ready()) {
      yield group;
    }
    // Refill every shard whose queue ran dry (one group each: a shard's groups need not fit in memory).
    for (let i = 0; i < its.length; i += 1) if (merge.waitsFor(i)) pull(i);
  }
}

/** Why the merged result would not be the unsharded one, or null when it is exact. */
export function inexactness(
  evidence: readonly ShardEvidence[],
  firstKill: { readonly seq: number; readonly ts: string } | null,
  limits: MergeLimits,
): string | null {
  const dailyLossCap = limits.dailyLossCap;
  if (firstKill !== null) {
    for (const [i, e] of evidence.entries()) {
      if (e.lastUnblockedDecisionGroup > firstKill.seq) {
        return `the kill switch engaged at ${firstKill.ts}, but shard ${i + 1} still took decisions after it; ` +
          "unsharded, the kill switch blocks every symbol's decisions";
      }
    }
  }
  if (dailyLossCap !== undefined) {
    const lowByDay = new Map<string, Dec>();
    for (const e of evidence) for (const [day, low] of e.dayPnlLows) lowByDay.set(day, D.add(lowByDay.get(day) ?? D.ZERO, low));
    for (const [day, low] of [...lowByDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (low < D.neg(dailyLossCap)) {
        return `on ${day} the shards' realized losses together (${D.toFixed(low, 2)} at worst) could reach the ` +
          `daily loss cap ${D.toPlain(dailyLossCap)}, which an unsharded replay checks across all symbols`;
      }
    }
  }
  // cache_entries_max counts all symbols' ids: the shards' peaks added are at least the peak of
  // their sum, so within the limit they prove an unsharded replay stayed within it too.
  const peaks = evidence.reduce((n, e) => n + e.cacheEntriesPeak, 0);
  if (peaks > limits.cacheEntriesMax) {
    return `the shards held up to ${peaks} order-id cache entries between them, more than cache_entries_max=${limits.cacheEntriesMax}, ` +
      "a limit an unsharded replay applies to all symbols together";
  }
  return null;
}

/** The config limits merge needs. */
export interface MergeLimits {
  readonly reportListItemsMax: number;
  readonly dailyLossCap: Dec | undefined;
  readonly cacheEntriesMax: number;
}

export interface ShardOutput {
  readonly state: EngineState;
  readonly evidence: ShardEvidence;
  /** The shard's groups in sequence order (read lazily: a shard's groups need not fit in memory). */
  readonly groups: Iterable<EmitGroup>;
}

/** Sharding was not exact: the merged result might not be the unsharded one (`why` says which rule). */
export class InexactMerge extends ConfigError {
  constructor(readonly why: string) {
    super(`these shards cannot be merged into the unsharded result: ${why}. Replay this input without --shard.`);
    this.name = "InexactMerge";
  }
}

/** What a shard leaves besides its groups. */
export type ShardEnd = Omit<ShardOutput, "groups">;

/**
 * Assembles combined groups (in sequence order) into the unsharded report; trade rows go to
 * `onTrades` as they are assembled (the report's own `trades` is empty).
 */
export class MergedReport<T extends TradeKey = TradeRow> {
  private readonly assembler: Assembler<T>;
  private firstKill: { seq: number; ts: string } | null = null;
  /** Combined groups added so far. */
  groups = 0;

  constructor(private readonly limits: MergeLimits, private readonly onTrades: (rows: readonly T[]) => void) {
    this.assembler = new Assembler<T>(limits.reportListItemsMax);
  }

  add(group: EmitGroup<T>): void {
    if (this.firstKill === null && group.kills.length > 0) this.firstKill = { seq: group.seq, ts: group.kills[0]!.ts };
    this.assembler.add(group);
    if (group.trades.length > 0) this.onTrades(this.assembler.drainTrades());
    this.groups += 1;
  }

  /** The report, once every group is added. Throws InexactMerge when sharding was not exact. */
  finish(shards: readonly ShardEnd[]): Report {
    const why = inexactness(shards.map((s) => s.evidence), this.firstKill, this.limits);
    if (why !== null) throw new InexactMerge(why);
    return composeReport(this.assembler.lists(), mergeStates(shards.map((s) => s.state)), []);
  }
}

/**
 * The unsharded report from all N shards, in shard order. Trade rows go to `onTrades` as they are
 * assembled (the report's own `trades` is empty). Throws InexactMerge when sharding was not exact.
 */
export function mergeShards(
  limits: MergeLimits,
  shards: readonly ShardOutput[],
  onTrades: (rows: readonly TradeRow[]) => void,
  onGroup: (count: number) => void = () => {},
): Report {
  const merged = new MergedReport(limits, onTrades);
  for (const group of mergeGroupStreams(shards.map((s) => s.groups))) {
    merged.add(group);
    onGroup(merged.groups);
  }
  return merged.finish(shards);
}
