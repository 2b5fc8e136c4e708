// One builder per finding kind, alert and staged action: what each says, and from which facts.
// Builders are pure; the engine decides when to call them and hands the result to the emitter.

import * as D from "../../domain/decimal.js";
import { assert } from "../../domain/errors.js";
import type { Dec } from "../../domain/decimal.js";
import type { Side } from "../../domain/records.js";
import type {
  AmbiguousMatch, Detail, FindingKind, KillReason, OrderOutcome, ReconcileTrigger, Severity, SkippedDecision, StagedActionKind,
} from "../../domain/report.js";
import { entryTemplate } from "../../domain/instrument-entry.js";
import { type Instant, instantFromMs } from "../../domain/time.js";
import type { BrokerFill, BrokerOrder } from "../books/broker-book.js";
import type { CacheEntry } from "../books/cache.js";
import type { RawAction, RawAlert, RawFinding } from "./emit.js";
import type { EngineOrder } from "../books/engine-view.js";
import type { SymbolCauses } from "../books/drift-causes.js";
import { EVIDENCE_LINES_MAX, evidenceRefs, type LineTrail } from "../books/evidence.js";
import { type Drift, type MatchKind, type Position } from "../rules/index.js";

/** The severity of every finding kind. Every critical finding engages the kill switch (its kind is the reason). */
export const SEVERITY = {
  stale_local_order: "critical",
  orphan_broker_order: "critical",
  position_drift: "critical",
  fill_caught_by_reconcile: "warning",
  partial_fill_caught_by_reconcile: "warning",
  order_state_caught_by_reconcile: "warning",
  order_relinked_from_cache: "info",
  stale_order_cancelled: "warning",
  in_flight_order: "info",
  cancel_request_unknown_order: "warning",
  cancel_request_order_closed: "info",
  overfill: "critical",
  order_mismatch: "critical",
  broker_limit_mismatch: "warning",
  symbol_cap_breach: "critical",
  daily_loss_breach: "critical",
  instrument_undescribed: "critical",
} as const satisfies Record<FindingKind, Severity>;

/** The finding kinds that engage the kill switch: the critical ones. */
export type CriticalKind = { [K in FindingKind]: (typeof SEVERITY)[K] extends "critical" ? K : never }[FindingKind];
// Every critical kind must be a kill-switch reason (a compile error otherwise).
const CRITICAL_KINDS_ARE_KILL_REASONS: readonly KillReason[] = [] as readonly CriticalKind[];
void CRITICAL_KINDS_ARE_KILL_REASONS;

export function isCritical(kind: FindingKind): kind is CriticalKind {
  return SEVERITY[kind] === "critical";
}

interface Subject {
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly symbol: string | null;
}

const NO_SUBJECT: Subject = { clientOrderId: null, brokerOrderId: null, symbol: null };

/** Where and when a reconciliation run raised something: its instant and its id. */
export interface RunAt {
  readonly at: Instant;
  readonly reconcileId: string;
}

/** What a finding says: its facts, the input lines they rest on, and whether every shard raises it alike. */
interface Facts {
  readonly detail: Detail;
  readonly evidence: string[];
  readonly global?: boolean;
}

/** A finding of `kind` about a subject: severity from SEVERITY; global ones are the same in every shard. */
function finding(kind: FindingKind, when: { ts: string; reconcileId: string | null }, s: Subject, facts: Facts): RawFinding {
  return {
    kind, severity: SEVERITY[kind], ts: when.ts, reconcileId: when.reconcileId, clientOrderId: s.clientOrderId,
    brokerOrderId: s.brokerOrderId, symbol: s.symbol, detail: facts.detail, evidence: facts.evidence, global: facts.global ?? false,
  };
}

const inRun = (at: Instant, reconcileId: string | null) => ({ ts: at.text, reconcileId });

/** An order's evidence lines as a finding names them. */
const journalRefs = (e: EngineOrder): string[] => e.evidence.map((line) => `journal:${line}`);
const brokerRefs = (b: BrokerOrder): string[] => b.evidence.map((line) => `broker:${line}`);

