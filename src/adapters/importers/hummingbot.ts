// Hummingbot's SQLite database (one per strategy config, data/<config>.sqlite) → canonical journal.
//
// What Hummingbot keeps (its model, read as facts):
//   Order(id = the client order id it generated, market, symbol BASE-QUOTE, base_asset,
//         quote_asset, creation_timestamp ms, order_type LIMIT|LIMIT_MAKER|MARKET, amount, price,
//         last_status, exchange_order_id, position)
//   OrderStatus(order_id -> Order.id, timestamp ms, status)  BuyOrderCreated / SellOrderCreated,
//         OrderFilled, BuyOrderCompleted, OrderCancelled, ... (the order's history)
//   TradeFill(order_id, exchange_trade_id, timestamp ms, trade_type BUY|SELL, price, amount, trade_fee)
//
// Each Order row is an order the bot placed: a `decision` at creation_timestamp with Hummingbot's
// id as the client order id (it sends that id to the exchange, so ccxt's clientOrderId matches
// it), the side its creation event names, qty = amount and ref_price = price. The journal opens
// with an empty snapshot at the first order: the database keeps no record of the bot's restarts.
// TradeFill is the bot's own view of its fills: the engine's side, counted in the report only.
//
// Amounts and prices are Hummingbot's SqliteDecimal(6): integers holding the value times 10^6
// (0.002 is stored as 2000). They are read as integers and divided by 10^6 exactly, never through
// a double.

import { type Dec, isZero, SCALE_DIGITS, sign } from "../../domain/decimal.js";
import { instantFromMs } from "../../domain/time.js";
import { decText, ImportReport, type ImportResult, type OutRecord, type Pos, str } from "./common.js";
import { spotSymbol, stateCryptoInstrument } from "./crypto-symbols.js";
import { InstrumentFacts } from "./instruments.js";
import type { DbSchema, Row, Tables } from "./sqlite-tables.js";

export const HUMMINGBOT_SCHEMA: DbSchema = {
  what: "Hummingbot database",
  expected: "a Hummingbot database with an Order table",
  tables: [
    { name: "Order", columns: ["id", "market", "symbol", "base_asset", "quote_asset", "creation_timestamp", "order_type", "amount", "price", "last_status"] },
    { name: "OrderStatus", columns: ["order_id", "timestamp", "status"], optional: true },
    { name: "TradeFill", columns: ["order_id", "trade_type", "timestamp"], optional: true },
  ],
  bigIntegers: true,
};

/** SqliteDecimal(6): the stored integer over 10^6, exactly. */
const SCALED_DIGITS = 6;
export function scaledDecimal(value: unknown): Dec | undefined {
  const n = typeof value === "bigint" ? value : typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  return n === undefined ? undefined : (n * 10n ** BigInt(SCALE_DIGITS - SCALED_DIGITS)) as Dec;
}

/** An epoch-milliseconds column (bigint or number) as RFC 3339 UTC. */
function msTime(value: unknown): string | undefined {
  const ms = typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : NaN;
  return Number.isSafeInteger(ms) && ms > 0 ? instantFromMs(ms).text : undefined;
}

const SIDE_OF_EVENT: Readonly<Record<string, "buy" | "sell">> = { BuyOrderCreated: "buy", SellOrderCreated: "sell" };
const ORDER_TYPES: Readonly<Record<string, "limit" | "market">> = { LIMIT: "limit", LIMIT_MAKER: "limit", MARKET: "market" };

class HummingbotJournal {
  readonly report = new ImportReport();
  readonly instruments = new InstrumentFacts({
    tick_size: "not stated by a Hummingbot database (import the exchange's markets with `import ccxt`, which states the tick size where ccxt's market does)",
  });
  private readonly sideOfOrder = new Map<string, "buy" | "sell">();

  constructor(t: { readonly orders: readonly Row[]; readonly statuses: readonly Row[]; readonly fills: readonly Row[] }) {
    // The bot's own statements of an order's side: its creation event, else the fills it recorded.
    for (const f of t.fills) {
      const side = f["trade_type"] === "BUY" ? "buy" : f["trade_type"] === "SELL" ? "sell" : undefined;
      if (side !== undefined) this.sideOfOrder.set(String(f["order_id"]), side);
    }
    for (const s of [...t.statuses, ...t.orders.map((o) => ({ order_id: o["id"], status: o["last_status"] }))]) {
      const side = SIDE_OF_EVENT[String(s["status"])];
      if (side !== undefined) this.sideOfOrder.set(String(s["order_id"]), side);
    }
  }

