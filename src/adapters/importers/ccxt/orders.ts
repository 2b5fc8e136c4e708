// ccxt orders (fetchOrder(s), fetchOpen/Closed/CanceledOrders, createOrder, cancelOrder), merged
// over every copy of each, → order_accepted; canceled/expired → order_cancelled; rejected →
// order_rejected; its filled amount at its average price → one fill, only when none of its trades
// is in the input (else the trades are its fills, and a shortfall is reported).

import { add, type Dec, isZero, sub, ZERO } from "../../../domain/decimal.js";
import { compareInstants } from "../../../domain/time.js";
import { decOf, decOfRounded, decText, instantOf, isObject, type Json, type Pos, str } from "../common.js";
import { type CcxtImport, type OrderFacts, problem } from "./context.js";
import { instrumentOf, positive, sideOf, timeOf } from "./identity.js";
import { feeFields, trade } from "./trades.js";

const CANCEL_STATUSES = new Set(["canceled", "cancelled", "expired"]);
const TERMINAL_STATUSES = new Set([...CANCEL_STATUSES, "closed", "rejected"]);

/** One copy of an order: merged into what the input says of that order; its trades are read as trades. */
export function order(p: CcxtImport, o: Json, pos: Pos): void {
  const id = str(o["id"]);
  if (id === undefined) return problem(p, pos, "an order without an id: not imported");
  const ts = timeOf(o);
  if (ts === undefined) {
    return problem(p, pos, `order ${id}: no timestamp (ccxt leaves it null where the exchange's answer carries none, as answers to createOrder often do): ` +
      "not imported; import the order as fetchOrder or fetchOrders return it");
  }
  const instrument = instrumentOf(p, o, pos);
  if (instrument === undefined) return;
  const f: OrderFacts = p.orders.get(id) ?? {
    id, pos, context: p.context, instrument, ts, clientOrderId: undefined, side: undefined, amount: undefined, limitPrice: undefined, status: undefined,
    filled: ZERO, average: undefined, lastTradeTs: undefined, lastUpdateTs: undefined, latest: o,
  };
  p.orders.set(id, f);
  merge(f, o, ts);
  for (const t of Array.isArray(o["trades"]) ? o["trades"] : []) {
    if (!isObject(t)) continue;
    if (t["amount"] === null || t["amount"] === undefined || t["price"] === null || t["price"] === undefined) {
      p.report.ignore("trade named inside an order without its amount or price");
      continue;
    }
    trade(p, { ...t, order: t["order"] ?? id, symbol: t["symbol"] ?? o["symbol"], side: t["side"] ?? o["side"] }, pos);
  }
}

/** What one copy of an order adds: the earliest time, the latest status short of a terminal one, the most filled. */
function merge(f: OrderFacts, o: Json, ts: string): void {
  if (compareInstants(instantOf(ts), instantOf(f.ts)) < 0) f.ts = ts;
  f.clientOrderId = str(o["clientOrderId"]) ?? f.clientOrderId;
  f.side = sideOf(o["side"]) ?? f.side;
  f.amount = positive(decOf(o["amount"])) ?? f.amount;
  if (str(o["type"]) === "limit") f.limitPrice = positive(decOfRounded(o["price"])?.dec) ?? f.limitPrice;
  const status = str(o["status"]);
  if (status !== undefined && (f.status === undefined || !TERMINAL_STATUSES.has(f.status))) f.status = status;
  const filled = decOf(o["filled"]);
  if (filled !== undefined && filled >= f.filled) {
    f.filled = filled;
    f.average = positive(decOfRounded(o["average"])?.dec) ?? f.average;
    f.latest = o;
  }
  f.lastTradeTs = timeOf(o, "lastTradeTimestamp", "lastTradeDatetime") ?? f.lastTradeTs;
  f.lastUpdateTs = timeOf(o, "lastUpdateTimestamp", "lastUpdateDatetime") ?? f.lastUpdateTs;
}

/** Every order's events, once all its copies and trades are read. */
export function orderRecords(p: CcxtImport): void {
  const executed = new Map<string, Dec>();
  for (const t of p.trades.values()) executed.set(t.orderId, add(executed.get(t.orderId) ?? ZERO, t.qty));
  for (const f of p.orders.values()) orderEvents(p, f, executed.get(f.id));
}

/** The events an order's merged state implies. */
function orderEvents(p: CcxtImport, f: OrderFacts, executed: Dec | undefined): void {
  p.context = f.context;
  const scope = `ccxt:order:${f.instrument.symbol}:${f.id}`;
  const base = { client_order_id: "", broker_order_id: f.id };
  if (f.status === "rejected") {
    push(p, { type: "order_rejected", ts: f.lastUpdateTs ?? f.ts, event_id: `${scope}:rejected`, ...base, reason: "rejected" }, f);
    return;
  }
  if (f.side === undefined || f.amount === undefined) {
    return problem(p, f.pos, `order ${f.id}: expected side buy/sell and a positive amount, got ${JSON.stringify(f.latest["side"] ?? null)} / ${JSON.stringify(f.latest["amount"] ?? null)}; not imported`);
  }
  push(p, {
    type: "order_accepted", ts: f.ts, event_id: `${scope}:accepted`, ...base, symbol: f.instrument.symbol, side: f.side, qty: decText(f.amount),
    ...(f.limitPrice === undefined ? {} : { limit_price: decText(f.limitPrice) }),
  }, f);
  orderTotals(p, f, scope, executed);
  if (f.status !== undefined && CANCEL_STATUSES.has(f.status)) {
    const at = f.lastUpdateTs ?? f.lastTradeTs;
    if (at === undefined) return problem(p, f.pos, `order ${f.id} is ${f.status} but states no time of it (lastUpdateTimestamp): the cancel is not imported`);
    p.out.push({ ts: at, pos: f.pos, fields: { type: "order_cancelled", ts: at, event_id: `${scope}:${f.status}`, broker_order_id: f.id, reason: f.status } });
  }
}

/** The order's filled amount: its fill when the input has none of its trades, else a check that they add up. */
function orderTotals(p: CcxtImport, f: OrderFacts, scope: string, executed: Dec | undefined): void {
  if (isZero(f.filled)) return;
  if (executed !== undefined) {
    if (executed < f.filled) {
      problem(p, f.pos, `order ${f.id}: filled ${decText(f.filled)} but its trades in the input add up to ${decText(executed)}: ` +
        `${decText(sub(f.filled, executed))} not imported (import its trades: fetchMyTrades or fetchOrderTrades)`);
    }
    return;
  }
  const at = f.lastTradeTs ?? f.lastUpdateTs;
  const price = f.average;
  if (at === undefined || price === undefined || f.side === undefined) {
    return problem(p, f.pos, `order ${f.id}: filled ${decText(f.filled)} but states no ${at === undefined ? "time of its fills (lastTradeTimestamp)" : "average price"}: ` +
      "its fill is not imported; import its trades (fetchMyTrades) with it");
  }
  p.out.push({ ts: at, pos: f.pos, fields: {
    type: "fill", ts: at, event_id: `${scope}:filled:${decText(f.filled)}`, client_order_id: "", broker_order_id: f.id, symbol: f.instrument.symbol,
    side: f.side, qty: decText(f.filled), price: decText(price), ...feeFields(p, f.latest, f.pos, `order ${f.id}`),
  } });
}

function push(p: CcxtImport, fields: Record<string, unknown>, f: OrderFacts): void {
  p.out.push({ ts: fields["ts"] as string, pos: f.pos, fields });
}
