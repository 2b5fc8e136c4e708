// Fault injection: restarts (a deploy that re-emits the last decision), disconnects, a crash with an
// order in flight, and the faults that engage the kill switch, injected at the end of the log after
// the last decision (an order placed by hand at the broker, a decision the broker never receives, a
// restart snapshot with a wrong price or quantity). With --force, each fault asked for happens at
// least once; the others happen by chance.

import * as D from "../domain/decimal.js";
import { applyFill, FLAT, type Position } from "../core/rules/index.js";
import type { BrokerSim } from "./broker.js";
import type { Timeline } from "./timeline.js";
import type { Truth } from "./truth.js";
import { compact, type Draws, type Fault, type Instrument, INSTRUMENTS, iso, LOT_UNITS, price } from "./world.js";

/** Faults that engage the kill switch; they are injected at the end of the log, after the last decision. */
export const TERMINAL_FAULTS: ReadonlySet<Fault> = new Set(["orphan", "lost-order", "price-drift", "unit-drift"]);

/** Faults that happen by chance unless forced. */
export const CHANCE_FAULTS: readonly Fault[] = ["drop-ack", "duplicate-delivery", "disconnect", "crash-restart"];

/** A disconnect ends this long before the next reconciliation (which it must not overlap)... */
const DISCONNECT_MARGIN_MS = 2_000;
/** ...and happens only when that leaves it at least this long. */
const DISCONNECT_ROOM_MIN_MS = 5_000;
/** The longest disconnect. */
const DISCONNECT_MAX_MS = 90_000;
/** A crash keeps clear of the next reconciliation by more: its restart and snapshot come first. */
const CRASH_MARGIN_MS = 5_000;
const CRASH_ROOM_MIN_MS = 10_000;

export class FaultInjector {
  /** The engine crashes once a scenario at most. */
  crashDone = false;

  constructor(
    private readonly draws: Draws,
    private readonly tl: Timeline,
    private readonly broker: BrokerSim,
    private readonly truth: Truth,
  ) {}

  /** A snapshot order the broker has shown nothing of would be stale at once: wait for its first event. */
  restartSafe(): boolean {
    return [...this.broker.open.values()].every((o) => o.closed || this.tl.brokerSeen.has(o.coid));
  }

  /** A restart: the journal records it and the engine's snapshot; a re-emitted decision is skipped. */
  restart(reason: string, reemit: boolean): void {
    const { tl, broker } = this;
    tl.flushUntil(tl.now);
    tl.stepPastBrokerEvents();
    const ts = iso(tl.now);
    tl.emitJournal({ type: "restart", ts, reason });
    tl.emitJournal({
      type: "snapshot", ts,
      open_orders: broker.openOrderLines([...broker.open.values()].filter((o) => !o.closed)),
      positions: broker.positionLines(broker.enginePositions, false),
    });
    broker.snapshotLoaded(broker.enginePositions);
    tl.lastReconcileMs = tl.now;
    if (reemit && broker.lastDecision !== null) {
      tl.advance(1);
      tl.emitJournal({ ...broker.lastDecision, ts: iso(tl.now) });
      this.truth.duplicatesSkipped += 1;
    }
  }

  disconnectWindow(): void {
    const { tl } = this;
    const room = tl.msToNextReconcile() - DISCONNECT_MARGIN_MS;
    if (room < DISCONNECT_ROOM_MIN_MS) return;
    tl.flushUntil(tl.now);
    tl.emitBroker({ type: "disconnect" }, tl.now);
    tl.connected = false;
    tl.advance(this.draws.rng.int(2_000, Math.min(room, DISCONNECT_MAX_MS)));
    tl.flushUntil(tl.now);
    tl.connected = true;
    tl.emitBroker({ type: "reconnect" }, tl.now);
    tl.lastReconcileMs = tl.now;
    this.broker.catchUp();
  }

  /**
   * The engine dies with an order in flight: the broker sees the session drop, fills the order while
   * nobody listens, and the engine restarts. Its snapshot lacks the fill; the cache proves the fill
   * was never processed, so reconciliation catches it.
   */
  crashRestart(): void {
    const { tl, broker } = this;
    const room = tl.msToNextReconcile() - CRASH_MARGIN_MS;
    // Like a deploy restart, only when every open order has a broker record (see restartSafe).
    if (room < CRASH_ROOM_MIN_MS || !this.restartSafe()) return;
    this.crashDone = true;
    this.draws.toForce.delete("crash-restart");
    const { order, bid, mid } = broker.acceptedMarketOrder("crash");
    const { inst, qty } = order;
    this.fillWhileDown(() => broker.fill(order, bid, qty, price(inst, mid), "0"));
    tl.stepPastBrokerEvents();
    tl.emitJournal({ type: "restart", ts: iso(tl.now), reason: "crash" });
    tl.emitBroker({ type: "reconnect" }, tl.now);
    tl.connected = true;
    tl.now += 1;
    tl.flushUntil(tl.now);
    // The snapshot is the engine's belief: its open orders (this one unfilled) and positions without the fill.
    tl.emitJournal({ type: "snapshot", ts: iso(tl.now),
      open_orders: broker.openOrderLines(broker.engineOpen.values()),
      positions: broker.positionLines(broker.enginePositions, false) });
    tl.lastReconcileMs = tl.now;
    broker.catchUp();
    // Reconciliation catches the fill the snapshot lacks before it compares the books.
    broker.snapshotLoaded(broker.enginePositions);
  }