const ofEngineOrder = (e: EngineOrder): Subject =>
  ({ clientOrderId: e.clientOrderId, brokerOrderId: e.brokerOrderId ?? null, symbol: e.symbol });

// ------------------------------------------------------------------ findings

export function staleLocalOrder(e: EngineOrder, at: Instant, reconcileId: string): RawFinding {
  return finding("stale_local_order", inRun(at, reconcileId), ofEngineOrder(e), {
    detail: { side: e.side, qty: D.toPlain(e.qty), filled_qty: D.toPlain(e.filledQty), sent_at: e.sentAt?.text ?? null, outcome: "unknown" },
    evidence: journalRefs(e),
  });
}

export function inFlightOrder(e: EngineOrder, at: Instant, reconcileId: string): RawFinding {
  return finding("in_flight_order", inRun(at, reconcileId), { ...ofEngineOrder(e), brokerOrderId: null }, {
    detail: { sent_at: e.sentAt?.text ?? null, outcome: "unknown" }, evidence: journalRefs(e),
  });
}

export function staleOrderCancelled(e: EngineOrder, expiresMs: number, at: Instant, reconcileId: string): RawFinding {
  return finding("stale_order_cancelled", inRun(at, reconcileId), ofEngineOrder(e), {
    detail: { sent_at: e.sentAt?.text ?? null, ttl_expired_at: instantFromMs(expiresMs).text, action: "staged" }, evidence: journalRefs(e),
  });
}

/** How an orphan was matched: its size, the look-alike candidates named (never linked), and the match kind. */
export interface OrphanMatch {
  readonly qty: Dec;
  readonly match: MatchKind | "broker_order_id_conflict";
  readonly candidates: string[];
}

export function orphanBrokerOrder(b: BrokerOrder, m: OrphanMatch, run: RunAt): RawFinding {
  const subject = { clientOrderId: b.clientOrderId ?? null, brokerOrderId: b.brokerOrderId ?? null, symbol: b.symbol };
  return finding("orphan_broker_order", inRun(run.at, run.reconcileId), subject, {
    detail: {
      side: b.side, qty: D.toPlain(m.qty), filled_qty: D.toPlain(b.cumFilled), broker_status: b.status,
      broker_reason: b.reason ?? null, match: m.match, candidates: m.candidates,
      ...(b.conflict === undefined ? {} : { conflicting_fields: [...b.conflict.fields] }),
    },
    evidence: brokerRefs(b),
  });
}

/** The lines a position rests on: a snapshot line (journal or broker) and the fills since. */
export interface PositionEvidence {
  readonly snapshotLine: number | undefined;
  readonly fills: LineTrail | undefined;
}

/** Evidence refs of the broker's and the engine's positions, and how many lines were left out. */
function positionEvidence(broker: PositionEvidence, engine: PositionEvidence | null): { refs: string[]; omitted: number } {
  const brokerLines = [...(broker.snapshotLine === undefined ? [] : [broker.snapshotLine]), ...(broker.fills?.kept ?? []),
    ...(engine?.fills?.kept ?? [])];
  const journalLines = engine?.snapshotLine === undefined ? [] : [engine.snapshotLine];
  return { refs: evidenceRefs(brokerLines, journalLines), omitted: (broker.fills?.omitted ?? 0) + (engine?.fills?.omitted ?? 0) };
}

/** `evidence_omitted` in a detail, only when the evidence list was cut. */
const omittedDetail = (omitted: number): Detail => (omitted > 0 ? { evidence_omitted: omitted } : {});

/**
 * A drift's evidence: first the lines on which the books differ (never left out), then the lines the
 * positions rest on (their snapshots, then the latest fills) up to EVIDENCE_LINES_MAX in all.
 */
