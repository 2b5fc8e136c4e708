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
// An order's fills come from its executions (trade_updates and FILL activities, merged: see
// mergeExecutions); only when the input has none is the order object's `filled_qty` at
// `filled_avg_price` imported, as one fill. A trade update's fee is the growth of the order's
// commission since its previous fill.

import { add, type Dec, isZero, SCALE_DIGITS, sign, sub, ZERO } from "../../../domain/decimal.js";
import {
  absDec, decOf, decOfRounded, decText, ImportReport, type ImportOptions, type ImportResult, isObject, type Json, type OutRecord,
  type Pos, snapshotEventId, str, symbolOf, toUtc,
} from "../common.js";
import { InstrumentFacts, sizeText } from "../instruments.js";
import { isObjectItem, type JsonItem } from "../json-values.js";
import type { AssetClass } from "../../../domain/instruments.js";

const ACK_EVENTS = new Set(["new", "pending_new", "accepted", "accepted_for_bidding"]);
const FILL_EVENTS = new Set(["fill", "partial_fill"]);
const CANCEL_EVENTS = new Set(["canceled", "expired", "done_for_day"]);
const INFO_EVENTS = new Set(["pending_cancel", "pending_replace", "calculated", "stopped", "suspended",
  "order_cancel_rejected", "order_replace_rejected", "restated", "held"]);
const CANCEL_STATUSES = new Set(["canceled", "expired", "done_for_day"]);
const DONE_STATUSES = new Set(["filled", "canceled", "expired", "done_for_day", "replaced", "rejected"]);
/** Alpaca's asset classes in ours. A US equity or option is priced in USD: its class says so. */
const ALPACA_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = { us_equity: "equity", us_option: "option", crypto: "crypto" };
const PRICED_IN_USD = new Set(["us_equity", "us_option"]);

type FillSource = "execution" | "activity" | "order";

interface OrderFacts {
  coid: string | undefined;
  replaces: string | undefined;
  /** Cumulative filled quantity seen in trade updates (to derive an execution's qty when absent). */
  cum: Dec | undefined;
  /** The order's commission (cumulative, as the order object carries it) already given to its fills. */
  commissionBooked: Dec;
}

interface FillRecord {
  readonly out: OutRecord;
  readonly orderId: string;
  readonly source: FillSource;
  /** The execution's id, where the source names it (a trade update's execution_id, an activity id's uuid). */
  readonly execId: string | undefined;
  /** The order's cumulative filled quantity right after this execution, where the source states it. */
  readonly cumAfter: Dec | undefined;
  readonly qty: Dec;
}

