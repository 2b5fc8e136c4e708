// OANDA's order transactions → order_accepted, order_cancelled, order_rejected. Exit orders
// (take-profit, stop-loss) are not decisions: their creation and cancels are not written.

import { isZero, sign } from "../../../domain/decimal.js";
import { absDec, decOf, decText, isObject, type OutRecord, str } from "../common.js";
import type { OandaImport, TxContext } from "./context.js";
import { oandaSymbol } from "./identity.js";

export function orderCreate(p: OandaImport, ctx: TxContext): void {
  const info = p.links.info(ctx);
  info.created = true;
  const instrument = str(ctx.tx["instrument"]);
  const units = decOf(ctx.tx["units"]);
  if (instrument === undefined || units === undefined || isZero(units)) {
    p.report.problem(ctx.pos, `${ctx.type} ${ctx.id}: expected "instrument" and non-zero signed decimal "units", got ${JSON.stringify(ctx.tx["instrument"])} / ${JSON.stringify(ctx.tx["units"])}`);
    return;
  }
  const fields: Record<string, unknown> = {
    type: "order_accepted", ts: ctx.ts, event_id: ctx.eventId, client_order_id: "", broker_order_id: ctx.id,
    symbol: oandaSymbol(p.instruments, instrument, ctx.pos), side: sign(units) > 0 ? "buy" : "sell", qty: decText(absDec(units)),
    oanda_type: ctx.type,
  };
  if (info.replaces !== undefined) fields["replaces_broker_order_id"] = info.replaces;
  p.links.defer({ fields, pos: ctx.pos, orderId: ctx.id, txCoid: undefined, required: true });
}

export function exitOrder(p: OandaImport, ctx: TxContext): void {
  p.links.info(ctx);
  p.links.exitOrderIds.add(ctx.id);
  // An exit order belongs to a trade, not to an engine decision; should it fill, its ORDER_FILL is
  // imported as a fill without a client order id (the replay then shows it as the broker's own).
  p.report.ignore(`${ctx.type} (exit order attached to a trade)`);
}

export function clientExtensionsModify(p: OandaImport, ctx: TxContext): void {
  const orderId = str(ctx.tx["orderID"]);
  const mod = isObject(ctx.tx["clientExtensionsModify"]) ? str(ctx.tx["clientExtensionsModify"]["id"]) : undefined;
  if (orderId !== undefined && mod !== undefined) p.links.modifyCoid(orderId, mod);
  p.report.ignore("ORDER_CLIENT_EXTENSIONS_MODIFY (client id applied to its order)");
}

export function cancel(p: OandaImport, ctx: TxContext): void {
  const { tx } = ctx;
  const orderId = str(tx["orderID"]);
  if (orderId === undefined) {
    p.report.problem(ctx.pos, `ORDER_CANCEL ${ctx.id}: field "orderID": expected the cancelled order's id`);
    return;
  }
  const reason = str(tx["reason"]);
  const txCoid = str(tx["clientOrderID"]);
  if (txCoid !== undefined) p.links.learnCoid(orderId, txCoid);
  const info = p.links.orders.get(orderId);
  // Cancelled in the very batch that created it, with nothing filled: the order never lived.
  // OANDA answers HTTP 201 with ORDER_CANCEL (e.g. STOP_LOSS_ON_FILL_LOSS), but for the engine it
  // was rejected.
  const batch = str(tx["batchID"]);
  const createdInThisBatch = info !== undefined ? info.batchId !== undefined && info.batchId === batch : batch === orderId;
  if (createdInThisBatch && (info?.fills ?? 0) === 0) {
    const fields: Record<string, unknown> = {
      type: "order_rejected", ts: ctx.ts, event_id: ctx.eventId, client_order_id: "", broker_order_id: orderId,
      reason: reason ?? "ORDER_CANCEL",
    };
    p.links.defer({ fields, pos: ctx.pos, orderId, txCoid, required: true });
    return;
  }
  const fields: Record<string, unknown> = { type: "order_cancelled", ts: ctx.ts, event_id: ctx.eventId, broker_order_id: orderId };
  if (reason !== undefined) fields["reason"] = reason;
  const replacedBy = str(tx["replacedByOrderID"]);
  if (replacedBy !== undefined) fields["replaced_by_broker_order_id"] = replacedBy;
  const out: OutRecord = { ts: ctx.ts, fields, pos: ctx.pos };
  p.out.push(out);
  p.links.cancelWritten(out, orderId);
}

export function reject(p: OandaImport, ctx: TxContext): void {
  const ext = isObject(ctx.tx["clientExtensions"]) ? str(ctx.tx["clientExtensions"]["id"]) : undefined;
  const fields: Record<string, unknown> = {
    type: "order_rejected", ts: ctx.ts, event_id: ctx.eventId, client_order_id: ext ?? `oanda:order:${ctx.id}`,
    reason: str(ctx.tx["rejectReason"]) ?? ctx.type,
  };
  const instrument = str(ctx.tx["instrument"]);
  if (instrument !== undefined) fields["symbol"] = oandaSymbol(p.instruments, instrument, ctx.pos);
  p.out.push({ ts: ctx.ts, fields, pos: ctx.pos });
}
