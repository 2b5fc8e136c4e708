// The broker's book: the truth, as the broker log states it. Every order it accepted, every fill,
// cancel and reject, its positions (latest snapshot plus the fills after it), marks, risk limits and
// realized P&L by UTC day. Nothing here knows what the engine saw or what has been reported: those
// live in engine-view.ts and reported.ts, keyed by these records.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type {
  BrokerEvent, FillEvent, LimitsSnapshotEvent, OrderAcceptedEvent, OrderCancelledEvent, OrderRejectedEvent,
  PositionSnapshotEvent, Side,
} from "../../domain/records.js";
import { type Instant, utcDay } from "../../domain/time.js";
import { LineTrail, SymbolTrails } from "./evidence.js";
import {
  applyFill, type BrokerOrderStatus, type FeeBooking, feeBooking as feeBookingOf, type FeeCurrencies, feeInPnl, FLAT, type IdentityField,
  idMatchContradictions, type OrderIdentity, type Position, type PositionChange, positionChange,
} from "../rules/index.js";


export interface BrokerFill {
  readonly ev: FillEvent;
  /** The order the broker booked it to. */
  readonly order: BrokerOrder;
  /** Realized P&L of this fill on the broker's book, net of its fee where that is in the quote currency. */
  readonly realizedPnl: Dec;
  /** Where its fee lands (rules/fees.ts). */
  readonly feeBooking: FeeBooking;
  /** How it moves a position, on either book: its qty and price, or what a fee in the base asset makes of them. */
  readonly change: PositionChange;
}

export interface BrokerOrder {
  /** `broker:<id>`, or `client:<id>` for an order known only from a reject. */
  readonly key: string;
  readonly brokerOrderId: string | undefined;
  readonly clientOrderId: string | undefined;
  /** "" (and side "buy") until an event names them: a cancel or reject of an order not shown yet. */
  readonly symbol: string;
  readonly side: Side;
  /** Its size, once an acceptance states it. */
  readonly qty: Dec | undefined;
  /** Its limit price, when its acceptance states one. */
  readonly limitPrice: Dec | undefined;
  /** The broker order id this one replaced (a cancel/replace or amend), if it is a replacement. */
  readonly replaces: string | undefined;
  readonly status: BrokerOrderStatus;
  readonly cumFilled: Dec;
  readonly fills: readonly BrokerFill[];
  readonly firstTs: Instant;
  /** Broker lines about it (numbers: a finding names them "broker:LINE"). */
  readonly evidence: readonly number[];
  /** The broker's reason for its cancel or reject, when it gave one. */
  readonly reason: string | undefined;
  /** When the broker cancelled or rejected it (the event's time). */
  readonly endedAt: Instant | undefined;
  /**
   * Set when the events of this record named another order's broker id but contradicted it: the
   * client order id of the order they named, and the fields that disagree. Such a record is never
   * linked to an engine order through that id.
   */
  readonly conflict: { readonly withClientOrderId: string | undefined; readonly fields: readonly IdentityField[] } | undefined;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type OrderRecord = Writable<BrokerOrder> & { fills: BrokerFill[]; evidence: number[] };


export class BrokerBook {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly byBrokerId = new Map<string, OrderRecord>();
  private readonly byClientId = new Map<string, OrderRecord>();
  /** Orders the next reconciliation must look at: touched since, or not yet accounted for. */
  private readonly unsettled = new Set<string>();
  private positionBySymbol = new Map<string, Position>();
  private readonly markBySymbol = new Map<string, Dec>();
  private readonly realizedByDay = new Map<string, Dec>();
  private limitsSnapshot: LimitsSnapshotEvent | undefined;
  /** The latest position snapshot's line, and per symbol the fills since: what each position rests on. */
  private snapshotLine: number | undefined;
  private trails = new SymbolTrails();
  /** Per UTC day, the fills booked that day: what its realized P&L rests on. */
  private readonly dayTrails = new Map<string, LineTrail>();
  /** Fills booked over the whole replay. */
  fillCount = 0;

  // ------------------------------------------------------------ lookups (no side effects)

  orderByBrokerId(brokerOrderId: string): BrokerOrder | undefined {
    return this.byBrokerId.get(brokerOrderId);
  }

  orderByClientId(clientOrderId: string): BrokerOrder | undefined {
    return this.byClientId.get(clientOrderId);
  }

  /** Orders the broker log shows that are not yet settled, in the order they became so. */
  unsettledOrders(): BrokerOrder[] {
    return [...this.unsettled].map((key) => this.orders.get(key)!);
  }

  /** Every order still held (finished ones are forgotten once accounted for). */
  allOrders(): IterableIterator<BrokerOrder> {
    return this.orders.values();
  }

  position(symbol: string): Position {
    return this.positionBySymbol.get(symbol) ?? FLAT;
  }

  /** Non-flat positions by symbol. */
  positions(): ReadonlyMap<string, Position> {
    return this.positionBySymbol;
  }

  /** The last fill price of a symbol (marks an open position after a restart). */
  lastMark(symbol: string): Dec | undefined {
    return this.markBySymbol.get(symbol);
  }

