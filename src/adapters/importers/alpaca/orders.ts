// Alpaca's order events → order_accepted, order_cancelled, order_rejected: from trade updates (the
// websocket's frames, Broker API SSE events) and from REST order objects, whose state implies them.
// A notional order ($ amount, qty null) is acknowledged at the end with the quantity it filled.

import { isZero, sign } from "../../../domain/decimal.js";
import { decOf, decText, isObject, type Json, type Pos, str, symbolOf, toUtc } from "../common.js";
import type { AlpacaImport } from "./context.js";
import { streamFill } from "./fills.js";
import { describeInstrument, sideOf } from "./identity.js";

const ACK_EVENTS = new Set(["new", "pending_new", "accepted", "accepted_for_bidding"]);
const FILL_EVENTS = new Set(["fill", "partial_fill"]);
const CANCEL_EVENTS = new Set(["canceled", "expired", "done_for_day"]);
const INFO_EVENTS = new Set(["pending_cancel", "pending_replace", "calculated", "stopped", "suspended",
  "order_cancel_rejected", "order_replace_rejected", "restated", "held"]);
const CANCEL_STATUSES = new Set(["canceled", "expired", "done_for_day"]);

export function tradeUpdate(p: AlpacaImport, data: Json, pos: Pos): void {
  const event = str(data["event"]) ?? "";
  const order = isObject(data["order"]) ? data["order"] : undefined;
  const orderId = order === undefined ? undefined : str(order["id"]);
  if (order === undefined || orderId === undefined) {
    p.report.problem(pos, `trade update ${JSON.stringify(event)}: field "order.id": expected the order object`);
    return;
  }
  p.ids.learn(order);
  describeInstrument(p.instruments, order, pos);
  const tsRaw = str(data["timestamp"]) ?? str(data["at"]) ?? str(order["updated_at"]);
  const ts = tsRaw === undefined ? undefined : toUtc(tsRaw);
  if (ts === undefined) {
    p.report.problem(pos, `trade update ${event}: field "timestamp": expected an RFC 3339 timestamp, got ${JSON.stringify(tsRaw)}`);
    return;
  }
  const account = str(data["account_id"]);
  const sseId = str(data["event_id"]);
  const execId = str(data["execution_id"]);
  if (ACK_EVENTS.has(event)) return ack(p, order, ts, pos);
  if (FILL_EVENTS.has(event)) {
    const eventId = execId !== undefined ? `alpaca:exec:${execId}`
      : sseId !== undefined ? `alpaca:${account ?? "event"}:${sseId}` : `alpaca:order:${orderId}:${event}@${ts}`;
    return streamFill(p, { data, order, ts, eventId, execId, pos });
  }
  if (CANCEL_EVENTS.has(event)) return cancel(p, order, ts, event, pos);
  if (event === "replaced") return cancel(p, order, ts, "replaced", pos);
  if (event === "rejected") return rejectOrder(p, order, ts, pos);
  if (INFO_EVENTS.has(event)) {
    p.report.ignore(`trade update ${event}`);
    return;
  }
  p.report.problem(pos, `trade update: unknown event ${JSON.stringify(event)}`);
}

function ack(p: AlpacaImport, order: Json, ts: string, pos: Pos): void {
  const id = str(order["id"])!;
  if (p.acked.has(id)) {
    p.report.ignore("repeated acknowledgement of an order");
    return;
  }
  const qty = decOf(order["qty"]);
  const side = sideOf(order["side"]);
  const symbol = str(order["symbol"]);
  if (qty === undefined || sign(qty) <= 0) {
    const notional = str(order["notional"]);
    if (notional === undefined) {
      p.report.problem(pos, `order ${id}: field "qty": expected a positive quantity, got ${JSON.stringify(order["qty"])}`);
      return;
    }
    // A notional order ($ amount) has a quantity only once it is done: settled at the end.
    p.acked.add(id);
    p.notionalAcks.push({ order, ts, pos, notional });
    return;
  }
  if (side === undefined || symbol === undefined) {
    p.report.problem(pos, `order ${id}: expected "side" buy/sell and "symbol", got ${JSON.stringify(order["side"])} / ${JSON.stringify(order["symbol"])}`);
    return;
  }
  p.acked.add(id);
  const fields: Record<string, unknown> = {
    type: "order_accepted", ts, event_id: `alpaca:order:${id}:accepted`, client_order_id: "", broker_order_id: id,
    symbol: symbolOf(symbol), side, qty: decText(qty),
  };
  const replaces = str(order["replaces"]);
  if (replaces !== undefined) fields["replaces_broker_order_id"] = replaces;
  p.ids.push(fields, pos, id, true);
}

