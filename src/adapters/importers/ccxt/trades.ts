// ccxt trades (fetchMyTrades, fetchOrderTrades, an order's `trades`) → fills: `order` is the
// exchange's order id, `fee`/`fees` the fee in the currency charged.

import { add, type Dec, isZero, SCALE_DIGITS, sign, ZERO } from "../../../domain/decimal.js";
import { decOf, decText, isObject, type Json, type OutRecord, type Pos, str } from "../common.js";
import { type CcxtImport, problem } from "./context.js";
import { instrumentOf, positive, sideOf, timeOf } from "./identity.js";

export function trade(p: CcxtImport, t: Json, pos: Pos): void {
  if (isObject(t["info"]) && t["info"]["execType"] === "Funding") return p.report.ignore("funding settlement (Bybit execType Funding: not an execution)");
  const orderId = str(t["order"]);
  const id = str(t["id"]);
  if (orderId === undefined) {
    return problem(p, pos, `trade ${id ?? ""}: names no order (its "order" is null: a public trade, or an exchange that does not link fills to orders); not imported`);
  }
  const instrument = instrumentOf(p, t, pos);
  if (instrument === undefined) return;
  const ts = timeOf(t);
  const side = sideOf(t["side"]);
  const qty = positive(decOf(t["amount"]));
  const price = positive(decOf(t["price"]));
  if (ts === undefined || side === undefined || qty === undefined || price === undefined) {
    return problem(p, pos, `trade ${id ?? ""} of order ${orderId}: expected a timestamp, side buy/sell, a positive amount and price (exact in ${SCALE_DIGITS} decimal places); not imported`);
  }
  const eventId = `ccxt:trade:${instrument.symbol}:${id ?? `${orderId}@${ts}`}`;
  const fields: Record<string, unknown> = {
    type: "fill", ts, event_id: eventId, client_order_id: "", broker_order_id: orderId, symbol: instrument.symbol, side, qty: decText(qty), price: decText(price),
  };
  Object.assign(fields, feeFields(p, t, pos, `trade ${id ?? ""}`));
  const previous = p.trades.get(eventId);
  if (previous !== undefined) {
    if (JSON.stringify(previous.out.fields) !== JSON.stringify(fields)) problem(p, pos, `trade ${id ?? ""} seen twice with different content: the first is kept`);
    else p.report.ignore("trade seen again (same content)");
    return;
  }
  const out: OutRecord = { ts, pos, fields };
  p.trades.set(eventId, { out, orderId, qty });
  p.out.push(out);
}

/** fee / fees as a fill's fee and fee_currency: one currency, a non-negative amount; else reported. */
export function feeFields(p: CcxtImport, x: Json, pos: Pos, what: string): Record<string, string> {
  const list = Array.isArray(x["fees"]) && x["fees"].length > 0 ? x["fees"] : isObject(x["fee"]) ? [x["fee"]] : [];
  const entries = list.filter(isObject).map((f) => ({ cost: decOf(f["cost"]), currency: str(f["currency"]) }))
    .filter((e): e is { cost: Dec; currency: string | undefined } => e.cost !== undefined && !isZero(e.cost));
  if (entries.length === 0) return {};
  const currencies = [...new Set(entries.map((e) => e.currency ?? "(none)"))];
  if (currencies.length > 1) {
    problem(p, pos, `${what}: fees in ${currencies.join(" and ")}: a fill carries a fee in one currency; imported without its fees`);
    return {};
  }
  const cost = entries.reduce((sum, e) => add(sum, e.cost), ZERO);
  if (sign(cost) < 0) {
    problem(p, pos, `${what}: fee ${decText(cost)} (a rebate): the broker log takes fees of zero or more; imported without it`);
    return {};
  }
  if (entries[0]!.currency === undefined) p.report.note("fees without a currency: the replay takes them in the symbol's quote currency");
  return entries[0]!.currency === undefined ? { fee: decText(cost) } : { fee: decText(cost), fee_currency: entries[0]!.currency };
}
