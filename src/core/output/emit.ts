// What the engine emits, and how emissions become the report's numbered, capped lists.
//
// The engine does not number its findings, alerts and actions itself. It collects what one stretch
// of the replay produced (a reconciliation run, or the handling of one input record) into an
// EmitGroup and hands it on. Groups are numbered in a sequence that depends only on the input's
// shape (records and reconcile runs), never on what the records contain, so every shard of a
// sharded replay numbers its groups the same way and `merge` can line them up.
//
// Inside a group, items are ordered by symbol (stably: a symbol's items keep the engine's order).
// A symbol's items all come from one shard, so the merged order equals the unsharded order.
// Items with no symbol sort first. "Global" items (about the whole account: a failed reconcile,
// a broker-limits mismatch) are produced identically by every shard; merge keeps one copy.

import type {
  Alert, AlertName, AmbiguousMatch, Capped, Finding, FindingCount, KillReason, KillSwitchView, OrderOutcome, ReconcileRun,
  SkippedDecision, StagedAction, TradeRow,
} from "../../domain/report.js";
import { KillSwitch, killRank } from "../engine/kill-switch.js";

export type RawFinding = Omit<Finding, "findingId" | "related"> & { readonly global: boolean };
export type RawAlert = Omit<Alert, "alertId"> & { readonly global: boolean };
export type RawAction = Omit<StagedAction, "actionId">;

/** A reconciliation run, plus whether it found a new divergence (which raises an alert). */
export interface RunRecord {
  readonly run: ReconcileRun;
  readonly divergence: boolean;
}

export interface KillEngage {
  readonly reason: KillReason;
  readonly ts: string;
}

/**
 * What one group holds besides its run. `T` is a trade row as the group carries it: the row itself,
 * or (between threads, see jobs/replay/) the row already rendered; either way it names its symbol.
 */
export interface GroupItems<T extends TradeKey = TradeRow> {
  readonly findings: readonly RawFinding[];
  readonly alerts: readonly RawAlert[];
  readonly actions: readonly RawAction[];
  readonly ambiguous: readonly AmbiguousMatch[];
  readonly outcomes: readonly OrderOutcome[];
  readonly skipped: readonly SkippedDecision[];
  readonly blocked: readonly SkippedDecision[];
  readonly trades: readonly T[];
  readonly kills: readonly KillEngage[];
}

/** What ordering a trade row within a group needs (see bySymbol). */
export interface TradeKey {
  readonly symbol: string;
}

export interface EmitGroup<T extends TradeKey = TradeRow> extends GroupItems<T> {
  /** Position in the replay's group sequence (the same in every shard). */
  readonly seq: number;
  readonly run: RunRecord | null;
}

/** The items of the group being collected, as the engine adds them. */
interface GroupBuffers {
  findings: RawFinding[]; alerts: RawAlert[]; actions: RawAction[]; ambiguous: AmbiguousMatch[]; outcomes: OrderOutcome[];
  skipped: SkippedDecision[]; blocked: SkippedDecision[]; trades: TradeRow[]; kills: KillEngage[];
}

function emptyBuffers(): GroupBuffers {
  return { findings: [], alerts: [], actions: [], ambiguous: [], outcomes: [], skipped: [], blocked: [], trades: [], kills: [] };
}

/**
 * Collects what one stretch of the replay produces into a group, and hands each group on when it
 * closes (`flush`): to the assembler in a plain replay, or to a shard's file.
 */
export class GroupEmitter {
  private seq = 0;
  private items = emptyBuffers();

  constructor(private readonly sink: (group: EmitGroup) => void) {}

  /** Findings in the group being collected so far (a reconciliation step checks what it added). */
  get findingsInGroup(): number {
    return this.items.findings.length;
  }

  /** The sequence number of the group being collected. */
  get currentSeq(): number {
    return this.seq;
  }

  finding(f: RawFinding): void {
    this.items.findings.push(f);
  }

  alert(a: RawAlert): void {
    this.items.alerts.push(a);
  }

  action(a: RawAction): void {
    this.items.actions.push(a);
  }

  ambiguous(m: AmbiguousMatch): void {
    this.items.ambiguous.push(m);
  }

  outcome(o: OrderOutcome): void {
    this.items.outcomes.push(o);
  }

  skipped(s: SkippedDecision): void {
    this.items.skipped.push(s);
  }

  blocked(s: SkippedDecision): void {
    this.items.blocked.push(s);
  }

  trade(t: TradeRow): void {
    this.items.trades.push(t);
  }

  kill(k: KillEngage): void {
    this.items.kills.push(k);
  }

