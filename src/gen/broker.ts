// The broker simulation: the engine decides, the broker accepts, fills, cancels or rejects its
// orders (scheduled a little later), prices walk, and two books follow the fills: the broker's
// positions, and the engine's idea of them (less what it has not seen while the link was down,
// learnt at the reconciliation on reconnect). Faults (faults.ts) bend this day; the truth
// (truth.ts) is read off what happens here.

import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import { applyFill, FLAT, type Position } from "../core/rules/index.js";
import type { Timeline } from "./timeline.js";
import type { Truth } from "./truth.js";
import { compact, type Draws, type Instrument, INSTRUMENTS, iso, LOT_UNITS, type Obj, price } from "./world.js";

export interface OpenOrder {
  readonly coid: string;
  readonly decisionId: string;
  readonly inst: Instrument;
  readonly side: "buy" | "sell";
  readonly qty: number;
  readonly refPrice: Dec;
  filledSeen: number;
  closed: boolean;
}

export class BrokerSim {
  private orderSeq = 0;
  private decisionSeq = 0;
  private readonly mid = new Map<string, number>();
  /** The broker's positions, as its fills move them. */
  readonly positions = new Map<string, Position>();
  /** The engine's idea of its positions: the broker's, less fills it has not seen. */
  readonly enginePositions = new Map<string, Position>();
  /**
   * The positions in the engine's view: what it saw (enginePositions, the same map), until a drift
   * fault's restart loads a wrong snapshot instead. Reconciliation compares this with the broker's.
   */
  private engineBook: ReadonlyMap<string, Position> = this.enginePositions;
  readonly open = new Map<string, OpenOrder>();
  /** Orders the engine believes open: it has not seen them filled, cancelled or rejected. */
  readonly engineOpen = new Map<string, OpenOrder>();
  /** Cancels and rejects the engine missed (the link was down): it learns them at reconnect. */
  private pendingTerminal: OpenOrder[] = [];
  /** Fills the engine missed while disconnected: it learns them at the reconciliation on reconnect. */
  private pendingCatch: Array<{ order: OpenOrder; q: Dec; p: Dec; qty: number }> = [];
  private readonly filledTotal = new Map<string, number>();
  /** The engine's last decision, which a deploy restart emits again (and the replay skips). */
  lastDecision: Obj | null = null;

  constructor(private readonly draws: Draws, private readonly tl: Timeline, private readonly truth: Truth) {
    for (const i of INSTRUMENTS) this.mid.set(i.symbol, i.pipettes);
  }

  nextDecisionId(): string {
    this.decisionSeq += 1;
    return `D-${String(this.decisionSeq).padStart(7, "0")}`;
  }

  nextBrokerOrderId(): string {
    return `BO-${String(++this.orderSeq).padStart(7, "0")}`;
  }

  /** The engine decides an order now; the broker answers it over the next moments. */
  decide(): void {
    const { rng, faults, toForce } = this.draws;
    const inst = rng.pick(INSTRUMENTS);
    const pos = this.positions.get(inst.symbol) ?? FLAT;
    // Lean against the position so it stays bounded.
    const side: "buy" | "sell" = D.sign(pos.qty) > 0 ? (rng.chance(65) ? "sell" : "buy")
      : D.sign(pos.qty) < 0 ? (rng.chance(65) ? "buy" : "sell") : (rng.chance(50) ? "buy" : "sell");
    const qty = rng.int(1, 50) * LOT_UNITS;
    const mid = this.walk(inst);
    const refPrice = D.parseDec(price(inst, mid))!;
    const decisionId = this.nextDecisionId();
    const coid = `GEN::${rng.pick(["lsg", "orb", "mr"])}::${inst.symbol}::${compact(this.tl.now)}::${rng.hex(8)}`;
    const isLimit = rng.chance(20);
    const limitPipettes = side === "buy" ? mid - rng.int(0, 30) : mid + rng.int(0, 30);
    const decision: Obj = {
      type: "decision", ts: iso(this.tl.now), decision_id: decisionId,
      client_order_id: coid, symbol: inst.symbol, side, qty, ref_price: price(inst, mid),
      strategy: coid.split("::")[1], order_type: isLimit ? "limit" : "market",
      ...(isLimit ? { limit_price: price(inst, limitPipettes) } : {}),
    };
    this.tl.emitJournal(decision);
    this.lastDecision = decision;
    const order: OpenOrder = { coid, decisionId, inst, side, qty, refPrice, filledSeen: 0, closed: false };
    this.open.set(coid, order);
    this.engineOpen.set(coid, order);
    const bid = this.nextBrokerOrderId();
    const t = this.tl.now + rng.int(40, 200);
    if (rng.chance(3)) {
      this.tl.schedule(t, () => this.closeOrder(order, { type: "order_rejected", client_order_id: coid, reason: "INSUFFICIENT_MARGIN" }));
      return;
    }
    const rests = isLimit && rng.chance(50);
    // Only an order that fills may lose its accept: its fills still carry the client order id. A
    // resting order's cancel names only the broker's id, which then nothing would tie to the engine.
    const dropAck = !rests && faults.has("drop-ack") && (rng.chance(10) || toForce.has("drop-ack"));
    if (dropAck) toForce.delete("drop-ack");
    if (!dropAck) {
      this.tl.schedule(t, () => ({ type: "order_accepted", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty }));
    }
    if (rests) {
      // The limit rests; the engine cancels it a little later.
      this.scheduleCancel(order, bid, t + rng.int(5_000, 120_000));
      return;
    }
    this.scheduleFills(order, bid, t, isLimit ? limitPipettes : undefined, mid);
  }

