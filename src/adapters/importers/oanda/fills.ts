// ORDER_FILL → fills (one per lot when its lots are at different prices), with the fee, and the
// financing it books as records of their own; DAILY_FINANCING → financing records. Fees and
// financing are in the account's home currency, named at the end (home-currency.ts).

import { add, type Dec, isZero, sign, ZERO } from "../../../domain/decimal.js";
import { absDec, decOf, decText, isObject, type Json, type OutRecord, str } from "../common.js";
import type { OandaImport, TxContext } from "./context.js";
import { oandaSymbol } from "./identity.js";

interface Lot {
  readonly kind: "close" | "reduce" | "open";
  readonly tradeId: string | undefined;
  readonly units: Dec;
  readonly price: string | undefined;
}

/** One execution of a fill: the whole fill, or one of its lots. */
interface Execution {
  readonly eventId: string;
  readonly qty: Dec;
  readonly price: string | undefined;
  readonly fee: Dec | undefined;
}

/** The trades an ORDER_FILL touched, closes first (the order OANDA applies them). */
function fillLots(tx: Json): Lot[] {
  const lots: Lot[] = [];
  const push = (kind: Lot["kind"], t: unknown) => {
    if (!isObject(t)) return;
    const units = decOf(t["units"]);
    if (units === undefined || isZero(units)) return;
    lots.push({ kind, tradeId: str(t["tradeID"]), units, price: str(t["price"]) });
  };
  if (Array.isArray(tx["tradesClosed"])) for (const t of tx["tradesClosed"]) push("close", t);
  push("reduce", tx["tradeReduced"]);
  push("open", tx["tradeOpened"]);
  return lots;
}

export function fill(p: OandaImport, ctx: TxContext): void {
  const { tx } = ctx;
  const orderId = str(tx["orderID"]);
  const instrument = str(tx["instrument"]);
  const units = decOf(tx["units"]);
  if (orderId === undefined || instrument === undefined || units === undefined || isZero(units)) {
    p.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: expected "orderID", "instrument" and non-zero signed decimal "units"`);
    return;
  }
  const info = p.links.orders.get(orderId);
  if (info !== undefined) info.fills += 1;
  const txCoid = str(tx["clientOrderID"]);
  if (txCoid !== undefined) p.links.learnCoid(orderId, txCoid);
  const fallbackPrice = str(tx["price"]) ?? str(tx["fullVWAP"]);
  // Older fills carry the price only at the top level; newer ones per trade.
  const lots = fillLots(tx).map((l) => ({ ...l, price: l.price ?? fallbackPrice }));
  const prices = new Set(lots.map((l) => l.price));
  const fee = feeOf(p, ctx);
  const side = sign(units) > 0 ? "buy" : "sell";
  const common: Record<string, unknown> = {};
  const halfSpread = str(tx["halfSpreadCost"]);
  const reason = str(tx["reason"]);
  if (halfSpread !== undefined) common["half_spread_cost"] = halfSpread;
  if (reason !== undefined) common["oanda_reason"] = reason;
  const base = { type: "fill", ts: ctx.ts, event_id: "", client_order_id: "", broker_order_id: orderId, symbol: oandaSymbol(p.instruments, instrument, ctx.pos), side };
  financing(p, ctx, decOf(tx["financing"]), { symbol: oandaSymbol(p.instruments, instrument, ctx.pos), eventId: `${ctx.eventId}:financing` });
  const write = (e: Execution) => writeExecution(p, ctx, { orderId, txCoid, base, common }, e);
  if (lots.length === 0 || (prices.size === 1 && !prices.has(undefined))) {
    // The usual case: every lot at one price, so one execution.
    write({ eventId: ctx.eventId, qty: units, price: lots[0]?.price ?? fallbackPrice, fee });
    return;
  }
  // Lots at different prices: one fill per lot, so the engine's average cost stays exact.
  lots.forEach((lot, i) => {
    write({ eventId: `${ctx.eventId}:${lot.kind}:${lot.tradeId ?? i}`, qty: lot.units, price: lot.price ?? fallbackPrice, fee: i === 0 ? fee : undefined });
  });
}

/** What every execution of one fill shares: its order, the client id the transaction names, its fields. */
interface FillShared {
  readonly orderId: string;
  readonly txCoid: string | undefined;
  readonly base: Record<string, unknown>;
  readonly common: Record<string, unknown>;
}

function writeExecution(p: OandaImport, ctx: TxContext, shared: FillShared, e: Execution): void {
  if (e.price === undefined) {
    p.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: no fill price (neither the trade's "price" nor "price"/"fullVWAP")`);
    return;
  }
  const fields: Record<string, unknown> = { ...shared.base, event_id: e.eventId, qty: decText(absDec(e.qty)), price: e.price };
  if (e.fee !== undefined && !isZero(e.fee)) fields["fee"] = decText(e.fee);
  Object.assign(fields, shared.common);
  p.links.defer({ fields, pos: ctx.pos, orderId: shared.orderId, txCoid: shared.txCoid, required: false });
  if (fields["fee"] !== undefined) p.home.owe({ out: p.out[p.out.length - 1]!, account: str(ctx.tx["accountID"]) ?? "", field: "fee_currency", what: "" });
}

