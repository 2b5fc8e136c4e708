// The engine's own records: decisions (sent, skipped as duplicates, or blocked), cancel requests,
// and the snapshot it (re)starts from.

import * as D from "../../domain/decimal.js";
import { ttlMsFor } from "../../domain/config.js";
import type { DecisionRecord, SnapshotRecord } from "../../domain/records.js";
import type { Instant } from "../../domain/time.js";
import { type EngineCore, report } from "./context.js";
import { newEngineOrder } from "../books/engine-view.js";
import * as F from "../output/findings.js";
import { isOpen, judgeDecision } from "../rules/index.js";

export function decide(core: EngineCore, rec: DecisionRecord): void {
  const { view, totals, out } = core;
  const verdict = judgeDecision(core.kill.engaged, view.cache.live(rec.clientOrderId, rec.ts.ms), view.order(rec.clientOrderId)?.status);
  if (verdict.kind === "blocked") {
    totals.blocked += 1;
    out.blocked(F.skippedDecision(rec, verdict.reason));
    return;
  }
  totals.lastUnblockedDecisionGroup = out.currentSeq;
  if (verdict.kind === "duplicate") {
    totals.skipped += 1;
    out.skipped(F.skippedDecision(rec, verdict.reason));
    return;
  }
  send(core, rec);
}

function send(core: EngineCore, rec: DecisionRecord): void {
  const ttlUtcMs = rec.ts.ms + ttlMsFor(core.config, rec.symbol);
  core.view.hold(newEngineOrder({
    clientOrderId: rec.clientOrderId, decisionId: rec.decisionId, symbol: rec.symbol, side: rec.side, qty: rec.qty,
    refPrice: rec.refPrice, limitPrice: rec.limitPrice, sentAt: rec.ts, ttlUtcMs, evidence: [rec.line],
  }));
  core.view.cache.recordSent({
    clientOrderId: rec.clientOrderId, decisionId: rec.decisionId, symbol: rec.symbol, side: rec.side, size: rec.qty,
    refPrice: rec.refPrice, filledQty: D.ZERO, ttlUtcMs, status: "sent",
  }, rec.ts.ms, rec.line);
  core.totals.ordersSent += 1;
}

/**
 * A cancel request for an open order joins its evidence. For an order the engine knows finished
 * (its view, or its cache after the view let the order go) it says so; for any other it is unknown.
 */
export function requestCancel(core: EngineCore, clientOrderId: string, ts: Instant, line: number): void {
  const e = core.view.order(clientOrderId);
  if (e !== undefined && isOpen(e.status)) {
    core.view.addEvidence(e, line);
    return;
  }
  const closed = e !== undefined ? { status: e.status, symbol: e.symbol, brokerOrderId: e.brokerOrderId ?? null } : closedInCache(core, clientOrderId);
  report(core, closed === undefined ? F.cancelRequestUnknownOrder(clientOrderId, ts, line) : F.cancelRequestOrderClosed(clientOrderId, closed, ts, line));
}

function closedInCache(core: EngineCore, clientOrderId: string): { status: string; symbol: string; brokerOrderId: null } | undefined {
  const cached = core.view.cache.get(clientOrderId);
  return cached?.status === "closed" ? { status: "closed", symbol: cached.symbol, brokerOrderId: null } : undefined;
}

/** What the engine believed when it (re)started: its open orders (with their cache entries) and positions. */
export function loadSnapshot(core: EngineCore, rec: SnapshotRecord): void {
  core.view.startFromSnapshot(rec.line);
  for (const o of rec.openOrders) {
    const cached = core.view.cache.get(o.clientOrderId);
    core.view.hold(newEngineOrder({
      clientOrderId: o.clientOrderId, decisionId: cached?.decisionId, symbol: o.symbol, side: o.side, qty: o.qty,
      filledQty: o.filledQty, refPrice: o.refPrice, ttlUtcMs: cached?.ttlUtcMs,
      status: D.isZero(o.filledQty) ? "sent" : "partially_filled", evidence: [rec.line],
    }));
  }
  for (const p of rec.positions) {
    if (!D.isZero(p.qty)) core.view.setPosition(p.symbol, { qty: p.qty, avgPrice: p.avgPrice });
  }
  core.causes.engineSnapshot(rec.line, core.view.positions());
}
