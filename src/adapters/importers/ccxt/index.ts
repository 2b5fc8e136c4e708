// ccxt's unified records → canonical broker events. One importer for every exchange ccxt speaks
// to (Binance, Bybit, OKX, Kraken, Coinbase, ...), because ccxt gives them one shape:
//
//   order     (fetchOrder(s), fetchOpen/Closed/CanceledOrders, createOrder, cancelOrder)
//             -> order_accepted; canceled/expired -> order_cancelled; rejected -> order_rejected;
//             its filled amount at its average price -> one fill, only when none of its trades
//             is in the input (else the trades are its fills, and a shortfall is reported)
//   trade     (fetchMyTrades, fetchOrderTrades, an order's `trades`) -> fill: `order` is the
//             exchange's order id, `fee`/`fees` the fee in the currency charged
//   position  (a fetchPositions listing) -> position_snapshot, at --as-of: a listing carries no
//             time of its own
//   market    (fetchMarkets) -> no record; its precision.price is the tick size for --instruments
//
// Input: the records as ccxt returns them, in any framing (one document, an array, JSON Lines),
// or ccxt's own recorded responses ({"exchange", "methods": {name: [{input, parsedResponse}]}},
// as its test suite keeps them), where each case is read as the method it records.
//
// The engine's key: an order's clientOrderId (the id the bot sent), or with --order-key id the
// exchange's order id (for bots that send none, such as freqtrade, which journals the exchange's
// id). A clientOrderId that several orders share is no order's key: reported, and those orders
// are keyed ccxt:order:<id>, as are orders without one. Symbols: crypto-symbols.ts.

import { add, type Dec, decFromInt, isZero, neg, SCALE_DIGITS, sign, sub, ZERO } from "../../../domain/decimal.js";
import { safeIntegerOfJsonNumber } from "../../../domain/json-text.js";
import { compareInstants, instantFromMs } from "../../../domain/time.js";
import {
  decOf, decOfRounded, decText, ImportReport, type ImportOptions, type ImportResult, instantOf, isObject, type Json, type OutRecord,
  type Pos, snapshotEventId, str, toUtc,
} from "../common.js";
import { type CryptoSymbol, parseCcxtSymbol, stateCryptoInstrument } from "../crypto-symbols.js";
import { InstrumentFacts, sizeText } from "../instruments.js";
import { type JsonItem, isObjectItem } from "../json-values.js";

export const ORDER_KEYS = ["clientOrderId", "id"] as const;
export type OrderKey = (typeof ORDER_KEYS)[number];

export interface CcxtOptions extends ImportOptions {
  readonly orderKey?: OrderKey | undefined;
}

const ORDER_METHODS = new Set(["createOrder", "createOrders", "editOrder", "fetchOrder", "fetchOrders", "fetchOpenOrders", "fetchOpenOrder",
  "fetchClosedOrders", "fetchClosedOrder", "fetchCanceledOrders", "fetchCanceledAndClosedOrders", "cancelOrder", "cancelOrders",
  "createMarketBuyOrderWithCost", "createMarketSellOrderWithCost"]);
const TRADE_METHODS = new Set(["fetchMyTrades", "fetchOrderTrades"]);
const CANCEL_STATUSES = new Set(["canceled", "cancelled", "expired"]);
const TERMINAL_STATUSES = new Set([...CANCEL_STATUSES, "closed", "rejected"]);

/** Everything the input says about one exchange order, merged over every copy of it. */
interface OrderFacts {
  readonly id: string;
  readonly pos: Pos;
  /** The recorded response it came from, said before its problems. */
  readonly context: string;
  instrument: CryptoSymbol;
  ts: string;
  clientOrderId: string | undefined;
  side: "buy" | "sell" | undefined;
  amount: Dec | undefined;
  limitPrice: Dec | undefined;
  status: string | undefined;
  filled: Dec;
  average: Dec | undefined;
  lastTradeTs: string | undefined;
  lastUpdateTs: string | undefined;
  latest: Json;
}