  /** Closes the current group (a reconcile run, or one record's handling) and hands it on. */
  flush(run: RunRecord | null): void {
    const seq = this.seq;
    this.seq += 1;
    const items = this.items;
    // Most records emit nothing: keep their (empty) buffers rather than allocate new ones.
    if (run === null && hasNoItems(items)) return;
    this.items = emptyBuffers();
    // Spelled out, not spread: this runs for every record that emits (each fill's trade row).
    this.sink({
      seq, run, findings: items.findings, alerts: items.alerts, actions: items.actions, ambiguous: items.ambiguous,
      outcomes: items.outcomes, skipped: items.skipped, blocked: items.blocked, trades: items.trades, kills: items.kills,
    });
  }
}

export function hasNoItems(g: GroupItems<TradeKey>): boolean {
  return g.findings.length === 0 && g.alerts.length === 0 && g.actions.length === 0 &&
    g.ambiguous.length === 0 && g.outcomes.length === 0 && g.skipped.length === 0 && g.blocked.length === 0 && g.trades.length === 0 &&
    g.kills.length === 0;
}

/** Skipped or blocked decisions in input order (a copy only when there are two to order). */
function byLine(items: readonly SkippedDecision[]): readonly SkippedDecision[] {
  return items.length < 2 ? items : [...items].sort((a, b) => a.line - b.line);
}

/** Stable sort by symbol; items without one come first. */
export function bySymbol<T>(items: readonly T[], symbolOf: (item: T) => string | null): readonly T[] {
  if (items.length < 2) return items; // most groups hold one trade row or none: nothing to order
  return items
    .map((item, i) => ({ item, i, s: symbolOf(item) ?? "" }))
    .sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.i - b.i))
    .map((x) => x.item);
}

export const alertSymbol = (a: { readonly detail: Alert["detail"] }): string | null =>
  typeof a.detail["symbol"] === "string" ? a.detail["symbol"] : null;

const NO_ROWS: readonly never[] = Object.freeze([]);

