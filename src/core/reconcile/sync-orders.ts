// The first step of a reconciliation run: every broker order with news, against the engine's order
// it belongs to. Planned from the books as they stand (lookups only), then applied in one pass in a
// fixed order, so the report reads the same as the run happened:
//
//   1. per broker order, in the order it became unsettled: re-link a forgotten order from the cache,
//      link the engine's order to the broker's id, take in a missed acceptance
//   2. every fill the engine missed, across its orders, in the broker's order (by broker line):
//      taken one by one as the broker booked them, so the engine's average cost is the broker's
//   3. per broker order again: its terms against the decision, a missed cancel or reject; or, for an
//      order the engine cannot name, the orphan report; then the order is forgotten once settled

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import { assert } from "../../domain/errors.js";
import type { Instant } from "../../domain/time.js";
import type { BrokerFill, BrokerOrder } from "../books/broker-book.js";
import type { CacheEntry } from "../books/cache.js";
import { brokerHasRecordOf, type EngineCore, forgetBrokerOrder, refOf, report } from "../engine/context.js";
import { type EngineOrder, orderFromCache } from "../books/engine-view.js";
import * as F from "../output/findings.js";
import { closeOrder, takeFill } from "../engine/orders.js";
import {
  brokerOrderSettled, type CandidateOrder, isOpen, type MatchKind, matchKind, orderMismatches, provenLive, reconcileOrder, signatureCandidates,
} from "../rules/index.js";
import { writeTradeRow } from "../engine/trades.js";

/** A broker order the engine owns, and what it missed of it. */
export interface OwnedOrderSync {
  readonly b: BrokerOrder;
  /** The engine's order: held now, or (relinkFrom set) the one its cache entry stands for. */
  readonly e: EngineOrder;
  /** Set when a restart forgot the order and its cache entry brings it back. */
  readonly relinkFrom: CacheEntry | undefined;
  readonly accepted: boolean;
  readonly fills: readonly BrokerFill[];
  readonly terminal: "cancelled" | "rejected" | null;
  /** The fields in which the broker's order differs from the decision, when that is news; else null. */
  readonly mismatch: readonly string[] | null;
}

/** A broker order the engine cannot name, with fills to write or still live at the broker. */
export interface OrphanSync {
  readonly b: BrokerOrder;
  readonly unwritten: readonly BrokerFill[];
  /** The report, when this orphan is new to it; null when it was reported before. */
  readonly report: OrphanReport | null;
}

export interface OrphanReport {
  readonly qty: Dec;
  readonly candidates: readonly string[];
  /** Candidates, with the engine order an id conflict contradicts named too. */
  readonly named: readonly string[];
  readonly match: MatchKind | "broker_order_id_conflict";
}

export interface OrderSyncPlan {
  /** Every unsettled broker order, in order: owned, an orphan to report or count, or neither (null). */
  readonly orders: ReadonlyArray<{ readonly b: BrokerOrder; readonly sync: OwnedOrderSync | OrphanSync | null }>;
  /** The fills the engine missed, across its orders, in the broker's order. */
  readonly caught: ReadonlyArray<{ readonly own: OwnedOrderSync; readonly fill: BrokerFill }>;
}

export interface OrderSyncCounts {
  readonly fillsCaught: number;
  readonly orphans: number;
  readonly ambiguous: number;
  readonly newDivergence: boolean;
}

// ------------------------------------------------------------------ plan (lookups only)

export function planOrderSync(core: EngineCore): OrderSyncPlan {
  const orders: Array<{ b: BrokerOrder; sync: OwnedOrderSync | OrphanSync | null }> = [];
  const caught: Array<{ own: OwnedOrderSync; fill: BrokerFill }> = [];
  let candidates: CandidateOrder[] | undefined;
  // Orders brought back from the cache by this run: a later broker order of the same client id (a
  // replacement) belongs to the same one, re-linked once.
  const relinked = new Map<string, EngineOrder>();
  for (const b of core.book.unsettledOrders()) {
    const own = planOwned(core, b, relinked);
    if (own !== undefined) {
      orders.push({ b, sync: own });
      for (const fill of own.fills) caught.push({ own, fill });
    } else {
      candidates ??= unmatchedOpenOrders(core);
      orders.push({ b, sync: planOrphan(core, b, candidates) });
    }
  }
  caught.sort((x, y) => x.fill.ev.line - y.fill.ev.line);
  return { orders, caught };
}

/** The engine's order for a broker order (held, or forgotten and still in the cache) and what it missed. */
function planOwned(core: EngineCore, b: BrokerOrder, relinked: Map<string, EngineOrder>): OwnedOrderSync | undefined {
  const { view } = core;
  const ref = refOf(b);
  let e = view.resolve(ref) ?? (ref.clientOrderId === undefined ? undefined : relinked.get(ref.clientOrderId));
  let relinkFrom: CacheEntry | undefined;
  if (e === undefined && ref.clientOrderId !== undefined) {
    relinkFrom = view.forgottenInCache(ref.clientOrderId);
    if (relinkFrom === undefined) return undefined;
    e = orderFromCache(relinkFrom);
    relinked.set(ref.clientOrderId, e);
  }
  if (e === undefined) return undefined;
  const missed = reconcileOrder(e, b, (f) => view.knows(f), view.sawTerminal(b));
  return { b, e, relinkFrom, accepted: missed.accepted, fills: missed.fills, terminal: missed.terminal, mismatch: newMismatch(core, e, b) };
}

/** The broker's order under the engine's id (its latest version, not one it replaced) against the decision, when that is news. */
function newMismatch(core: EngineCore, e: EngineOrder, b: BrokerOrder): string[] | null {
  if (b.status === "replaced" || b.qty === undefined) return null;
  const fields = orderMismatches(e, b);
  return fields.length === 0 || core.reported.mismatches.get(b) === fields.join("|") ? null : fields;
}

