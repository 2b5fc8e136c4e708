// IB's order messages → order_accepted, order_cancelled, order_rejected: openOrder (5), orderStatus
// (3), error (4: 202 cancelled, 201 rejected) and completedOrder (101). openOrder and orderStatus
// carry no time: they take a neighbour's at the end (timeline.ts), and say so with `ts_inferred`.

import { compareInstants } from "../../../domain/time.js";
import { sign } from "../../../domain/decimal.js";
import { decText, instantOf, type Pos } from "../common.js";
import type { Completed, Entry, IbImport, OrderInfo } from "./context.js";
import { coidOf, contractSymbol } from "./identity.js";
import { execTime } from "./timeline.js";
import { ibNumber } from "./wire.js";

const LIVE_STATES = new Set(["PreSubmitted", "Submitted", "PendingSubmit", "ApiPending", "PendingCancel", "Filled"]);

function sideOfAction(action: string | undefined): "buy" | "sell" | undefined {
  return action === "BUY" ? "buy" : action === "SELL" || action === "SSHORT" ? "sell" : undefined;
}

export function openOrder(p: IbImport, f: string[], pos: Pos): void {
  const [, orderId, , symbol, secType, , , , , , currency, localSymbol, , action, totalQty, , , , , , , , , orderRef, clientId, permId] = f;
  if (permId === undefined || action === undefined || symbol === undefined || !/^\d+$/.test(permId)) {
    p.report.problem(pos, "openOrder: unexpected layout (expected permId as field 26 and action BUY/SELL as field 14)");
    return;
  }
  const side = sideOfAction(action);
  if (side === undefined) {
    p.report.problem(pos, `openOrder ${orderId}: action ${JSON.stringify(action)}: expected BUY or SELL`);
    return;
  }
  const info: OrderInfo = {
    permId, coid: coidOf(orderRef, clientId, orderId), symbol: contractSymbol(p, { secType, symbol, currency, localSymbol }, pos),
    side, qty: ibNumber(totalQty),
  };
  if (!p.orders.has(permId)) p.orders.set(permId, info);
  if (orderId !== undefined) p.permByOrderId.set(orderId, permId);
  if (p.acked.has(permId)) {
    p.report.ignore("openOrder repeat (order already acknowledged)");
    return;
  }
  if (info.qty === undefined || sign(info.qty) <= 0) {
    p.report.problem(pos, `openOrder ${orderId}: totalQuantity ${JSON.stringify(totalQty)}: expected a positive quantity`);
    return;
  }
  p.acked.add(permId);
  p.timeline.push({ ts: undefined, pos, fields: {
    type: "order_accepted", ts: "", event_id: `ib:order:${permId}:accepted`, client_order_id: info.coid, broker_order_id: permId,
    symbol: info.symbol, side, qty: decText(info.qty), ts_inferred: true,
  } });
}

export function orderStatus(p: IbImport, f: string[], pos: Pos): void {
  const [, orderId, status, , , , permId, , , clientId] = f;
  if (orderId !== undefined && permId !== undefined && permId !== "0") p.permByOrderId.set(orderId, permId);
  const perm = permId !== undefined && permId !== "0" ? permId : orderId === undefined ? undefined : p.permByOrderId.get(orderId);
  if (status === "Cancelled" || status === "ApiCancelled") return cancelled(p, perm, status, pos);
  if (status === "Inactive") {
    const info = perm === undefined ? undefined : p.orders.get(perm);
    return rejected(p, { key: perm ?? `${clientId}:${orderId}`, coid: info?.coid ?? coidOf(undefined, clientId, orderId), reason: "Inactive" }, pos);
  }
  if (status !== undefined && LIVE_STATES.has(status)) {
    p.report.ignore(`orderStatus ${status}`);
    return;
  }
  p.report.problem(pos, `orderStatus: unknown status ${JSON.stringify(status)}`);
}

export function error(p: IbImport, f: string[], pos: Pos): void {
  const [, , orderId, code, message] = f;
  const perm = orderId === undefined ? undefined : p.permByOrderId.get(orderId);
  if (code === "202") return cancelled(p, perm, `error 202: ${message ?? ""}`.trim(), pos);
  if (code === "201") {
    const info = perm === undefined ? undefined : p.orders.get(perm);
    return rejected(p, { key: perm ?? `order-${orderId}`, coid: info?.coid ?? coidOf(undefined, undefined, orderId), reason: `error 201: ${message ?? ""}`.trim() }, pos);
  }
  p.report.ignore(`error/notice ${code}`);
}

function cancelled(p: IbImport, perm: string | undefined, reason: string, pos: Pos): void {
  if (perm === undefined) {
    p.report.problem(pos, "order cancel: no permId known for this order (its openOrder / orderStatus is not in the input)");
    return;
  }
  if (p.terminal.has(perm)) {
    p.report.ignore("repeated cancel of an order");
    return;
  }
  p.terminal.add(perm);
  p.timeline.push({ ts: undefined, pos, fields: {
    type: "order_cancelled", ts: "", event_id: `ib:order:${perm}:cancelled`, broker_order_id: perm, reason, ts_inferred: true,
  } });
}