  /** One to three fills of the whole order: at its limit, or around the mid with some slippage. */
  private scheduleFills(order: OpenOrder, bid: string, acceptedAt: number, limitPipettes: number | undefined, mid: number): void {
    const { rng } = this.draws;
    const { inst, side, qty } = order;
    let t = acceptedAt;
    let left = qty;
    const parts = rng.int(1, 3);
    for (let i = 0; i < parts; i++) {
      const q = i === parts - 1 ? left : Math.max(LOT_UNITS, Math.floor(left / (parts - i) / LOT_UNITS) * LOT_UNITS);
      left -= q;
      t += rng.int(20, 1_500);
      const slip = rng.int(-3, 6) * (side === "buy" ? 1 : -1);
      const px = limitPipettes ?? mid + slip;
      this.tl.schedule(t, () => this.fill(order, bid, q, price(inst, px), D.toFixed(D.mul(D.decFromInt(q), D.parseDec("0.00002")!), 2)));
      if (left <= 0) break;
    }
  }

  private scheduleCancel(order: OpenOrder, bid: string, at: number): void {
    // The engine's cancel request is journaled at `at`; the broker confirms shortly after.
    const journalAt = at;
    this.tl.schedule(journalAt, () => {
      if (!order.closed) this.tl.emitJournal({ type: "cancel_request", ts: iso(journalAt), client_order_id: order.coid });
      return null;
    });
    this.tl.schedule(at + this.draws.rng.int(50, 300), () => (order.closed ? null : this.closeOrder(order, { type: "order_cancelled", broker_order_id: bid, reason: "CLIENT_REQUEST" })));
  }

  private closeOrder(order: OpenOrder, obj: Obj): Obj {
    order.closed = true;
    this.open.delete(order.coid);
    // A cancel or reject the engine does not see (the link is down) is caught by the next reconciliation.
    if (this.tl.connected) this.engineOpen.delete(order.coid);
    else {
      this.truth.findings.push({ kind: "order_state_caught_by_reconcile", client_order_id: order.coid });
      this.pendingTerminal.push(order);
    }
    return obj;
  }

  /** A fill at the broker: its book moves; the engine's too when it is connected, else at reconnect. */
  fill(order: OpenOrder, bid: string, qty: number, px: string, fee: string): Obj {
    const q = D.decFromInt(qty);
    const p = D.parseDec(px)!;
    this.positions.set(order.inst.symbol, applyFill(this.positions.get(order.inst.symbol) ?? FLAT, order.side, q, p).pos);
    if (this.tl.connected) {
      order.filledSeen += qty;
      if (order.filledSeen >= order.qty) this.engineOpen.delete(order.coid);
      this.applyEngineFill(order, q, p);
    } else {
      this.truth.findings.push({ kind: "caught_by_reconcile", client_order_id: order.coid });
      this.pendingCatch.push({ order, q, p, qty });
    }
    if (order.filledSeen >= order.qty || this.totalScheduledFilled(order, qty)) {
      order.closed = true;
      this.open.delete(order.coid);
    }
    return { type: "fill", client_order_id: order.coid, broker_order_id: bid, symbol: order.inst.brokerSymbol, side: order.side, qty, price: px, fee };
  }