  /** The link drops 100 ms from now; 200 ms later the broker fills (`fill` makes the event); a second passes. */
  private fillWhileDown(fill: () => Record<string, unknown>): void {
    const { tl } = this;
    tl.now += 100;
    tl.emitBrokerAt({ type: "disconnect" }, tl.now);
    tl.connected = false;
    tl.now += 200;
    tl.flushUntil(tl.now);
    tl.emitBroker(fill(), tl.now);
    tl.now += 1_000;
    tl.flushUntil(tl.now);
  }

  /** Makes one forced fault happen now, if it can (false: not now, e.g. a reconciliation is near). */
  forceNext(): boolean {
    if (this.draws.toForce.has("crash-restart")) {
      this.crashRestart();
      return this.crashDone;
    }
    if (this.draws.toForce.has("disconnect")) return this.missedFillWindow();
    return false; // drop-ack and duplicate-delivery are forced where the next order or event is made
  }

  /** A disconnect during which a fill of the engine's order lands: caught by the reconnect's reconciliation. */
  private missedFillWindow(): boolean {
    const { tl, broker } = this;
    if (tl.msToNextReconcile() - DISCONNECT_MARGIN_MS < DISCONNECT_ROOM_MIN_MS) return false;
    this.draws.toForce.delete("disconnect");
    const { order, bid, mid } = broker.acceptedMarketOrder("dropout");
    this.fillWhileDown(() => broker.fill(order, bid, order.qty, price(order.inst, mid), "0"));
    tl.connected = true;
    tl.emitBroker({ type: "reconnect" }, tl.now);
    tl.lastReconcileMs = tl.now;
    broker.catchUp();
    return true;
  }

  /** A fault that engages the kill switch, a few seconds after what came before. */
  injectTerminal(f: Fault): void {
    const { rng } = this.draws;
    this.tl.advance(rng.int(1_000, 5_000));
    const inst = rng.pick(INSTRUMENTS);
    const mid = this.broker.walk(inst);
    if (f === "orphan") this.manualTrade(inst, mid);
    else if (f === "lost-order") this.lostOrder(inst, mid);
    else if (f === "price-drift" || f === "unit-drift") this.wrongSnapshot(f, inst, mid);
  }

  /** An order placed by hand at the broker, and its fill: no engine sent it. */
  private manualTrade(inst: Instrument, mid: number): void {
    const { tl, broker } = this;
    const { rng } = this.draws;
    const coid = `MANUAL-${rng.hex(6)}`;
    const bid = broker.nextBrokerOrderId();
    const qty = rng.int(1, 10) * LOT_UNITS;
    const side = rng.chance(50) ? "buy" as const : "sell" as const;
    tl.emitBrokerAt({ type: "order_accepted", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty }, tl.now);
    const q = D.decFromInt(qty);
    const p = D.parseDec(price(inst, mid))!;
    broker.positions.set(inst.symbol, applyFill(broker.positions.get(inst.symbol) ?? FLAT, side, q, p).pos);
    tl.emitBrokerAt({ type: "fill", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty, price: price(inst, mid), fee: "0" }, tl.now + 10);
    // The fill stays out of the engine's book, so the books differ: the drift is found where they
    // are compared (a later restart's snapshot may even them out).
    this.truth.findings.push({ kind: "orphan_broker_order", client_order_id: coid });
  }

  /** A decision the broker never receives. */
  private lostOrder(inst: Instrument, mid: number): void {
    const { tl } = this;
    const coid = `GEN::lost::${inst.symbol}::${compact(tl.now)}::${this.draws.rng.hex(8)}`;
    tl.emitJournal({ type: "decision", ts: iso(tl.now), decision_id: this.broker.nextDecisionId(),
      client_order_id: coid, symbol: inst.symbol, side: "buy", qty: LOT_UNITS, ref_price: price(inst, mid) });
    this.truth.findings.push({ kind: "stale_local_order", client_order_id: coid });
  }

  /** The engine restarts with a snapshot that disagrees with the broker for one symbol. */
  private wrongSnapshot(f: "price-drift" | "unit-drift", inst: Instrument, mid: number): void {
    const { tl, broker } = this;
    const wrong = new Map(broker.enginePositions);
    const cur = wrong.get(inst.symbol) ?? FLAT;
    const shifted: Position = f === "unit-drift"
      ? { qty: D.add(cur.qty, D.decFromInt(LOT_UNITS)), avgPrice: D.isZero(cur.qty) ? D.parseDec(price(inst, mid))! : cur.avgPrice }
      : D.isZero(cur.qty)
        ? { qty: D.decFromInt(LOT_UNITS), avgPrice: D.parseDec(price(inst, mid))! }
        : { qty: cur.qty, avgPrice: D.add(cur.avgPrice, D.mul(D.decFromInt(30), inst.pipetteSize)) };
    wrong.set(inst.symbol, shifted);
    tl.stepPastBrokerEvents();
    const ts = iso(tl.now);
    tl.emitJournal({ type: "restart", ts, reason: `generated ${f}` });
    tl.emitJournal({ type: "snapshot", ts, open_orders: [], positions: broker.positionLines(wrong, false) });
    broker.snapshotLoaded(wrong);
  }
}