function rejected(p: IbImport, r: { key: string; coid: string; reason: string }, pos: Pos): void {
  if (p.terminal.has(r.key)) return;
  p.terminal.add(r.key);
  p.timeline.push({ ts: undefined, pos, fields: {
    type: "order_rejected", ts: "", event_id: `ib:order:${r.key}:rejected`, client_order_id: r.coid, reason: r.reason, ts_inferred: true,
  } });
}

/**
 * completedOrder (101): an order's end, with its completedTime in a named zone. Its fixed head
 * holds the order (action at 12, totalQuantity 13, orderRef 22, permId 23); completedTime and
 * completedStatus are the last "yyyymmdd hh:mm:ss zone" field and the one after it (the fields
 * between vary with the order's features). Settled at the end, against the executions seen.
 */
export function completedOrder(p: IbImport, f: string[], pos: Pos): void {
  const [, , symbol, secType, , , , , , currency, localSymbol, , action, totalQty, , , , , , , , , orderRef, permId] = f;
  let at = f.length - 1;
  while (at >= 0 && !/^\d{8} +\d{2}:\d{2}:\d{2}( \S+)?$/.test(f[at]!)) at -= 1;
  const side = sideOfAction(action);
  if (permId === undefined || !/^\d+$/.test(permId) || side === undefined || symbol === undefined || at === -1) {
    p.report.problem(pos, "completedOrder: unexpected layout (expected action BUY/SELL as field 13, permId as field 24 and a completedTime)");
    return;
  }
  const ts = execTime(p, f[at]!, pos);
  if (ts === undefined) return;
  const status = f[at + 1] ?? "";
  const coid = p.orders.get(permId)?.coid ?? (orderRef !== undefined && orderRef !== "" ? orderRef : `ib:perm:${permId}`);
  const info: OrderInfo = { permId, coid, symbol: contractSymbol(p, { secType, symbol, currency, localSymbol }, pos), side, qty: ibNumber(totalQty) };
  if (!p.orders.has(permId)) p.orders.set(permId, info);
  // Where its events go in the timeline (a placeholder: no record, no time).
  const anchor: Entry = { ts: undefined, fields: undefined, pos };
  p.timeline.push(anchor);
  p.completed.push({ info: p.orders.get(permId)!, ts, status, action: action!, anchor, pos });
}

/** The completed orders' events: a cancel with its order; a fill's order beside its executions. */
export function settleCompleted(p: IbImport): void {
  for (const c of p.completed) {
    if (/^(Api)?Cancel/.test(c.status)) completedCancel(p, c);
    else if (c.status.startsWith("Filled")) completedFill(p, c);
    else p.report.ignore(`completedOrder ${c.status || "(no status)"}`);
  }
}

/** The order's acknowledgement at `at`, unless it is acknowledged already or has no quantity. */
function completedAck(p: IbImport, c: Completed, at: string): Entry | undefined {
  const { info, pos } = c;
  if (p.acked.has(info.permId) || info.qty === undefined || sign(info.qty) <= 0) return undefined;
  p.acked.add(info.permId);
  return { ts: at, pos, fields: {
    type: "order_accepted", ts: at, event_id: `ib:order:${info.permId}:accepted`, client_order_id: info.coid, broker_order_id: info.permId,
    symbol: info.symbol, side: info.side, qty: decText(info.qty), ts_inferred: true,
  } };
}

function completedCancel(p: IbImport, c: Completed): void {
  const { info, ts, status, pos } = c;
  const entries = [completedAck(p, c, ts)];
  if (!p.terminal.has(info.permId)) {
    p.terminal.add(info.permId);
    entries.push({ ts, pos, fields: { type: "order_cancelled", ts, event_id: `ib:order:${info.permId}:cancelled`, broker_order_id: info.permId, reason: status } });
  }
  p.timeline.splice(p.timeline.indexOf(c.anchor), 0, ...entries.filter((e): e is Entry => e !== undefined));
}

function completedFill(p: IbImport, c: Completed): void {
  const { info, pos } = c;
  const execs = [...p.execs.values()].filter((e) => e.entry.fields!["broker_order_id"] === info.permId);
  if (execs.length === 0) {
    const what = `completedOrder ${info.permId} (${c.action} ${info.qty === undefined ? "?" : decText(info.qty)} ${info.symbol})`;
    p.report.problem(pos, `${what} Filled, but none of its executions are in the input (a completedOrder carries no fill price): ` +
      "not imported; import its execDetails (reqExecutions) with it");
    return;
  }
  const first = execs.map((e) => e.entry).reduce((a, b) => (compareInstants(instantOf(b.ts!), instantOf(a.ts!)) < 0 ? b : a));
  const entry = completedAck(p, c, first.ts!);
  if (entry !== undefined) p.timeline.splice(p.timeline.indexOf(first), 0, entry);
}