/**
 * Financing booked by a transaction (a fill that closes a trade, DAILY_FINANCING): its own record,
 * kept out of the trade's P&L, in the account's home currency (known once the input's account
 * details are read).
 */
function financing(p: OandaImport, ctx: TxContext, amount: Dec | undefined, at: { symbol: string | undefined; eventId: string }): void {
  if (amount === undefined || isZero(amount)) return;
  const fields: Record<string, unknown> = { type: "financing", ts: ctx.ts, event_id: at.eventId, amount: decText(amount), currency: "" };
  if (at.symbol !== undefined) fields["symbol"] = at.symbol;
  const out: OutRecord = { ts: ctx.ts, fields, pos: ctx.pos };
  p.out.push(out);
  p.home.owe({ out, account: str(ctx.tx["accountID"]) ?? "", field: "currency", what: `${ctx.type} ${ctx.id}: financing ${decText(amount)}` });
}

/** DAILY_FINANCING: one financing record per instrument it names, else one for the account. */
export function dailyFinancing(p: OandaImport, ctx: TxContext): void {
  const per = Array.isArray(ctx.tx["positionFinancings"]) ? ctx.tx["positionFinancings"].filter(isObject) : [];
  const named = per.filter((f) => str(f["instrument"]) !== undefined && decOf(f["financing"]) !== undefined);
  if (named.length === 0) {
    financing(p, ctx, decOf(ctx.tx["financing"]), { symbol: undefined, eventId: ctx.eventId });
    return;
  }
  for (const f of named) {
    const symbol = oandaSymbol(p.instruments, str(f["instrument"])!, ctx.pos);
    financing(p, ctx, decOf(f["financing"]), { symbol, eventId: `${ctx.eventId}:${symbol}` });
  }
}

/** commission + guaranteedExecutionFee (both reported as positive costs); financing is not a fee. */
function feeOf(p: OandaImport, ctx: TxContext): Dec | undefined {
  let total: Dec = ZERO;
  for (const key of ["commission", "guaranteedExecutionFee"]) {
    if (ctx.tx[key] === undefined || ctx.tx[key] === null) continue;
    const d = decOf(ctx.tx[key]);
    if (d === undefined) {
      p.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: field "${key}": expected a decimal, got ${JSON.stringify(ctx.tx[key])}; fee left out`);
      continue;
    }
    total = add(total, d);
  }
  if (sign(total) < 0) {
    p.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: a negative fee (${decText(total)}, a rebate) cannot be represented; fee left out`);
    return undefined;
  }
  return total;
}
