// freqtrade's SQLite database (tradesv3.sqlite) → canonical journal records.
//
// What freqtrade keeps (its persistence schema, read as facts):
//   trades(id, pair, is_short, strategy, ...)      one row per position the bot opened
//   orders(id, ft_trade_id -> trades.id, ft_order_side buy|sell|stoploss, ft_pair, ft_amount,
//          ft_price, order_id, status, side, order_type, price, average, amount, filled,
//          order_date, order_filled_date, order_update_date, ft_fee_base, ft_cancel_reason)
//   KeyValueStore(key, value_type, datetime_value)  bot_start_time, startup_time (the latest start)
//
// Each orders row is an order the bot placed: a `decision` at order_date. freqtrade sends no
// client order id of its own on most exchanges, so the exchange's order_id is the key (import the
// exchange's records with `import ccxt --order-key id`). qty is ft_amount (what the bot asked
// for), ref_price ft_price (the rate it priced the order at). The journal opens with a snapshot
// (nothing held, at the bot's first start or first order); a startup_time after the first order is
// the bot's latest restart: a `restart` and a snapshot of the positions the database says were
// held then (the fills completed before it, counted as the replay counts them) and the orders open
// then.
//
// Times: freqtrade writes UTC without a zone (SQLAlchemy's "2025-10-20 14:30:22.123456"), so a
// zoneless time is UTC here, never --tz. Numbers are REAL (doubles): each is read as the shortest
// decimal text that reads back as the same double (what freqtrade printed when it stored it);
// a quantity that needs more than the replay's ten decimal places is reported, never rounded.
//
// Split like journal-sqlite: sqlite-tables.ts reads FREQTRADE_SCHEMA (the shell), freqtradeFromRows is pure.

import { type Dec, isZero, sign, ZERO } from "../../domain/decimal.js";
import { compareInstants } from "../../domain/time.js";
import { applyFill, FLAT, type Position, positionChange } from "../../core/rules/index.js";
import { decOf, decOfRounded, decText, ImportReport, type ImportResult, instantOf, type OutRecord, type Pos, str, toUtc } from "./common.js";
import { type CryptoSymbol, parseCcxtSymbol, stateCryptoInstrument } from "./crypto-symbols.js";
import { InstrumentFacts } from "./instruments.js";
import type { DbSchema, Row, Tables } from "./sqlite-tables.js";

export const FREQTRADE_SCHEMA: DbSchema = {
  what: "freqtrade database",
  expected: "a freqtrade database (tradesv3.sqlite) with an orders table",
  tables: [
    { name: "orders", columns: ["id", "ft_trade_id", "ft_order_side", "ft_pair", "ft_amount", "ft_price", "order_id", "status", "side", "order_date"] },
    { name: "trades", columns: ["id", "pair", "is_short"] },
    { name: "KeyValueStore", columns: ["key", "value_type", "datetime_value"], optional: true },
  ],
};

/** An order as the snapshots need it: when it was placed, filled or closed, and what it filled. */
interface PlacedOrder {
  readonly row: number;
  readonly coid: string;
  readonly instrument: CryptoSymbol;
  readonly side: "buy" | "sell";
  readonly qty: Dec;
  readonly refPrice: Dec;
  readonly ts: string;
  /** When it stopped being open (its last fill or last update); undefined while open. */
  readonly closedTs: string | undefined;
  readonly filled: Dec;
  readonly fillPrice: Dec | undefined;
  readonly feeBase: Dec;
  /** When its fills completed (order_filled_date). */
  readonly filledTs: string | undefined;
}

function before(a: string, b: string): boolean {
  return compareInstants(instantOf(a), instantOf(b)) < 0;
}

class FreqtradeJournal {
  readonly report = new ImportReport();
  readonly instruments = new InstrumentFacts({
    tick_size: "not stated by a freqtrade database (import the exchange's markets with `import ccxt`, which states the tick size where ccxt's market does)",
  });
  private readonly placed: PlacedOrder[] = [];
  private roundedPrices = false;

  /** freqtrade's time: UTC, with or without a zone written; undefined when absent. */
  private time(value: unknown, pos: Pos, field: string): string | undefined {
    if (value === null || value === undefined || value === "") return undefined;
    const text = String(value).trim();
    const zoned = toUtc(text) ?? toUtc(`${text}Z`);
    if (zoned === undefined) this.report.problem(pos, `${field} ${JSON.stringify(text)} is not a time as freqtrade writes it (2025-10-20 14:30:22.123456, UTC)`);
    return zoned;
  }

  /** A price derived by the exchange or the bot: rounded to the replay's decimals when it carries more, and said. */
  private price(value: unknown): Dec | undefined {
    const r = decOfRounded(value);
    if (r?.rounded === true) this.roundedPrices = true;
    return r === undefined || sign(r.dec) <= 0 ? undefined : r.dec;
  }

