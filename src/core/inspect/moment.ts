// Replays up to the moment a report item was raised, for `recon-proof explain`, and inspects what
// the item is about there: just before the input record whose handling raised it (the state the
// rule judged) and right after the group that holds it closed (what the rule did). Items are found
// by their numbers, which the assembler gives in group order: finding F00042 is the 42nd finding
// emitted, alert A00007 the 7th alert; the kill switch by the group in which a reason engaged it.
// The replay stops there; nothing is written and nothing is assembled.

import type { Config } from "../../domain/config.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../../domain/records.js";
import { evidenceRef } from "../../domain/records.js";
import type { AlertName, Detail, KillReason } from "../../domain/report.js";
import { alertSymbol, bySymbol, type EmitGroup, type RawFinding } from "../output/emit.js";
import { Engine, type EngineOptions } from "../engine/engine.js";
import type { Inspection, Subject } from "./inspect.js";
import { interleaveByEventTime } from "../interleave.js";
import type { ReplayInputs } from "../replay.js";

export type ItemRef =
  | { readonly kind: "finding"; readonly n: number }
  | { readonly kind: "alert"; readonly n: number }
  | { readonly kind: "kill_switch"; readonly reason: KillReason };

/** An alert as the assembler lists it (its id aside). */
export interface RaisedAlert {
  readonly alert: AlertName;
  readonly ts: string;
  readonly reconcileId: string | null;
  readonly detail: Detail;
}

export interface Moment {
  /** The group that holds the item: its run (null for a record's group) and everything it emitted. */
  readonly group: EmitGroup;
  /** How many findings and alerts came before the group (its first finding is number findingsBefore + 1). */
  readonly findingsBefore: number;
  readonly alertsBefore: number;
  /** The item as the engine raised it (null for the kill switch: see group.kills). */
  readonly finding: RawFinding | null;
  readonly alert: RaisedAlert | null;
  /** The record whose handling raised it; null when the final reconciliation did. */
  readonly record: InputRecord | null;
  readonly before: Inspection;
  readonly after: Inspection;
  /** The broker line that cut the link the engine was still without (null: connected). */
  readonly disconnectedBy: string | null;
  /** The journal line of the engine's last (re)start before the item. */
  readonly startedBy: string | null;
}

/** Alerts of a group in the order the assembler numbers them (a new divergence adds one). */
export function alertsInOrder(g: EmitGroup): readonly RaisedAlert[] {
  const alerts: RaisedAlert[] = g.alerts.map((a) => ({ alert: a.alert, ts: a.ts, reconcileId: a.reconcileId, detail: a.detail }));
  if (g.run?.divergence === true) alerts.push({ alert: "ALERT_RECONCILE_DIVERGENCE", ts: g.run.run.ts, reconcileId: g.run.run.reconcileId, detail: { trigger: g.run.run.trigger } });
  return bySymbol(alerts, alertSymbol);
}

type Raised = Omit<Moment, "record" | "disconnectedBy" | "startedBy">;

/** Counts items group by group and says which group holds the target, and the item in it. */
class ItemFinder {
  private findings = 0;
  private alerts = 0;

  constructor(private readonly target: ItemRef) {}

  /** The item if `g` holds it (with the numbers of the items before the group); undefined when it does not. */
  find(g: EmitGroup): Omit<Raised, "group" | "before" | "after"> | undefined {
    const counted = { findingsBefore: this.findings, alertsBefore: this.alerts };
    this.findings += g.findings.length;
    this.alerts += g.alerts.length + (g.run?.divergence === true ? 1 : 0);
    const t = this.target;
    if (t.kind === "kill_switch") return g.kills.some((k) => k.reason === t.reason) ? { ...counted, finding: null, alert: null } : undefined;
    const [lo, hi] = t.kind === "finding" ? [counted.findingsBefore, this.findings] : [counted.alertsBefore, this.alerts];
    if (t.n <= lo || t.n > hi) return undefined;
    const at = t.n - lo - 1;
    return t.kind === "finding"
      ? { ...counted, finding: bySymbol(g.findings, (f) => f.symbol)[at]!, alert: null }
      : { ...counted, finding: null, alert: alertsInOrder(g)[at]! };
  }
}

/**
 * Replays until the target item is raised and returns that moment, or null when the replay ends
 * without raising it (other inputs, config or cache than the report's).
 */
export function replayToMoment(
  inputs: ReplayInputs, options: Omit<EngineOptions, "emit">, look: { readonly target: ItemRef; readonly subject: Subject },
): Moment | null {
  const { config, journal, broker } = inputs;
  const { target, subject } = look;
  const finder = new ItemFinder(target);
  const found: { hit: Raised | null } = { hit: null };
  const engine: Engine = new Engine(config, {
    ...options,
    emit: (g) => {
      const item = found.hit === null ? finder.find(g) : undefined;
      if (item !== undefined) found.hit = { group: g, ...item, before, after: engine.inspect(subject) };
    },
  });
  let before = engine.inspect(subject);
  const context = { disconnectedBy: null as string | null, startedBy: null as string | null };
  for (const record of interleaveByEventTime(journal, broker)) {
    engine.step(record);
    if (found.hit !== null) return { ...found.hit, record, ...context };
    const now = engine.inspect(subject);
    if (before.engine.connected && !now.engine.connected) context.disconnectedBy = evidenceRef(record);
    if (now.engine.connected) context.disconnectedBy = null;
    if (record.src === "journal" && (record.type === "restart" || context.startedBy === null)) context.startedBy = evidenceRef(record);
    before = now;
  }
  engine.reconcileAtEnd();
  return found.hit === null ? null : { ...found.hit, record: null, ...context };
}
