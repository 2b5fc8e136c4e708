// Alpaca → canonical broker events.
//
// Accepts, in any mix: `trade_updates` frames from the trading websocket (`{"stream":"trade_updates",
// "data":{...}}`), Broker API trade events (SSE `data:` lines), order objects (single, listings,
// multi-status responses), account activities (FILL; other activity types carry no execution), and
// position listings (→ position_snapshot: at the listing's `as_of`, else at --as-of).
//
// Quirks: timestamps come with `Z` or `-04:00` and up to nine fractional digits (all normalized to
// UTC `Z`, digits kept); numbers come as strings or as JSON numbers; crypto pairs are `BTC/USD` in
// orders and `BTCUSD` in streams and positions (folded to one symbol). A replacement order carries
// the client order id of the order it replaces (the engine's key), found along `replaces` links.
// An order's fills come from its executions (trade_updates, FILL activities); only when the input
// has none is the order object's `filled_qty` at `filled_avg_price` imported, as one fill.

import { type Dec, isZero, SCALE_DIGITS, sign, sub } from "../../domain/decimal.js";
import {
  absDec, decOf, decOfRounded, decText, ImportReport, type ImportOptions, type ImportResult, isObject, type Json, type OutRecord,
  type Pos, snapshotEventId, str, symbolOf, toUtc,
} from "./common.js";
import { isObjectItem, type JsonItem } from "./json-values.js";

const ACK_EVENTS = new Set(["new", "pending_new", "accepted", "accepted_for_bidding"]);
const FILL_EVENTS = new Set(["fill", "partial_fill"]);
const CANCEL_EVENTS = new Set(["canceled", "expired", "done_for_day"]);
const INFO_EVENTS = new Set(["pending_cancel", "pending_replace", "calculated", "stopped", "suspended",
  "order_cancel_rejected", "order_replace_rejected", "restated", "held"]);
const CANCEL_STATUSES = new Set(["canceled", "expired", "done_for_day"]);

type FillSource = "execution" | "activity" | "order";

interface OrderFacts {
  coid: string | undefined;
  replaces: string | undefined;
  /** Cumulative filled quantity seen in trade updates (to derive an execution's qty when absent). */
  cum: Dec | undefined;
}

interface FillRecord {
  readonly out: OutRecord;
  readonly orderId: string;
  readonly source: FillSource;
}

class AlpacaImporter {
  readonly report = new ImportReport();
  private readonly out: OutRecord[] = [];
  private readonly fills: FillRecord[] = [];
  /** Records whose client order id is resolved at the end (replace chains, activities). */
  private readonly needsCoid: { out: OutRecord; orderId: string; required: boolean }[] = [];
  private readonly orders = new Map<string, OrderFacts>();
  private readonly acked = new Set<string>();
  private readonly terminal = new Set<string>();
  /** The latest order object per id, for the fallback fill. */
  private readonly orderObjects = new Map<string, { order: Json; pos: Pos }>();
  /** Position objects of one top-level array: together they are one snapshot. */
  private readonly positionGroups = new Map<number, { pos: Pos; list: Json[] }>();

  constructor(private readonly opts: ImportOptions) {}

  feed(item: JsonItem): void {
    if (!isObjectItem(item, this.report, "a JSON object (a trade update, order, activity or position)")) return;
    this.record(item.value, item.pos, item.group);
  }

