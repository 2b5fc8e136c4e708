// OANDA v20 → canonical broker events.
//
// Accepts, in any mix: the transaction stream (JSON Lines with HEARTBEAT lines), transaction
// listings (`GET /transactions/idrange`, `/sinceid`, account changes: `{"transactions": [...]}`),
// single-transaction responses (`{"orderCreateTransaction": ..., "orderFillTransaction": ...}`),
// and open-position / open-trade listings (→ one position_snapshot each, at --as-of: they carry no time).
//
// Client order ids are resolved at the end, once every transaction has been seen, because OANDA
// can attach one after the order was created (ORDER_CLIENT_EXTENSIONS_MODIFY) and a replacement
// order inherits the id of the order it replaces (replace chains keep the engine's key). An order
// with no client id at all gets `oanda:order:<orderID>`, which no engine sent: it is an orphan.

import { type Dec, add, div as divDec, isZero, mul as mulDec, sign, ZERO } from "../../domain/decimal.js";
import {
  absDec, decOf, decText, ImportReport, type ImportOptions, type ImportResult, isObject, type Json, type OutRecord,
  type Pos, snapshotEventId, str, symbolOf, toUtc,
} from "./common.js";
import { isObjectItem, type JsonItem } from "./json-values.js";

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
  "DELAYED_TRADE_CLOSURE", "DAILY_FINANCING", "DIVIDEND_ADJUSTMENT", "RESET_RESETTABLE_PL",
]);
/** Response keys holding one transaction each (order create/replace/close responses). */
const TX_KEY = /Transaction$/;

interface OrderInfo {
  readonly id: string;
  readonly type: string;
  readonly batchId: string | undefined;
  ownCoid: string | undefined;
  replaces: string | undefined;
  fills: number;
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
  /** Last transaction id delivered by the current stream or listing (gap detection). */
  private lastId: bigint | undefined;
  private file: string | undefined;

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

  /** A REST response: transactions under known keys, or a positions/trades listing. */
  private document(doc: Json, pos: Pos): void {
    let recognized = false;
    const listing = Array.isArray(doc["transactions"]) ? doc["transactions"]
      : isObject(doc["changes"]) && Array.isArray(doc["changes"]["transactions"]) ? doc["changes"]["transactions"] : undefined;
    if (listing !== undefined) {
      recognized = true;
      this.lastId = undefined;
      listing.forEach((tx, i) => {
        const at = { file: pos.file, line: pos.line, item: i };
        if (isObject(tx) && typeof tx["type"] === "string") this.transaction(tx, at, true);
        else this.report.problem(at, "expected a transaction object with a type");
      });
    }
    // Single-transaction keys: orderCreateTransaction, orderFillTransaction, ... in id order.
    const singles = Object.keys(doc).filter((k) => TX_KEY.test(k) && isObject(doc[k])).map((k) => doc[k] as Json);
    if (isObject(doc["transaction"])) singles.push(doc["transaction"]);
    singles.sort((a, b) => compareIds(str(a["id"]), str(b["id"])));
    for (const tx of singles) {
      recognized = true;
      this.transaction(tx, pos, false);
    }
    const account = isObject(doc["account"]) ? doc["account"] : undefined;
    const positions = Array.isArray(doc["positions"]) ? doc["positions"]
      : account !== undefined && Array.isArray(account["positions"]) ? account["positions"] : undefined;
    const trades = Array.isArray(doc["trades"]) ? doc["trades"] : undefined;
    if (isObject(doc["position"]) || isObject(doc["trade"])) {
      // One instrument's position (or one trade) is not the whole book: as a snapshot it would
      // make every other position vanish.
      recognized = true;
      this.report.problem(pos, `a single ${isObject(doc["position"]) ? "position" : "trade"} is not a complete position snapshot: not imported (use openPositions / openTrades)`);
    }
    const lastTx = str(doc["lastTransactionID"]) ?? str(account?.["lastTransactionID"]);
    if (positions !== undefined) {
      recognized = true;
      this.positionSnapshot(positions, "positions", lastTx, pos);
    } else if (trades !== undefined) {
      recognized = true;
      this.positionSnapshot(trades, "trades", lastTx, pos);
    }
    if (isObject(doc["order"])) {
      recognized = true;
      this.report.problem(pos, str(doc["order"]["id"]) === undefined
        ? "an order request body (what was asked, not what the broker did): not imported"
        : "an order's details are state, not events: not imported (import the transaction history)");
    }
    if (Array.isArray(doc["orders"]) && doc["orders"].length > 0) {
      recognized = true;
      this.report.problem(pos, `${doc["orders"].length} pending order(s) not imported: an order listing is state, not events (import the transaction history that created them)`);
    } else if (Array.isArray(doc["orders"])) {
      recognized = true;
      this.report.ignore("empty order listing");
    }
    if (!recognized) {
      if (Array.isArray(doc["pages"])) {
        this.report.problem(pos, "a transaction page index (\"pages\": URLs): fetch the pages (transactions/idrange) and import those");
      } else if (Array.isArray(doc["accounts"]) || Array.isArray(doc["instruments"]) || isObject(doc["account"])) {
        this.report.ignore("account or instrument listing");
      } else {
        this.report.problem(pos, "not an OANDA transaction, transaction listing, position or trade listing (no \"type\", \"transactions\", \"*Transaction\", \"positions\" or \"trades\" key)");
      }
    }
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
    const eventId = account === undefined ? `oanda:${id}` : `oanda:${account}:${id}`;
    const ctx: TxContext = { tx, type, id, ts, eventId, pos };
    if (ENTRY_ORDER_TYPES.has(type)) this.orderCreate(ctx);
    else if (EXIT_ORDER_TYPES.has(type)) this.exitOrder(ctx);
    else if (type === "ORDER_FILL") this.fill(ctx);
    else if (type === "ORDER_CANCEL") this.cancel(ctx);
    else if (ENTRY_REJECT_TYPES.has(type)) this.reject(ctx);
    else if (type === "ORDER_CLIENT_EXTENSIONS_MODIFY") this.clientExtensionsModify(ctx);
    else if (NON_TRADING_TYPES.has(type)) this.report.ignore(type);
    else this.report.problem(pos, `transaction ${id}: unknown transaction type ${JSON.stringify(type)} (not in the v20 TransactionType list)`);
  }