function cancel(p: AlpacaImport, order: Json, ts: string, reason: string, pos: Pos): void {
  const id = str(order["id"])!;
  if (p.terminal.has(id)) {
    p.report.ignore("repeated terminal state of an order");
    return;
  }
  p.terminal.add(id);
  const fields: Record<string, unknown> = {
    type: "order_cancelled", ts, event_id: `alpaca:order:${id}:${reason}`, broker_order_id: id, reason,
  };
  const by = str(order["replaced_by"]);
  if (reason === "replaced" && by !== undefined) fields["replaced_by_broker_order_id"] = by;
  p.out.push({ ts, fields, pos });
}

function rejectOrder(p: AlpacaImport, order: Json, ts: string, pos: Pos): void {
  const id = str(order["id"])!;
  if (p.terminal.has(id)) return;
  p.terminal.add(id);
  p.ids.push({ type: "order_rejected", ts, event_id: `alpaca:order:${id}:rejected`, client_order_id: "", broker_order_id: id, reason: "rejected" }, pos, id, true);
}

/** A REST order object: a state, turned into the events that state implies. */
export function orderObject(p: AlpacaImport, order: Json, pos: Pos): void {
  const id = str(order["id"])!;
  if (isEstimate(order)) {
    p.report.problem(pos, `order ${id} is an order estimate (filled at the instant it was submitted and never updated after it was created, ` +
      "as POST .../orders/estimation answers): not an execution: not imported");
    return;
  }
  p.ids.learn(order);
  describeInstrument(p.instruments, order, pos);
  const at = (key: string) => {
    const raw = str(order[key]);
    return raw === undefined ? undefined : toUtc(raw);
  };
  const created = at("submitted_at") ?? at("created_at");
  if (created === undefined) {
    p.report.problem(pos, `order ${id}: field "submitted_at": expected an RFC 3339 timestamp`);
    return;
  }
  const status = str(order["status"]) ?? "";
  if (status !== "rejected") ack(p, order, created, pos);
  const previous = p.orderObjects.get(id);
  const cum = decOf(order["filled_qty"]);
  const prevCum = previous === undefined ? undefined : decOf(previous.order["filled_qty"]);
  if (previous === undefined || (cum !== undefined && (prevCum === undefined || cum > prevCum))) p.orderObjects.set(id, { order, pos });
  if (CANCEL_STATUSES.has(status)) cancel(p, order, at("canceled_at") ?? at("expired_at") ?? at("updated_at") ?? created, status, pos);
  else if (status === "replaced") cancel(p, order, at("replaced_at") ?? at("updated_at") ?? created, "replaced", pos);
  else if (status === "rejected") rejectOrder(p, order, at("failed_at") ?? at("updated_at") ?? created, pos);
  if (Array.isArray(order["legs"]) && order["legs"].length > 0) p.report.ignore("bracket/OCO leg (child order, not an engine decision)");
}

/**
 * The order estimation endpoint answers with an order object that looks filled: it fills at the very
 * instant it was submitted and is never updated after it was created. A real order is updated when
 * it fills, so its updated_at moves past its created_at.
 */
function isEstimate(order: Json): boolean {
  const filledAt = str(order["filled_at"]);
  return str(order["status"]) === "filled" && filledAt !== undefined && filledAt === str(order["submitted_at"]) &&
    str(order["created_at"]) !== undefined && str(order["created_at"]) === str(order["updated_at"]);
}

/** A notional order's acknowledgement, with the quantity it ended with (what it filled). */
export function settleNotionalAcks(p: AlpacaImport): void {
  for (const { order, ts, pos, notional } of p.notionalAcks) {
    const id = str(order["id"])!;
    const filled = p.ids.filledSoFar.get(id);
    const side = sideOf(order["side"]);
    const symbol = str(order["symbol"]);
    if (!p.ids.done.has(id) || filled === undefined || isZero(filled) || side === undefined || symbol === undefined) {
      p.report.problem(pos, `order ${id}: a notional order ($${notional}) has a quantity only once it is done, and the input does not show it done: ` +
        "acknowledgement not imported (its fills are)");
      continue;
    }
    p.ids.push({
      type: "order_accepted", ts, event_id: `alpaca:order:${id}:accepted`, client_order_id: "", broker_order_id: id,
      symbol: symbolOf(symbol), side, qty: decText(filled), notional, qty_from: "filled_qty",
    }, pos, id, true);
  }
}