class AlpacaImporter {
  readonly report = new ImportReport();
  private readonly out: OutRecord[] = [];
  private readonly fills: FillRecord[] = [];
  /** Records whose client order id is resolved at the end (replace chains, activities). */
  private readonly needsCoid: { out: OutRecord; orderId: string; required: boolean }[] = [];
  private readonly orders = new Map<string, OrderFacts>();
  private readonly acked = new Set<string>();
  private readonly notionalAcks: { order: Json; ts: string; pos: Pos; notional: string }[] = [];
  /** Per order: the largest filled_qty any of its frames or objects showed, and whether one showed it done. */
  private readonly filledSoFar = new Map<string, Dec>();
  private readonly done = new Set<string>();
  private readonly terminal = new Set<string>();
  /** The latest order object per id, for the fallback fill. */
  private readonly orderObjects = new Map<string, { order: Json; pos: Pos }>();
  /** Position objects of one top-level array: together they are one snapshot. */
  private readonly positionGroups = new Map<number, { pos: Pos; list: Json[] }>();
  readonly instruments = new InstrumentFacts({
    asset_class: "not stated by the source (Alpaca states asset_class on orders and positions)",
    quote_currency: "not stated by the source (Alpaca writes a crypto pair BASE/QUOTE on orders and assets)",
    tick_size: "not stated by the source (Alpaca states price_increment on an asset, GET /v2/assets/{symbol}, where it has one: import it with the records)",
  });

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
    if (str(v["class"]) !== undefined && str(v["symbol"]) !== undefined && v["tradable"] !== undefined) return this.asset(v, pos);
    if (str(v["id"]) !== undefined && str(v["status"]) !== undefined && str(v["side"]) !== undefined) return this.orderObject(v, pos);
    if (str(v["side"]) !== undefined && str(v["symbol"]) !== undefined && v["id"] === undefined) {
      this.report.problem(pos, "an order request body (what was asked, not what the broker did): not imported");
      return;
    }
    this.report.problem(pos, "not an Alpaca trade update, order, activity or position (unrecognized keys: " +
      Object.keys(v).slice(0, 6).join(", ") + ")");
  }

  /**
   * What an order, position or asset states of its instrument: Alpaca's asset class (us_equity,
   * us_option: priced in USD), and a crypto pair written BASE/QUOTE.
   */
  private describe(v: Json, pos: Pos, classKey: "asset_class" | "class" = "asset_class"): void {
    const raw = str(v["symbol"]);
    if (raw === undefined) return;
    const symbol = symbolOf(raw);
    const cls = str(v[classKey]);
    const asset = cls === undefined ? undefined : ALPACA_ASSET_CLASSES[cls];
    if (cls !== undefined && asset === undefined) this.instruments.hint(symbol, "asset_class", `Alpaca's asset class ${JSON.stringify(cls)} is none of them`);
    const pair = /^([A-Z0-9]+)\/([A-Z0-9]+)$/.exec(raw.trim());
    const quote = pair?.[2] ?? (cls !== undefined && PRICED_IN_USD.has(cls) ? "USD" : undefined);
    this.instruments.state(symbol, { asset_class: asset, quote_currency: quote, base_currency: pair?.[1] }, pos);
  }

  /** An asset (GET /v2/assets): no record, but its class and, where it has one, its price_increment. */
  private asset(v: Json, pos: Pos): void {
    this.report.ignore("asset (read for --instruments)");
    this.describe(v, pos, "class");
    const symbol = symbolOf(str(v["symbol"])!);
    this.instruments.state(symbol, { tick_size: sizeText(str(v["price_increment"])) }, pos);
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
    const f = this.orders.get(id) ?? { coid: undefined, replaces: undefined, cum: undefined, commissionBooked: ZERO };
    f.coid = str(order["client_order_id"]) ?? f.coid;
    f.replaces = str(order["replaces"]) ?? f.replaces;
    this.orders.set(id, f);
    // The replaced order names its replacement: the link holds even when the replacement's frames
    // do not say what they replace.
    const by = str(order["replaced_by"]);
    if (by !== undefined) {
      const next = this.orders.get(by) ?? { coid: undefined, replaces: undefined, cum: undefined, commissionBooked: ZERO };
      next.replaces ??= id;
      this.orders.set(by, next);
    }
    const filled = decOf(order["filled_qty"]);
    if (filled !== undefined && filled > (this.filledSoFar.get(id) ?? ZERO)) this.filledSoFar.set(id, filled);
    if (DONE_STATUSES.has(str(order["status"]) ?? "")) this.done.add(id);
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
    this.describe(order, pos);
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
      return this.streamFill(data, order, ts, id, execId, pos);
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
      const notional = str(order["notional"]);
      if (notional === undefined) {
        this.report.problem(pos, `order ${id}: field "qty": expected a positive quantity, got ${JSON.stringify(order["qty"])}`);
        return;
      }
      // A notional order ($ amount) has a quantity only once it is done: settled at the end.
      this.acked.add(id);
      this.notionalAcks.push({ order, ts, pos, notional });
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

  private streamFill(data: Json, order: Json, ts: string, eventId: string, execId: string | undefined, pos: Pos): void {
    const orderId = str(order["id"])!;
    const f = this.orders.get(orderId)!;
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
    this.fill(order, ts, eventId, qty, price, { source: "execution", execId, cumAfter: orderCum }, pos, fee);
  }

  private fill(order: Json, ts: string, eventId: string, qty: Dec | undefined, price: Dec | undefined,
    from: { source: FillSource; execId?: string | undefined; cumAfter?: Dec | undefined }, pos: Pos, fee?: Dec, extra: Record<string, unknown> = {}): void {
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
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) fields[k] = v;
    const out = this.push(fields, pos, orderId, false);
    this.fills.push({ out, orderId, source: from.source, execId: from.execId, cumAfter: from.cumAfter, qty });
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
    if (isEstimate(order)) {
      this.report.problem(pos, `order ${id} is an order estimate (filled at the instant it was submitted and never updated after it was created, ` +
        "as POST .../orders/estimation answers): not an execution: not imported");
      return;
    }
    this.facts(order);
    this.describe(order, pos);
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
    this.describe(v, pos);
    const sideRaw = str(v["side"]);
    this.fill({ id: orderId, side: sideRaw, symbol: v["symbol"], qty: v["qty"] }, ts, `alpaca:activity:${id}`,
      decOf(v["qty"]), decOf(v["price"]), { source: "activity", execId: id.split("::")[1], cumAfter: decOf(v["cum_qty"]) }, pos);
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
      if (isObject(p)) this.describe(p, { ...pos, item: i });
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

  /**
   * An order's executions come from trade updates and from FILL activities, often both. One
   * execution seen in both is kept once (the trade update: it carries the client order id): the
   * two are the same execution when their execution ids match, or when they are of the same order
   * and leave it at the same cumulative filled quantity. Every other execution is imported; an
   * activity that cannot be told apart (no cum_qty) is reported, never guessed.
   */
  private mergeExecutions(): Set<OutRecord> {
    const dropped = new Set<OutRecord>();
    const streamByOrder = new Map<string, FillRecord[]>();
    for (const f of this.fills) {
      if (f.source !== "execution") continue;
      streamByOrder.set(f.orderId, [...(streamByOrder.get(f.orderId) ?? []), f]);
    }
    for (const f of this.fills) {
      const stream = f.source === "activity" ? streamByOrder.get(f.orderId) : undefined;
      if (stream === undefined) continue;
      if (f.execId !== undefined && stream.some((s) => s.execId === f.execId)) {
        dropped.add(f.out);
        this.report.ignore("FILL activity of an execution the trade updates already have (same execution id)");
      } else if (f.cumAfter !== undefined && stream.some((s) => s.cumAfter !== undefined && s.cumAfter === f.cumAfter)) {
        dropped.add(f.out);
        this.report.ignore("FILL activity of an execution the trade updates already have (same order, same cumulative qty)");
      } else if (f.cumAfter === undefined) {
        dropped.add(f.out);
        this.report.problem(f.out.pos, `FILL activity of order ${f.orderId}: no "cum_qty", so it cannot be told apart from the trade updates of the same order; not imported`);
      }
    }
    return dropped;
  }

  /**
   * The order object's filled_qty: the whole fill when the input has no execution of the order,
   * else a check that the executions add up to it (a shortfall is reported with its size).
   */
  private orderTotals(kept: readonly FillRecord[]): void {
    const executed = new Map<string, Dec>();
    for (const f of kept) executed.set(f.orderId, add(executed.get(f.orderId) ?? ZERO, f.qty));
    for (const [orderId, { order, pos }] of [...this.orderObjects].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const qty = decOf(order["filled_qty"]);
      if (qty === undefined || isZero(qty)) continue;
      const done = executed.get(orderId);
      if (done !== undefined) {
        if (done < qty) {
          this.report.problem(pos, `order ${orderId}: filled_qty ${decText(qty)} but the executions in the input add up to ${decText(done)}: ` +
            `${decText(sub(qty, done))} not imported (import the order's FILL activities or its trade updates)`);
        }
        continue;
      }
      const tsRaw = str(order["filled_at"]) ?? str(order["updated_at"]);
      const ts = tsRaw === undefined ? undefined : toUtc(tsRaw);
      if (ts === undefined) {
        this.report.problem(pos, `order ${orderId}: filled ${decText(qty)} but no "filled_at" time; its fill is not imported`);
        continue;
      }
      // Local currency trading: filled_avg_price is in the account's currency, usd.* in the instrument's.
      const usd = isObject(order["usd"]) ? decOf(order["usd"]["filled_avg_price"]) : undefined;
      const local: Record<string, unknown> = usd === undefined ? {} : { local_price: str(order["filled_avg_price"]), local_swap_rate: str(order["swap_rate"]) };
      this.fill(order, ts, `alpaca:order:${orderId}:filled:${decText(qty)}`, qty, usd ?? decOf(order["filled_avg_price"]), { source: "order" }, pos,
        decOf(order["commission"]), local);
    }
  }

  /** A notional order's acknowledgement, with the quantity it ended with (what it filled). */
  private settleNotionalAcks(): void {
    for (const { order, ts, pos, notional } of this.notionalAcks) {
      const id = str(order["id"])!;
      const filled = this.filledSoFar.get(id);
      const side = sideOf(order["side"]);
      const symbol = str(order["symbol"]);
      if (!this.done.has(id) || filled === undefined || isZero(filled) || side === undefined || symbol === undefined) {
        this.report.problem(pos, `order ${id}: a notional order ($${notional}) has a quantity only once it is done, and the input does not show it done: ` +
          "acknowledgement not imported (its fills are)");
        continue;
      }
      this.push({
        type: "order_accepted", ts, event_id: `alpaca:order:${id}:accepted`, client_order_id: "", broker_order_id: id,
        symbol: symbolOf(symbol), side, qty: decText(filled), notional, qty_from: "filled_qty",
      }, pos, id, true);
    }
  }

  finish(): ImportResult {
    for (const g of this.positionGroups.values()) this.positions(g.list, undefined, "listing", g.pos);
    this.settleNotionalAcks();
    const dropped = this.mergeExecutions();
    this.orderTotals(this.fills.filter((f) => !dropped.has(f.out)));
    const orphans = new Set<string>();
    let orphanActivities = 0;
    for (const n of this.needsCoid) {
      const replaces = this.orders.get(n.orderId)?.replaces;
      if (n.out.fields["type"] === "order_accepted" && replaces !== undefined) n.out.fields["replaces_broker_order_id"] = replaces;
      const coid = this.resolveCoid(n.orderId);
      if (coid !== undefined) n.out.fields["client_order_id"] = coid;
      else if (n.required) n.out.fields["client_order_id"] = `alpaca:order:${n.orderId}`;
      else delete n.out.fields["client_order_id"];
      if (coid === undefined && !dropped.has(n.out) && this.fills.some((f) => f.out === n.out && f.source === "activity")) {
        orphanActivities += 1;
        orphans.add(n.orderId);
      }
    }
    if (orphanActivities > 0) {
      this.report.note(`${orphanActivities} FILL activit${orphanActivities === 1 ? "y" : "ies"} of ${orphans.size} order${orphans.size === 1 ? "" : "s"} carry no client_order_id ` +
        "and no order or trade update for them is in the input: the replay will report them as orphans (import the orders with them, e.g. GET /v2/orders?status=all)");
    }
    return { records: this.out.filter((r) => !dropped.has(r)), report: this.report, instruments: this.instruments };
  }

}

/**
 * The order estimation endpoint answers with an order object that looks filled: it fills at the very
 * instant it was submitted and is never updated after it was created. A real order is updated when
 * it fills, so its updated_at moves past its created_at.
 */
function isEstimate(order: Json): boolean {
  const filledAt = str(order["filled_at"]);
  return str(order["status"]) === "filled" && filledAt !== undefined && filledAt === str(order["submitted_at"]) &&
    str(order["created_at"]) !== undefined && str(order["created_at"]) === str(order["updated_at"]);
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
