// OANDA v20 → canonical broker events.
//
// Accepts, in any mix: the transaction stream (JSON Lines with HEARTBEAT lines), and JSON documents
// holding API responses however they are wrapped (a capture keyed by endpoint, an HTTP exchange):
// transaction listings (`GET /transactions/idrange`, `/sinceid`, account changes), single-transaction
// responses (`{"orderCreateTransaction": ..., "orderFillTransaction": ...}`), order listings (pending
// orders → order_accepted at createTime) and open-position / open-trade listings (→ one
// position_snapshot each, right after their lastTransactionID, see placeSnapshot).
//
// Everything that needs the whole input is settled at the end (finish): exit orders known from any
// record, listings' places in time, the account's currency of fees and financing, gaps in ids.
//
// Client order ids are resolved at the end, once every transaction has been seen, because OANDA
// can attach one after the order was created (ORDER_CLIENT_EXTENSIONS_MODIFY) and a replacement
// order inherits the id of the order it replaces (replace chains keep the engine's key). An order
// with no client id at all gets `oanda:order:<orderID>`, which no engine sent: it is an orphan.

import { type Dec, add, div as divDec, isZero, mul as mulDec, sign, ZERO } from "../../../domain/decimal.js";
import {
  absDec, decOf, decText, ImportReport, type ImportOptions, type ImportResult, instantOf, isObject, type Json, type OutRecord,
  type Pos, snapshotEventId, str, symbolOf, toUtc, where, type BrokerSeq,
} from "../common.js";
import { compareInstants } from "../../../domain/time.js";
import { plural } from "../../../report/plural.js";
import { InstrumentFacts, sizeText } from "../instruments.js";
import { isObjectItem, type JsonItem } from "../json-values.js";
import type { AssetClass } from "../../../domain/instruments.js";

/** Order-creating transactions the engine (or a person) places: each is an order_accepted. */
const ENTRY_ORDER_TYPES = new Set(["MARKET_ORDER", "LIMIT_ORDER", "STOP_ORDER", "MARKET_IF_TOUCHED_ORDER", "FIXED_PRICE_ORDER"]);
/** Exit orders attached to a trade (take-profit, stop-loss): no units or instrument of their own. */
const EXIT_ORDER_TYPES = new Set(["TAKE_PROFIT_ORDER", "STOP_LOSS_ORDER", "TRAILING_STOP_LOSS_ORDER", "GUARANTEED_STOP_LOSS_ORDER"]);
const ENTRY_REJECT_TYPES = new Set([...ENTRY_ORDER_TYPES].map((t) => `${t}_REJECT`));
/** Transaction types that move no order, fill or position the replay tracks (v20 TransactionType). */
const NON_TRADING_TYPES = new Set([
  "CREATE", "CLOSE", "REOPEN", "CLIENT_CONFIGURE", "CLIENT_CONFIGURE_REJECT", "TRANSFER_FUNDS", "TRANSFER_FUNDS_REJECT",
  "TAKE_PROFIT_ORDER_REJECT", "STOP_LOSS_ORDER_REJECT", "TRAILING_STOP_LOSS_ORDER_REJECT", "GUARANTEED_STOP_LOSS_ORDER_REJECT",
  "ORDER_CANCEL_REJECT", "ORDER_CLIENT_EXTENSIONS_MODIFY_REJECT", "TRADE_CLIENT_EXTENSIONS_MODIFY",
  "TRADE_CLIENT_EXTENSIONS_MODIFY_REJECT", "MARGIN_CALL_ENTER", "MARGIN_CALL_EXTEND", "MARGIN_CALL_EXIT",
  "DELAYED_TRADE_CLOSURE", "DIVIDEND_ADJUSTMENT", "RESET_RESETTABLE_PL",
]);
/** Response keys holding one transaction each (order create/replace/close responses). */
const TX_KEY = /Transaction$/;
/** Parts of a recorded HTTP exchange that the client sent: beside a "response", not the broker's word. */
const HTTP_REQUEST_PARTS = new Set(["url", "params", "body", "request", "headers", "data"]);
/** OANDA's instrument types in our asset classes. */
const OANDA_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = { CURRENCY: "fx", CFD: "cfd", METAL: "commodity" };
/** Order fields that make the broker create exit orders when the order fills. */
const ON_FILL_KEYS = ["takeProfitOnFill", "stopLossOnFill", "trailingStopLossOnFill", "guaranteedStopLossOnFill"];

interface OrderInfo {
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

class OandaImporter {
  readonly report = new ImportReport();
  private readonly out: OutRecord[] = [];
  private readonly pending: Pending[] = [];
  private readonly orders = new Map<string, OrderInfo>();
  /** Orders known to be take-profit / stop-loss orders of a trade (from any record of the input). */
  private readonly exitOrderIds = new Set<string>();
  /** Cancels, written unless the cancelled order turns out to be an exit order. */
  private readonly cancels: { out: OutRecord; orderId: string }[] = [];
  /** Orders seen only in listings, settled at the end against the transactions seen. */
  private readonly listedOrders: { order: Json; pos: Pos }[] = [];
  /** Position / trade listings, placed in time at the end (see placeSnapshot). */
  private readonly snapshots: PendingSnapshot[] = [];
  /** Every transaction seen, per account: where it was and when (gaps across files, placement). */
  private readonly seenTx = new Map<string, Map<bigint, SeenTx>>();
  /** Ranges of missing ids already reported inside one stream or listing. */
  private readonly gapsReported: (readonly [bigint, bigint])[] = [];
  /** Home currency per account, from account details in the input: OANDA states amounts in it. */
  private readonly accountCurrency = new Map<string, string>();
  /** Records whose amounts are in the account's home currency, completed (or dropped) at the end. */
  private readonly inHomeCurrency: { out: OutRecord; account: string; field: "fee_currency" | "currency"; what: string }[] = [];
  /** Last transaction id delivered by the current stream or listing (gap detection). */
  private lastId: bigint | undefined;
  private file: string | undefined;
  readonly instruments = new InstrumentFacts({
    asset_class: "not stated by the source (OANDA states an instrument's type in its instruments listing, GET /v3/accounts/{accountID}/instruments: import it with the records)",
    tick_size: "not stated by the source (OANDA states no tick size)",
  });