/** A report list that keeps its first `max` items and counts the rest. */
export class CappedList<T> {
  readonly items: T[] = [];
  omitted = 0;
  total = 0;
  constructor(private readonly max: number) {}
  push(item: T): void {
    this.total += 1;
    if (this.items.length < this.max) this.items.push(item);
    else this.omitted += 1;
  }
  view(): Capped<T> {
    return { items: this.items, omitted: this.omitted };
  }
}

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(5, "0")}`;

/** The report's lists as the assembler built them. */
export interface AssembledLists {
  readonly runs: Capped<ReconcileRun>;
  readonly runsTotal: number;
  readonly lastRun: ReconcileRun | undefined;
  readonly findings: Capped<Finding>;
  readonly findingCounts: ReadonlyArray<FindingCount>;
  readonly alerts: Capped<Alert>;
  readonly alertsTotal: number;
  readonly alertCounts: ReadonlyArray<readonly [AlertName, number]>;
  readonly stagedActions: Capped<StagedAction>;
  readonly ambiguousMatches: Capped<AmbiguousMatch>;
  readonly orderOutcomes: Capped<OrderOutcome>;
  /** How many of the engine's orders ended each way, over the whole replay (the list above may be capped). */
  readonly outcomeCounts: Readonly<Record<OrderOutcome["outcome"], number>>;
  readonly skippedDecisions: Capped<SkippedDecision>;
  readonly skippedTotal: number;
  readonly blockedDecisions: Capped<SkippedDecision>;
  readonly blockedTotal: number;
  readonly killSwitch: KillSwitchView;
  /** The cap every list above was cut at (report_list_items_max). */
  readonly listItemsMax: number;
}

/** Numbers, orders and caps emitted groups, in group order. Used by a replay and by merge alike. */
export class Assembler<T extends TradeKey = TradeRow> {
  private readonly runs: CappedList<ReconcileRun>;
  private readonly findings: CappedList<Finding>;
  private readonly alerts: CappedList<Alert>;
  private readonly actions: CappedList<StagedAction>;
  private readonly ambiguous: CappedList<AmbiguousMatch>;
  private readonly outcomes: CappedList<OrderOutcome>;
  private readonly outcomeCounts = { rejected: 0, cancelled: 0, expired: 0 };
  private readonly skipped: CappedList<SkippedDecision>;
  private readonly blocked: CappedList<SkippedDecision>;
  private readonly alertCounts = new Map<AlertName, number>();
  private readonly findingCounts = new Map<string, FindingCount>();
  private lastRun: ReconcileRun | undefined;
  private lastSeq = -1;
  private readonly killSwitch = new KillSwitch();
  private trades: T[] = [];

  constructor(private readonly listItemsMax: number) {
    this.runs = new CappedList(listItemsMax);
    this.findings = new CappedList(listItemsMax);
    this.alerts = new CappedList(listItemsMax);
    this.actions = new CappedList(listItemsMax);
    this.ambiguous = new CappedList(listItemsMax);
    this.outcomes = new CappedList(listItemsMax);
    this.skipped = new CappedList(listItemsMax);
    this.blocked = new CappedList(listItemsMax);
  }

  add(g: EmitGroup<T>): void {
    if (g.seq <= this.lastSeq) throw new Error(`invariant: groups arrive in sequence (${g.seq} after ${this.lastSeq})`);
    this.lastSeq = g.seq;
    if (g.run !== null) {
      this.runs.push(g.run.run);
      this.lastRun = g.run.run;
    }
    const findings = bySymbol(g.findings, (x) => x.symbol);
    const ids = findings.map((_, i) => id("F", this.findings.total + 1 + i));
    for (const [i, f] of findings.entries()) {
      const { global: _global, ...rest } = f;
      this.findings.push({ findingId: ids[i]!, ...rest, related: relatedIds(findings, i, ids) });
      const key = `${f.kind}\u0000${f.severity}`;
      const seen = this.findingCounts.get(key);
      this.findingCounts.set(key, { kind: f.kind, severity: f.severity, count: (seen?.count ?? 0) + 1 });
    }
    const alerts: Array<Omit<Alert, "alertId">> = g.alerts.map(({ global: _global, ...rest }) => rest);
    if (g.run?.divergence === true) alerts.push(divergenceAlert(g.run.run));
    for (const a of bySymbol(alerts, alertSymbol)) {
      this.alertCounts.set(a.alert, (this.alertCounts.get(a.alert) ?? 0) + 1);
      this.alerts.push({ alertId: id("A", this.alerts.total + 1), ...a });
    }
    for (const a of bySymbol(g.actions, (x) => x.symbol)) this.actions.push({ actionId: id("S", this.actions.total + 1), ...a });
    for (const m of bySymbol(g.ambiguous, (x) => x.symbol)) this.ambiguous.push(m);
    for (const o of bySymbol(g.outcomes, (x) => x.symbol)) {
      this.outcomes.push(o);
      this.outcomeCounts[o.outcome] += 1;
    }
    for (const s of byLine(g.skipped)) this.skipped.push(s);
    for (const s of byLine(g.blocked)) this.blocked.push(s);
    for (const t of bySymbol(g.trades, (x) => x.symbol)) this.trades.push(t);
    for (const k of [...g.kills].sort((a, b) => killRank(a.reason) - killRank(b.reason))) this.killSwitch.engage(k.reason, k.ts);
  }

  /** Trade rows assembled since the last drain, in report order. */
  drainTrades(): readonly T[] {
    if (this.trades.length === 0) return NO_ROWS as readonly T[]; // most records reconcile no fill
    const rows = this.trades;
    this.trades = [];
    return rows;
  }

  lists(): AssembledLists {
    return {
      runs: this.runs.view(), runsTotal: this.runs.total, lastRun: this.lastRun,
      findings: this.findings.view(),
      findingCounts: [...this.findingCounts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c),
      alerts: this.alerts.view(), alertsTotal: this.alerts.total,
      alertCounts: [...this.alertCounts].sort(([a], [b]) => (a < b ? -1 : 1)),
      stagedActions: this.actions.view(),
      ambiguousMatches: this.ambiguous.view(),
      orderOutcomes: this.outcomes.view(), outcomeCounts: { ...this.outcomeCounts },
      skippedDecisions: this.skipped.view(), skippedTotal: this.skipped.total,
      blockedDecisions: this.blocked.view(), blockedTotal: this.blocked.total,
      killSwitch: this.killSwitch.view(),
      listItemsMax: this.listItemsMax,
    };
  }
}

/**
 * The findings of one group that explain finding `i`: those whose evidence holds one of its cause
 * lines (a drift's first `evidence_causes` refs), such as the orphan whose fill the engine lacks.
 */
function relatedIds(findings: readonly RawFinding[], i: number, ids: readonly string[]): string[] {
  const n = findings[i]!.detail["evidence_causes"];
  if (typeof n !== "number" || n === 0) return [];
  const causes = new Set(findings[i]!.evidence.slice(0, n));
  return ids.filter((_, j) => j !== i && findings[j]!.evidence.some((ref) => causes.has(ref)));
}

function divergenceAlert(run: ReconcileRun): Omit<Alert, "alertId"> {
  return {
    alert: "ALERT_RECONCILE_DIVERGENCE", ts: run.ts, reconcileId: run.reconcileId, decisionId: null,
    counts: { stale: run.counts.staleLocalOrders, orphan: run.counts.orphanBrokerOrders, drifting_symbols: run.counts.driftingSymbols },
    detail: { trigger: run.trigger },
  };
}