  private record(v: Json, pos: Pos, group: number): void {
    const stream = str(v["stream"]);
    if (stream !== undefined) {
      if (stream === "trade_updates" && isObject(v["data"])) this.tradeUpdate(v["data"], pos);
      else this.report.ignore(`websocket ${stream} message`);
      return;
    }
    if (str(v["action"]) !== undefined && v["order"] === undefined) {
      this.report.ignore("websocket request");
      return;
    }
    if (str(v["event"]) !== undefined && isObject(v["order"])) return this.tradeUpdate(v, pos);
    if (str(v["activity_type"]) !== undefined) return this.activity(v, pos);
    if (str(v["entry_type"]) !== undefined) {
      this.report.ignore(`non-trade activity ${str(v["entry_type"])}`);
      return;
    }
    if (isObject(v["body"]) && v["status"] !== undefined) return this.multiStatus(v, pos);
    if (typeof v["status"] === "number" && str(v["id"]) !== undefined && v["body"] === undefined) {
      this.report.ignore("cancel request acknowledged (no order state)");
      return;
    }
    if (isObject(v["positions"]) || Array.isArray(v["positions"])) return this.positionListing(v, pos);
    if (v["avg_entry_price"] !== undefined && v["qty"] !== undefined) {
      if (pos.item === undefined) {
        this.report.problem(pos, "a single position is not a complete position snapshot: not imported (use the GET /positions listing)");
        return;
      }
      const g = this.positionGroups.get(group) ?? { pos: { file: pos.file, line: pos.line }, list: [] };
      g.list.push(v);
      this.positionGroups.set(group, g);
      return;
    }
    if (str(v["event_id"]) !== undefined && str(v["account_id"]) !== undefined && v["order"] === undefined) {
      this.report.ignore("Broker API account/status event");
      return;
    }
    if (str(v["id"]) !== undefined && str(v["status"]) !== undefined && str(v["side"]) !== undefined) return this.orderObject(v, pos);
    if (str(v["side"]) !== undefined && str(v["symbol"]) !== undefined && v["id"] === undefined) {
      this.report.problem(pos, "an order request body (what was asked, not what the broker did): not imported");
      return;
    }
    this.report.problem(pos, "not an Alpaca trade update, order, activity or position (unrecognized keys: " +
      Object.keys(v).slice(0, 6).join(", ") + ")");
  }

  private multiStatus(v: Json, pos: Pos): void {
    const status = Number(v["status"]);
    const body = v["body"] as Json;
    if (status >= 200 && status < 300 && str(body["id"]) !== undefined) {
      this.orderObject(body, pos);
      return;
    }
    this.report.problem(pos, `multi-status item ${str(v["id"]) ?? str(v["symbol"]) ?? ""} answered ${v["status"]}: ${str(body["message"]) ?? "no order"}; nothing to import`);
  }

  private facts(order: Json): OrderFacts {
    const id = str(order["id"])!;
    const f = this.orders.get(id) ?? { coid: undefined, replaces: undefined, cum: undefined };
    f.coid = str(order["client_order_id"]) ?? f.coid;
    f.replaces = str(order["replaces"]) ?? f.replaces;
    this.orders.set(id, f);
    return f;
  }

  private tradeUpdate(data: Json, pos: Pos): void {
    const event = str(data["event"]) ?? "";
    const order = isObject(data["order"]) ? data["order"] : undefined;
    const orderId = order === undefined ? undefined : str(order["id"]);
    if (order === undefined || orderId === undefined) {
      this.report.problem(pos, `trade update ${JSON.stringify(event)}: field "order.id": expected the order object`);
      return;
    }
    this.facts(order);
    const tsRaw = str(data["timestamp"]) ?? str(data["at"]) ?? str(order["updated_at"]);
    const ts = tsRaw === undefined ? undefined : toUtc(tsRaw);
    if (ts === undefined) {
      this.report.problem(pos, `trade update ${event}: field "timestamp": expected an RFC 3339 timestamp, got ${JSON.stringify(tsRaw)}`);
      return;
    }
    const account = str(data["account_id"]);
    const sseId = str(data["event_id"]);
    const execId = str(data["execution_id"]);
    if (ACK_EVENTS.has(event)) return this.ack(order, ts, pos);
    if (FILL_EVENTS.has(event)) {
      const id = execId !== undefined ? `alpaca:exec:${execId}`
        : sseId !== undefined ? `alpaca:${account ?? "event"}:${sseId}` : `alpaca:order:${orderId}:${event}@${ts}`;
      return this.streamFill(data, order, ts, id, pos);
    }
    if (CANCEL_EVENTS.has(event)) return this.cancel(order, ts, event, pos);
    if (event === "replaced") return this.cancel(order, ts, "replaced", pos);
    if (event === "rejected") return this.rejectOrder(order, ts, pos);
    if (INFO_EVENTS.has(event)) {
      this.report.ignore(`trade update ${event}`);
      return;
    }
    this.report.problem(pos, `trade update: unknown event ${JSON.stringify(event)}`);
  }

