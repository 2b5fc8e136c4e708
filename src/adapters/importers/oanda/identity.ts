// Which order a record belongs to, and whose: OANDA's order ids, the client order id (the engine's
// key) and the replace chains that carry it, exit orders (take-profit, stop-loss) that belong to a
// trade rather than to a decision, and instrument names as symbols.
//
// Client order ids are resolved at the end, once every transaction has been seen, because OANDA
// can attach one after the order was created (ORDER_CLIENT_EXTENSIONS_MODIFY) and a replacement
// order inherits the id of the order it replaces (replace chains keep the engine's key). An order
// with no client id at all gets `oanda:order:<orderID>`, which no engine sent: it is an orphan.

import { type ImportReport, isObject, type Json, type OutRecord, type Pos, rootClientId, str, symbolOf } from "../common.js";
import type { InstrumentFacts } from "../instruments.js";
import type { TxContext } from "./context.js";

/** Order-creating transactions the engine (or a person) places: each is an order_accepted. */
export const ENTRY_ORDER_TYPES = new Set(["MARKET_ORDER", "LIMIT_ORDER", "STOP_ORDER", "MARKET_IF_TOUCHED_ORDER", "FIXED_PRICE_ORDER"]);
/** Exit orders attached to a trade (take-profit, stop-loss): no units or instrument of their own. */
export const EXIT_ORDER_TYPES = new Set(["TAKE_PROFIT_ORDER", "STOP_LOSS_ORDER", "TRAILING_STOP_LOSS_ORDER", "GUARANTEED_STOP_LOSS_ORDER"]);
/** Order fields that make the broker create exit orders when the order fills. */
const ON_FILL_KEYS = ["takeProfitOnFill", "stopLossOnFill", "trailingStopLossOnFill", "guaranteedStopLossOnFill"];
/** A trade's exit orders, each named by `<key>ID` or by an object with an id. */
const TRADE_EXIT_KEYS = ["takeProfitOrder", "stopLossOrder", "trailingStopLossOrder", "guaranteedStopLossOrder"];

export interface OrderInfo {
  readonly id: string;
  readonly type: string;
  readonly batchId: string | undefined;
  ownCoid: string | undefined;
  replaces: string | undefined;
  fills: number;
  /** Its creating transaction is in the input. */
  created: boolean;
}

/** A record whose client order id is filled in at the end. */
interface Pending {
  readonly out: OutRecord;
  readonly orderId: string;
  readonly txCoid: string | undefined;
  readonly required: boolean;
}

/** A record that names an order (it may name a client id of its own: `txCoid`), and whether it needs a client id. */
export interface OrderRecord {
  readonly fields: Record<string, unknown>;
  readonly pos: Pos;
  readonly orderId: string;
  readonly txCoid: string | undefined;
  readonly required: boolean;
}

/** An order the input names before (or without) its creating transaction. */
export function orderNamed(id: string, type: string, batchId?: string): OrderInfo {
  return { id, type, batchId, ownCoid: undefined, replaces: undefined, fills: 0, created: false };
}

/** An instrument name as a symbol. OANDA names an instrument BASE_QUOTE, so the name states its quote currency. */
export function oandaSymbol(instruments: InstrumentFacts, instrument: string, pos: Pos): string {
  const symbol = symbolOf(instrument);
  const quote = /^[A-Z0-9]+_([A-Z]{3})$/.exec(instrument)?.[1];
  instruments.state(symbol, { quote_currency: quote }, pos);
  return symbol;
}

export class OrderLinks {
  readonly orders = new Map<string, OrderInfo>();
  private readonly pending: Pending[] = [];
  /** Orders known to be take-profit / stop-loss orders of a trade (from any record of the input). */
  readonly exitOrderIds = new Set<string>();
  /** Cancels, written unless the cancelled order turns out to be an exit order. */
  private readonly cancels: { out: OutRecord; orderId: string }[] = [];

  constructor(private readonly out: OutRecord[]) {}