  /** Transaction ids are per-account and contiguous: a jump means transactions never arrived. */
  private checkSequence(id: bigint, pos: Pos): void {
    if (this.lastId !== undefined && id > this.lastId + 1n) {
      this.report.problem(pos, `gap: transactions ${this.lastId + 1n}..${id - 1n} missing before transaction ${id}`);
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
    }
    // The first heartbeat sets the baseline: transactions before the stream began are not a gap.
    if (this.lastId === undefined || n > this.lastId) this.lastId = n;
  }

  private orderInfo(ctx: TxContext): OrderInfo {
    const ext = isObject(ctx.tx["clientExtensions"]) ? str(ctx.tx["clientExtensions"]["id"]) : undefined;
    const existing = this.orders.get(ctx.id);
    const info: OrderInfo = existing ?? {
      id: ctx.id, type: ctx.type, batchId: str(ctx.tx["batchID"]), ownCoid: undefined, replaces: undefined, fills: 0,
    };
    info.ownCoid = ext ?? info.ownCoid;
    info.replaces = str(ctx.tx["replacesOrderID"]) ?? info.replaces;
    this.orders.set(ctx.id, info);
    return info;
  }

  private orderCreate(ctx: TxContext): void {
    const info = this.orderInfo(ctx);
    const instrument = str(ctx.tx["instrument"]);
    const units = decOf(ctx.tx["units"]);
    if (instrument === undefined || units === undefined || isZero(units)) {
      this.report.problem(ctx.pos, `${ctx.type} ${ctx.id}: expected "instrument" and non-zero signed decimal "units", got ${JSON.stringify(ctx.tx["instrument"])} / ${JSON.stringify(ctx.tx["units"])}`);
      return;
    }
    const fields: Record<string, unknown> = {
      type: "order_accepted", ts: ctx.ts, event_id: ctx.eventId, client_order_id: "", broker_order_id: ctx.id,
      symbol: symbolOf(instrument), side: sign(units) > 0 ? "buy" : "sell", qty: decText(absDec(units)),
      oanda_type: ctx.type,
    };
    if (info.replaces !== undefined) fields["replaces_broker_order_id"] = info.replaces;
    this.defer(fields, ctx.pos, ctx.id, undefined, true);
  }