  private applyEngineFill(order: OpenOrder, q: Dec, p: Dec): void {
    // A wrong snapshot is loaded only after the engine's last fill (drift faults come at the end).
    if (this.engineBook !== this.enginePositions) throw new Error("invariant: an engine fill after a drift fault's snapshot");
    this.enginePositions.set(order.inst.symbol, applyFill(this.enginePositions.get(order.inst.symbol) ?? FLAT, order.side, q, p).pos);
  }

  private totalScheduledFilled(order: OpenOrder, qty: number): boolean {
    const total = (this.filledTotal.get(order.coid) ?? 0) + qty;
    this.filledTotal.set(order.coid, total);
    return total >= order.qty;
  }

  /** At reconnect the engine learns what it missed: cancels, rejects and fills. */
  catchUp(): void {
    for (const o of this.pendingTerminal) this.engineOpen.delete(o.coid);
    this.pendingTerminal = [];
    for (const c of this.pendingCatch) {
      c.order.filledSeen += c.qty;
      if (c.order.filledSeen >= c.order.qty) this.engineOpen.delete(c.order.coid);
      this.applyEngineFill(c.order, c.q, c.p);
    }
    this.pendingCatch = [];
  }

  /** The instrument's mid moves a few pipettes. */
  walk(inst: Instrument): number {
    const next = (this.mid.get(inst.symbol) ?? inst.pipettes) + this.draws.rng.int(-8, 8);
    this.mid.set(inst.symbol, next);
    return next;
  }

  scheduleSnapshot(t: number): void {
    this.tl.schedule(t, () => ({ type: "position_snapshot", positions: this.positionLines(this.positions, true) }));
  }

  positionLines(book: ReadonlyMap<string, Position>, brokerNames: boolean): Obj[] {
    return INSTRUMENTS.filter((i) => !D.isZero((book.get(i.symbol) ?? FLAT).qty)).map((i) => {
      const p = book.get(i.symbol)!;
      return { symbol: brokerNames ? i.brokerSymbol : i.symbol, qty: D.toPlain(p.qty), avg_price: D.toPlain(p.avgPrice) };
    });
  }

  /** Open orders as a journal snapshot lists them. */
  openOrderLines(orders: Iterable<OpenOrder>): Obj[] {
    return [...orders].map((o) => ({
      client_order_id: o.coid, symbol: o.inst.symbol, side: o.side, qty: o.qty, filled_qty: o.filledSeen, ref_price: D.toPlain(o.refPrice),
    }));
  }

  /** A restart's snapshot is loaded into the engine's view, and reconciliation runs at once. */
  snapshotLoaded(book: ReadonlyMap<string, Position>): void {
    this.engineBook = book;
    this.expectDriftWhereBooksDiffer();
  }

  /** A reconciliation runs now: the truth expects a drift wherever the two books differ. */
  expectDriftWhereBooksDiffer(): void {
    this.truth.expectDriftWhereBooksDiffer(this.engineBook, this.positions);
  }

  /** A market order decided now and accepted 50 ms later (the journal line and the accept are emitted). */
  acceptedMarketOrder(tag: string): { order: OpenOrder; bid: string; mid: number } {
    const { rng } = this.draws;
    const inst = rng.pick(INSTRUMENTS);
    const side = rng.chance(50) ? "buy" as const : "sell" as const;
    const mid = this.walk(inst);
    const decisionId = this.nextDecisionId();
    const coid = `GEN::${tag}::${inst.symbol}::${compact(this.tl.now)}::${rng.hex(8)}`;
    const qty = rng.int(1, 20) * LOT_UNITS;
    const order: OpenOrder = { coid, decisionId, inst, side, qty, refPrice: D.parseDec(price(inst, mid))!, filledSeen: 0, closed: false };
    this.tl.flushUntil(this.tl.now);
    this.tl.emitJournal({ type: "decision", ts: iso(this.tl.now), decision_id: order.decisionId, client_order_id: coid,
      symbol: inst.symbol, side, qty, ref_price: price(inst, mid) });
    this.open.set(coid, order);
    this.engineOpen.set(coid, order);
    const bid = this.nextBrokerOrderId();
    this.tl.emitBrokerAt({ type: "order_accepted", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty }, this.tl.now + 50);
    return { order, bid, mid };
  }
}