interface TradeRecord {
  readonly out: OutRecord;
  readonly orderId: string;
  readonly qty: Dec;
}

/** A ccxt time: `timestamp` (epoch ms), else `datetime` (ISO 8601); undefined when neither is there. */
function timeOf(v: Json, msKey = "timestamp", isoKey = "datetime"): string | undefined {
  const ms = safeIntegerOfJsonNumber(v[msKey]);
  if (ms !== undefined && ms > 0) return instantFromMs(ms).text;
  const iso = str(v[isoKey]);
  return iso === undefined ? undefined : toUtc(iso);
}

function sideOf(value: unknown): "buy" | "sell" | undefined {
  const s = str(value)?.toLowerCase();
  return s === "buy" || s === "sell" ? s : undefined;
}

const positive = (d: Dec | undefined): Dec | undefined => (d === undefined || sign(d) <= 0 ? undefined : d);
const ONE = decFromInt(1);

class CcxtImporter {
  readonly report = new ImportReport();
  readonly instruments = new InstrumentFacts({
    asset_class: "not stated: the symbol does not follow ccxt's naming (BASE/QUOTE, BASE/QUOTE:SETTLE)",
    tick_size: "not stated by the records (ccxt states it on the market, precision.price: import fetchMarkets output with them)",
  });
  private readonly out: OutRecord[] = [];
  private readonly orders = new Map<string, OrderFacts>();
  private readonly trades = new Map<string, TradeRecord>();
  private readonly positionLists: { pos: Pos; list: Json[]; prefix: string }[] = [];
  private readonly positionGroups = new Map<number, { pos: Pos; list: Json[] }>();
  private readonly spotSymbols = new Set<string>();
  /** Where a recorded response's case sits, said before each of its problems. */
  private context = "";

  constructor(private readonly opts: CcxtOptions) {}

  private problem(pos: Pos, reason: string): void {
    this.report.problem(pos, this.context + reason);
  }

  feed(item: JsonItem): void {
    if (!isObjectItem(item, this.report, "a JSON object (a ccxt order, trade, position or market, or ccxt's recorded responses)")) return;
    const v = item.value;
    if (isObject(v["methods"])) return this.recorded(v["methods"], item.pos, str(v["exchange"]));
    this.record(v, item.pos, item.pos.item === undefined ? undefined : item.group);
  }

  /** One unified structure; `group` is its array's, when it came in one (a listing). */
  private record(v: Json, pos: Pos, group: number | undefined): void {
    if (v["precision"] !== undefined && v["base"] !== undefined && v["quote"] !== undefined) return this.market(v, pos);
    if (v["contracts"] !== undefined || v["entryPrice"] !== undefined) {
      if (group === undefined) return this.problem(pos, "a single position is not a complete position snapshot: not imported (use a fetchPositions listing)");
      const g = this.positionGroups.get(group) ?? { pos: { file: pos.file, line: pos.line }, list: [] };
      g.list.push(v);
      this.positionGroups.set(group, g);
      return;
    }
    if ("status" in v && ("filled" in v || "remaining" in v || "clientOrderId" in v)) return this.order(v, pos);
    if ("takerOrMaker" in v || ("order" in v && "amount" in v)) return this.trade(v, pos);
    if (v["code"] !== undefined && v["rate"] !== undefined) return this.report.ignore("funding payment (not an execution)");
    this.problem(pos, `not a ccxt order, trade, position or market (keys: ${Object.keys(v).slice(0, 6).join(", ")})`);
  }