  private exitOrder(ctx: TxContext): void {
    this.orderInfo(ctx);
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
      else this.orders.set(orderId, { id: orderId, type: "UNKNOWN", batchId: undefined, ownCoid: mod, replaces: undefined, fills: 0 });
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
        type: "fill", ts: ctx.ts, event_id: eventId, client_order_id: "", broker_order_id: orderId, symbol: symbolOf(instrument), side,
        qty: decText(absDec(qty)), price,
      };
      if (lotFee !== undefined && !isZero(lotFee)) fields["fee"] = decText(lotFee);
      Object.assign(fields, extra);
      this.defer(fields, ctx.pos, orderId, txCoid, false);
    };
    const halfSpread = str(tx["halfSpreadCost"]);
    const reason = str(tx["reason"]);
    const common: Record<string, unknown> = {};
    if (halfSpread !== undefined) common["half_spread_cost"] = halfSpread;
    if (reason !== undefined) common["oanda_reason"] = reason;
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
    if (info !== undefined && EXIT_ORDER_TYPES.has(info.type)) {
      this.report.ignore("ORDER_CANCEL of an exit order");
      return;
    }
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
    this.out.push({ ts: ctx.ts, fields, pos: ctx.pos });
  }

  private reject(ctx: TxContext): void {
    const ext = isObject(ctx.tx["clientExtensions"]) ? str(ctx.tx["clientExtensions"]["id"]) : undefined;
    const fields: Record<string, unknown> = {
      type: "order_rejected", ts: ctx.ts, event_id: ctx.eventId, client_order_id: ext ?? `oanda:order:${ctx.id}`,
      reason: str(ctx.tx["rejectReason"]) ?? ctx.type,
    };
    const instrument = str(ctx.tx["instrument"]);
    if (instrument !== undefined) fields["symbol"] = symbolOf(instrument);
    this.out.push({ ts: ctx.ts, fields, pos: ctx.pos });
  }

  private learnCoid(orderId: string, coid: string): void {
    const info = this.orders.get(orderId);
    if (info === undefined) {
      this.orders.set(orderId, { id: orderId, type: "UNKNOWN", batchId: undefined, ownCoid: coid, replaces: undefined, fills: 0 });
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
    if (this.opts.asOf === undefined) {
      this.report.problem(pos, `open ${kind} listing not imported: it carries no time; pass --as-of with the time it was taken`);
      return;
    }
    const ts = toUtc(this.opts.asOf);
    if (ts === undefined) {
      this.report.problem(pos, `--as-of ${JSON.stringify(this.opts.asOf)} is not an RFC 3339 timestamp`);
      return;
    }
    const lines = kind === "positions" ? positionsFromPositions(list, pos, this.report) : positionsFromTrades(list, pos, this.report);
    if (lines === undefined) return;
    this.out.push({
      ts, pos,
      fields: {
        type: "position_snapshot", ts, event_id: snapshotEventId(`oanda:${kind}`, lines, ts), positions: lines,
        ...(lastTx === undefined ? {} : { last_transaction_id: lastTx }),
      },
    });
  }

  finish(): ImportResult {
    for (const p of this.pending) {
      const coid = this.resolveCoid(p.orderId) ?? p.txCoid;
      if (coid !== undefined) p.out.fields["client_order_id"] = coid;
      else if (p.required || ENTRY_ORDER_TYPES.has(this.orders.get(p.orderId)?.type ?? "")) p.out.fields["client_order_id"] = `oanda:order:${p.orderId}`;
      else delete p.out.fields["client_order_id"];
    }
    return { records: this.out, report: this.report };
  }
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
function positionsFromPositions(list: unknown[], pos: Pos, report: ImportReport): Record<string, unknown>[] | undefined {
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
    lines.push({ symbol: symbolOf(instrument), qty: decText(net), avg_price: avg });
  }
  return lines;
}

/** `trades`: open trades aggregated per instrument, average price weighted by units. */
function positionsFromTrades(list: unknown[], pos: Pos, report: ImportReport): Record<string, unknown>[] | undefined {
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
    const symbol = symbolOf(instrument);
    const acc = byInstrument.get(symbol) ?? { units: ZERO, cost: ZERO };
    byInstrument.set(symbol, { units: add(acc.units, units), cost: add(acc.cost, mulDec(units, price)) });
  }
  return [...byInstrument].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, v]) => !isZero(v.units))
    .map(([symbol, v]) => ({ symbol, qty: decText(v.units), avg_price: decText(absDec(divDec(v.cost, v.units))) }));
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
