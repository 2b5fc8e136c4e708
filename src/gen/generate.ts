// A seeded scenario generator: a trading day (or many) of an engine and its broker, with faults
// injected on request. Pure: one seed drives every choice (pure-rand's xoroshiro128+), so the same
// seed gives the same bytes. Each fault leaves a ground truth (what reconciliation must find)
// beside the scenario, so the generator is also the oracle of the property tests. The truth's
// position drift is read off the two books the generator built (the broker's and the engine's), at
// every reconciliation it knows will run, never off which faults were asked for: two faults can
// even each other out (a manual buy at the broker and a snapshot one lot long), and then there is
// no drift to find.

import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import { resolveConfig } from "../domain/config.js";
import { lookUpInstrument } from "../domain/instruments.js";
import { applyFill, FLAT, type Position } from "../core/rules/index.js";
import { positionDrift } from "../core/rules/index.js";

export const FAULTS = [
  "drop-ack", "duplicate-delivery", "disconnect", "orphan", "lost-order",
  "price-drift", "unit-drift", "crash-restart", "corrupt-cache",
] as const;
export type Fault = (typeof FAULTS)[number];

/** Faults that engage the kill switch; they are injected at the end of the log, after the last decision. */
const TERMINAL_FAULTS: ReadonlySet<Fault> = new Set(["orphan", "lost-order", "price-drift", "unit-drift"]);

/** Expected findings that engage the kill switch. */
const CRITICAL_FINDINGS: ReadonlySet<string> = new Set(["orphan_broker_order", "stale_local_order", "position_drift"]);

export interface ExpectedFinding {
  readonly kind: string;
  readonly client_order_id?: string;
  readonly symbol?: string;
}

export interface GroundTruth {
  readonly seed: number;
  readonly events: number;
  readonly faults: readonly Fault[];
  readonly kill_switch: boolean;
  readonly cache_ok: boolean;
  /** Findings reconciliation must report (kind plus the id or symbol it concerns). */
  readonly findings: readonly ExpectedFinding[];
  readonly duplicate_deliveries: number;
  readonly duplicates_skipped: number;
}

export interface GeneratedScenario {
  readonly journal: readonly string[];
  readonly broker: readonly string[];
  readonly config: Record<string, unknown>;
  readonly truth: GroundTruth;
  /** expect.txt derived from the truth, so a generated scenario is also a proof. */
  readonly expect: string;
  /** Bytes of a deliberately corrupt cache file when the corrupt-cache fault is on. */
  readonly corruptCache: string | null;
}

interface Instrument {
  readonly symbol: string;
  readonly brokerSymbol: string;
  readonly pipettes: number; // price in integer pipettes (1/10 pip)
  readonly pipetteSize: Dec;
}

const INSTRUMENTS: readonly Instrument[] = [
  { symbol: "EURUSD", brokerSymbol: "EUR_USD", pipettes: 108_500, pipetteSize: D.parseDec("0.00001")! },
  { symbol: "GBPUSD", brokerSymbol: "GBP/USD", pipettes: 133_500, pipetteSize: D.parseDec("0.00001")! },
  { symbol: "USDJPY", brokerSymbol: "USD_JPY", pipettes: 150_250, pipetteSize: D.parseDec("0.001")! },
];

const START_MS = Date.UTC(2025, 9, 20, 0, 0, 0);
const RECONCILE_INTERVAL_MS = 300_000;

type Obj = Record<string, unknown>;

interface Pending {
  readonly t: number;
  readonly seq: number;
  readonly make: () => Obj | null;
}

interface OpenOrder {
  readonly coid: string;
  readonly decisionId: string;
  readonly inst: Instrument;
  readonly side: "buy" | "sell";
  readonly qty: number;
  readonly refPrice: Dec;
  filledSeen: number;
  closed: boolean;
}

