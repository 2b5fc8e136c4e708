// What a shard's groups say about its end state. `merge` tallies each shard's groups as it reads
// them and refuses a shard whose shard.json says otherwise: the counts the groups determine (stale
// orders, caught fills, TTL cancels, duplicates, blocked decisions, runs, the largest drift) are
// recomputed, not taken on trust, and so is the verdict (every critical finding engages the kill
// switch). The symbols a shard speaks of must be its own. What the groups cannot determine
// (positions, P&L, slippage statistics: the snapshots they rest on are not in the groups) rests on
// the shard's digests.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { KillReason } from "../../domain/report.js";
import type { EmitGroup, RawFinding } from "../output/emit.js";
import type { ShardEvidence } from "../engine/engine.js";
import { isCritical, SEVERITY } from "../output/findings.js";
import { shardOfSymbol, type ShardSpec } from "./shard.js";
import type { EngineState } from "../output/state.js";

/** A field of a shard's files that contradicts its groups: its path, what the groups say, what it holds. */
export interface Contradiction {
  readonly field: string;
  readonly expected: string;
  readonly got: string;
}

type Exact = readonly [field: keyof EngineState["counts"], tallied: number | Dec, what: string];

export class ShardTally {
  private readonly staleIds = new Set<string>();
  private orphanFindings = 0;
  private fillsCaught = 0;
  private ttlCancels = 0;
  private skipped = 0;
  private blocked = 0;
  private runs = 0;
  private failedRuns = 0;
  private driftPips: Dec = D.ZERO;
  private driftUnits: Dec = D.ZERO;
  private lastSkipGroup = -1;
  private readonly engaged = new Set<KillReason>();
  private readonly ownership = new Map<string, boolean>();

  constructor(private readonly spec: ShardSpec) {}

  /** Takes in the shard's next group; returns what in it contradicts the rules (its field path), if anything. */
  add(g: EmitGroup): Contradiction | null {
    for (const k of g.kills) this.engaged.add(k.reason);
    if (g.run !== null) {
      const r = g.run.run;
      this.runs += 1;
      if (r.status === "failed") this.failedRuns += 1;
      this.driftPips = D.max(this.driftPips, r.maxDriftPips);
      this.driftUnits = D.max(this.driftUnits, r.maxDriftUnits);
    }
    for (const [i, f] of g.findings.entries()) {
      const wrong = this.finding(f, `findings[${i}]`);
      if (wrong !== null) return wrong;
    }
    if (g.skipped.length > 0) this.lastSkipGroup = g.seq;
    this.skipped += g.skipped.length;
    this.blocked += g.blocked.length;
    return this.foreign(g.trades, "trades") ?? this.foreign(g.actions, "actions") ?? this.foreign(g.ambiguous, "ambiguous");
  }

  private finding(f: RawFinding, path: string): Contradiction | null {
    if (f.severity !== SEVERITY[f.kind]) {
      return { field: `${path}.severity`, expected: `"${SEVERITY[f.kind]}", the severity of every ${f.kind}`, got: JSON.stringify(f.severity) };
    }
    if (isCritical(f.kind) && !this.engaged.has(f.kind)) {
      return { field: `${path}.kind`, expected: `the kill switch engaged for ${f.kind} in this group or before (every critical finding engages it)`, got: "no such engagement" };
    }
    if (!f.global && f.symbol !== null && !this.owns(f.symbol)) return this.notOwn(`${path}.symbol`, f.symbol);
    if (f.kind === "stale_local_order" && f.clientOrderId !== null) this.staleIds.add(f.clientOrderId);
    else if (f.kind === "orphan_broker_order") this.orphanFindings += 1;
    else if (f.kind === "fill_caught_by_reconcile" || f.kind === "partial_fill_caught_by_reconcile") this.fillsCaught += 1;
    else if (f.kind === "stale_order_cancelled") this.ttlCancels += 1;
    return null;
  }