  private ack(order: Json, ts: string, pos: Pos): void {
    const id = str(order["id"])!;
    if (this.acked.has(id)) {
      this.report.ignore("repeated acknowledgement of an order");
      return;
    }
    const qty = decOf(order["qty"]);
    const side = sideOf(order["side"]);
    const symbol = str(order["symbol"]);
    if (qty === undefined || sign(qty) <= 0) {
      const notional = str(order["notional"]) ?? (typeof order["notional"] === "number" ? String(order["notional"]) : undefined);
      this.report.problem(pos, notional !== undefined
        ? `order ${id}: a notional order ($${notional}) has no quantity until it fills; acknowledgement not imported (its fills are)`
        : `order ${id}: field "qty": expected a positive quantity, got ${JSON.stringify(order["qty"])}`);
      return;
    }
    if (side === undefined || symbol === undefined) {
      this.report.problem(pos, `order ${id}: expected "side" buy/sell and "symbol", got ${JSON.stringify(order["side"])} / ${JSON.stringify(order["symbol"])}`);
      return;
    }
    this.acked.add(id);
    const fields: Record<string, unknown> = {
      type: "order_accepted", ts, event_id: `alpaca:order:${id}:accepted`, client_order_id: "", broker_order_id: id,
      symbol: symbolOf(symbol), side, qty: decText(qty),
    };
    const replaces = str(order["replaces"]);
    if (replaces !== undefined) fields["replaces_broker_order_id"] = replaces;
    this.push(fields, pos, id, true);
  }

  private streamFill(data: Json, order: Json, ts: string, eventId: string, pos: Pos): void {
    const orderId = str(order["id"])!;
    const f = this.orders.get(orderId)!;
    const orderCum = decOf(order["filled_qty"]);
    // Older frames carry no per-execution qty: it is the growth of the order's cumulative fill.
    let qty = decOf(data["qty"]);
    if (qty === undefined && orderCum !== undefined) qty = f.cum === undefined ? orderCum : sub(orderCum, f.cum);
    if (orderCum !== undefined) f.cum = orderCum;
    const price = decOf(data["price"]) ?? decOf(order["filled_avg_price"]);
    this.fill(order, ts, eventId, qty, price, "execution", pos);
  }

  private fill(order: Json, ts: string, eventId: string, qty: Dec | undefined, price: Dec | undefined, source: FillSource, pos: Pos, fee?: Dec): void {
    const orderId = str(order["id"] ?? order["order_id"])!;
    const side = sideOf(order["side"]);
    const symbol = str(order["symbol"]);
    if (qty === undefined || sign(qty) <= 0 || price === undefined || sign(price) <= 0 || side === undefined || symbol === undefined) {
      this.report.problem(pos, `fill of order ${orderId}: expected a positive qty and price, side buy/sell and a symbol; got qty ${JSON.stringify(order["qty"] ?? null)}, price ${price === undefined ? "none" : decText(price)}`);
      return;
    }
    const fields: Record<string, unknown> = {
      type: "fill", ts, event_id: eventId, client_order_id: "", broker_order_id: orderId, symbol: symbolOf(symbol), side,
      qty: decText(qty), price: decText(price),
    };
    if (fee !== undefined && sign(fee) > 0) fields["fee"] = decText(fee);
    const out = this.push(fields, pos, orderId, false);
    this.fills.push({ out, orderId, source });
  }

  private cancel(order: Json, ts: string, reason: string, pos: Pos): void {
    const id = str(order["id"])!;
    if (this.terminal.has(id)) {
      this.report.ignore("repeated terminal state of an order");
      return;
    }
    this.terminal.add(id);
    const fields: Record<string, unknown> = {
      type: "order_cancelled", ts, event_id: `alpaca:order:${id}:${reason}`, broker_order_id: id, reason,
    };
    const by = str(order["replaced_by"]);
    if (reason === "replaced" && by !== undefined) fields["replaced_by_broker_order_id"] = by;
    this.out.push({ ts, fields, pos });
  }

  private rejectOrder(order: Json, ts: string, pos: Pos): void {
    const id = str(order["id"])!;
    if (this.terminal.has(id)) return;
    this.terminal.add(id);
    this.push({ type: "order_rejected", ts, event_id: `alpaca:order:${id}:rejected`, client_order_id: "", broker_order_id: id, reason: "rejected" }, pos, id, true);
  }

