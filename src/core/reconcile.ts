// One reconciliation run (docs/reference/rules.md, "Reconciliation"): compare the engine's view with the
// broker's book, correct the view from evidence (missed fills, cancels, rejects), report the rest, and close
// the run's group. Each step gathers what it needs from the books, asks a rule (rules/) for the decision,
// then applies it and emits what the report says.

import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import type { ReconcileRun, ReconcileTrigger } from "../domain/report.js";
import { type Instant, utcDay } from "../domain/time.js";
import { type BrokerFill, type BrokerOrder, provenLive } from "./broker-book.js";
import { brokerHasRecordOf, type EngineCore, engageKill, forgetBrokerOrder, refOf, report } from "./context.js";
import { type EngineOrder, isOpen } from "./engine-view.js";
import * as F from "./findings.js";
import { closeOrder, resolveOrRelink, takeFill } from "./orders.js";
import { driftSignature, positionDrift } from "./rules/drift.js";
import { dailyLossBreached, limitMismatches, overCap } from "./rules/limits.js";
import { ttlExpired, unseenOrderState } from "./rules/local-orders.js";
import { type CandidateOrder, matchKind, signatureCandidates } from "./rules/matching.js";
import { orderMismatches } from "./rules/mismatch.js";
import { type OrderCorrections, reconcileOrder } from "./rules/orders.js";
import { recoveryActions } from "./rules/recovery.js";
import { brokerOrderSettled } from "./rules/settlement.js";
import { writeTradeRow } from "./trades.js";

interface RunCounters {
  stale: number;
  orphan: number;
  drifting: number;
  fillsCaught: number;
  staleCancelled: number;
  inFlight: number;
  ambiguous: number;
  newDivergence: boolean;
  maxDriftPips: Dec;
  maxDriftUnits: Dec;
}

function newCounters(): RunCounters {
  return {
    stale: 0, orphan: 0, drifting: 0, fillsCaught: 0, staleCancelled: 0, inFlight: 0, ambiguous: 0,
    newDivergence: false, maxDriftPips: D.ZERO, maxDriftUnits: D.ZERO,
  };
}

/** One run at `at`. `connected` false: the broker is unreachable, the run fails and the kill switch engages. */
export function reconcile(core: EngineCore, trigger: ReconcileTrigger, at: Instant, durationMs: number, connected: boolean): void {
  const id = core.totals.nextRunId();
  const c = newCounters();
  if (!connected) {
    core.totals.reconcileFailures += 1;
    core.out.alert(F.reconcileFailed(trigger, core.totals.reconcileFailures, at, id));
    engageKill(core, "broker_unreachable", at);
    closeRun(core, id, at, trigger, "failed", durationMs, c);
    return;
  }
  syncBrokerOrders(core, id, at, c);
  checkLocalOrders(core, id, at, trigger, c);
  checkPositions(core, id, at, c);
  checkLimits(core, id, at);
  if (trigger === "restart") stageRecovery(core, id, at);
  core.view.pruneFinished();
  closeRun(core, id, at, trigger, "ok", durationMs, c);
}

/** Closes the run's group; a new divergence in it raises ALERT_RECONCILE_DIVERGENCE (see emit.ts). */
function closeRun(core: EngineCore, id: string, at: Instant, trigger: ReconcileTrigger, status: "ok" | "failed", durationMs: number, c: RunCounters): void {
  const run: ReconcileRun = {
    reconcileId: id, ts: at.text, trigger, status, failure: status === "failed" ? "broker_unreachable" : null, durationMs,
    counts: {
      staleLocalOrders: c.stale, orphanBrokerOrders: c.orphan, driftingSymbols: c.drifting, fillsCaught: c.fillsCaught,
      staleOrdersCancelled: c.staleCancelled, inFlightOrders: c.inFlight, ambiguousMatches: c.ambiguous,
    },
    maxDriftPips: c.maxDriftPips, maxDriftUnits: c.maxDriftUnits,
  };
  core.totals.runs += 1;
  core.out.flush({ run, divergence: c.newDivergence });
}

// ------------------------------------------------------------------ broker orders