  constructor(private readonly opts: ImportOptions) {}

  feed(item: JsonItem): void {
    if (item.pos.file !== this.file) {
      this.file = item.pos.file;
      this.lastId = undefined; // ids are contiguous within one stream or listing, not across files
    }
    if (!isObjectItem(item, this.report, "a JSON object (a transaction or an API response)")) return;
    const v = item.value;
    if (typeof v["type"] === "string") {
      this.transaction(v, item.pos, true);
      return;
    }
    this.document(v, item.pos);
  }

  /**
   * A JSON document: a REST response, or anything holding responses (a capture keyed by endpoint,
   * `{"_v3_...": {"url", "response": {...}}}`). Every transaction list, single transaction, order
   * listing and position or trade listing is read wherever it sits, and each path read is noted.
   */
  private document(doc: Json, pos: Pos): void {
    const read: string[] = [];
    const recognized = this.walk(doc, "$", pos, undefined, read);
    for (const r of read) this.report.note(`${where(pos)}: read ${r}`);
    if (!recognized) {
      this.report.problem(pos, "not an OANDA transaction, transaction listing, order, position or trade listing (no \"type\", \"transactions\", \"*Transaction\", \"orders\", \"positions\" or \"trades\" anywhere in it)");
    }
  }

  /** One object of a document: an OANDA response (it has a key OANDA answers with) or a wrapper. */
  private walk(node: Json, path: string, pos: Pos, inheritedLastTx: string | undefined, read: string[]): boolean {
    const lastTx = str(node["lastTransactionID"]) ?? inheritedLastTx;
    const transactions = this.readTransactions(node, path, pos, read);
    const state = this.readState(node, path, pos, lastTx, read);
    return node["lastTransactionID"] !== undefined || transactions || state || this.descend(node, path, pos, lastTx, read);
  }

  /** A response's transactions: a list (idrange, sinceid, account changes), or single ones by key. */
  private readTransactions(node: Json, path: string, pos: Pos, read: string[]): boolean {
    let response = false;
    const listing = Array.isArray(node["transactions"]) ? { list: node["transactions"], at: `${path}.transactions` }
      : isObject(node["changes"]) && Array.isArray(node["changes"]["transactions"]) ? { list: node["changes"]["transactions"], at: `${path}.changes.transactions` }
        : undefined;
    if (listing !== undefined) {
      response = true;
      this.transactionList(listing.list, pos);
      read.push(`${listing.at} (${listing.list.length} transaction${listing.list.length === 1 ? "" : "s"})`);
    }
    // Single-transaction keys: orderCreateTransaction, orderFillTransaction, ... in id order.
    const singles = Object.keys(node).filter((k) => (TX_KEY.test(k) || k === "transaction") && isObject(node[k]))
      .map((k) => ({ key: k, tx: node[k] as Json }))
      .sort((a, b) => compareIds(str(a.tx["id"]), str(b.tx["id"])));
    for (const { key, tx } of singles) {
      response = true;
      this.transaction(tx, pos, false);
      read.push(`${path}.${key}`);
    }
    if (singles.length > 0) this.dependentOrders(singles.map((x) => x.tx), node["relatedTransactionIDs"]);
    return response;
  }

  /** A response's state: order, position and trade listings, an account, listings with nothing to import. */
  private readState(node: Json, path: string, pos: Pos, lastTx: string | undefined, read: string[]): boolean {
    let response = false;
    if (Array.isArray(node["orders"])) {
      response = true;
      this.orderListing(node["orders"], pos);
      read.push(`${path}.orders (${node["orders"].length} order${node["orders"].length === 1 ? "" : "s"})`);
    }
    if (isObject(node["order"])) {
      response = true;
      if (str(node["order"]["id"]) === undefined) this.report.problem(pos, `${path}.order: an order request body (what was asked, not what the broker did): not imported`);
      else {
        this.orderListing([node["order"]], pos);
        read.push(`${path}.order`);
      }
    }
    if (isObject(node["position"]) || isObject(node["trade"])) {
      // One instrument's position (or one trade) is not the whole book: as a snapshot it would
      // make every other position vanish.
      response = true;
      const what = isObject(node["position"]) ? "position" : "trade";
      this.report.problem(pos, `${path}.${what}: a single ${what} is not a complete position snapshot: not imported (use openPositions / openTrades)`);
    }
    if (Array.isArray(node["positions"])) {
      response = true;
      this.positionSnapshot(node["positions"], "positions", lastTx, pos);
      read.push(`${path}.positions`);
    } else if (Array.isArray(node["trades"])) {
      response = true;
      this.exitOrdersOfTrades(node["trades"]);
      this.positionSnapshot(node["trades"], "trades", lastTx, pos);
      read.push(`${path}.trades`);
    }
    if (isObject(node["account"])) {
      response = true;
      const account = node["account"];
      const id = str(account["id"]);
      const currency = str(account["currency"]);
      if (id !== undefined && currency !== undefined) this.accountCurrency.set(id, currency);
      const before = read.length;
      this.walk(account, `${path}.account`, pos, lastTx, read);
      if (read.length === before) this.report.ignore("account summary (no orders, trades or positions in it)");
    }
    if (Array.isArray(node["pages"]) && read.length === 0) {
      response = true;
      this.report.problem(pos, `${path}.pages: a transaction page index (URLs): fetch the pages (transactions/idrange) and import those`);
    }
    for (const key of ["accounts", "instruments", "prices"]) {
      if (Array.isArray(node[key])) {
        response = true;
        if (key === "instruments") this.instrumentListing(node[key], pos);
        this.report.ignore(key === "prices" ? "pricing listing" : "account or instrument listing");
      }
    }
    return response;
  }