/** An order no one owns: counted while it has fills to write or is live, reported the first time. */
function planOrphan(core: EngineCore, b: BrokerOrder, open: readonly CandidateOrder[]): OrphanSync | null {
  const unwritten = b.fills.filter((f) => !core.reported.rowWritten(f));
  if (!provenLive(b) && unwritten.length === 0) return null;
  if (core.reported.orphans.has(b)) return { b, unwritten, report: null };
  const qty = b.qty ?? b.cumFilled;
  const candidates = signatureCandidates({ symbol: b.symbol, side: b.side, qty, firstMs: b.firstTs.ms }, open, core.config.signatureMatchWindowMs);
  // An id match another field contradicts is named as a candidate too, and as the conflict it is.
  const conflictWith = b.conflict?.withClientOrderId;
  const named = conflictWith === undefined || candidates.includes(conflictWith) ? candidates : [...candidates, conflictWith].sort();
  const match = b.conflict === undefined ? matchKind(candidates) : "broker_order_id_conflict";
  return { b, unwritten, report: { qty, candidates, named, match } };
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

// ------------------------------------------------------------------ apply

export function applyOrderSync(core: EngineCore, plan: OrderSyncPlan, id: string, at: Instant): OrderSyncCounts {
  for (const { sync } of plan.orders) if (sync !== null && "e" in sync) linkOwned(core, sync, id, at);
  for (const { own, fill } of plan.caught) {
    const outcome = takeFill(core, own.e, fill, "reconcile", id);
    core.totals.fillsCaught += 1;
    report(core, F.fillCaught(own.e, fill, outcome.complete, at, id));
  }
  let orphans = 0;
  let ambiguous = 0;
  let newDivergence = false;
  for (const { b, sync } of plan.orders) {
    if (sync !== null && "e" in sync) finishOwned(core, sync, id, at);
    else if (sync !== null) {
      orphans += 1;
      if (sync.report !== null) {
        newDivergence = true;
        if (reportOrphan(core, sync, sync.report, id, at)) ambiguous += 1;
      }
    }
    const ownerStatus = sync !== null && "e" in sync ? sync.e.status : undefined;
    if (brokerOrderSettled(b, ownerStatus, (f) => core.reported.rowWritten(f), (f) => core.view.knows(f))) forgetBrokerOrder(core, b);
  }
  return { fillsCaught: plan.caught.length, orphans, ambiguous, newDivergence };
}

/** Holds a re-linked order (reported when its entry was still working), links it, and takes in a missed acceptance. */
function linkOwned(core: EngineCore, own: OwnedOrderSync, id: string, at: Instant): void {
  const { view } = core;
  if (own.relinkFrom !== undefined) {
    view.hold(own.e);
    if (own.relinkFrom.status !== "closed") {
      report(core, F.orderRelinkedFromCache(own.relinkFrom, core.book.orderByClientId(own.e.clientOrderId), at, id));
    }
  }
  view.link(own.e, own.b);
  if (!own.accepted) return;
  const wasSent = own.e.status === "sent";
  view.setStatus(own.e, "accepted");
  if (wasSent) view.updateCache(own.e, "pending_fill");
}

/** After the fills: the order's terms against the decision, and a cancel or reject the engine missed. */
function finishOwned(core: EngineCore, own: OwnedOrderSync, id: string, at: Instant): void {
  const { e, b } = own;
  if (own.mismatch !== null) {
    core.reported.mismatches.set(b, own.mismatch.join("|"));
    report(core, F.orderMismatch(e, b, [...own.mismatch], at, id));
  }
  if (own.terminal === null) return;
  core.view.markTerminalSeen(b);
  const wasOpen = isOpen(e.status);
  closeOrder(core, e, b, own.terminal);
  if (wasOpen) report(core, F.orderStateCaught(e, b, at, id));
}

/**
 * A broker order the engine cannot name: its fills are written (kept apart), it is reported, and
 * under the flatten policy its position and live order get staged actions. True when its match
 * was ambiguous (listed, never guessed).
 */
function reportOrphan(core: EngineCore, o: OrphanSync, r: OrphanReport, id: string, at: Instant): boolean {
  const { b } = o;
  const { reported, out } = core;
  for (const f of o.unwritten) writeTradeRow(core, f, undefined, "orphan");
  assert(!reported.orphans.has(b), "an orphan is reported once");
  reported.orphans.add(b);
  reported.orphanDistinct.add(b.key);
  const ambiguous = r.candidates.length > 1;
  if (ambiguous) out.ambiguous(F.ambiguousMatch(b, r.qty, [...r.candidates], at, id));
  report(core, F.orphanBrokerOrder(b, { qty: r.qty, match: r.match, candidates: [...r.named] }, { at, reconcileId: id }));
  if (core.config.orphanPolicy === "flatten") stageFlatten(core, b, id, at);
  return ambiguous;
}

function stageFlatten(core: EngineCore, b: BrokerOrder, id: string, at: Instant): void {
  const subject = { reconcileId: id, at, symbol: b.symbol, clientOrderId: b.clientOrderId ?? null, brokerOrderId: b.brokerOrderId ?? null };
  if (!D.isZero(b.cumFilled)) {
    core.out.action(F.stagedAction({ ...subject, action: "flatten_position", side: b.side === "buy" ? "sell" : "buy", qty: b.cumFilled,
      reason: "orphan_broker_order: flatten the position it opened" }));
  }
  if (provenLive(b)) {
    core.out.action(F.stagedAction({ ...subject, action: "cancel_order", side: null, qty: null, reason: "orphan_broker_order: cancel the live order" }));
  }
}