  decision(row: Row): OutRecord | undefined {
    const pos: Pos = { file: "Order", line: Number(row["_rowid"]) };
    const id = str(row["id"]);
    const market = str(row["market"]) ?? "";
    if (/perpetual/i.test(market)) {
      this.report.problem(pos, `order ${id ?? ""} on ${market}: the database names the perpetual's pair (${String(row["symbol"])}) but not the currency it settles in, ` +
        "which makes it a different instrument: not imported");
      return undefined;
    }
    const type = ORDER_TYPES[String(row["order_type"])];
    const qty = scaledDecimal(row["amount"]);
    const price = scaledDecimal(row["price"]);
    const ts = msTime(row["creation_timestamp"]);
    const side = id === undefined ? undefined : this.sideOfOrder.get(id);
    const [base, quote] = [str(row["base_asset"]), str(row["quote_asset"])];
    if (type === "market" && price !== undefined && isZero(price)) {
      this.report.problem(pos, `order ${id ?? ""}: a market order, for which Hummingbot records no price (0); a decision needs the bot's reference price: not imported`);
      return undefined;
    }
    const missing = [id === undefined && "id", (base === undefined || quote === undefined) && "base_asset and quote_asset",
      side === undefined && "a side (a BuyOrderCreated or SellOrderCreated status, or a fill of the order)",
      (qty === undefined || sign(qty) <= 0) && "a positive amount", (price === undefined || sign(price) <= 0) && "a positive price",
      ts === undefined && "creation_timestamp (epoch milliseconds)"].filter((x): x is string => x !== false);
    if (missing.length > 0) {
      this.report.problem(pos, `order not imported: expected ${missing.join("; ")}`);
      return undefined;
    }
    const instrument = spotSymbol(base!, quote!);
    stateCryptoInstrument(this.instruments, instrument, pos);
    const fields: Record<string, unknown> = {
      type: "decision", ts, decision_id: id, client_order_id: id, symbol: instrument.symbol, side, qty: decText(qty!), ref_price: decText(price!),
    };
    const strategy = str(row["strategy"]);
    if (strategy !== undefined) fields["strategy"] = strategy;
    if (type !== undefined) fields["order_type"] = type;
    if (type === "limit") fields["limit_price"] = decText(price!);
    const exchangeId = str(row["exchange_order_id"]);
    if (exchangeId !== undefined) fields["broker_order_id"] = exchangeId;
    return { ts: ts!, pos, fields };
  }
}

/** Pure: Hummingbot's tables in, canonical journal records and a report out. */
export function hummingbotFromRows(tables: Tables): ImportResult {
  const t = { orders: tables["Order"] ?? [], statuses: tables["OrderStatus"] ?? [], fills: tables["TradeFill"] ?? [] };
  const j = new HummingbotJournal(t);
  const decisions = t.orders.map((row) => j.decision(row)).filter((d): d is OutRecord => d !== undefined);
  for (let i = 0; i < t.statuses.length; i += 1) j.report.ignore("OrderStatus row (the order's history: the exchange's side shows it)");
  for (let i = 0; i < t.fills.length; i += 1) j.report.ignore("TradeFill row (a fill as the bot saw it: the engine's view, not a decision)");
  if (decisions.length === 0) {
    j.report.problem(undefined, "no orders to import (the Order table holds none the importer could read)");
    return { records: [], report: j.report, instruments: j.instruments };
  }
  const first = decisions.map((d) => d.ts).sort()[0]!;
  j.report.note("Hummingbot's database keeps no record of the bot's restarts: the journal has one opening snapshot (nothing held) and no restart");
  const opening: OutRecord = { ts: first, pos: { file: "Order", line: 0 }, fields: { type: "snapshot", ts: first, open_orders: [], positions: [] } };
  return { records: [opening, ...decisions], report: j.report, instruments: j.instruments };
}