  private owns(symbol: string): boolean {
    let owned = this.ownership.get(symbol);
    if (owned === undefined) {
      owned = shardOfSymbol(symbol, this.spec.count) === this.spec.index;
      this.ownership.set(symbol, owned);
    }
    return owned;
  }

  private notOwn(field: string, symbol: string): Contradiction {
    return { field, expected: `a symbol of shard ${this.spec.index} of ${this.spec.count}`, got: `${JSON.stringify(symbol)}, another shard's` };
  }

  private foreign(items: ReadonlyArray<{ readonly symbol: string }>, list: string): Contradiction | null {
    for (const [i, item] of items.entries()) if (!this.owns(item.symbol)) return this.notOwn(`${list}[${i}].symbol`, item.symbol);
    return null;
  }

  /** Where the shard's end state (shard.json) contradicts its groups, once they are all taken in. */
  contradiction(state: EngineState, evidence: ShardEvidence): Contradiction | null {
    const c = state.counts;
    const exact: readonly Exact[] = [
      ["stale", this.staleIds.size, "the distinct stale orders its groups report"],
      ["fillsCaughtByReconcile", this.fillsCaught, "the fills caught by reconcile its groups report"],
      ["staleOrdersCancelled", this.ttlCancels, "the TTL cancels its groups report"],
      ["duplicatesSkipped", this.skipped, "the duplicate decisions its groups list"],
      ["blockedDecisions", this.blocked, "the blocked decisions its groups list"],
      ["reconcileRuns", this.runs, "the reconcile runs its groups hold"],
      ["reconcileFailures", this.failedRuns, "the failed reconcile runs its groups hold"],
      ["driftPips", this.driftPips, "the largest drift of its groups' reconcile runs"],
      ["driftUnits", this.driftUnits, "the largest drift of its groups' reconcile runs"],
    ];
    for (const [field, tallied, what] of exact) {
      if (c[field] !== tallied) return { field: `state.counts.${field}`, expected: `${show(tallied)}, ${what}`, got: show(c[field]) };
    }
    // Orphans count distinct broker orders; one may be reported again once the book forgot it.
    const n = this.orphanFindings;
    if (n === 0 ? c.orphan !== 0 : c.orphan < 1 || c.orphan > n) {
      return { field: "state.counts.orphan", expected: n === 0 ? "0, as its groups report no orphan" : `1 to ${n}, the orphans its groups report`, got: String(c.orphan) };
    }
    if (evidence.lastUnblockedDecisionGroup < this.lastSkipGroup) {
      return { field: "evidence.lastUnblockedDecisionGroup", expected: `at least ${this.lastSkipGroup}, the last group with a decision skipped, not blocked`, got: String(evidence.lastUnblockedDecisionGroup) };
    }
    return this.foreignState(state);
  }

  private foreignState(state: EngineState): Contradiction | null {
    const lists: ReadonlyArray<readonly [string, readonly string[]]> = [
      ["positions", state.positions.map((p) => p.symbol)], ["realizedPnlBySymbol", state.realizedPnlBySymbol.map(([s]) => s)],
      ["instruments", state.instruments.map((i) => i.symbol)], ["slippage", state.slippage.map((s) => s.symbol)],
    ];
    for (const [list, symbols] of lists) {
      const i = symbols.findIndex((s) => !this.owns(s));
      if (i >= 0) return this.notOwn(`state.${list}[${i}]`, symbols[i]!);
    }
    // P&L is shown in its instrument's currency: every symbol with P&L is an instrument met.
    const met = new Set(state.instruments.map((i) => i.symbol));
    const unmet = state.realizedPnlBySymbol.findIndex(([s]) => !met.has(s));
    if (unmet >= 0) {
      const symbol = state.realizedPnlBySymbol[unmet]![0];
      return { field: `state.realizedPnlBySymbol[${unmet}]`, expected: "a symbol listed in state.instruments", got: JSON.stringify(symbol) };
    }
    return null;
  }
}

const show = (v: unknown): string => (typeof v === "bigint" ? D.toPlain(v as Dec) : String(v));
