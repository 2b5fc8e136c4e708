// Alpaca's executions → fills. An order's executions come from trade updates and from FILL
// activities, merged (mergeExecutions); only when the input has none is the order object's
// `filled_qty` at `filled_avg_price` imported, as one fill (orderTotals). A trade update's fee is
// the growth of the order's commission since its previous fill.

import { add, type Dec, isZero, sign, sub, ZERO } from "../../../domain/decimal.js";
import { decOf, decText, isObject, type Json, type OutRecord, type Pos, str, symbolOf, toUtc } from "../common.js";
import type { AlpacaImport, FillRecord, FillSource } from "./context.js";
import { describeInstrument, sideOf } from "./identity.js";

/** A trade update that fills: its frame, its order, when, and the ids it gives the execution. */
export interface StreamFill {
  readonly data: Json;
  readonly order: Json;
  readonly ts: string;
  readonly eventId: string;
  readonly execId: string | undefined;
  readonly pos: Pos;
}

/** One execution to write as a fill, whatever its source. */
interface Execution {
  /** The order object (or an activity's order fields): its id, side and symbol. */
  readonly order: Json;
  readonly ts: string;
  readonly eventId: string;
  readonly qty: Dec | undefined;
  readonly price: Dec | undefined;
  readonly from: { readonly source: FillSource; readonly execId?: string | undefined; readonly cumAfter?: Dec | undefined };
  readonly pos: Pos;
  readonly fee?: Dec | undefined;
  /** Fields written after the fee, where defined. */
  readonly extra?: Record<string, unknown>;
}

export function streamFill(p: AlpacaImport, s: StreamFill): void {
  const { data, order } = s;
  const orderId = str(order["id"])!;
  const f = p.ids.facts.get(orderId)!;
  const orderCum = decOf(order["filled_qty"]);
  // Older frames carry no per-execution qty: it is the growth of the order's cumulative fill.
  let qty = decOf(data["qty"]);
  if (qty === undefined && orderCum !== undefined) qty = f.cum === undefined ? orderCum : sub(orderCum, f.cum);
  if (orderCum !== undefined) f.cum = orderCum;
  const price = decOf(data["price"]) ?? decOf(order["filled_avg_price"]);
  // The order's commission is cumulative: this execution's share is what it grew by since the last.
  const commission = decOf(order["commission"]);
  let fee: Dec | undefined;
  if (commission !== undefined && sign(sub(commission, f.commissionBooked)) > 0) {
    fee = sub(commission, f.commissionBooked);
    f.commissionBooked = commission;
  }
  fill(p, { order, ts: s.ts, eventId: s.eventId, qty, price, from: { source: "execution", execId: s.execId, cumAfter: orderCum }, pos: s.pos, fee });
}

function fill(p: AlpacaImport, e: Execution): void {
  const { order, qty, price, pos } = e;
  const orderId = str(order["id"] ?? order["order_id"])!;
  const side = sideOf(order["side"]);
  const symbol = str(order["symbol"]);
  if (qty === undefined || sign(qty) <= 0 || price === undefined || sign(price) <= 0 || side === undefined || symbol === undefined) {
    p.report.problem(pos, `fill of order ${orderId}: expected a positive qty and price, side buy/sell and a symbol; got qty ${JSON.stringify(order["qty"] ?? null)}, price ${price === undefined ? "none" : decText(price)}`);
    return;
  }
  const fields: Record<string, unknown> = {
    type: "fill", ts: e.ts, event_id: e.eventId, client_order_id: "", broker_order_id: orderId, symbol: symbolOf(symbol), side,
    qty: decText(qty), price: decText(price),
  };
  if (e.fee !== undefined && sign(e.fee) > 0) fields["fee"] = decText(e.fee);
  for (const [k, v] of Object.entries(e.extra ?? {})) if (v !== undefined) fields[k] = v;
  const out = p.ids.push(fields, pos, orderId, false);
  p.fills.push({ out, orderId, source: e.from.source, execId: e.from.execId, cumAfter: e.from.cumAfter, qty });
}