  /** A REST order object: a state, turned into the events that state implies. */
  private orderObject(order: Json, pos: Pos): void {
    const id = str(order["id"])!;
    this.facts(order);
    const at = (key: string) => {
      const raw = str(order[key]);
      return raw === undefined ? undefined : toUtc(raw);
    };
    const created = at("submitted_at") ?? at("created_at");
    if (created === undefined) {
      this.report.problem(pos, `order ${id}: field "submitted_at": expected an RFC 3339 timestamp`);
      return;
    }
    const status = str(order["status"]) ?? "";
    if (status !== "rejected") this.ack(order, created, pos);
    const previous = this.orderObjects.get(id);
    const cum = decOf(order["filled_qty"]);
    const prevCum = previous === undefined ? undefined : decOf(previous.order["filled_qty"]);
    if (previous === undefined || (cum !== undefined && (prevCum === undefined || cum > prevCum))) this.orderObjects.set(id, { order, pos });
    if (CANCEL_STATUSES.has(status)) this.cancel(order, at("canceled_at") ?? at("expired_at") ?? at("updated_at") ?? created, status, pos);
    else if (status === "replaced") this.cancel(order, at("replaced_at") ?? at("updated_at") ?? created, "replaced", pos);
    else if (status === "rejected") this.rejectOrder(order, at("failed_at") ?? at("updated_at") ?? created, pos);
    if (Array.isArray(order["legs"]) && order["legs"].length > 0) this.report.ignore("bracket/OCO leg (child order, not an engine decision)");
  }

  private activity(v: Json, pos: Pos): void {
    const type = str(v["activity_type"]);
    if (type !== "FILL") {
      this.report.ignore(`activity ${type}`);
      return;
    }
    const id = str(v["id"]);
    const orderId = str(v["order_id"]);
    const tsRaw = str(v["transaction_time"]);
    const ts = tsRaw === undefined ? undefined : toUtc(tsRaw);
    if (id === undefined || orderId === undefined || ts === undefined) {
      this.report.problem(pos, `FILL activity: expected "id", "order_id" and an RFC 3339 "transaction_time", got ${JSON.stringify(v["transaction_time"])}`);
      return;
    }
    const sideRaw = str(v["side"]);
    this.fill({ id: orderId, side: sideRaw, symbol: v["symbol"], qty: v["qty"] }, ts, `alpaca:activity:${id}`,
      decOf(v["qty"]), decOf(v["price"]), "activity", pos);
  }

  private positionListing(v: Json, pos: Pos): void {
    const asOf = str(v["as_of"]);
    const positions = v["positions"];
    if (Array.isArray(positions)) return this.positions(positions, asOf, "listing", pos);
    const accounts = Object.keys(positions as Json).sort();
    if (accounts.length > 1) {
      this.report.problem(pos, `positions of ${accounts.length} accounts in one listing: a replay is one account; each gets its own snapshot, so import one account's at a time`);
    }
    for (const account of accounts) {
      const list = (positions as Json)[account];
      if (Array.isArray(list)) this.positions(list, asOf, account, pos);
    }
  }

  private positions(list: unknown[], asOfRaw: string | undefined, scope: string, pos: Pos): void {
    const raw = asOfRaw ?? this.opts.asOf;
    if (raw === undefined) {
      this.report.problem(pos, "position listing not imported: it carries no time; pass --as-of with the time it was taken");
      return;
    }
    const ts = toUtc(raw);
    if (ts === undefined) {
      this.report.problem(pos, `position listing: as-of time ${JSON.stringify(raw)} is not an RFC 3339 timestamp`);
      return;
    }
    const lines: Record<string, unknown>[] = [];
    for (const [i, p] of list.entries()) {
      const symbol = isObject(p) ? str(p["symbol"]) : undefined;
      const qty = isObject(p) ? decOf(p["qty"]) : undefined;
      const avgR = isObject(p) ? decOfRounded(p["avg_entry_price"]) : undefined;
      if (avgR?.rounded === true) this.report.note(`average entry prices with more than ${SCALE_DIGITS} decimal places rounded to ${SCALE_DIGITS}`);
      const avg = avgR?.dec;
      if (symbol === undefined || qty === undefined || avg === undefined) {
        this.report.problem({ ...pos, item: i }, `position: expected "symbol", "qty" and "avg_entry_price"; snapshot not imported`);
        return;
      }
      // Short positions may come as a positive qty with side "short": the snapshot is signed.
      const signed = isObject(p) && p["side"] === "short" && sign(qty) > 0 ? decOfNeg(qty) : qty;
      if (!isZero(signed)) lines.push({ symbol: symbolOf(symbol), qty: decText(signed), avg_price: decText(absDec(avg)) });
    }
    this.out.push({ ts, pos, fields: { type: "position_snapshot", ts, event_id: snapshotEventId(`alpaca:positions:${scope}`, lines, ts), positions: lines } });
  }