function driftEvidence(causes: SymbolCauses, broker: PositionEvidence, engine: PositionEvidence): { refs: string[]; causes: number; omitted: number } {
  const causeRefs = evidenceRefs(causes.broker, causes.journal);
  const isCause = new Set(causeRefs);
  const brokerLines = [...(broker.snapshotLine === undefined ? [] : [broker.snapshotLine]), ...(broker.fills?.kept ?? []), ...(engine.fills?.kept ?? [])];
  const journalLines = engine.snapshotLine === undefined ? [] : [engine.snapshotLine];
  // Snapshots first (each book's base), then fills latest first, to fill what room the causes leave.
  const routine = [...new Set([...journalLines.map((l) => `journal:${l}`), ...(broker.snapshotLine === undefined ? [] : [`broker:${broker.snapshotLine}`]),
    ...[...new Set(brokerLines)].sort((a, b) => b - a).map((l) => `broker:${l}`)])].filter((ref) => !isCause.has(ref));
  const kept = routine.slice(0, Math.max(0, EVIDENCE_LINES_MAX - causeRefs.length));
  const lineOf = (ref: string, src: string): number[] => (ref.startsWith(`${src}:`) ? [Number(ref.slice(src.length + 1))] : []);
  const omitted = routine.length - kept.length + (broker.fills?.omitted ?? 0) + (engine.fills?.omitted ?? 0);
  return { refs: [...causeRefs, ...evidenceRefs(kept.flatMap((r) => lineOf(r, "broker")), kept.flatMap((r) => lineOf(r, "journal")))], causes: causeRefs.length, omitted };
}

/** A symbol's two positions and their drift, as a drift finding states them. */
export interface DriftFacts {
  readonly symbol: string;
  readonly engine: Position;
  readonly broker: Position;
  readonly drift: Drift;
}

export function positionDrift(d: DriftFacts, evidence: { causes: SymbolCauses; broker: PositionEvidence; engine: PositionEvidence }, run: RunAt): RawFinding {
  const ev = driftEvidence(evidence.causes, evidence.broker, evidence.engine);
  const { engine, broker, drift } = d;
  return finding("position_drift", inRun(run.at, run.reconcileId), { ...NO_SUBJECT, symbol: d.symbol }, {
    detail: {
      engine_qty: D.toPlain(engine.qty), engine_avg_price: D.toPlain(engine.avgPrice),
      broker_qty: D.toPlain(broker.qty), broker_avg_price: D.toPlain(broker.avgPrice),
      drift_units: D.toPlain(drift.units), drift_pips: drift.pips === undefined ? null : D.toFixed(drift.pips, 1),
      headline_drift_pips: D.toFixed(drift.headlinePips, 1), evidence_causes: ev.causes,
      ...(evidence.causes.omitted > 0 ? { evidence_causes_omitted: evidence.causes.omitted } : {}), ...omittedDetail(ev.omitted),
    },
    evidence: ev.refs,
  });
}

export function fillCaught(e: EngineOrder, fill: BrokerFill, complete: boolean, at: Instant, reconcileId: string): RawFinding {
  const ev = fill.ev;
  return finding(complete ? "fill_caught_by_reconcile" : "partial_fill_caught_by_reconcile", inRun(at, reconcileId),
    { clientOrderId: e.clientOrderId, brokerOrderId: ev.brokerOrderId, symbol: e.symbol }, {
      detail: {
        fill_ts: ev.ts.text, qty: D.toPlain(ev.qty), price: D.toPlain(ev.price), filled_qty: D.toPlain(e.filledQty), order_qty: D.toPlain(e.qty),
      },
      evidence: [`broker:${ev.line}`],
    });
}

export function orderMismatch(e: EngineOrder, b: BrokerOrder, fields: string[], at: Instant, reconcileId: string): RawFinding {
  return finding("order_mismatch", inRun(at, reconcileId), { clientOrderId: e.clientOrderId, brokerOrderId: b.brokerOrderId ?? null, symbol: e.symbol }, {
    detail: { fields, decision_id: e.decisionId ?? null, replaces_broker_order_id: b.replaces ?? null },
    evidence: [...journalRefs(e), ...brokerRefs(b)],
  });
}