  /** ccxt's recorded responses: each case's parsed response, read as the method it records. */
  private recorded(methods: Json, pos: Pos, exchange: string | undefined): void {
    for (const [method, cases] of Object.entries(methods)) {
      if (!Array.isArray(cases)) continue;
      cases.forEach((c, i) => {
        this.context = `${exchange ?? "ccxt"} ${method}[${i}]: `;
        const parsed = isObject(c) ? c["parsedResponse"] : undefined;
        if (parsed === undefined || parsed === null) return this.problem(pos, "a case without a parsedResponse: nothing to import");
        const list = Array.isArray(parsed) ? parsed : [parsed];
        if (ORDER_METHODS.has(method)) return list.forEach((o) => (isObject(o) ? this.order(o, pos) : undefined));
        if (TRADE_METHODS.has(method)) return list.forEach((t) => (isObject(t) ? this.trade(t, pos) : undefined));
        if (method === "fetchMarkets") return list.forEach((m) => (isObject(m) ? this.market(m, pos) : undefined));
        if (method === "fetchPositions" || method === "fetchPosition") return this.recordedPositions(method, c as Json, list, pos);
        if (method === "fetchTrades") return this.report.ignore("ccxt fetchTrades response (the market's public trades, not the account's)");
        this.report.ignore(`ccxt ${method} response (no orders, trades or positions)`);
      });
    }
    this.context = "";
  }

  private recordedPositions(method: string, c: Json, list: unknown[], pos: Pos): void {
    const input = Array.isArray(c["input"]) ? c["input"] : [];
    if (method === "fetchPosition" || !Array.isArray(c["parsedResponse"])) {
      return this.problem(pos, "a single position is not a complete position snapshot: not imported (use a fetchPositions listing)");
    }
    if (Array.isArray(input[0]) && input[0].length > 0) {
      return this.problem(pos, `the positions of ${input[0].map(String).join(", ")} only: not a snapshot of the whole book; not imported`);
    }
    this.positionLists.push({ pos, list: list.filter(isObject), prefix: this.context });
  }

  private instrumentOf(v: Json, pos: Pos): CryptoSymbol | undefined {
    const raw = str(v["symbol"]);
    const s = raw === undefined ? undefined : parseCcxtSymbol(raw);
    if (s === undefined) {
      this.problem(pos, `symbol ${JSON.stringify(v["symbol"] ?? null)}: expected a ccxt unified symbol (BTC/USDT, ETH/USDT:USDT); not imported`);
      return undefined;
    }
    stateCryptoInstrument(this.instruments, s, pos);
    if (s.market === "spot") this.spotSymbols.add(s.symbol);
    return s;
  }

  /** A market: no record, but its tick size and contract size for --instruments. */
  private market(m: Json, pos: Pos): void {
    this.report.ignore("market (read for --instruments)");
    const s = this.instrumentOf(m, pos);
    if (s === undefined) return;
    const precision = isObject(m["precision"]) ? decOf(m["precision"]["price"]) : undefined;
    if (precision !== undefined && sign(precision) > 0) {
      if (precision < ONE) this.instruments.state(s.symbol, { tick_size: sizeText(decText(precision)) }, pos);
      else {
        this.instruments.hint(s.symbol, "tick_size", `the market's precision.price is ${decText(precision)}: a tick size or a number of decimal places, ` +
          "as the exchange's precisionMode says, which a market does not state");
      }
    }
    this.noteContractSize(s, m["contractSize"]);
  }

  /** A contract of another size than 1: its quantities count contracts, not units of its base. */
  private noteContractSize(s: CryptoSymbol, value: unknown): void {
    const size = decOf(value);
    if (size !== undefined && size !== ONE) {
      this.report.note(`${s.symbol}: a contract is ${decText(size)} of ${s.base} (contractSize): quantities of it are in contracts, as ccxt gives them`);
    }
  }