  /** A wrapper: look inside. Beside a "response", the request parts are what the client sent. */
  private descend(node: Json, path: string, pos: Pos, lastTx: string | undefined, read: string[]): boolean {
    const exchange = isObject(node["response"]) || Array.isArray(node["response"]);
    let found = false;
    for (const [key, value] of Object.entries(node)) {
      if (exchange && HTTP_REQUEST_PARTS.has(key)) continue;
      const at = `${path}.${key}`;
      if (isObject(value)) found = this.walk(value, at, pos, lastTx, read) || found;
      else if (Array.isArray(value) && value.length > 0 && value.every((v) => isObject(v) && typeof v["type"] === "string")) {
        // A recorded stream: transactions and heartbeats, one after the other.
        this.lastId = undefined;
        value.forEach((tx, i) => this.transaction(tx as Json, { file: pos.file, line: pos.line, item: i }, true));
        read.push(`${at} (${value.length} stream line${value.length === 1 ? "" : "s"})`);
        found = true;
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (isObject(v)) found = this.walk(v, `${at}[${i}]`, pos, lastTx, read) || found;
        });
      }
    }
    return found;
  }

  /** An instrument name as a symbol. OANDA names an instrument BASE_QUOTE, so the name states its quote currency. */
  private named(instrument: string, pos: Pos): string {
    const symbol = symbolOf(instrument);
    const quote = /^[A-Z0-9]+_([A-Z]{3})$/.exec(instrument)?.[1];
    this.instruments.state(symbol, { quote_currency: quote }, pos);
    return symbol;
  }

  /**
   * The instruments listing: no record, but each instrument's type (CURRENCY, CFD, METAL) and its
   * pip (10^pipLocation), which is a currency pair's pip size. OANDA states no tick size; for the
   * others, what it does state is passed on beside the placeholder.
   */
  private instrumentListing(list: unknown[], pos: Pos): void {
    list.forEach((item, i) => {
      const name = isObject(item) ? str(item["name"]) : undefined;
      if (!isObject(item) || name === undefined) return;
      const at: Pos = { file: pos.file, line: pos.line, item: i };
      const symbol = this.named(name, at);
      const type = str(item["type"]) ?? "";
      const asset = OANDA_ASSET_CLASSES[type];
      if (asset === undefined) this.instruments.hint(symbol, "asset_class", `OANDA's type ${JSON.stringify(type)} is none of them`);
      const location = str(item["pipLocation"]);
      const pip = location !== undefined && /^-?\d{1,2}$/.test(location) ? sizeText(`1e${location}`) : undefined;
      this.instruments.state(symbol, { asset_class: asset, pip_size: asset === "fx" ? pip : undefined }, at);
      const places = str(item["displayPrecision"]);
      if (asset !== "fx" && pip !== undefined) {
        this.instruments.hint(symbol, "tick_size", `OANDA states no tick size; its instruments listing gives a pip of ${pip} (pipLocation ${location})` +
          (places === undefined || !/^\d+$/.test(places) ? "" : ` and prices to ${plural(Number(places), "decimal place")} (displayPrecision)`));
      }
    });
  }

  private transactionList(list: unknown[], pos: Pos): void {
    this.lastId = undefined;
    list.forEach((tx, i) => {
      const at = { file: pos.file, line: pos.line, item: i };
      if (isObject(tx) && typeof tx["type"] === "string") this.transaction(tx, at, true);
      else this.report.problem(at, "expected a transaction object with a type");
    });
  }

  /**
   * An order that fills with take-profit / stop-loss "on fill" creates them in the same batch, right
   * after the fill; a response lists their ids in relatedTransactionIDs without including them.
   */
  private dependentOrders(txs: Json[], related: unknown): void {
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

  private exitOrdersOfTrades(trades: unknown[]): void {
    for (const t of trades) {
      if (!isObject(t)) continue;
      for (const key of ["takeProfitOrder", "stopLossOrder", "trailingStopLossOrder", "guaranteedStopLossOrder"]) {
        const id = str(t[`${key}ID`]) ?? (isObject(t[key]) ? str(t[key]["id"]) : undefined);
        if (id !== undefined) this.exitOrderIds.add(id);
      }
    }
  }

  /**
   * An order listing (pending orders, or all orders) is state: what the broker holds. A pending entry
   * order the input has no creating transaction for becomes an order_accepted at its createTime; a
   * cancelled one whose cancel is not in the input an order_cancelled; a filled one cannot give a
   * fill (a listing carries no fill price), so it is reported unless its fill is in the input.
   */
  private orderListing(list: unknown[], pos: Pos): void {
    if (list.length === 0) this.report.ignore("empty order listing");
    list.forEach((o, i) => {
      const at: Pos = list.length === 1 ? pos : { file: pos.file, line: pos.line, item: i };
      if (!isObject(o) || str(o["id"]) === undefined || str(o["type"]) === undefined) {
        this.report.problem(at, "order listing: expected an order with \"id\" and \"type\"");
        return;
      }
      const type = str(o["type"])!;
      if (EXIT_ORDER_TYPES.has(`${type}_ORDER`)) {
        this.exitOrderIds.add(str(o["id"])!);
        this.report.ignore(`${type} order in a listing (exit order attached to a trade)`);
        return;
      }
      this.listedOrders.push({ order: o, pos: at });
    });
  }

  private transaction(tx: Json, pos: Pos, sequential: boolean): void {
    const type = str(tx["type"])!;
    if (type === "HEARTBEAT") {
      this.heartbeat(tx, pos);
      return;
    }
    if (type === "PRICE") {
      this.report.ignore("PRICE (pricing stream line)");
      return;
    }
    const id = str(tx["id"]);
    const ts = toUtc(str(tx["time"]) ?? "");
    if (id === undefined || !/^\d+$/.test(id)) {
      this.report.problem(pos, `${type}: field "id": expected a transaction id (decimal digits), got ${JSON.stringify(tx["id"])}`);
      return;
    }
    if (ts === undefined) {
      this.report.problem(pos, `${type} ${id}: field "time": expected an RFC 3339 timestamp, got ${JSON.stringify(tx["time"])}`);
      return;
    }
    if (sequential) this.checkSequence(BigInt(id), pos);
    const account = str(tx["accountID"]);
    this.remember(account ?? "", BigInt(id), { ts, pos, type });
    const eventId = account === undefined ? `oanda:${id}` : `oanda:${account}:${id}`;
    const ctx: TxContext = { tx, type, id, ts, eventId, pos };
    const from = this.out.length;
    this.dispatch(ctx);
    for (let i = from; i < this.out.length; i += 1) this.out[i]!.seq = { scope: `oanda:${account ?? ""}`, n: BigInt(id) * 2n };
  }

  private dispatch(ctx: TxContext): void {
    const { type, id, pos } = ctx;
    if (ENTRY_ORDER_TYPES.has(type)) this.orderCreate(ctx);
    else if (EXIT_ORDER_TYPES.has(type)) this.exitOrder(ctx);
    else if (type === "ORDER_FILL") this.fill(ctx);
    else if (type === "ORDER_CANCEL") this.cancel(ctx);
    else if (ENTRY_REJECT_TYPES.has(type)) this.reject(ctx);
    else if (type === "ORDER_CLIENT_EXTENSIONS_MODIFY") this.clientExtensionsModify(ctx);
    else if (type === "DAILY_FINANCING") this.dailyFinancing(ctx);
    else if (NON_TRADING_TYPES.has(type)) {
      // The account's creation states its home currency, the currency of its fees and financing.
      const home = type === "CREATE" ? str(ctx.tx["homeCurrency"]) : undefined;
      if (home !== undefined) this.accountCurrency.set(str(ctx.tx["accountID"]) ?? "", home);
      this.report.ignore(type);
    }
    else this.report.problem(pos, `transaction ${id}: unknown transaction type ${JSON.stringify(type)} (not in the v20 TransactionType list)`);
  }

  private remember(account: string, id: bigint, seen: SeenTx): void {
    let byId = this.seenTx.get(account);
    if (byId === undefined) this.seenTx.set(account, (byId = new Map()));
    if (!byId.has(id)) byId.set(id, seen);
  }

  /** Transaction ids are per-account and contiguous: a jump means transactions never arrived. */
  private checkSequence(id: bigint, pos: Pos): void {
    if (this.lastId !== undefined && id > this.lastId + 1n) {
      this.report.problem(pos, `gap: transactions ${this.lastId + 1n}..${id - 1n} missing before transaction ${id}`);
      this.gapsReported.push([this.lastId + 1n, id - 1n]);
    }
    if (this.lastId === undefined || id > this.lastId) this.lastId = id;
  }

  /** A HEARTBEAT names the account's last transaction id: beyond what the stream delivered is a gap. */
  private heartbeat(hb: Json, pos: Pos): void {
    this.report.ignore("HEARTBEAT");
    const last = str(hb["lastTransactionID"]);
    if (last === undefined) return; // a pricing-stream heartbeat: no transaction id to check
    if (!/^\d+$/.test(last)) {
      this.report.problem(pos, `HEARTBEAT: field "lastTransactionID": expected a transaction id, got ${JSON.stringify(hb["lastTransactionID"])}`);
      return;
    }
    const n = BigInt(last);
    if (this.lastId !== undefined && n > this.lastId) {
      const missing = this.lastId + 1n === n ? `transaction ${n}` : `transactions ${this.lastId + 1n}..${n}`;
      this.report.problem(pos, `gap: HEARTBEAT lastTransactionID=${n} but the stream delivered up to ${this.lastId}; ${missing} never arrived`);
      this.gapsReported.push([this.lastId + 1n, n]);
    }
    // The first heartbeat sets the baseline: transactions before the stream began are not a gap.
    if (this.lastId === undefined || n > this.lastId) this.lastId = n;
  }

  private orderInfo(ctx: TxContext): OrderInfo {
    const ext = isObject(ctx.tx["clientExtensions"]) ? str(ctx.tx["clientExtensions"]["id"]) : undefined;
    const existing = this.orders.get(ctx.id);
    const info: OrderInfo = existing ?? {
      id: ctx.id, type: ctx.type, batchId: str(ctx.tx["batchID"]), ownCoid: undefined, replaces: undefined, fills: 0, created: false,
    };
    info.ownCoid = ext ?? info.ownCoid;
    info.replaces = str(ctx.tx["replacesOrderID"]) ?? info.replaces;
    this.orders.set(ctx.id, info);
    return info;
  }

  private orderCreate(ctx: TxContext): void {
    const info = this.orderInfo(ctx);
    info.created = true;
    const instrument = str(ctx.tx["instrument"]);
    const units = decOf(ctx.tx["units"]);
    if (instrument === undefined || units === undefined || isZero(units)) {
      this.report.problem(ctx.pos, `${ctx.type} ${ctx.id}: expected "instrument" and non-zero signed decimal "units", got ${JSON.stringify(ctx.tx["instrument"])} / ${JSON.stringify(ctx.tx["units"])}`);
      return;
    }
    const fields: Record<string, unknown> = {
      type: "order_accepted", ts: ctx.ts, event_id: ctx.eventId, client_order_id: "", broker_order_id: ctx.id,
      symbol: this.named(instrument, ctx.pos), side: sign(units) > 0 ? "buy" : "sell", qty: decText(absDec(units)),
      oanda_type: ctx.type,
    };
    if (info.replaces !== undefined) fields["replaces_broker_order_id"] = info.replaces;
    this.defer(fields, ctx.pos, ctx.id, undefined, true);
  }

  private exitOrder(ctx: TxContext): void {
    this.orderInfo(ctx);
    this.exitOrderIds.add(ctx.id);
    // An exit order belongs to a trade, not to an engine decision; should it fill, its ORDER_FILL is
    // imported as a fill without a client order id (the replay then shows it as the broker's own).
    this.report.ignore(`${ctx.type} (exit order attached to a trade)`);
  }

  private clientExtensionsModify(ctx: TxContext): void {
    const orderId = str(ctx.tx["orderID"]);
    const mod = isObject(ctx.tx["clientExtensionsModify"]) ? str(ctx.tx["clientExtensionsModify"]["id"]) : undefined;
    const info = orderId === undefined ? undefined : this.orders.get(orderId);
    if (orderId !== undefined && mod !== undefined) {
      if (info !== undefined) info.ownCoid = mod;
      else this.orders.set(orderId, { id: orderId, type: "UNKNOWN", batchId: undefined, ownCoid: mod, replaces: undefined, fills: 0, created: false });
    }
    this.report.ignore("ORDER_CLIENT_EXTENSIONS_MODIFY (client id applied to its order)");
  }

  private fill(ctx: TxContext): void {
    const { tx } = ctx;
    const orderId = str(tx["orderID"]);
    const instrument = str(tx["instrument"]);
    const units = decOf(tx["units"]);
    if (orderId === undefined || instrument === undefined || units === undefined || isZero(units)) {
      this.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: expected "orderID", "instrument" and non-zero signed decimal "units"`);
      return;
    }
    const info = this.orders.get(orderId);
    if (info !== undefined) info.fills += 1;
    const txCoid = str(tx["clientOrderID"]);
    if (txCoid !== undefined) this.learnCoid(orderId, txCoid);
    const fallbackPrice = str(tx["price"]) ?? str(tx["fullVWAP"]);
    // Older fills carry the price only at the top level; newer ones per trade.
    const lots = fillLots(tx).map((l) => ({ ...l, price: l.price ?? fallbackPrice }));
    const prices = new Set(lots.map((l) => l.price));
    const fee = this.fee(ctx);
    const side = sign(units) > 0 ? "buy" : "sell";
    const base = (eventId: string, qty: Dec, price: string | undefined, lotFee: Dec | undefined, extra: Record<string, unknown>) => {
      if (price === undefined) {
        this.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: no fill price (neither the trade's "price" nor "price"/"fullVWAP")`);
        return;
      }
      const fields: Record<string, unknown> = {
        type: "fill", ts: ctx.ts, event_id: eventId, client_order_id: "", broker_order_id: orderId, symbol: this.named(instrument, ctx.pos), side,
        qty: decText(absDec(qty)), price,
      };
      if (lotFee !== undefined && !isZero(lotFee)) fields["fee"] = decText(lotFee);
      Object.assign(fields, extra);
      this.defer(fields, ctx.pos, orderId, txCoid, false);
      if (fields["fee"] !== undefined) this.inHomeCurrency.push({ out: this.out[this.out.length - 1]!, account: str(tx["accountID"]) ?? "", field: "fee_currency", what: "" });
    };
    const halfSpread = str(tx["halfSpreadCost"]);
    const reason = str(tx["reason"]);
    const common: Record<string, unknown> = {};
    if (halfSpread !== undefined) common["half_spread_cost"] = halfSpread;
    if (reason !== undefined) common["oanda_reason"] = reason;
    this.financing(ctx, decOf(tx["financing"]), this.named(instrument, ctx.pos), `${ctx.eventId}:financing`);
    if (lots.length === 0 || (prices.size === 1 && !prices.has(undefined))) {
      // The usual case: every lot at one price, so one execution.
      base(ctx.eventId, units, lots[0]?.price ?? fallbackPrice, fee, common);
      return;
    }
    // Lots at different prices: one fill per lot, so the engine's average cost stays exact.
    lots.forEach((lot, i) => {
      base(`${ctx.eventId}:${lot.kind}:${lot.tradeId ?? i}`, lot.units, lot.price ?? fallbackPrice, i === 0 ? fee : undefined, common);
    });
  }

  /**
   * Financing booked by a transaction (a fill that closes a trade, DAILY_FINANCING): its own record,
   * kept out of the trade's P&L, in the account's home currency (known once the input's account
   * details are read).
   */
  private financing(ctx: TxContext, amount: Dec | undefined, symbol: string | undefined, eventId: string): void {
    if (amount === undefined || isZero(amount)) return;
    const fields: Record<string, unknown> = { type: "financing", ts: ctx.ts, event_id: eventId, amount: decText(amount), currency: "" };
    if (symbol !== undefined) fields["symbol"] = symbol;
    const out: OutRecord = { ts: ctx.ts, fields, pos: ctx.pos };
    this.out.push(out);
    this.inHomeCurrency.push({ out, account: str(ctx.tx["accountID"]) ?? "", field: "currency", what: `${ctx.type} ${ctx.id}: financing ${decText(amount)}` });
  }

  /** DAILY_FINANCING: one financing record per instrument it names, else one for the account. */
  private dailyFinancing(ctx: TxContext): void {
    const per = Array.isArray(ctx.tx["positionFinancings"]) ? ctx.tx["positionFinancings"].filter(isObject) : [];
    const named = per.filter((p) => str(p["instrument"]) !== undefined && decOf(p["financing"]) !== undefined);
    if (named.length === 0) {
      this.financing(ctx, decOf(ctx.tx["financing"]), undefined, ctx.eventId);
      return;
    }
    for (const p of named) {
      const symbol = this.named(str(p["instrument"])!, ctx.pos);
      this.financing(ctx, decOf(p["financing"]), symbol, `${ctx.eventId}:${symbol}`);
    }
  }

  /** commission + guaranteedExecutionFee (both reported as positive costs); financing is not a fee. */
  private fee(ctx: TxContext): Dec | undefined {
    let total: Dec = ZERO;
    for (const key of ["commission", "guaranteedExecutionFee"]) {
      if (ctx.tx[key] === undefined || ctx.tx[key] === null) continue;
      const d = decOf(ctx.tx[key]);
      if (d === undefined) {
        this.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: field "${key}": expected a decimal, got ${JSON.stringify(ctx.tx[key])}; fee left out`);
        continue;
      }
      total = add(total, d);
    }
    if (sign(total) < 0) {
      this.report.problem(ctx.pos, `ORDER_FILL ${ctx.id}: a negative fee (${decText(total)}, a rebate) cannot be represented; fee left out`);
      return undefined;
    }
    return total;
  }

  private cancel(ctx: TxContext): void {
    const { tx } = ctx;
    const orderId = str(tx["orderID"]);
    if (orderId === undefined) {
      this.report.problem(ctx.pos, `ORDER_CANCEL ${ctx.id}: field "orderID": expected the cancelled order's id`);
      return;
    }
    const reason = str(tx["reason"]);
    const txCoid = str(tx["clientOrderID"]);
    if (txCoid !== undefined) this.learnCoid(orderId, txCoid);
    const info = this.orders.get(orderId);
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
      this.defer(fields, ctx.pos, orderId, txCoid, true);
      return;
    }
    const fields: Record<string, unknown> = { type: "order_cancelled", ts: ctx.ts, event_id: ctx.eventId, broker_order_id: orderId };
    if (reason !== undefined) fields["reason"] = reason;
    const replacedBy = str(tx["replacedByOrderID"]);
    if (replacedBy !== undefined) fields["replaced_by_broker_order_id"] = replacedBy;
    const out: OutRecord = { ts: ctx.ts, fields, pos: ctx.pos };
    this.out.push(out);
    this.cancels.push({ out, orderId });
  }

  private reject(ctx: TxContext): void {
    const ext = isObject(ctx.tx["clientExtensions"]) ? str(ctx.tx["clientExtensions"]["id"]) : undefined;
    const fields: Record<string, unknown> = {
      type: "order_rejected", ts: ctx.ts, event_id: ctx.eventId, client_order_id: ext ?? `oanda:order:${ctx.id}`,
      reason: str(ctx.tx["rejectReason"]) ?? ctx.type,
    };
    const instrument = str(ctx.tx["instrument"]);
    if (instrument !== undefined) fields["symbol"] = this.named(instrument, ctx.pos);
    this.out.push({ ts: ctx.ts, fields, pos: ctx.pos });
  }

  private learnCoid(orderId: string, coid: string): void {
    const info = this.orders.get(orderId);
    if (info === undefined) {
      this.orders.set(orderId, { id: orderId, type: "UNKNOWN", batchId: undefined, ownCoid: coid, replaces: undefined, fills: 0, created: false });
    } else if (info.ownCoid === undefined) {
      info.ownCoid = coid;
    }
  }

  private defer(fields: Record<string, unknown>, pos: Pos, orderId: string, txCoid: string | undefined, required: boolean): void {
    const out: OutRecord = { ts: fields["ts"] as string, fields, pos };
    this.out.push(out);
    this.pending.push({ out, orderId, txCoid, required });
  }

  /** The engine's key for an order: the first client id along its replace chain, from the root. */
  private resolveCoid(orderId: string): string | undefined {
    const chain: OrderInfo[] = [];
    const seen = new Set<string>();
    for (let id: string | undefined = orderId; id !== undefined && !seen.has(id); ) {
      seen.add(id);
      const info = this.orders.get(id);
      if (info === undefined) break;
      chain.unshift(info);
      id = info.replaces;
    }
    return chain.find((o) => o.ownCoid !== undefined)?.ownCoid;
  }

  private positionSnapshot(list: unknown[], kind: "positions" | "trades", lastTx: string | undefined, pos: Pos): void {
    const name = (instrument: string) => this.named(instrument, pos);
    const lines = kind === "positions" ? positionsFromPositions(list, pos, this.report, name) : positionsFromTrades(list, pos, this.report, name);
    if (lines !== undefined) this.snapshots.push({ kind, lines, lastTx, pos });
  }

  /**
   * A listing is the book right after transaction lastTransactionID, so it belongs between that
   * transaction and the next. Placed by --as-of, it must not come before a fill it includes nor
   * after a fill it does not (either would count that fill twice or not at all): that is refused.
   * Without --as-of it is placed at the time of lastTransactionID when the input holds it.
   */
  private placeSnapshot(snap: PendingSnapshot): string | undefined {
    const what = `open ${snap.kind} listing not imported`;
    const last = snap.lastTx !== undefined && /^\d+$/.test(snap.lastTx) ? BigInt(snap.lastTx) : undefined;
    // The listing's account: that of its lastTransactionID, else the only one seen. Unknown among
    // several, every account's fills are weighed (a refusal then names the account).
    const own = [...this.seenTx].filter(([, byId]) => last !== undefined && byId.has(last)).map(([a]) => a)[0]
      ?? (this.seenTx.size === 1 ? [...this.seenTx.keys()][0] : undefined);
    const seen = [...this.seenTx].filter(([account]) => own === undefined || account === own)
      .flatMap(([account, byId]) => [...byId].map(([id, tx]) => [id, { ...tx, account }] as const));
    if (this.opts.asOf === undefined) {
      const anchor = last === undefined ? undefined : seen.find(([id]) => id === last)?.[1];
      if (anchor === undefined) {
        this.report.problem(snap.pos, `${what}: it carries no time${last === undefined ? "" : ` and transaction ${last} (its lastTransactionID) is not in the input`}; pass --as-of with the time it was taken`);
        return undefined;
      }
      this.report.note(`${where(snap.pos)}: open ${snap.kind} listing placed right after transaction ${last} (its lastTransactionID), at ${anchor.ts}`);
      return anchor.ts;
    }
    const asOf = toUtc(this.opts.asOf)!;
    if (last === undefined) return asOf;
    const at = instantOf(asOf);
    for (const [id, tx] of seen.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (tx.type !== "ORDER_FILL") continue;
      const order = compareInstants(instantOf(tx.ts), at);
      if (id <= last && order > 0) {
        this.report.problem(snap.pos, `${what}: --as-of ${asOf} is before fill ${id}${ofAccount(tx.account, own)} (${tx.ts}), which the listing includes (lastTransactionID ${last}); take --as-of from when the listing was fetched`);
        return undefined;
      }
      if (id > last && order < 0) {
        this.report.problem(snap.pos, `${what}: --as-of ${asOf} is after fill ${id}${ofAccount(tx.account, own)} (${tx.ts}), which the listing does not include (lastTransactionID ${last}); take --as-of from when the listing was fetched`);
        return undefined;
      }
    }
    return asOf;
  }

  /** Whether every id from..to was reported missing already, or is a known exit order (nothing to import). */
  private alreadyReported(from: bigint, to: bigint): boolean {
    let next = from;
    const exits = [...this.exitOrderIds].filter((id) => /^\d+$/.test(id)).map((id) => [BigInt(id), BigInt(id)] as const);
    for (const [a, b] of [...this.gapsReported, ...exits].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      if (a > next) break;
      if (b >= next) next = b + 1n;
    }
    return next > to;
  }

  /** Gaps in the ids of all transactions seen, per account, that no stream or listing reported itself. */
  private reportGaps(): void {
    for (const [account, byId] of [...this.seenTx].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const ids = [...byId.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (let i = 1; i < ids.length; i += 1) {
        const [a, b] = [ids[i - 1]!, ids[i]!];
        if (b === a + 1n || this.alreadyReported(a + 1n, b - 1n)) continue;
        const [pa, pb] = [byId.get(a)!.pos, byId.get(b)!.pos];
        this.report.problem(undefined, `gap${pa.file === pb.file ? "" : " across files"}: transactions ${a + 1n}..${b - 1n}` +
          `${account === "" ? "" : ` of account ${account}`} missing between transaction ${a} (${where(pa)}) and transaction ${b} (${where(pb)})`);
      }
    }
  }

  /** Orders seen only in listings: what the transactions in the input do not already say. */
  private settleListedOrders(): void {
    const txIds = new Set([...this.seenTx.values()].flatMap((byId) => [...byId.keys()].map(String)));
    for (const { order, pos } of this.listedOrders) {
      const id = str(order["id"])!;
      const type = str(order["type"])!;
      const state = str(order["state"]) ?? "PENDING";
      if (state === "FILLED") {
        const by = str(order["fillingTransactionID"]);
        if (by === undefined || !txIds.has(by)) {
          this.report.problem(pos, `order ${id} FILLED${by === undefined ? "" : ` by transaction ${by}`}: an order listing carries no fill price, so its fill is not imported (import the transaction)`);
        }
        continue;
      }
      if (state === "CANCELLED") {
        const by = str(order["cancellingTransactionID"]);
        const ts = toUtc(str(order["cancelledTime"]) ?? "");
        if (by !== undefined && txIds.has(by)) continue;
        if (ts === undefined) {
          this.report.problem(pos, `order ${id} CANCELLED: field "cancelledTime": expected an RFC 3339 timestamp`);
          continue;
        }
        const out: OutRecord = { ts, pos, fields: { type: "order_cancelled", ts, event_id: `oanda:order:${id}:cancelled`, broker_order_id: id, reason: "CANCELLED (order listing)" } };
        this.out.push(out);
        this.cancels.push({ out, orderId: id });
        continue;
      }
      if (state !== "PENDING") {
        this.report.ignore(`${state} order in a listing`);
        continue;
      }
      if (txIds.has(id) || this.orders.get(id)?.created === true) continue; // its creating transaction says it all
      const ts = toUtc(str(order["createTime"]) ?? "");
      const instrument = str(order["instrument"]);
      const units = decOf(order["units"]);
      if (ts === undefined || instrument === undefined || units === undefined || isZero(units)) {
        this.report.problem(pos, `pending ${type} order ${id}: expected "createTime", "instrument" and non-zero "units"`);
        continue;
      }
      const ext = isObject(order["clientExtensions"]) ? str(order["clientExtensions"]["id"]) : undefined;
      const info = this.orders.get(id) ?? { id, type: `${type}_ORDER`, batchId: undefined, ownCoid: undefined, replaces: undefined, fills: 0, created: false };
      info.ownCoid = ext ?? info.ownCoid;
      info.replaces = str(order["replacesOrderID"]) ?? info.replaces;
      this.orders.set(id, info);
      const fields: Record<string, unknown> = {
        type: "order_accepted", ts, event_id: `oanda:order:${id}:accepted`, client_order_id: "", broker_order_id: id,
        symbol: this.named(instrument, pos), side: sign(units) > 0 ? "buy" : "sell", qty: decText(absDec(units)),
      };
      const price = str(order["price"]);
      if (type === "LIMIT" && price !== undefined) fields["limit_price"] = price;
      if (info.replaces !== undefined) fields["replaces_broker_order_id"] = info.replaces;
      fields["oanda_type"] = `${type}_ORDER`;
      fields["from_order_listing"] = true;
      this.defer(fields, pos, id, undefined, true);
      this.out[this.out.length - 1]!.seq = this.seqAt(BigInt(id) * 2n, BigInt(id));
    }
  }

  /**
   * A listing's place in the broker's sequence: the account of the transaction it refers to (else
   * the one account seen), so that it sorts among that account's transactions of the same instant.
   */
  private seqAt(n: bigint, txId: bigint | undefined): BrokerSeq {
    const accounts = [...this.seenTx].filter(([, byId]) => txId !== undefined && byId.has(txId)).map(([a]) => a);
    const account = accounts[0] ?? (this.seenTx.size === 1 ? [...this.seenTx.keys()][0]! : "");
    return { scope: `oanda:${account}`, n };
  }

  finish(): ImportResult {
    this.settleListedOrders();
    for (const snap of this.snapshots) {
      const ts = this.placeSnapshot(snap);
      if (ts === undefined) continue;
      const last = snap.lastTx !== undefined && /^\d+$/.test(snap.lastTx) ? BigInt(snap.lastTx) : undefined;
      this.out.push({
        ts, pos: snap.pos, seq: last === undefined ? undefined : this.seqAt(last * 2n + 1n, last), // right after lastTransactionID
        fields: {
          type: "position_snapshot", ts, event_id: snapshotEventId(`oanda:${snap.kind}`, snap.lines, ts), positions: snap.lines,
          ...(snap.lastTx === undefined ? {} : { last_transaction_id: snap.lastTx }),
        },
      });
    }
    this.reportGaps();
    const noCurrency = new Set<OutRecord>();
    let feesWithoutCurrency = 0;
    for (const h of this.inHomeCurrency) {
      const currency = this.accountCurrency.get(h.account);
      if (currency !== undefined) h.out.fields[h.field] = currency;
      else if (h.field === "fee_currency") feesWithoutCurrency += 1;
      else {
        noCurrency.add(h.out);
        this.report.problem(h.out.pos, `${h.what} not imported: it is in the account's home currency, which the input does not state ` +
          "(import the account details, GET /v3/accounts/{accountID}, with it)");
      }
    }
    if (feesWithoutCurrency > 0) {
      this.report.note(`${plural(feesWithoutCurrency, "fee")} without fee_currency: OANDA charges fees in the account's home currency, which the input ` +
        "does not state, so the replay counts them in each symbol's quote currency (import the account details, GET /v3/accounts/{accountID}, with the records)");
    }
    const exitCancels = new Set(this.cancels.filter((c) => this.exitOrderIds.has(c.orderId)).map((c) => c.out));
    for (let i = 0; i < exitCancels.size; i += 1) this.report.ignore("ORDER_CANCEL of an exit order (take-profit / stop-loss of a trade)");
    for (const p of this.pending) {
      const coid = this.resolveCoid(p.orderId) ?? p.txCoid;
      if (coid !== undefined) p.out.fields["client_order_id"] = coid;
      else if (p.required || ENTRY_ORDER_TYPES.has(this.orders.get(p.orderId)?.type ?? "")) p.out.fields["client_order_id"] = `oanda:order:${p.orderId}`;
      else delete p.out.fields["client_order_id"];
    }
    return { records: this.out.filter((r) => !exitCancels.has(r) && !noCurrency.has(r)), report: this.report, instruments: this.instruments };
  }
}