  private push(fields: Record<string, unknown>, pos: Pos, orderId: string, required: boolean): OutRecord {
    const out: OutRecord = { ts: fields["ts"] as string, fields, pos };
    this.out.push(out);
    if ("client_order_id" in fields) this.needsCoid.push({ out, orderId, required });
    return out;
  }

  /** The engine's key: the client order id at the root of the order's replace chain. */
  private resolveCoid(orderId: string): string | undefined {
    let coid: string | undefined;
    const seen = new Set<string>();
    for (let id: string | undefined = orderId; id !== undefined && !seen.has(id); ) {
      seen.add(id);
      const f = this.orders.get(id);
      if (f === undefined) break;
      coid = f.coid ?? coid;
      id = f.replaces;
    }
    return coid;
  }

  finish(): ImportResult {
    for (const g of this.positionGroups.values()) this.positions(g.list, undefined, "listing", g.pos);
    // One source of fills per order: executions, else activities, else the order object's total.
    const best = new Map<string, FillSource>();
    const rank: Record<FillSource, number> = { execution: 0, activity: 1, order: 2 };
    for (const f of this.fills) {
      const cur = best.get(f.orderId);
      if (cur === undefined || rank[f.source] < rank[cur]) best.set(f.orderId, f.source);
    }
    for (const [orderId, { order, pos }] of [...this.orderObjects].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (best.has(orderId)) continue;
      const qty = decOf(order["filled_qty"]);
      if (qty === undefined || isZero(qty)) continue;
      const tsRaw = str(order["filled_at"]) ?? str(order["updated_at"]);
      const ts = tsRaw === undefined ? undefined : toUtc(tsRaw);
      if (ts === undefined) {
        this.report.problem(pos, `order ${orderId}: filled ${decText(qty)} but no "filled_at" time; its fill is not imported`);
        continue;
      }
      this.fill(order, ts, `alpaca:order:${orderId}:filled:${decText(qty)}`, qty, decOf(order["filled_avg_price"]), "order", pos, decOf(order["commission"]));
    }
    const dropped = new Set<OutRecord>();
    for (const f of this.fills) {
      const chosen = best.get(f.orderId);
      if (chosen !== undefined && chosen !== f.source) {
        dropped.add(f.out);
        this.report.ignore(`${f.source} fill superseded by ${chosen} fills of the same order`);
      }
    }
    for (const n of this.needsCoid) {
      const coid = this.resolveCoid(n.orderId);
      if (coid !== undefined) n.out.fields["client_order_id"] = coid;
      else if (n.required) n.out.fields["client_order_id"] = `alpaca:order:${n.orderId}`;
      else delete n.out.fields["client_order_id"];
    }
    return { records: this.out.filter((r) => !dropped.has(r)), report: this.report };
  }
}

function sideOf(value: unknown): "buy" | "sell" | undefined {
  const s = str(value)?.toLowerCase();
  if (s === "buy") return "buy";
  if (s === "sell" || s === "sell_short") return "sell";
  return undefined;
}

function decOfNeg(d: Dec): Dec {
  return (-d) as Dec;
}

/** Pure: Alpaca source items in, canonical broker records and a report out. */
export function importAlpaca(items: Iterable<JsonItem>, opts: ImportOptions = {}): ImportResult {
  const imp = new AlpacaImporter(opts);
  for (const item of items) imp.feed(item);
  return imp.finish();
}