  realizedOn(day: string): Dec {
    return this.realizedByDay.get(day) ?? D.ZERO;
  }

  /** The broker lines a symbol's position rests on: the latest snapshot and the fills after it. */
  positionTrail(symbol: string): { readonly snapshotLine: number | undefined; readonly fills: LineTrail | undefined } {
    return { snapshotLine: this.snapshotLine, fills: this.trails.of(symbol) };
  }

  /** The fills booked on a UTC day. */
  dayTrail(day: string): LineTrail | undefined {
    return this.dayTrails.get(day);
  }

  get limits(): LimitsSnapshotEvent | undefined {
    return this.limitsSnapshot;
  }

  // ------------------------------------------------------------ booking broker events

  /** Books an acceptance: the order it names, now sized (and filled, if its fills came first). */
  accept(ev: OrderAcceptedEvent): BrokerOrder {
    const b = this.orderNamedBy(ev.brokerOrderId, ev.clientOrderId, ev.symbol, ev.side, ev);
    b.qty = ev.qty;
    b.limitPrice = ev.limitPrice;
    if (ev.replacesBrokerOrderId !== undefined) this.replace(ev.replacesBrokerOrderId, b);
    if (D.sub(b.cumFilled, ev.qty) >= 0n && b.status === "live") b.status = "filled";
    return b;
  }

  /** Books one execution on its order, the position, the day's P&L and the mark; its fee as its currency says. */
  fill(ev: FillEvent, currencies: FeeCurrencies): BrokerFill {
    const b = this.orderNamedBy(ev.brokerOrderId, ev.clientOrderId, ev.symbol, ev.side, ev);
    const feeBooking = feeBookingOf(ev.fee, ev.feeCurrency, currencies);
    const change = positionChange(ev, feeBooking);
    const { pos: next, realized } = applyFill(this.position(ev.symbol), ev.side, change.qty, change.price);
    this.setPosition(ev.symbol, next);
    // Booked to the cent, as an account statement does: every total is a sum of these, to the digit.
    const net = D.roundTo(D.sub(realized, feeInPnl(ev.fee, feeBooking)), 2);
    const day = utcDay(ev.ts);
    this.realizedByDay.set(day, D.add(this.realizedOn(day), net));
    this.markBySymbol.set(ev.symbol, ev.price);
    this.fillCount += 1;
    this.trails.add(ev.symbol, ev.line);
    let dayTrail = this.dayTrails.get(day);
    if (dayTrail === undefined) this.dayTrails.set(day, dayTrail = new LineTrail());
    dayTrail.add(ev.line);
    b.cumFilled = D.add(b.cumFilled, ev.qty);
    if (b.qty !== undefined && b.cumFilled >= b.qty && b.status === "live") b.status = "filled";
    const fill: BrokerFill = { ev, order: b, realizedPnl: net, feeBooking, change };
    b.fills.push(fill);
    return fill;
  }

  /**
   * Books a cancel. Returns the order, or undefined for an order the log never showed: that one is
   * kept as evidence of a terminal order, which no one can have seen happen.
   */
  cancel(ev: OrderCancelledEvent): BrokerOrder | undefined {
    const b = this.byBrokerId.get(ev.brokerOrderId);
    if (b === undefined) {
      const unseen = this.newOrder(`broker:${ev.brokerOrderId}`, { brokerOrderId: ev.brokerOrderId, clientOrderId: undefined, symbol: "", side: "buy" }, ev);
      unseen.status = "cancelled";
      unseen.reason = ev.reason;
      unseen.endedAt = ev.ts;
      return undefined;
    }
    // A cancel that names its replacement is a replace: the client order lives on in the replacement.
    b.status = ev.replacedByBrokerOrderId !== undefined || b.status === "replaced" ? "replaced" : "cancelled";
    b.reason = ev.reason;
    b.endedAt = ev.ts;
    b.evidence.push(ev.line);
    this.unsettled.add(b.key);
    return b;
  }

  /** Books a reject (keyed by client id: a reject may come before any broker id exists). */
  reject(ev: OrderRejectedEvent): BrokerOrder {
    const b = this.byClientId.get(ev.clientOrderId) ?? this.newOrder(`client:${ev.clientOrderId}`, { brokerOrderId: undefined, clientOrderId: ev.clientOrderId, symbol: "", side: "buy" }, ev);
    b.status = "rejected";
    b.reason = ev.reason;
    b.endedAt = ev.ts;
    if (!b.evidence.includes(ev.line)) b.evidence.push(ev.line);
    this.unsettled.add(b.key);
    return b;
  }

  /** `replacement` takes the place of the order it names: that one is replaced, not finished. */
  private replace(replacedId: string, replacement: OrderRecord): void {
    replacement.replaces = replacedId;
    const old = this.byBrokerId.get(replacedId);
    if (old === undefined || old === replacement) return;
    if (old.status === "live" || old.status === "cancelled") old.status = "replaced";
    this.unsettled.add(old.key);
  }