interface SeenTx {
  readonly ts: string;
  readonly pos: Pos;
  readonly type: string;
}

interface PendingSnapshot {
  readonly kind: "positions" | "trades";
  readonly lines: Record<string, unknown>[];
  readonly lastTx: string | undefined;
  readonly pos: Pos;
}

interface TxContext {
  readonly tx: Json;
  readonly type: string;
  readonly id: string;
  readonly ts: string;
  readonly eventId: string;
  readonly pos: Pos;
}

interface Lot {
  readonly kind: "close" | "reduce" | "open";
  readonly tradeId: string | undefined;
  readonly units: Dec;
  readonly price: string | undefined;
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

/** `positions`: long and short sides per instrument; the net is what the replay compares. */
function positionsFromPositions(list: unknown[], pos: Pos, report: ImportReport, named: (instrument: string) => string): Record<string, unknown>[] | undefined {
  const lines: Record<string, unknown>[] = [];
  for (const [i, p] of list.entries()) {
    const instrument = isObject(p) ? str(p["instrument"]) : undefined;
    const long = isObject(p) && isObject(p["long"]) ? p["long"] : {};
    const short = isObject(p) && isObject(p["short"]) ? p["short"] : {};
    const lu = decOf(long["units"] ?? "0");
    const su = decOf(short["units"] ?? "0");
    if (instrument === undefined || lu === undefined || su === undefined) {
      report.problem({ ...pos, item: i }, `position: expected "instrument" and decimal long/short "units"; snapshot not imported`);
      return undefined;
    }
    const net = add(lu, su);
    if (isZero(net)) continue;
    const avg = str((sign(net) > 0 ? long : short)["averagePrice"]);
    if (avg === undefined) {
      report.problem({ ...pos, item: i }, `position ${instrument}: no averagePrice on its ${sign(net) > 0 ? "long" : "short"} side; snapshot not imported`);
      return undefined;
    }
    lines.push({ symbol: named(instrument), qty: decText(net), avg_price: avg });
  }
  return lines;
}

/** `trades`: open trades aggregated per instrument, average price weighted by units. */
function positionsFromTrades(list: unknown[], pos: Pos, report: ImportReport, named: (instrument: string) => string): Record<string, unknown>[] | undefined {
  const byInstrument = new Map<string, { units: Dec; cost: Dec }>();
  for (const [i, t] of list.entries()) {
    if (isObject(t) && str(t["state"]) !== undefined && str(t["state"]) !== "OPEN") continue;
    const instrument = isObject(t) ? str(t["instrument"]) : undefined;
    const units = isObject(t) ? decOf(t["currentUnits"]) : undefined;
    const price = isObject(t) ? decOf(t["price"]) : undefined;
    if (instrument === undefined || units === undefined || price === undefined) {
      report.problem({ ...pos, item: i }, `trade: expected "instrument", "currentUnits" and "price"; snapshot not imported`);
      return undefined;
    }
    const symbol = named(instrument);
    const acc = byInstrument.get(symbol) ?? { units: ZERO, cost: ZERO };
    byInstrument.set(symbol, { units: add(acc.units, units), cost: add(acc.cost, mulDec(units, price)) });
  }
  return [...byInstrument].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, v]) => !isZero(v.units))
    .map(([symbol, v]) => ({ symbol, qty: decText(v.units), avg_price: decText(absDec(divDec(v.cost, v.units))) }));
}

/** " of account X" when the listing's account could not be told (the fill may be another account's). */
function ofAccount(account: string, own: string | undefined): string {
  return own === undefined && account !== "" ? ` of account ${account}` : "";
}

function compareIds(a: string | undefined, b: string | undefined): number {
  const x = a !== undefined && /^\d+$/.test(a) ? BigInt(a) : -1n;
  const y = b !== undefined && /^\d+$/.test(b) ? BigInt(b) : -1n;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Pure: OANDA source items in, canonical broker records and a report out. */
export function importOanda(items: Iterable<JsonItem>, opts: ImportOptions = {}): ImportResult {
  const imp = new OandaImporter(opts);
  for (const item of items) imp.feed(item);
  return imp.finish();
}