export function orderStateCaught(e: EngineOrder, b: BrokerOrder, at: Instant, reconcileId: string): RawFinding {
  return finding("order_state_caught_by_reconcile", inRun(at, reconcileId),
    { clientOrderId: e.clientOrderId, brokerOrderId: b.brokerOrderId ?? null, symbol: e.symbol }, {
      detail: { broker_status: b.status, broker_reason: b.reason ?? null, filled_qty: D.toPlain(e.filledQty) }, evidence: brokerRefs(b),
    });
}

export function orderRelinkedFromCache(c: CacheEntry, b: BrokerOrder | undefined, ts: Instant, reconcileId: string | null): RawFinding {
  return finding("order_relinked_from_cache", inRun(ts, reconcileId), { clientOrderId: c.clientOrderId, brokerOrderId: b?.brokerOrderId ?? null, symbol: c.symbol }, {
    detail: { cache_status: c.status, decision_id: c.decisionId }, evidence: b === undefined ? [] : brokerRefs(b),
  });
}

export function overfill(e: EngineOrder, fill: BrokerFill, reconcileId: string | null): RawFinding {
  return finding("overfill", inRun(fill.ev.ts, reconcileId), { clientOrderId: e.clientOrderId, brokerOrderId: fill.ev.brokerOrderId, symbol: e.symbol }, {
    detail: { order_qty: D.toPlain(e.qty), filled_qty: D.toPlain(e.filledQty) }, evidence: [`broker:${fill.ev.line}`],
  });
}

export function cancelRequestUnknownOrder(clientOrderId: string, ts: Instant, line: number): RawFinding {
  return finding("cancel_request_unknown_order", inRun(ts, null), { clientOrderId, brokerOrderId: null, symbol: null }, {
    detail: { engine_status: "not_known" }, evidence: [`journal:${line}`],
  });
}

/** A cancel request for an order the engine already knows finished: filled, cancelled or rejected (its view), or closed (its cache). */
export function cancelRequestOrderClosed(
  clientOrderId: string, known: { readonly status: string; readonly symbol: string; readonly brokerOrderId: string | null }, ts: Instant, line: number,
): RawFinding {
  return finding("cancel_request_order_closed", inRun(ts, null), { clientOrderId, brokerOrderId: known.brokerOrderId, symbol: known.symbol }, {
    detail: { engine_status: known.status }, evidence: [`journal:${line}`],
  });
}

/** A broker record in an instrument the config does not describe: the entry that would describe it. */
export function instrumentUndescribed(symbol: string, line: number, ts: Instant): RawFinding {
  return finding("instrument_undescribed", inRun(ts, null), { ...NO_SUBJECT, symbol }, {
    detail: { measured_in: "units", suggested_entry: entryTemplate(symbol) }, evidence: [`broker:${line}`],
  });
}

export function brokerLimitMismatch(mismatch: string, configHash: string, limitsLine: number, at: Instant, reconcileId: string): RawFinding {
  return finding("broker_limit_mismatch", inRun(at, reconcileId), NO_SUBJECT, {
    detail: { mismatch, config_hash: configHash }, evidence: [`broker:${limitsLine}`], global: true,
  });
}

export function symbolCapBreach(symbol: string, units: { position: Dec; cap: Dec }, broker: PositionEvidence, run: RunAt): RawFinding {
  const ev = positionEvidence(broker, null);
  return finding("symbol_cap_breach", inRun(run.at, run.reconcileId), { ...NO_SUBJECT, symbol }, {
    detail: { position_units: D.toPlain(units.position), cap_units: D.toPlain(units.cap), ...omittedDetail(ev.omitted) }, evidence: ev.refs,
  });
}

export function dailyLossBreach(day: { day: string; pnl: Dec; cap: Dec }, dayFills: LineTrail | undefined, run: RunAt): RawFinding {
  return finding("daily_loss_breach", inRun(run.at, run.reconcileId), NO_SUBJECT, {
    detail: { utc_day: day.day, realized_pnl: D.toFixed(day.pnl, 2), daily_loss_cap: D.toPlain(day.cap), ...omittedDetail(dayFills?.omitted ?? 0) },
    evidence: evidenceRefs(dayFills?.kept ?? [], []),
  });
}