/**
 * Every broker order with news: catch missed fills and cancels, re-link from the cache, find orphans.
 * Gather, then apply: the fills the engine missed across all its orders are taken in the broker's
 * order (by broker line), as the broker booked them. Taken order by order instead, a sell caught
 * before an earlier buy of another order would price the engine's average differently from the
 * broker's and raise a position drift that is not there.
 */
function syncBrokerOrders(core: EngineCore, id: string, at: Instant, c: RunCounters): void {
  const rowWritten = core.reported.rowWritten.bind(core.reported);
  const known = core.view.knows.bind(core.view);
  const synced: { b: BrokerOrder; own: OwnOrder | undefined }[] = [];
  for (const b of core.book.unsettledOrders()) {
    const e = resolveOrRelink(core, refOf(b), at, id);
    synced.push({ b, own: e === undefined ? undefined : { e, missed: catchUpStatus(core, e, b) } });
  }
  takeMissedFills(core, synced, id, at, c);
  for (const { b, own } of synced) {
    if (own !== undefined) catchUpTerms(core, own.e, b, own.missed, id, at);
    else reportOrphan(core, b, id, at, c);
    if (brokerOrderSettled(b, own?.e.status, rowWritten, known)) forgetBrokerOrder(core, b);
  }
}

/** A broker order's engine order, and what the engine missed of it. */
interface OwnOrder {
  readonly e: EngineOrder;
  readonly missed: OrderCorrections;
}

/** Links the engine's order to the broker's, takes in a missed acceptance, and returns what else it missed. */
function catchUpStatus(core: EngineCore, e: EngineOrder, b: BrokerOrder): OrderCorrections {
  const { view } = core;
  view.link(e, b);
  const missed = reconcileOrder(e, b, view.knows.bind(view), view.sawTerminal(b));
  if (missed.accepted) {
    const wasSent = e.status === "sent";
    view.setStatus(e, "accepted");
    if (wasSent) view.updateCache(e, "pending_fill");
  }
  return missed;
}

/** Every fill the engine missed, across its orders, taken in the broker's order. */
function takeMissedFills(core: EngineCore, synced: readonly { own: OwnOrder | undefined }[], id: string, at: Instant, c: RunCounters): void {
  const caught: { e: EngineOrder; fill: BrokerFill }[] = [];
  for (const { own } of synced) {
    if (own === undefined) continue; // an orphan: its fills are written when it is reported
    for (const fill of own.missed.fills) caught.push({ e: own.e, fill });
  }
  caught.sort((x, y) => x.fill.ev.line - y.fill.ev.line);
  for (const { e, fill } of caught) {
    const outcome = takeFill(core, e, fill, "reconcile", id);
    c.fillsCaught += 1;
    core.totals.fillsCaught += 1;
    report(core, F.fillCaught(e, fill, outcome.complete, at, id));
  }
}

/** After the fills: the order's terms against the decision, and a cancel or reject the engine missed. */
function catchUpTerms(core: EngineCore, e: EngineOrder, b: BrokerOrder, missed: OrderCorrections, id: string, at: Instant): void {
  checkTerms(core, e, b, id, at);
  if (missed.terminal !== null) {
    core.view.markTerminalSeen(b);
    const wasOpen = isOpen(e.status);
    closeOrder(core, e, b, missed.terminal);
    if (wasOpen) report(core, F.orderStateCaught(e, b, at, id));
  }
}

/** The broker's order under the engine's id (its latest version, not one it replaced) against the decision. */
function checkTerms(core: EngineCore, e: EngineOrder, b: BrokerOrder, id: string, at: Instant): void {
  if (b.status === "replaced" || b.qty === undefined) return;
  const fields = orderMismatches(e, b);
  const signature = fields.join("|");
  if (fields.length === 0 || core.reported.mismatches.get(b) === signature) return;
  core.reported.mismatches.set(b, signature);
  report(core, F.orderMismatch(e, b, fields, at, id));
}