  /** The order a creating transaction names, with what it says of its client id and what it replaces. */
  info(ctx: TxContext): OrderInfo {
    const ext = isObject(ctx.tx["clientExtensions"]) ? str(ctx.tx["clientExtensions"]["id"]) : undefined;
    const info = this.orders.get(ctx.id) ?? orderNamed(ctx.id, ctx.type, str(ctx.tx["batchID"]));
    info.ownCoid = ext ?? info.ownCoid;
    info.replaces = str(ctx.tx["replacesOrderID"]) ?? info.replaces;
    this.orders.set(ctx.id, info);
    return info;
  }

  /** A client id a transaction names for an order: the order's own unless it has one already. */
  learnCoid(orderId: string, coid: string): void {
    const info = this.orders.get(orderId);
    if (info === undefined) this.orders.set(orderId, { ...orderNamed(orderId, "UNKNOWN"), ownCoid: coid });
    else if (info.ownCoid === undefined) info.ownCoid = coid;
  }

  /** ORDER_CLIENT_EXTENSIONS_MODIFY: the order's client id from now on. */
  modifyCoid(orderId: string, coid: string): void {
    const info = this.orders.get(orderId);
    if (info !== undefined) info.ownCoid = coid;
    else this.orders.set(orderId, { ...orderNamed(orderId, "UNKNOWN"), ownCoid: coid });
  }

  /** Writes a record whose client order id is settled at the end. */
  defer(r: OrderRecord): void {
    const out: OutRecord = { ts: r.fields["ts"] as string, fields: r.fields, pos: r.pos };
    this.out.push(out);
    this.pending.push({ out, orderId: r.orderId, txCoid: r.txCoid, required: r.required });
  }

  /** A cancel already written: dropped at the end if its order turns out to be an exit order. */
  cancelWritten(out: OutRecord, orderId: string): void {
    this.cancels.push({ out, orderId });
  }

  /**
   * An order that fills with take-profit / stop-loss "on fill" creates them in the same batch, right
   * after the fill; a response lists their ids in relatedTransactionIDs without including them.
   */
  dependentOrders(txs: Json[], related: unknown): void {
    const onFill = txs.some((tx) => ON_FILL_KEYS.some((k) => isObject(tx[k])));
    const fill = txs.find((tx) => str(tx["type"]) === "ORDER_FILL");
    if (!onFill || fill === undefined || !Array.isArray(related)) return;
    const fillId = BigInt(str(fill["id"]) ?? "0");
    const included = new Set(txs.map((tx) => str(tx["id"])));
    for (const r of related) {
      const id = str(r);
      if (id !== undefined && /^\d+$/.test(id) && BigInt(id) > fillId && !included.has(id)) this.exitOrderIds.add(id);
    }
  }

  exitOrdersOfTrades(trades: unknown[]): void {
    for (const t of trades) {
      if (!isObject(t)) continue;
      for (const key of TRADE_EXIT_KEYS) {
        const id = str(t[`${key}ID`]) ?? (isObject(t[key]) ? str(t[key]["id"]) : undefined);
        if (id !== undefined) this.exitOrderIds.add(id);
      }
    }
  }

  /** The cancels of exit orders, which are not written (each counted as ignored). */
  exitCancels(report: ImportReport): Set<OutRecord> {
    const exitCancels = new Set(this.cancels.filter((c) => this.exitOrderIds.has(c.orderId)).map((c) => c.out));
    for (let i = 0; i < exitCancels.size; i += 1) report.ignore("ORDER_CANCEL of an exit order (take-profit / stop-loss of a trade)");
    return exitCancels;
  }

  /** Fills in every deferred record's client order id, now that every transaction has been seen. */
  resolveClientIds(): void {
    for (const p of this.pending) {
      const coid = this.resolveCoid(p.orderId) ?? p.txCoid;
      if (coid !== undefined) p.out.fields["client_order_id"] = coid;
      else if (p.required || ENTRY_ORDER_TYPES.has(this.orders.get(p.orderId)?.type ?? "")) p.out.fields["client_order_id"] = `oanda:order:${p.orderId}`;
      else delete p.out.fields["client_order_id"];
    }
  }

  /** The engine's key for an order: the first client id along its replace chain, from the root. */
  private resolveCoid(orderId: string): string | undefined {
    return rootClientId(orderId, (id) => {
      const info = this.orders.get(id);
      return info === undefined ? undefined : { coid: info.ownCoid, parent: info.replaces };
    });
  }
}