  private order(o: Json, pos: Pos): void {
    const id = str(o["id"]);
    if (id === undefined) return this.problem(pos, "an order without an id: not imported");
    const ts = timeOf(o);
    if (ts === undefined) {
      return this.problem(pos, `order ${id}: no timestamp (ccxt leaves it null where the exchange's answer carries none, as answers to createOrder often do): ` +
        "not imported; import the order as fetchOrder or fetchOrders return it");
    }
    const instrument = this.instrumentOf(o, pos);
    if (instrument === undefined) return;
    const f: OrderFacts = this.orders.get(id) ?? {
      id, pos, context: this.context, instrument, ts, clientOrderId: undefined, side: undefined, amount: undefined, limitPrice: undefined, status: undefined,
      filled: ZERO, average: undefined, lastTradeTs: undefined, lastUpdateTs: undefined, latest: o,
    };
    this.orders.set(id, f);
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
    for (const t of Array.isArray(o["trades"]) ? o["trades"] : []) {
      if (!isObject(t)) continue;
      if (t["amount"] === null || t["amount"] === undefined || t["price"] === null || t["price"] === undefined) {
        this.report.ignore("trade named inside an order without its amount or price");
        continue;
      }
      this.trade({ ...t, order: t["order"] ?? id, symbol: t["symbol"] ?? o["symbol"], side: t["side"] ?? o["side"] }, pos);
    }
  }

  private trade(t: Json, pos: Pos): void {
    if (isObject(t["info"]) && t["info"]["execType"] === "Funding") return this.report.ignore("funding settlement (Bybit execType Funding: not an execution)");
    const orderId = str(t["order"]);
    const id = str(t["id"]);
    if (orderId === undefined) {
      return this.problem(pos, `trade ${id ?? ""}: names no order (its "order" is null: a public trade, or an exchange that does not link fills to orders); not imported`);
    }
    const instrument = this.instrumentOf(t, pos);
    if (instrument === undefined) return;
    const ts = timeOf(t);
    const side = sideOf(t["side"]);
    const qty = positive(decOf(t["amount"]));
    const price = positive(decOf(t["price"]));
    if (ts === undefined || side === undefined || qty === undefined || price === undefined) {
      return this.problem(pos, `trade ${id ?? ""} of order ${orderId}: expected a timestamp, side buy/sell, a positive amount and price (exact in ${SCALE_DIGITS} decimal places); not imported`);
    }
    const eventId = `ccxt:trade:${instrument.symbol}:${id ?? `${orderId}@${ts}`}`;
    const fields: Record<string, unknown> = {
      type: "fill", ts, event_id: eventId, client_order_id: "", broker_order_id: orderId, symbol: instrument.symbol, side, qty: decText(qty), price: decText(price),
    };
    Object.assign(fields, this.feeFields(t, pos, `trade ${id ?? ""}`));
    const previous = this.trades.get(eventId);
    if (previous !== undefined) {
      if (JSON.stringify(previous.out.fields) !== JSON.stringify(fields)) this.problem(pos, `trade ${id ?? ""} seen twice with different content: the first is kept`);
      else this.report.ignore("trade seen again (same content)");
      return;
    }
    const out: OutRecord = { ts, pos, fields };
    this.trades.set(eventId, { out, orderId, qty });
    this.out.push(out);
  }

  /** fee / fees as a fill's fee and fee_currency: one currency, a non-negative amount; else reported. */
  private feeFields(x: Json, pos: Pos, what: string): Record<string, string> {
    const list = Array.isArray(x["fees"]) && x["fees"].length > 0 ? x["fees"] : isObject(x["fee"]) ? [x["fee"]] : [];
    const entries = list.filter(isObject).map((f) => ({ cost: decOf(f["cost"]), currency: str(f["currency"]) }))
      .filter((e): e is { cost: Dec; currency: string | undefined } => e.cost !== undefined && !isZero(e.cost));
    if (entries.length === 0) return {};
    const currencies = [...new Set(entries.map((e) => e.currency ?? "(none)"))];
    if (currencies.length > 1) {
      this.problem(pos, `${what}: fees in ${currencies.join(" and ")}: a fill carries a fee in one currency; imported without its fees`);
      return {};
    }
    const cost = entries.reduce((sum, e) => add(sum, e.cost), ZERO);
    if (sign(cost) < 0) {
      this.problem(pos, `${what}: fee ${decText(cost)} (a rebate): the broker log takes fees of zero or more; imported without it`);
      return {};
    }
    if (entries[0]!.currency === undefined) this.report.note("fees without a currency: the replay takes them in the symbol's quote currency");
    return entries[0]!.currency === undefined ? { fee: decText(cost) } : { fee: decText(cost), fee_currency: entries[0]!.currency };
  }