/** A broker order the engine cannot name: its fills are written (kept apart), and it is reported once. */
function reportOrphan(core: EngineCore, b: BrokerOrder, id: string, at: Instant, c: RunCounters): void {
  const { view, reported, out } = core;
  const unwritten = b.fills.filter((f) => !reported.rowWritten(f));
  if (!provenLive(b) && unwritten.length === 0) return;
  for (const f of unwritten) writeTradeRow(core, f, undefined, "orphan");
  c.orphan += 1;
  if (reported.orphans.has(b)) return;
  reported.orphans.add(b);
  reported.orphanDistinct.add(b.key);
  c.newDivergence = true;
  const qty = b.qty ?? b.cumFilled;
  const candidates = signatureCandidates({ symbol: b.symbol, side: b.side, qty, firstMs: b.firstTs.ms },
    unmatchedOpenOrders(core), core.config.signatureMatchWindowMs);
  if (candidates.length > 1) {
    c.ambiguous += 1;
    out.ambiguous(F.ambiguousMatch(b, qty, candidates, at, id));
  }
  // An id match another field contradicts is named as a candidate too, and as the conflict it is.
  const named = b.conflict?.withClientOrderId;
  const all = named === undefined || candidates.includes(named) ? candidates : [...candidates, named].sort();
  report(core, F.orphanBrokerOrder(b, qty, b.conflict === undefined ? matchKind(candidates) : "broker_order_id_conflict", all, at, id));
  if (core.config.orphanPolicy !== "flatten") return;
  if (!D.isZero(b.cumFilled)) {
    out.action(F.stagedAction("flatten_position", at, id, b.symbol, b.clientOrderId ?? null, b.brokerOrderId ?? null,
      b.side === "buy" ? "sell" : "buy", b.cumFilled, "orphan_broker_order: flatten the position it opened"));
  }
  if (provenLive(b)) {
    out.action(F.stagedAction("cancel_order", at, id, b.symbol, b.clientOrderId ?? null, b.brokerOrderId ?? null,
      null, null, "orphan_broker_order: cancel the live order"));
  }
}

/** Open engine orders the broker has no record of: the candidates an orphan may be named against. */
function unmatchedOpenOrders(core: EngineCore): CandidateOrder[] {
  const out: CandidateOrder[] = [];
  for (const e of core.view.orders()) {
    if (!isOpen(e.status) || brokerHasRecordOf(core, e)) continue;
    out.push({ clientOrderId: e.clientOrderId, symbol: e.symbol, side: e.side, qty: e.qty, sentAtMs: e.sentAt?.ms });
  }
  return out;
}

// ------------------------------------------------------------------ the engine's orders

/** Engine orders the broker has no record of (stale, or in flight), and orders past their TTL. */
function checkLocalOrders(core: EngineCore, id: string, at: Instant, trigger: ReconcileTrigger, c: RunCounters): void {
  for (const e of core.view.orders()) {
    if (!isOpen(e.status)) continue;
    if (!brokerHasRecordOf(core, e)) {
      if (unseenOrderState(e.sentAt?.ms, at.ms, core.config.inFlightGraceMs) === "stale") reportStale(core, e, id, at, c);
      else {
        c.inFlight += 1;
        if (trigger === "end") report(core, F.inFlightOrder(e, at, id));
      }
    }
    if (!core.reported.ttlCancels.has(e) && ttlExpired(e.ttlUtcMs, at.ms)) stageTtlCancel(core, e, id, at, c);
  }
}

function reportStale(core: EngineCore, e: EngineOrder, id: string, at: Instant, c: RunCounters): void {
  c.stale += 1;
  core.view.setStatus(e, "unknown"); // held for Ops: never assumed cancelled or filled
  if (core.reported.staleOrders.has(e)) return;
  core.reported.staleOrders.add(e);
  core.reported.staleDistinct.add(e.clientOrderId);
  c.newDivergence = true;
  report(core, F.staleLocalOrder(e, at, id));
}

function stageTtlCancel(core: EngineCore, e: EngineOrder, id: string, at: Instant, c: RunCounters): void {
  core.reported.ttlCancels.add(e);
  c.staleCancelled += 1;
  core.totals.staleCancelled += 1;
  core.out.action(F.stagedAction("cancel_order", at, id, e.symbol, e.clientOrderId, e.brokerOrderId ?? null, null, null,
    "stale_order_cancelled: open past its idempotency TTL"));
  report(core, F.staleOrderCancelled(e, e.ttlUtcMs!, at, id));
}