class Rng {
  private readonly gen;
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }
  chance(percent: number): boolean {
    return this.int(0, 99) < percent;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[this.int(0, 15)];
    return s;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function compact(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

const price = (inst: Instrument, pipettes: number): string => D.toPlain(D.mul(D.decFromInt(pipettes), inst.pipetteSize));

export interface GenerateOptions {
  readonly seed: number;
  readonly events: number;
  readonly faults: readonly Fault[];
  /** Told how many lines are written so far (for the shell's progress line); never changes the output. */
  readonly onProgress?: (lines: number) => void;
  /**
   * Each requested fault happens at least once. Terminal faults always do; the others (drop-ack,
   * duplicate-delivery, disconnect with a fill missed while down, crash-restart) otherwise happen
   * by chance. Without it, the output is the same as before this option existed.
   */
  readonly force?: boolean;
}

/** The config of every generated scenario (a fresh object: the caller may keep or change it). */
function scenarioConfig(): Record<string, unknown> {
  return {
    reconcile_interval_ms: RECONCILE_INTERVAL_MS,
    slippage_presets: INSTRUMENTS.flatMap((i) => ["asia", "eu", "us", "overnight"].map((session) => ({ symbol: i.symbol, session, max_slippage_pips: 5 }))),
  };
}

/** Faults that happen by chance unless forced. */
const CHANCE_FAULTS: readonly Fault[] = ["drop-ack", "duplicate-delivery", "disconnect", "crash-restart"];

/** Generates one scenario. `events` is the target number of journal + broker lines (at least 20). */
export function generateScenario(opts: GenerateOptions): GeneratedScenario {
  return new Generator(opts).run();
}

class Generator {
  private readonly rng: Rng;
  private readonly faults: ReadonlySet<Fault>;
  private now = START_MS;
  private readonly journal: string[] = [];
  private readonly broker: string[] = [];
  private readonly pending: Pending[] = [];
  private pendingSeq = 0;
  private eventSeq = 0;
  private orderSeq = 0;
  private decisionSeq = 0;
  private readonly mid = new Map<string, number>();
  /** The broker's positions, as its fills move them. */
  private readonly positions = new Map<string, Position>();
  /** The engine's idea of its positions: the broker's, less fills it has not seen. */
  private readonly enginePositions = new Map<string, Position>();
  /**
   * The positions in the engine's view: what it saw (enginePositions, the same map), until a drift
   * fault's restart loads a wrong snapshot instead. Reconciliation compares this with the broker's.
   */
  private engineBook: ReadonlyMap<string, Position> = this.enginePositions;
  /** The config the scenario is replayed with, resolved: its drift tolerance and pip sizes. */
  private readonly replayConfig = resolveConfig(scenarioConfig());
  private readonly open = new Map<string, OpenOrder>();
  /** Orders the engine believes open: it has not seen them filled, cancelled or rejected. */
  private readonly engineOpen = new Map<string, OpenOrder>();
  /** Cancels and rejects the engine missed (the link was down): it learns them at reconnect. */
  private pendingTerminal: OpenOrder[] = [];
  private connected = true;
  /** Event time of the engine's last reconciliation, to keep disconnects clear of the next one. */
  private lastReconcileMs = START_MS;
  private readonly findings: ExpectedFinding[] = [];
  private duplicateDeliveries = 0;
  private duplicatesSkipped = 0;
  private lastDecision: Obj | null = null;
  private crashDone = false;
  private lastBrokerMs = START_MS;
  /** Orders the broker has shown something of (an accept, fill or reject). */
  private readonly brokerSeen = new Set<string>();
  /** Forced faults that have not happened yet. */
  private readonly toForce = new Set<Fault>();

  constructor(private readonly opts: GenerateOptions) {
    this.rng = new Rng(opts.seed);
    this.faults = new Set(opts.faults);
    if (opts.force === true) for (const f of CHANCE_FAULTS) if (this.faults.has(f)) this.toForce.add(f);
    for (const i of INSTRUMENTS) this.mid.set(i.symbol, i.pipettes);
  }

  run(): GeneratedScenario {
    const target = Math.max(20, this.opts.events);
    // The lost order goes first: once another terminal fault engages the kill switch, a decision
    // is blocked, never sent, and so could not be lost.
    const terminal = [...this.faults].filter((f) => TERMINAL_FAULTS.has(f))
      .sort((a, b) => Number(b === "lost-order") - Number(a === "lost-order"));
    const reserve = terminal.length * 6 + 4;
    this.emitJournal({ type: "snapshot", ts: iso(this.now), open_orders: [], positions: [] });
    this.emitBroker({ type: "position_snapshot", positions: [] }, this.now);
    let nextSnapshotMs = this.now + 3_600_000;
    while (this.lineCount() < target - reserve) {
      this.opts.onProgress?.(this.lineCount());
      this.advance(this.rng.int(200, 20_000));
      if (this.now >= nextSnapshotMs && this.connected) {
        this.scheduleSnapshot(this.now);
        nextSnapshotMs = this.now + 3_600_000;
      }
      if (this.faults.has("corrupt-cache")) {
        // With its cache unreadable the engine may not trade: the broker only reports positions.
        this.scheduleSnapshot(this.now);
        continue;
      }
      // Forced faults come once a quarter of the log is written, so the engine has a history by then.
      if (this.toForce.size > 0 && this.connected && this.lineCount() >= target / 4 && this.forceNext()) continue;
      const roll = this.rng.int(0, 999);
      if (roll < 4 && this.connected && this.restartSafe()) this.restart("deploy", true);
      else if (roll < 12 && this.faults.has("disconnect") && this.connected) this.disconnectWindow();
      else if (roll < 14 && this.faults.has("crash-restart") && this.connected && !this.crashDone) this.crashRestart();
      else this.decide();
    }
    this.advance(30_000);
    this.flushAll();
    for (const f of terminal) this.injectTerminal(f);
    this.advance(15_000);
    this.flushAll();
    this.scheduleSnapshot(this.now);
    this.flushAll();
    // The replay reconciles once more at the end.
    this.expectDriftWhereBooksDiffer();
    return this.finish();
  }

  private lineCount(): number {
    return this.journal.length + this.broker.length + this.pending.length;
  }

  // ------------------------------------------------------------ time and emission

  private advance(ms: number): void {
    const until = this.now + ms;
    this.flushUntil(until);
    this.now = until;
    while (this.lastReconcileMs + RECONCILE_INTERVAL_MS <= this.now) this.lastReconcileMs += RECONCILE_INTERVAL_MS;
  }

  private flushUntil(t: number): void {
    this.pending.sort((a, b) => a.t - b.t || a.seq - b.seq);
    while (this.pending.length > 0 && this.pending[0]!.t <= t) {
      const p = this.pending.shift()!;
      const obj = p.make();
      if (obj !== null) this.emitBroker(obj, p.t);
    }
  }

  private flushAll(): void {
    this.flushUntil(Number.MAX_SAFE_INTEGER);
    this.now = Math.max(this.now, this.lastBrokerMs);
  }

  /** Emits a broker event now, after everything scheduled before it, so the log stays in time order. */
  private emitBrokerAt(obj: Obj, t: number): void {
    this.flushUntil(t);
    this.emitBroker(obj, t);
  }

  private schedule(t: number, make: () => Obj | null): void {
    this.pending.push({ t, seq: this.pendingSeq++, make });
  }

  private emitJournal(obj: Obj): void {
    this.journal.push(JSON.stringify(obj));
  }

  private emitBroker(obj: Obj, t: number): void {
    if (typeof obj["client_order_id"] === "string") this.brokerSeen.add(obj["client_order_id"]);
    this.eventSeq += 1;
    this.lastBrokerMs = Math.max(this.lastBrokerMs, t);
    const line = JSON.stringify({ type: obj["type"], ts: iso(t),
      event_id: `EV-${String(this.eventSeq).padStart(8, "0")}`, ...obj });
    this.broker.push(line);
    if (this.faults.has("duplicate-delivery") && (this.rng.chance(2) || this.toForce.has("duplicate-delivery"))) {
      this.toForce.delete("duplicate-delivery");
      this.broker.push(line);
      this.duplicateDeliveries += 1;
    }
  }

  // ------------------------------------------------------------ the engine's decisions

  private decide(): void {
    const inst = this.rng.pick(INSTRUMENTS);
    const pos = this.positions.get(inst.symbol) ?? FLAT;
    // Lean against the position so it stays bounded.
    const side: "buy" | "sell" = D.sign(pos.qty) > 0 ? (this.rng.chance(65) ? "sell" : "buy")
      : D.sign(pos.qty) < 0 ? (this.rng.chance(65) ? "buy" : "sell") : (this.rng.chance(50) ? "buy" : "sell");
    const qty = this.rng.int(1, 50) * 1000;
    const mid = this.walk(inst);
    const refPrice = D.parseDec(price(inst, mid))!;
    this.decisionSeq += 1;
    const coid = `GEN::${this.rng.pick(["lsg", "orb", "mr"])}::${inst.symbol}::${compact(this.now)}::${this.rng.hex(8)}`;
    const isLimit = this.rng.chance(20);
    const limitPipettes = side === "buy" ? mid - this.rng.int(0, 30) : mid + this.rng.int(0, 30);
    const decision: Obj = {
      type: "decision", ts: iso(this.now), decision_id: `D-${String(this.decisionSeq).padStart(7, "0")}`,
      client_order_id: coid, symbol: inst.symbol, side, qty, ref_price: price(inst, mid),
      strategy: coid.split("::")[1], order_type: isLimit ? "limit" : "market",
      ...(isLimit ? { limit_price: price(inst, limitPipettes) } : {}),
    };
    this.emitJournal(decision);
    this.lastDecision = decision;
    const order: OpenOrder = { coid, decisionId: decision["decision_id"] as string, inst, side, qty, refPrice, filledSeen: 0, closed: false };
    this.open.set(coid, order);
    this.engineOpen.set(coid, order);
    const bid = `BO-${String(++this.orderSeq).padStart(7, "0")}`;
    let t = this.now + this.rng.int(40, 200);
    if (this.rng.chance(3)) {
      this.schedule(t, () => this.closeOrder(order, { type: "order_rejected", client_order_id: coid, reason: "INSUFFICIENT_MARGIN" }));
      return;
    }
    const rests = isLimit && this.rng.chance(50);
    // Only an order that fills may lose its accept: its fills still carry the client order id. A
    // resting order's cancel names only the broker's id, which then nothing would tie to the engine.
    const dropAck = !rests && this.faults.has("drop-ack") && (this.rng.chance(10) || this.toForce.has("drop-ack"));
    if (dropAck) this.toForce.delete("drop-ack");
    if (!dropAck) {
      this.schedule(t, () => ({ type: "order_accepted", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty }));
    }
    if (rests) {
      // The limit rests; the engine cancels it a little later.
      const cancelAt = t + this.rng.int(5_000, 120_000);
      this.scheduleCancel(order, bid, cancelAt);
      return;
    }
    let left = qty;
    const parts = this.rng.int(1, 3);
    for (let i = 0; i < parts; i++) {
      const q = i === parts - 1 ? left : Math.max(1000, Math.floor(left / (parts - i) / 1000) * 1000);
      left -= q;
      t += this.rng.int(20, 1_500);
      const slip = this.rng.int(-3, 6) * (side === "buy" ? 1 : -1);
      const px = isLimit ? limitPipettes : mid + slip;
      this.schedule(t, () => this.fill(order, bid, q, price(inst, px), D.toFixed(D.mul(D.decFromInt(q), D.parseDec("0.00002")!), 2)));
      if (left <= 0) break;
    }
  }

  private scheduleCancel(order: OpenOrder, bid: string, at: number): void {
    // The engine's cancel request is journaled at `at`; the broker confirms shortly after.
    const journalAt = at;
    this.schedule(journalAt, () => {
      if (!order.closed) this.journal.push(JSON.stringify({ type: "cancel_request", ts: iso(journalAt), client_order_id: order.coid }));
      return null;
    });
    this.schedule(at + this.rng.int(50, 300), () => (order.closed ? null : this.closeOrder(order, { type: "order_cancelled", broker_order_id: bid, reason: "CLIENT_REQUEST" })));
  }

  private closeOrder(order: OpenOrder, obj: Obj): Obj {
    order.closed = true;
    this.open.delete(order.coid);
    // A cancel or reject the engine does not see (the link is down) is caught by the next reconciliation.
    if (this.connected) this.engineOpen.delete(order.coid);
    else {
      this.findings.push({ kind: "order_state_caught_by_reconcile", client_order_id: order.coid });
      this.pendingTerminal.push(order);
    }
    return obj;
  }

  private fill(order: OpenOrder, bid: string, qty: number, px: string, fee: string): Obj {
    const q = D.decFromInt(qty);
    const p = D.parseDec(px)!;
    this.positions.set(order.inst.symbol, applyFill(this.positions.get(order.inst.symbol) ?? FLAT, order.side, q, p).pos);
    if (this.connected) {
      order.filledSeen += qty;
      if (order.filledSeen >= order.qty) this.engineOpen.delete(order.coid);
      this.applyEngineFill(order, q, p);
    } else {
      this.findings.push({ kind: "caught_by_reconcile", client_order_id: order.coid });
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

  private readonly filledTotal = new Map<string, number>();
  private totalScheduledFilled(order: OpenOrder, qty: number): boolean {
    const total = (this.filledTotal.get(order.coid) ?? 0) + qty;
    this.filledTotal.set(order.coid, total);
    return total >= order.qty;
  }

  /** Fills the engine missed while disconnected: it learns them at the reconciliation on reconnect. */
  private pendingCatch: Array<{ order: OpenOrder; q: Dec; p: Dec; qty: number }> = [];

  private catchUp(): void {
    for (const o of this.pendingTerminal) this.engineOpen.delete(o.coid);
    this.pendingTerminal = [];
    for (const c of this.pendingCatch) {
      c.order.filledSeen += c.qty;
      if (c.order.filledSeen >= c.order.qty) this.engineOpen.delete(c.order.coid);
      this.applyEngineFill(c.order, c.q, c.p);
    }
    this.pendingCatch = [];
  }

  private walk(inst: Instrument): number {
    const next = (this.mid.get(inst.symbol) ?? inst.pipettes) + this.rng.int(-8, 8);
    this.mid.set(inst.symbol, next);
    return next;
  }

  private scheduleSnapshot(t: number): void {
    this.schedule(t, () => ({ type: "position_snapshot", positions: this.positionLines(this.positions, true) }));
  }

  private positionLines(book: ReadonlyMap<string, Position>, brokerNames: boolean): Obj[] {
    return INSTRUMENTS.filter((i) => !D.isZero((book.get(i.symbol) ?? FLAT).qty)).map((i) => {
      const p = book.get(i.symbol)!;
      return { symbol: brokerNames ? i.brokerSymbol : i.symbol, qty: D.toPlain(p.qty), avg_price: D.toPlain(p.avgPrice) };
    });
  }

  // ------------------------------------------------------------ restarts and faults

  /** A restart's snapshot is loaded into the engine's view, and reconciliation runs at once. */
  private snapshotLoaded(book: ReadonlyMap<string, Position>): void {
    this.engineBook = book;
    this.expectDriftWhereBooksDiffer();
  }

  /**
   * A reconciliation runs now: every symbol whose two books differ beyond the drift tolerance is a
   * position_drift it must find. Reconciliations on the cadence may find more (a drift that a later
   * snapshot evens out); the truth names only what every replay must find.
   */
  private expectDriftWhereBooksDiffer(): void {
    const { driftToleranceUnits: units, driftTolerancePips: pips, instruments, pipSizes } = this.replayConfig;
    for (const inst of INSTRUMENTS) {
      const pip = lookUpInstrument(inst.symbol, instruments, pipSizes)!.unitSize;
      const drift = positionDrift(this.engineBook.get(inst.symbol) ?? FLAT, this.positions.get(inst.symbol) ?? FLAT, pip, { units, pips });
      if (drift.beyond) this.findings.push({ kind: "position_drift", symbol: inst.symbol });
    }
  }

  /**
   * A restart's snapshot states what the engine saw of the broker events emitted so far. The replay
   * puts the journal first among records with one timestamp, so a broker event in the same
   * millisecond as the restart would be replayed after the snapshot that already counts it: the
   * restart moves one millisecond past the last broker event. (Found at 5 M events, where such
   * ties happen: a fill counted twice, drift, then the kill switch.)
   */
  private stepPastBrokerEvents(): void {
    if (this.lastBrokerMs >= this.now) this.now = this.lastBrokerMs + 1;
  }

  /** A snapshot order the broker has shown nothing of would be stale at once: wait for its first event. */
  private restartSafe(): boolean {
    return [...this.open.values()].every((o) => o.closed || this.brokerSeen.has(o.coid));
  }

  /** A restart: the journal records it and the engine's snapshot; a re-emitted decision is skipped. */
  private restart(reason: string, reemit: boolean): void {
    this.flushUntil(this.now);
    this.stepPastBrokerEvents();
    const ts = iso(this.now);
    this.emitJournal({ type: "restart", ts, reason });
    this.emitJournal({
      type: "snapshot", ts,
      open_orders: [...this.open.values()].filter((o) => !o.closed).map((o) => ({
        client_order_id: o.coid, symbol: o.inst.symbol, side: o.side, qty: o.qty, filled_qty: o.filledSeen, ref_price: D.toPlain(o.refPrice),
      })),
      positions: this.positionLines(this.enginePositions, false),
    });
    this.snapshotLoaded(this.enginePositions);
    this.lastReconcileMs = this.now;
    if (reemit && this.lastDecision !== null) {
      this.advance(1);
      this.emitJournal({ ...this.lastDecision, ts: iso(this.now) });
      this.duplicatesSkipped += 1;
    }
  }

  /** Time until the engine's next scheduled reconciliation, which a disconnect must not overlap. */
  private msToNextReconcile(): number {
    return this.lastReconcileMs + RECONCILE_INTERVAL_MS - this.now;
  }

  private disconnectWindow(): void {
    const room = this.msToNextReconcile() - 2_000;
    if (room < 5_000) return;
    this.flushUntil(this.now);
    this.emitBroker({ type: "disconnect" }, this.now);
    this.connected = false;
    this.advance(this.rng.int(2_000, Math.min(room, 90_000)));
    this.flushUntil(this.now);
    this.connected = true;
    this.emitBroker({ type: "reconnect" }, this.now);
    this.lastReconcileMs = this.now;
    this.catchUp();
  }

  /**
   * The engine dies with an order in flight: the broker sees the session drop, fills the order while
   * nobody listens, and the engine restarts. Its snapshot lacks the fill; the cache proves the fill
   * was never processed, so reconciliation catches it.
   */
  private crashRestart(): void {
    const room = this.msToNextReconcile() - 5_000;
    // Like a deploy restart, only when every open order has a broker record (see restartSafe).
    if (room < 10_000 || !this.restartSafe()) return;
    this.crashDone = true;
    this.toForce.delete("crash-restart");
    const { order, bid, mid } = this.acceptedMarketOrder("crash");
    const { inst, side, qty, coid } = order;
    this.now += 100;
    this.emitBrokerAt({ type: "disconnect" }, this.now);
    this.connected = false;
    this.now += 200;
    this.flushUntil(this.now);
    this.emitBroker(this.fill(order, bid, qty, price(inst, mid), "0"), this.now);
    this.now += 1_000;
    this.flushUntil(this.now);
    this.stepPastBrokerEvents();
    this.emitJournal({ type: "restart", ts: iso(this.now), reason: "crash" });
    this.emitBroker({ type: "reconnect" }, this.now);
    this.connected = true;
    this.now += 1;
    this.flushUntil(this.now);
    // The snapshot is the engine's belief: its open orders (this one unfilled) and positions without the fill.
    this.emitJournal({ type: "snapshot", ts: iso(this.now),
      open_orders: [...this.engineOpen.values()].map((o) => ({
        client_order_id: o.coid, symbol: o.inst.symbol, side: o.side, qty: o.qty, filled_qty: o.filledSeen, ref_price: D.toPlain(o.refPrice),
      })),
      positions: this.positionLines(this.enginePositions, false) });
    this.lastReconcileMs = this.now;
    this.catchUp();
    // Reconciliation catches the fill the snapshot lacks before it compares the books.
    this.snapshotLoaded(this.enginePositions);
  }

  /** A market order decided now and accepted 50 ms later (the journal line and the accept are emitted). */
  private acceptedMarketOrder(tag: string): { order: OpenOrder; bid: string; mid: number } {
    const inst = this.rng.pick(INSTRUMENTS);
    const side = this.rng.chance(50) ? "buy" as const : "sell" as const;
    const mid = this.walk(inst);
    this.decisionSeq += 1;
    const coid = `GEN::${tag}::${inst.symbol}::${compact(this.now)}::${this.rng.hex(8)}`;
    const qty = this.rng.int(1, 20) * 1000;
    const order: OpenOrder = { coid, decisionId: `D-${String(this.decisionSeq).padStart(7, "0")}`, inst, side, qty,
      refPrice: D.parseDec(price(inst, mid))!, filledSeen: 0, closed: false };
    this.flushUntil(this.now);
    this.emitJournal({ type: "decision", ts: iso(this.now), decision_id: order.decisionId, client_order_id: coid,
      symbol: inst.symbol, side, qty, ref_price: price(inst, mid) });
    this.open.set(coid, order);
    this.engineOpen.set(coid, order);
    const bid = `BO-${String(++this.orderSeq).padStart(7, "0")}`;
    this.emitBrokerAt({ type: "order_accepted", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty }, this.now + 50);
    return { order, bid, mid };
  }

  /** Makes one forced fault happen now, if it can (false: not now, e.g. a reconciliation is near). */
  private forceNext(): boolean {
    if (this.toForce.has("crash-restart")) {
      this.crashRestart();
      return this.crashDone;
    }
    if (this.toForce.has("disconnect")) return this.missedFillWindow();
    return false; // drop-ack and duplicate-delivery are forced where the next order or event is made
  }

  /** A disconnect during which a fill of the engine's order lands: caught by the reconnect's reconciliation. */
  private missedFillWindow(): boolean {
    if (this.msToNextReconcile() - 2_000 < 5_000) return false;
    this.toForce.delete("disconnect");
    const { order, bid, mid } = this.acceptedMarketOrder("dropout");
    this.now += 100;
    this.emitBrokerAt({ type: "disconnect" }, this.now);
    this.connected = false;
    this.now += 200;
    this.flushUntil(this.now);
    this.emitBroker(this.fill(order, bid, order.qty, price(order.inst, mid), "0"), this.now);
    this.now += 1_000;
    this.flushUntil(this.now);
    this.connected = true;
    this.emitBroker({ type: "reconnect" }, this.now);
    this.lastReconcileMs = this.now;
    this.catchUp();
    return true;
  }

  private injectTerminal(f: Fault): void {
    this.advance(this.rng.int(1_000, 5_000));
    const inst = this.rng.pick(INSTRUMENTS);
    const mid = this.walk(inst);
    switch (f) {
      case "orphan": {
        const coid = `MANUAL-${this.rng.hex(6)}`;
        const bid = `BO-${String(++this.orderSeq).padStart(7, "0")}`;
        const qty = this.rng.int(1, 10) * 1000;
        const side = this.rng.chance(50) ? "buy" as const : "sell" as const;
        this.emitBrokerAt({ type: "order_accepted", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty }, this.now);
        const q = D.decFromInt(qty);
        const p = D.parseDec(price(inst, mid))!;
        this.positions.set(inst.symbol, applyFill(this.positions.get(inst.symbol) ?? FLAT, side, q, p).pos);
        this.emitBrokerAt({ type: "fill", client_order_id: coid, broker_order_id: bid, symbol: inst.brokerSymbol, side, qty, price: price(inst, mid), fee: "0" }, this.now + 10);
        // The fill stays out of the engine's book, so the books differ: the drift is found where they
        // are compared (a later restart's snapshot may even them out).
        this.findings.push({ kind: "orphan_broker_order", client_order_id: coid });
        return;
      }
      case "lost-order": {
        const coid = `GEN::lost::${inst.symbol}::${compact(this.now)}::${this.rng.hex(8)}`;
        this.decisionSeq += 1;
        this.emitJournal({ type: "decision", ts: iso(this.now), decision_id: `D-${String(this.decisionSeq).padStart(7, "0")}`,
          client_order_id: coid, symbol: inst.symbol, side: "buy", qty: 1000, ref_price: price(inst, mid) });
        this.findings.push({ kind: "stale_local_order", client_order_id: coid });
        return;
      }
      case "price-drift":
      case "unit-drift": {
        // The engine restarts with a snapshot that disagrees with the broker for one symbol.
        const wrong = new Map(this.enginePositions);
        const cur = wrong.get(inst.symbol) ?? FLAT;
        const shifted: Position = f === "unit-drift"
          ? { qty: D.add(cur.qty, D.decFromInt(1000)), avgPrice: D.isZero(cur.qty) ? D.parseDec(price(inst, mid))! : cur.avgPrice }
          : D.isZero(cur.qty)
            ? { qty: D.decFromInt(1000), avgPrice: D.parseDec(price(inst, mid))! }
            : { qty: cur.qty, avgPrice: D.add(cur.avgPrice, D.mul(D.decFromInt(30), inst.pipetteSize)) };
        wrong.set(inst.symbol, shifted);
        this.stepPastBrokerEvents();
        const ts = iso(this.now);
        this.emitJournal({ type: "restart", ts, reason: `generated ${f}` });
        this.emitJournal({ type: "snapshot", ts, open_orders: [], positions: this.positionLines(wrong, false) });
        this.snapshotLoaded(wrong);
        return;
      }
      default:
        return;
    }
  }

  private finish(): GeneratedScenario {
    const corrupt = this.faults.has("corrupt-cache");
    // Each finding once (a drift stands at several reconciliations), caught fills last.
    const byKey = new Map(this.findings.map((f) => [`${f.kind}|${f.client_order_id ?? ""}|${f.symbol ?? ""}`, f]));
    const findings = [...byKey.values()].sort((a, b) => Number(a.kind === "caught_by_reconcile") - Number(b.kind === "caught_by_reconcile"));
    const killSwitch = corrupt || findings.some((f) => CRITICAL_FINDINGS.has(f.kind));
    const truth: GroundTruth = {
      seed: this.opts.seed, events: this.journal.length + this.broker.length, faults: [...this.faults].sort(),
      kill_switch: killSwitch, cache_ok: !corrupt, findings,
      duplicate_deliveries: this.duplicateDeliveries,
      duplicates_skipped: corrupt ? 0 : this.duplicatesSkipped,
    };
    const expect = [
      `# generated: seed ${this.opts.seed}, ${truth.events} events, faults: ${truth.faults.join(",") || "none"}`,
      `exit: ${killSwitch ? 3 : 0}`,
      // Counts are whole lines (`= key=N`) or end at the next token, so a longer number never matches.
      `summary.txt: = kill_switch=${killSwitch ? 1 : 0}`,
      `summary.txt: cache_ok=${corrupt ? "false" : "true"}`,
      `summary.txt: = duplicate_deliveries=${truth.duplicate_deliveries}`,
      ...(corrupt ? [] : [`summary.txt: = duplicates_skipped=${truth.duplicates_skipped}`]),
      ...new Set(findings.filter((f) => f.kind !== "caught_by_reconcile").map((f) =>
        `reconcile-report.json: "kind": "${f.kind}"`)),
      ...(findings.some((f) => f.kind === "stale_local_order") ? [`summary.txt: reconcile_summary stale=1 orphan=`] : []),
      ...(findings.some((f) => f.kind === "orphan_broker_order") ? [`summary.txt: orphan=1 drift=`] : []),
    ];
    return {
      journal: this.journal, broker: this.broker,
      config: scenarioConfig(),
      truth, expect: expect.join("\n") + "\n",
      corruptCache: corrupt ? "SQLite format 3\u0000" + "this is not a cache ".repeat(40) : null,
    };
  }
}