/** A FILL activity: an execution without a client order id (its order's is found at the end). */
export function activity(p: AlpacaImport, v: Json, pos: Pos): void {
  const type = str(v["activity_type"]);
  if (type !== "FILL") {
    p.report.ignore(`activity ${type}`);
    return;
  }
  const id = str(v["id"]);
  const orderId = str(v["order_id"]);
  const tsRaw = str(v["transaction_time"]);
  const ts = tsRaw === undefined ? undefined : toUtc(tsRaw);
  if (id === undefined || orderId === undefined || ts === undefined) {
    p.report.problem(pos, `FILL activity: expected "id", "order_id" and an RFC 3339 "transaction_time", got ${JSON.stringify(v["transaction_time"])}`);
    return;
  }
  describeInstrument(p.instruments, v, pos);
  const sideRaw = str(v["side"]);
  fill(p, {
    order: { id: orderId, side: sideRaw, symbol: v["symbol"], qty: v["qty"] }, ts, eventId: `alpaca:activity:${id}`,
    qty: decOf(v["qty"]), price: decOf(v["price"]), from: { source: "activity", execId: id.split("::")[1], cumAfter: decOf(v["cum_qty"]) }, pos,
  });
}

/**
 * An order's executions come from trade updates and from FILL activities, often both. One
 * execution seen in both is kept once (the trade update: it carries the client order id): the
 * two are the same execution when their execution ids match, or when they are of the same order
 * and leave it at the same cumulative filled quantity. Every other execution is imported; an
 * activity that cannot be told apart (no cum_qty) is reported, never guessed.
 */
export function mergeExecutions(p: AlpacaImport): Set<OutRecord> {
  const dropped = new Set<OutRecord>();
  const streamByOrder = new Map<string, FillRecord[]>();
  for (const f of p.fills) {
    if (f.source !== "execution") continue;
    streamByOrder.set(f.orderId, [...(streamByOrder.get(f.orderId) ?? []), f]);
  }
  for (const f of p.fills) {
    const stream = f.source === "activity" ? streamByOrder.get(f.orderId) : undefined;
    if (stream === undefined) continue;
    if (f.execId !== undefined && stream.some((s) => s.execId === f.execId)) {
      dropped.add(f.out);
      p.report.ignore("FILL activity of an execution the trade updates already have (same execution id)");
    } else if (f.cumAfter !== undefined && stream.some((s) => s.cumAfter !== undefined && s.cumAfter === f.cumAfter)) {
      dropped.add(f.out);
      p.report.ignore("FILL activity of an execution the trade updates already have (same order, same cumulative qty)");
    } else if (f.cumAfter === undefined) {
      dropped.add(f.out);
      p.report.problem(f.out.pos, `FILL activity of order ${f.orderId}: no "cum_qty", so it cannot be told apart from the trade updates of the same order; not imported`);
    }
  }
  return dropped;
}

/**
 * The order object's filled_qty: the whole fill when the input has no execution of the order,
 * else a check that the executions add up to it (a shortfall is reported with its size).
 */
export function orderTotals(p: AlpacaImport, kept: readonly FillRecord[]): void {
  const executed = new Map<string, Dec>();
  for (const f of kept) executed.set(f.orderId, add(executed.get(f.orderId) ?? ZERO, f.qty));
  for (const [orderId, { order, pos }] of [...p.orderObjects].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const qty = decOf(order["filled_qty"]);
    if (qty === undefined || isZero(qty)) continue;
    const done = executed.get(orderId);
    if (done !== undefined) {
      if (done < qty) {
        p.report.problem(pos, `order ${orderId}: filled_qty ${decText(qty)} but the executions in the input add up to ${decText(done)}: ` +
          `${decText(sub(qty, done))} not imported (import the order's FILL activities or its trade updates)`);
      }
      continue;
    }
    const tsRaw = str(order["filled_at"]) ?? str(order["updated_at"]);
    const ts = tsRaw === undefined ? undefined : toUtc(tsRaw);
    if (ts === undefined) {
      p.report.problem(pos, `order ${orderId}: filled ${decText(qty)} but no "filled_at" time; its fill is not imported`);
      continue;
    }
    // Local currency trading: filled_avg_price is in the account's currency, usd.* in the instrument's.
    const usd = isObject(order["usd"]) ? decOf(order["usd"]["filled_avg_price"]) : undefined;
    const local: Record<string, unknown> = usd === undefined ? {} : { local_price: str(order["filled_avg_price"]), local_swap_rate: str(order["swap_rate"]) };
    fill(p, {
      order, ts, eventId: `alpaca:order:${orderId}:filled:${decText(qty)}`, qty, price: usd ?? decOf(order["filled_avg_price"]),
      from: { source: "order" }, pos, fee: decOf(order["commission"]), extra: local,
    });
  }
}