// ------------------------------------------------------------------ positions and limits

function checkPositions(core: EngineCore, id: string, at: Instant, c: RunCounters): void {
  const { view, book, totals, reported, config } = core;
  const symbols = [...new Set([...view.positions().keys(), ...book.positions().keys()])].sort();
  const tolerance = { units: config.driftToleranceUnits, pips: config.driftTolerancePips };
  for (const symbol of symbols) {
    const mine = view.position(symbol);
    const theirs = book.position(symbol);
    const drift = positionDrift(mine, theirs, core.instruments.find(symbol)?.unitSize, tolerance);
    c.maxDriftUnits = D.max(c.maxDriftUnits, drift.units);
    c.maxDriftPips = D.max(c.maxDriftPips, drift.headlinePips);
    totals.maxDriftUnits = D.max(totals.maxDriftUnits, drift.units);
    totals.maxDriftPips = D.max(totals.maxDriftPips, drift.headlinePips);
    if (!drift.beyond) {
      reported.lastDrift.delete(symbol);
      core.causes.agreed(symbol);
      continue;
    }
    c.drifting += 1;
    const signature = driftSignature(mine, theirs);
    if (reported.lastDrift.get(symbol) === signature) continue;
    reported.lastDrift.set(symbol, signature);
    c.newDivergence = true;
    report(core, F.positionDrift(symbol, mine, theirs, drift,
      { causes: core.causes.of(symbol), broker: book.positionTrail(symbol), engine: view.positionTrail(symbol) }, at, id));
  }
  core.causes.agreedBut(new Set(symbols));
}

/** Broker risk limits against the engine's rails, and actual exposure against the caps. */
function checkLimits(core: EngineCore, id: string, at: Instant): void {
  compareLimits(core, id, at);
  const { config, book, reported } = core;
  for (const [symbol, cap] of config.symbolCaps) {
    const qty = book.position(symbol).qty;
    if (!overCap(qty, cap)) {
      reported.capBreachOpen.delete(symbol);
      continue;
    }
    if (reported.capBreachOpen.has(symbol)) continue;
    reported.capBreachOpen.add(symbol);
    report(core, F.symbolCapBreach(symbol, D.abs(qty), cap, book.positionTrail(symbol), at, id));
  }
  const day = utcDay(at);
  const dayPnl = book.realizedOn(day);
  const cap = config.dailyLossCap;
  if (cap !== undefined && dayPnl < (core.totals.dayPnlLows.get(day) ?? D.ZERO)) core.totals.dayPnlLows.set(day, dayPnl);
  if (cap === undefined || !dailyLossBreached(dayPnl, cap)) return;
  if (reported.lossBreachDays.has(day)) return;
  reported.lossBreachDays.add(day);
  report(core, F.dailyLossBreach(day, dayPnl, cap, book.dayTrail(day), at, id));
}

/** A new broker limits snapshot is compared with the engine's rails once. */
function compareLimits(core: EngineCore, id: string, at: Instant): void {
  const lim = core.book.limits;
  if (lim === undefined || core.reported.limitsCheckedEventId === lim.eventId) return;
  core.reported.limitsCheckedEventId = lim.eventId;
  const mismatches = limitMismatches({ dailyLossCap: core.config.dailyLossCap, symbolCaps: core.config.symbolCaps }, lim);
  if (mismatches.length === 0) return;
  for (const m of mismatches) report(core, F.brokerLimitMismatch(m, core.configHash, lim.line, at, id));
  core.out.alert(F.brokerLimitMismatchAlert(mismatches, core.configHash, at, id));
}

/** Recovery policy for positions open after a restart: staged, never executed. */
function stageRecovery(core: EngineCore, id: string, at: Instant): void {
  const policy = { policy: core.config.openPositionsPolicy, lossThreshold: core.config.emergencyExitLossThreshold };
  for (const a of recoveryActions(policy, core.book.positions(), (s) => core.book.lastMark(s))) {
    core.out.action(F.stagedAction(a.action, at, id, a.symbol, null, null, a.side, a.qty, a.reason));
  }
}