  /** The events an order's merged state implies. */
  private orderEvents(f: OrderFacts, executed: Dec | undefined): void {
    this.context = f.context;
    const scope = `ccxt:order:${f.instrument.symbol}:${f.id}`;
    const base = { client_order_id: "", broker_order_id: f.id };
    if (f.status === "rejected") {
      this.push({ type: "order_rejected", ts: f.lastUpdateTs ?? f.ts, event_id: `${scope}:rejected`, ...base, reason: "rejected" }, f);
      return;
    }
    if (f.side === undefined || f.amount === undefined) {
      return this.problem(f.pos, `order ${f.id}: expected side buy/sell and a positive amount, got ${JSON.stringify(f.latest["side"] ?? null)} / ${JSON.stringify(f.latest["amount"] ?? null)}; not imported`);
    }
    this.push({
      type: "order_accepted", ts: f.ts, event_id: `${scope}:accepted`, ...base, symbol: f.instrument.symbol, side: f.side, qty: decText(f.amount),
      ...(f.limitPrice === undefined ? {} : { limit_price: decText(f.limitPrice) }),
    }, f);
    this.orderTotals(f, scope, executed);
    if (f.status !== undefined && CANCEL_STATUSES.has(f.status)) {
      const at = f.lastUpdateTs ?? f.lastTradeTs;
      if (at === undefined) return this.problem(f.pos, `order ${f.id} is ${f.status} but states no time of it (lastUpdateTimestamp): the cancel is not imported`);
      this.out.push({ ts: at, pos: f.pos, fields: { type: "order_cancelled", ts: at, event_id: `${scope}:${f.status}`, broker_order_id: f.id, reason: f.status } });
    }
  }

  /** The order's filled amount: its fill when the input has none of its trades, else a check that they add up. */
  private orderTotals(f: OrderFacts, scope: string, executed: Dec | undefined): void {
    if (isZero(f.filled)) return;
    if (executed !== undefined) {
      if (executed < f.filled) {
        this.problem(f.pos, `order ${f.id}: filled ${decText(f.filled)} but its trades in the input add up to ${decText(executed)}: ` +
          `${decText(sub(f.filled, executed))} not imported (import its trades: fetchMyTrades or fetchOrderTrades)`);
      }
      return;
    }
    const at = f.lastTradeTs ?? f.lastUpdateTs;
    const price = f.average;
    if (at === undefined || price === undefined || f.side === undefined) {
      return this.problem(f.pos, `order ${f.id}: filled ${decText(f.filled)} but states no ${at === undefined ? "time of its fills (lastTradeTimestamp)" : "average price"}: ` +
        "its fill is not imported; import its trades (fetchMyTrades) with it");
    }
    this.out.push({ ts: at, pos: f.pos, fields: {
      type: "fill", ts: at, event_id: `${scope}:filled:${decText(f.filled)}`, client_order_id: "", broker_order_id: f.id, symbol: f.instrument.symbol,
      side: f.side, qty: decText(f.filled), price: decText(price), ...this.feeFields(f.latest, f.pos, `order ${f.id}`),
    } });
  }

  private push(fields: Record<string, unknown>, f: OrderFacts): void {
    this.out.push({ ts: fields["ts"] as string, pos: f.pos, fields });
  }