  /** The side of an order: ft_order_side, else (a stoploss) the exchange's side, else the exit side of its trade. */
  private sideOf(row: Row, trade: Row | undefined): "buy" | "sell" | undefined {
    for (const v of [row["ft_order_side"], row["side"]]) if (v === "buy" || v === "sell") return v;
    if (row["ft_order_side"] === "stoploss" && trade !== undefined) return Number(trade["is_short"]) === 1 ? "buy" : "sell";
    return undefined;
  }

  decision(row: Row, trade: Row | undefined): OutRecord | undefined {
    const pos: Pos = { file: "orders", line: Number(row["_rowid"]) };
    const coid = str(row["order_id"]);
    const pair = str(row["ft_pair"]);
    const instrument = pair === undefined ? undefined : parseCcxtSymbol(pair);
    const side = this.sideOf(row, trade);
    const qty = decOf(row["ft_amount"]);
    const refPrice = this.price(row["ft_price"]);
    const ts = this.time(row["order_date"], pos, "order_date");
    const missing = [coid === undefined && "order_id", instrument === undefined && `ft_pair as ccxt writes it (BTC/USDT, ETH/USDT:USDT), got ${JSON.stringify(pair ?? null)}`,
      side === undefined && "a side (ft_order_side buy/sell, or side)", (qty === undefined || sign(qty) <= 0) && `ft_amount, a positive quantity in ten decimal places, got ${JSON.stringify(row["ft_amount"] ?? null)}`,
      refPrice === undefined && "ft_price, the price the bot placed it at", ts === undefined && "order_date"].filter((x): x is string => x !== false);
    if (missing.length > 0) {
      this.report.problem(pos, `order not imported: expected ${missing.join("; ")}`);
      return undefined;
    }
    stateCryptoInstrument(this.instruments, instrument!, pos);
    this.remember(row, pos, { coid: coid!, instrument: instrument!, side: side!, qty: qty!, refPrice: refPrice!, ts: ts! });
    const type = str(row["order_type"]);
    const fields: Record<string, unknown> = {
      type: "decision", ts, decision_id: `freqtrade:${String(row["ft_trade_id"])}:${String(row["id"])}`, client_order_id: coid,
      symbol: instrument!.symbol, side, qty: decText(qty!), ref_price: decText(refPrice!),
    };
    const strategy = trade === undefined ? undefined : str(trade["strategy"]);
    if (strategy !== undefined) fields["strategy"] = strategy;
    if (type === "market" || type === "limit") fields["order_type"] = type;
    // The limit as placed: freqtrade rounds ft_price to the exchange's precision before it sends it.
    if (type === "limit") fields["limit_price"] = decText(this.price(row["price"]) ?? refPrice!);
    return { ts: ts!, pos, fields };
  }

  /** What the snapshots need of an imported order: its fills and when it closed. */
  private remember(row: Row, pos: Pos, o: Pick<PlacedOrder, "coid" | "instrument" | "side" | "qty" | "refPrice" | "ts">): void {
    const filled = decOf(row["filled"]) ?? ZERO;
    const filledTs = this.time(row["order_filled_date"], pos, "order_filled_date");
    const open = Number(row["ft_is_open"] ?? 0) === 1 || row["status"] === "open";
    const closedTs = open ? undefined : filledTs ?? this.time(row["order_update_date"], pos, "order_update_date") ?? o.ts;
    const feeBase = decOf(row["ft_fee_base"]) ?? ZERO;
    this.placed.push({ ...o, row: pos.line, closedTs, filled, filledTs, feeBase, fillPrice: this.price(row["average"]) ?? this.price(row["price"]) ?? o.refPrice });
    if (!isZero(filled) && filledTs === undefined) this.report.problem(pos, `order ${o.coid} filled ${decText(filled)} but has no order_filled_date: a snapshot cannot place its fill in time and leaves it out`);
  }