// ------------------------------------------------------------------ order outcomes

export function orderOutcome(e: EngineOrder, b: BrokerOrder, outcome: OrderOutcome["outcome"]): OrderOutcome {
  assert(b.endedAt !== undefined, "an order's outcome is read from the broker's cancel or reject");
  return {
    ts: b.endedAt.text, outcome, reason: b.reason ?? null, clientOrderId: e.clientOrderId, brokerOrderId: b.brokerOrderId ?? null,
    decisionId: e.decisionId ?? null, symbol: e.symbol, side: e.side, qty: e.qty, filledQty: e.filledQty, evidence: brokerRefs(b),
  };
}

// ------------------------------------------------------------------ alerts

export function reconcileFailed(trigger: ReconcileTrigger, consecutiveFailures: number, at: Instant, reconcileId: string): RawAlert {
  return { alert: "ALERT_RECONCILE_FAILED", ts: at.text, reconcileId, decisionId: null, counts: { consecutive_failures: consecutiveFailures },
    detail: { trigger, failure: "broker_unreachable" }, global: true };
}

export function persistenceFailed(failure: string, at: Instant): RawAlert {
  return { alert: "ALERT_IDEMPOTENCY_PERSISTENCE_FAILED", ts: at.text, reconcileId: null, decisionId: null,
    counts: { cache_entries_loaded: 0 }, detail: { failure }, global: true };
}

export function brokerLimitMismatchAlert(mismatches: string[], configHash: string, at: Instant, reconcileId: string): RawAlert {
  return { alert: "ALERT_BROKER_LIMIT_MISMATCH", ts: at.text, reconcileId, decisionId: null, counts: { mismatches: mismatches.length },
    detail: { fields: mismatches, config_hash: configHash }, global: true };
}

export function slippagePresetMissing(
  fill: BrokerFill, session: string, e: EngineOrder | undefined, slippagePips: Dec, breachesOfSymbol: number,
): RawAlert {
  return { alert: "ALERT_SLIPPAGE_PRESET_MISSING", ts: fill.ev.ts.text, reconcileId: null, decisionId: e?.decisionId ?? null,
    counts: { fills_without_preset: 1, slippage_breaches: breachesOfSymbol },
    detail: { symbol: fill.ev.symbol, session, client_order_id: e?.clientOrderId ?? null, slippage_pips: D.toFixed(slippagePips, 1) },
    global: false };
}

// ------------------------------------------------------------------ staged actions, matches, skipped decisions

/** What a staged action names: the action, when and by which run, its subject, and why. */
export interface StagedActionFacts {
  readonly action: StagedActionKind;
  readonly at: Instant;
  readonly reconcileId: string;
  readonly symbol: string;
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly side: Side | null;
  readonly qty: Dec | null;
  readonly reason: string;
}

export function stagedAction(a: StagedActionFacts): RawAction {
  return {
    action: a.action, ts: a.at.text, reconcileId: a.reconcileId, symbol: a.symbol, clientOrderId: a.clientOrderId,
    brokerOrderId: a.brokerOrderId, side: a.side, qty: a.qty, reason: a.reason,
  };
}

export function ambiguousMatch(b: BrokerOrder, qty: Dec, candidates: string[], at: Instant, reconcileId: string): AmbiguousMatch {
  return { reconcileId, ts: at.text, brokerOrderId: b.brokerOrderId ?? null, brokerClientOrderId: b.clientOrderId ?? null,
    symbol: b.symbol, side: b.side, qty, candidates };
}

export function skippedDecision(d: { readonly decisionId: string; readonly clientOrderId: string; readonly ts: Instant; readonly line: number }, reason: string): SkippedDecision {
  return { decisionId: d.decisionId, clientOrderId: d.clientOrderId, ts: d.ts.text, line: d.line, reason };
}