  /** A positions listing at --as-of: the contracts held, signed by side, at their entry price. */
  private positions(list: readonly Json[], pos: Pos, prefix: string): void {
    this.context = prefix;
    const raw = this.opts.asOf;
    if (raw === undefined) return this.problem(pos, "position listing not imported: it carries no time of its own; pass --as-of with the time it was fetched");
    const ts = toUtc(raw)!;
    const lines: Record<string, unknown>[] = [];
    for (const p of list) {
      const instrument = this.instrumentOf(p, pos);
      if (instrument === undefined) return;
      this.noteContractSize(instrument, p["contractSize"]);
      const contracts = decOf(p["contracts"]);
      if (contracts === undefined || isZero(contracts)) continue;
      const entry = decOfRounded(p["entryPrice"]);
      const side = str(p["side"]);
      if (entry === undefined || sign(entry.dec) <= 0 || (side !== "long" && side !== "short")) {
        return this.problem(pos, `position in ${instrument.symbol}: expected side long/short and an entryPrice, got ${JSON.stringify(p["side"] ?? null)} / ${JSON.stringify(p["entryPrice"] ?? null)}; snapshot not imported`);
      }
      const at = timeOf(p);
      if (at !== undefined && compareInstants(instantOf(at), instantOf(ts)) > 0) {
        return this.problem(pos, `position listing not imported: --as-of ${raw} is before the ${instrument.symbol} position's own time ${at}`);
      }
      lines.push({ symbol: instrument.symbol, qty: decText(side === "short" ? neg(contracts) : contracts), avg_price: decText(entry.dec) });
    }
    const spot = [...this.spotSymbols].sort();
    if (spot.length > 0) {
      return this.problem(pos, `position listing not imported: it states contracts, not spot balances, and the input also trades ${spot.join(", ")}, ` +
        "which a snapshot of the whole book would say are flat");
    }
    lines.sort((a, b) => (String(a["symbol"]) < String(b["symbol"]) ? -1 : 1));
    this.out.push({ ts, pos, fields: { type: "position_snapshot", ts, event_id: snapshotEventId("ccxt:positions", lines, ts), positions: lines } });
  }

  /** The engine's key of each order: --order-key, and a clientOrderId only when no other order shares it. */
  private keys(): Map<string, string> {
    const owners = new Map<string, string[]>();
    for (const f of this.orders.values()) {
      if (f.clientOrderId !== undefined) owners.set(f.clientOrderId, [...(owners.get(f.clientOrderId) ?? []), f.id]);
    }
    const keys = new Map<string, string>();
    for (const f of this.orders.values()) {
      const shared = f.clientOrderId !== undefined && owners.get(f.clientOrderId)!.length > 1;
      if (this.opts.orderKey === "id") keys.set(f.id, f.id);
      else keys.set(f.id, f.clientOrderId !== undefined && !shared ? f.clientOrderId : `ccxt:order:${f.id}`);
    }
    if (this.opts.orderKey !== "id") {
      for (const [coid, ids] of [...owners].filter(([, ids]) => ids.length > 1)) {
        this.context = this.orders.get(ids[0]!)!.context;
        this.problem(this.orders.get(ids[0]!)!.pos, `clientOrderId ${JSON.stringify(coid)} is shared by orders ${ids.join(", ")}: no one order's key; they are keyed ccxt:order:<id>`);
      }
    }
    return keys;
  }

  finish(): ImportResult {
    for (const g of this.positionGroups.values()) this.positionLists.push({ pos: g.pos, list: g.list, prefix: "" });
    for (const l of this.positionLists) this.positions(l.list, l.pos, l.prefix);
    this.context = "";
    const executed = new Map<string, Dec>();
    for (const t of this.trades.values()) executed.set(t.orderId, add(executed.get(t.orderId) ?? ZERO, t.qty));
    for (const f of this.orders.values()) this.orderEvents(f, executed.get(f.id));
    const keys = this.keys();
    this.context = "";
    for (const r of this.out) {
      if (!("client_order_id" in r.fields)) continue;
      const id = String(r.fields["broker_order_id"]);
      const key = keys.get(id) ?? (this.opts.orderKey === "id" ? id : undefined);
      if (key !== undefined) r.fields["client_order_id"] = key;
      else delete r.fields["client_order_id"];
    }
    return { records: this.out, report: this.report, instruments: this.instruments };
  }
}

/** Pure: ccxt's records in, canonical broker records and a report out. */
export function importCcxt(items: Iterable<JsonItem>, opts: CcxtOptions = {}): ImportResult {
  const imp = new CcxtImporter(opts);
  for (const item of items) imp.feed(item);
  return imp.finish();
}