  /** What the database says the bot held and had open at `ts`: fills completed before it, orders open across it. */
  snapshot(ts: string, pos: Pos): OutRecord {
    const books = new Map<string, Position>();
    const fills = this.placed.filter((o) => !isZero(o.filled) && o.filledTs !== undefined && before(o.filledTs, ts))
      .sort((a, b) => compareInstants(instantOf(a.filledTs!), instantOf(b.filledTs!)));
    for (const o of fills) {
      const booking = isZero(o.feeBase) ? "quote" : "base";
      if (booking === "base" && !(o.side === "sell" || o.feeBase < o.filled)) {
        this.report.problem({ file: "orders", line: o.row }, `ft_fee_base ${decText(o.feeBase)} is not below the filled ${decText(o.filled)}: left out of the snapshot at ${ts}`);
        continue;
      }
      const change = positionChange({ side: o.side, qty: o.filled, price: o.fillPrice!, fee: o.feeBase, line: o.row }, booking);
      books.set(o.instrument.symbol, applyFill(books.get(o.instrument.symbol) ?? FLAT, o.side, change.qty, change.price).pos);
    }
    const positions = [...books].filter(([, p]) => !isZero(p.qty)).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([symbol, p]) => ({ symbol, qty: decText(p.qty), avg_price: decText(p.avgPrice) }));
    const open = this.placed.filter((o) => before(o.ts, ts) && (o.closedTs === undefined || before(ts, o.closedTs)));
    for (const o of open.filter((x) => !isZero(x.filled) && (x.filledTs === undefined || before(ts, x.filledTs)))) {
      this.report.note(`order ${o.coid} (orders:${o.row}) was open across the restart at ${ts} and filled ${decText(o.filled)} by its end: ` +
        "freqtrade keeps only the total, so the snapshot shows it unfilled");
    }
    const openOrders = open.map((o) => ({
      client_order_id: o.coid, symbol: o.instrument.symbol, side: o.side, qty: decText(o.qty),
      filled_qty: o.filledTs !== undefined && !before(ts, o.filledTs) ? decText(o.filled) : "0", ref_price: decText(o.refPrice),
    }));
    return { ts, pos, fields: { type: "snapshot", ts, open_orders: openOrders, positions } };
  }

  /** bot_start_time and startup_time from KeyValueStore, where the database has them. */
  starts(rows: readonly Row[]): { first?: string; latest?: string } {
    const at = (key: string): string | undefined => {
      const row = rows.find((r) => r["key"] === key);
      return row === undefined ? undefined : this.time(row["datetime_value"], { file: "KeyValueStore", line: Number(row["_rowid"]) }, key);
    };
    const out: { first?: string; latest?: string } = {};
    const first = at("bot_start_time");
    const latest = at("startup_time");
    if (first !== undefined) out.first = first;
    if (latest !== undefined) out.latest = latest;
    return out;
  }

  notes(orders: readonly Row[]): void {
    if (this.roundedPrices) this.report.note("prices with more decimal places than the replay keeps (ten) rounded to ten: freqtrade stores doubles");
    const cancelled = orders.filter((r) => str(r["ft_cancel_reason"]) !== undefined).length;
    if (cancelled > 0) {
      this.report.note(`${cancelled} order${cancelled === 1 ? "" : "s"} the bot cancelled (ft_cancel_reason): freqtrade keeps no time for the request, ` +
        "so the journal has no cancel_request; the replay sees the cancel from the exchange's side");
    }
    const dry = orders.filter((r) => String(r["order_id"] ?? "").startsWith("dry_run")).length;
    if (dry > 0) this.report.note(`${dry} dry-run order${dry === 1 ? "" : "s"} (order_id dry_run...): placed on paper, so no exchange record will match them`);
  }
}

/** Pure: freqtrade's tables in, canonical journal records and a report out. */
export function freqtradeFromRows(tables: Tables): ImportResult {
  const t = { orders: tables["orders"] ?? [], trades: tables["trades"] ?? [], keyValues: tables["KeyValueStore"] ?? [] };
  const j = new FreqtradeJournal();
  const tradeOf = new Map(t.trades.map((tr) => [String(tr["id"]), tr]));
  const decisions = t.orders.map((row) => j.decision(row, tradeOf.get(String(row["ft_trade_id"])))).filter((d): d is OutRecord => d !== undefined);
  j.notes(t.orders);
  if (decisions.length === 0) {
    j.report.problem(undefined, "no orders to import (the orders table holds none the importer could read)");
    return { records: [], report: j.report, instruments: j.instruments };
  }
  const firstDecision = decisions.map((d) => d.ts).reduce((a, b) => (before(b, a) ? b : a));
  const { first, latest } = j.starts(t.keyValues);
  const opening = first !== undefined && before(first, firstDecision) ? first : firstDecision;
  const out: OutRecord[] = [j.snapshot(opening, { file: "KeyValueStore", line: 0 })];
  if (latest !== undefined && before(opening, latest)) {
    const pos: Pos = { file: "KeyValueStore", line: Number(t.keyValues.find((r) => r["key"] === "startup_time")?.["_rowid"] ?? 0) };
    out.push({ ts: latest, pos, fields: { type: "restart", ts: latest, reason: "startup_time" } }, j.snapshot(latest, pos));
  }
  // In time order already (a snapshot before the decisions of its instant), so the report's
  // "out of time order in the source" speaks of the database, not of how it was read.
  const records = [...out, ...decisions].map((r, i) => ({ r, i, at: instantOf(r.ts) }))
    .sort((a, b) => compareInstants(a.at, b.at) || a.i - b.i).map((x) => x.r);
  return { records, report: j.report, instruments: j.instruments };
}