  /** The broker's positions are now this snapshot (fills after it add to it). */
  snapshot(ev: PositionSnapshotEvent): void {
    this.positionBySymbol = new Map(ev.positions.filter((p) => !D.isZero(p.qty)).map((p) => [p.symbol, { qty: p.qty, avgPrice: p.avgPrice }]));
    this.snapshotLine = ev.line;
    this.trails = new SymbolTrails();
  }

  setLimits(ev: LimitsSnapshotEvent): void {
    this.limitsSnapshot = ev;
  }

  // ------------------------------------------------------------ what reconciliation tells the book

  /** Every order becomes unsettled: a new engine run has looked at none of them. */
  unsettleAll(): void {
    for (const key of this.orders.keys()) this.unsettled.add(key);
  }

  /**
   * Drops a finished order that everyone has accounted for, so memory follows the working orders,
   * not the length of the log. A later event about it starts a fresh record.
   */
  forget(b: BrokerOrder): void {
    this.unsettled.delete(b.key);
    this.orders.delete(b.key);
    if (b.brokerOrderId !== undefined && this.byBrokerId.get(b.brokerOrderId) === b) this.byBrokerId.delete(b.brokerOrderId);
    if (b.clientOrderId !== undefined && this.byClientId.get(b.clientOrderId) === b) this.byClientId.delete(b.clientOrderId);
  }

  // ------------------------------------------------------------ internals

  /**
   * The order a broker event names by broker id, created if the log has not shown it. A reject
   * keyed by client id may precede everything else about an order: an event with that client id
   * and a broker id completes it. The event joins the order's evidence, and the order is unsettled.
   */
  private orderNamedBy(brokerOrderId: string, clientOrderId: string | undefined, symbol: string, side: Side, ev: BrokerEvent): OrderRecord {
    let b = this.byBrokerId.get(brokerOrderId);
    if (b !== undefined) {
      const fields = idMatchContradictions(b, { clientOrderId, symbol, side });
      if (fields.length > 0) return this.conflictingOrder(b, { clientOrderId, symbol, side }, fields, ev);
    }
    if (b === undefined && clientOrderId !== undefined) {
      const byCoid = this.byClientId.get(clientOrderId);
      if (byCoid !== undefined && byCoid.brokerOrderId === undefined) {
        b = byCoid;
        b.brokerOrderId = brokerOrderId;
        this.byBrokerId.set(brokerOrderId, b);
      }
    }
    if (b === undefined) return this.newOrder(`broker:${brokerOrderId}`, { brokerOrderId, clientOrderId, symbol, side }, ev);
    if (b.clientOrderId === undefined && clientOrderId !== undefined) {
      b.clientOrderId = clientOrderId;
      this.byClientId.set(clientOrderId, b);
    }
    if (b.symbol === "") {
      b.symbol = symbol;
      b.side = side;
    }
    b.evidence.push(ev.line);
    this.unsettled.add(b.key);
    return b;
  }

  /**
   * The record of events that name `named`'s broker id but contradict it: one per distinct identity
   * (client id, symbol, side), so later events of the same identity join it. Indexed by its client
   * id when that id names no other order; never by the broker id, which stays `named`'s.
   */
  private conflictingOrder(named: OrderRecord, says: OrderIdentity, fields: IdentityField[], ev: BrokerEvent): OrderRecord {
    const { clientOrderId, symbol, side } = says;
    const key = `conflict:${named.brokerOrderId}|${clientOrderId ?? ""}|${symbol}|${side}`;
    const known = this.orders.get(key);
    if (known !== undefined) {
      known.evidence.push(ev.line);
      this.unsettled.add(key);
      return known;
    }
    const b = this.newOrder(key, { brokerOrderId: named.brokerOrderId, clientOrderId: undefined, symbol, side }, ev);
    b.clientOrderId = clientOrderId;
    if (clientOrderId !== undefined && !this.byClientId.has(clientOrderId)) this.byClientId.set(clientOrderId, b);
    b.conflict = { withClientOrderId: named.clientOrderId, fields };
    return b;
  }

  /** A new order record under `key`, named as its first event names it, and unsettled. */
  private newOrder(key: string, named: OrderIdentity & { readonly brokerOrderId: string | undefined }, ev: BrokerEvent): OrderRecord {
    const { brokerOrderId, clientOrderId, symbol, side } = named;
    const b: OrderRecord = {
      key, brokerOrderId, clientOrderId, symbol, side, qty: undefined, limitPrice: undefined, replaces: undefined, status: "live", cumFilled: D.ZERO, fills: [],
      firstTs: ev.ts, evidence: [ev.line], reason: undefined, endedAt: undefined, conflict: undefined,
    };
    this.orders.set(key, b);
    if (brokerOrderId !== undefined && !this.byBrokerId.has(brokerOrderId)) this.byBrokerId.set(brokerOrderId, b);
    if (clientOrderId !== undefined) this.byClientId.set(clientOrderId, b);
    this.unsettled.add(key);
    return b;
  }

  private setPosition(symbol: string, pos: Position): void {
    if (D.isZero(pos.qty)) this.positionBySymbol.delete(symbol);
    else this.positionBySymbol.set(symbol, pos);
  }
}
