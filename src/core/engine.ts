// The replay engine: a pure state machine fed one input record at a time, in event time.
//
// It keeps two books that are never mixed:
//   - the broker's truth: every order and fill the broker log reports, and its positions;
//   - the engine's view: what the engine sent, what it saw of the broker (nothing while disconnected
//     or restarting), and its positions. After a restart the view holds only the journal snapshot
//     and the order-id cache.
// Reconciliation compares the two at startup, after every restart and reconnect, on the cadence,
// and at the end; it corrects the view only from evidence (a broker fill, cancel or reject) and
// reports everything else as a finding.

import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import { type Config, ttlMsFor } from "../domain/config.js";
import { assert, DataError } from "../domain/errors.js";
import type {
  BrokerEvent, DecisionRecord, FillEvent, InputRecord, JournalRecord, LimitsSnapshotEvent, Side, SnapshotRecord,
} from "../domain/records.js";
import { evidenceRef } from "../domain/records.js";
import { parseJsonExact, sameJsonValue } from "../domain/json-text.js";
import type {
  AlertName, AmbiguousMatch, Detail, FindingKind, ReconcileRun, ReconcileTrigger, Report,
  Severity, SkippedDecision, StagedActionKind, TradeRow,
} from "../domain/report.js";
import { pipSize } from "../domain/symbol.js";
import { type Instant, instantFromMs, utcDay, utcHour } from "../domain/time.js";
import { type CacheEntry, type CacheOp, OrderIdCache } from "./cache.js";
import { Assembler, type EmitGroup, hasNoItems, type KillEngage, type RawAction, type RawAlert, type RawFinding, type RunRecord } from "./emit.js";
import { SeenIdTable } from "./seen-ids.js";
import { composeReport, type EngineState } from "./state.js";
import { applyFill, FLAT, type Position } from "./position.js";
import { findPreset, limitImprovementPips, sessionOf, SlippageBook, slippagePips } from "./slippage.js";

type EngineStatus = "sent" | "accepted" | "partially_filled" | "filled" | "cancelled" | "rejected" | "closed" | "unknown";
const OPEN_STATUSES: ReadonlySet<EngineStatus> = new Set(["sent", "accepted", "partially_filled", "unknown"]);

interface EngineOrder {
  readonly clientOrderId: string;
  readonly decisionId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  filledQty: Dec;
  readonly refPrice: Dec | undefined;
  readonly limitPrice: Dec | undefined;
  /** When this engine sent it; undefined for orders known only from a snapshot or the cache. */
  readonly sentAt: Instant | undefined;
  /** Event time (ms) at which its id stops being reserved. */
  readonly ttlUtcMs: number | undefined;
  status: EngineStatus;
  brokerOrderId: string | undefined;
  staleReported: boolean;
  ttlCancelStaged: boolean;
  readonly evidence: string[];
}

interface TruthFill {
  readonly ev: FillEvent;
  /** Realized P&L of this fill on the broker's book, net of its fee. */
  readonly realizedPnl: Dec;
  knownToEngine: boolean;
  seenLive: boolean;
  rowEmitted: boolean;
}

type TruthStatus = "live" | "filled" | "cancelled" | "rejected";

interface TruthOrder {
  readonly key: string;
  brokerOrderId: string | undefined;
  clientOrderId: string | undefined;
  /** "" (and side "buy") until an event that names them: a cancel or reject of an unseen order. */
  symbol: string;
  side: Side;
  qty: Dec | undefined;
  status: TruthStatus;
  cumFilled: Dec;
  readonly fills: TruthFill[];
  readonly firstTs: Instant;
  readonly evidence: string[];
  orphanReported: boolean;
  /** Whether the engine's view already reflects a cancel or reject of this order. */
  terminalSeen: boolean;
}

/** Two deliveries of an event carry the same content: byte-identical, or equal JSON values (numbers exactly). */
function sameContent(a: string, b: string): boolean {
  return a === b || sameJsonValue(parseJsonExact(a), parseJsonExact(b));
}

/**
 * The broker has shown an order accepted and not yet finished. An order known only from its fills
 * (no accept in the log) has no known size, so the log cannot say it is still working: it is
 * settled once its fills are accounted for, and re-opened by any later event about it.
 */
function provenLive(b: TruthOrder): boolean {
  return b.status === "live" && b.qty !== undefined;
}

export interface EngineOptions {
  /** sha256 of the effective config, quoted in broker-limit mismatch alerts. */
  readonly configHash: string;
  /** The cache as loaded at process start (empty for a fresh or in-memory cache). */
  readonly cacheEntries: readonly CacheEntry[];
  /** Why the cache could not be loaded, or null. A failure engages the kill switch at startup. */
  readonly cacheFailure: string | null;
  /**
   * Reads a broker line again by its `pos`. Given, the redelivery check keeps one number per event
   * id instead of the line's text (memory), and reads the first delivery back only when an id
   * comes again. Absent (in-memory logs), it keeps the text.
   */
  readonly recallBroker?: BrokerRecall;
  /**
   * Where emitted groups go. Absent: an internal assembler numbers them into the report (a plain
   * replay). A shard replay writes them out instead, for `merge`.
   */
  readonly emit?: (group: EmitGroup) => void;
}

export interface BrokerRecall {
  /** The text of the broker line at `pos`. */
  text(pos: number): string;
  /** Its line number (only for an error message: may be slow). */
  line(pos: number): number;
}

/** What a shard must tell `merge` so it can prove the merged result is the unsharded one. */
export interface ShardEvidence {
  /** The last group in which a decision was sent or skipped rather than blocked (-1: none). */
  readonly lastUnblockedDecisionGroup: number;
  /** Per UTC day, the lowest realized P&L seen at a limits check (days that went negative only). */
  readonly dayPnlLows: ReadonlyArray<readonly [string, Dec]>;
  /** The most order-id cache entries held at once. */
  readonly cacheEntriesPeak: number;
}

interface RunCounters {
  stale: number;
  orphan: number;
  drifting: number;
  fillsCaught: number;
  staleCancelled: number;
  inFlight: number;
  ambiguous: number;
  newDivergence: boolean;
  maxDriftPips: Dec;
  maxDriftUnits: Dec;
}

export class Engine {
  private phase: "not_started" | "starting" | "running" = "not_started";
  private startTrigger: ReconcileTrigger = "startup";
  private startingSince: Instant | undefined;
  private snapshotSinceStart = false;
  private connected = true;
  private nextDueMs: number | undefined;
  private lastTs: Instant | undefined;
  private recordsSeen = 0;
  private ended = false;
  private journalRecords = 0;
  private brokerEvents = 0;

  // The broker's truth.
  private readonly truth = new Map<string, TruthOrder>();
  private readonly truthByBrokerId = new Map<string, TruthOrder>();
  private readonly truthByCoid = new Map<string, TruthOrder>();
  /** Orders the next reconcile must look at: live, or with fills the engine has not accounted for. */
  private readonly unsettled = new Set<string>();
  private truthPositions = new Map<string, Position>();
  private readonly lastMark = new Map<string, Dec>();
  /** Every event id seen, and where its first delivery can be re-read (with a recall). */
  private readonly seenIds = new SeenIdTable();
  /** Without a recall (in-memory logs): every event id with its first delivery's text. */
  private readonly seenTexts = new Map<string, { readonly fingerprint: string; readonly line: number }>();
  private limits: LimitsSnapshotEvent | undefined;
  private limitsCheckedEventId: string | undefined;
  private readonly realizedBySymbol = new Map<string, Dec>();
  private readonly realizedByDay = new Map<string, Dec>();
  private totalRealized: Dec = D.ZERO;
  private fillCount = 0;

  // The engine's view.
  private orders = new Map<string, EngineOrder>();
  private engineBrokerIds = new Map<string, string>();
  private enginePositions = new Map<string, Position>();
  private readonly cache: OrderIdCache;

  // What the report accumulates: emitted in groups (see emit.ts), plus the totals below.
  private readonly assembler: Assembler | null;
  private readonly emit: (group: EmitGroup) => void;
  private groupSeq = 0;
  private pending = emptyPending();
  private runCount = 0;
  private skippedCount = 0;
  private blockedCount = 0;
  private lastUnblockedDecisionGroup = -1;
  private readonly dayPnlLows = new Map<string, Dec>();
  private readonly breachesBySymbol = new Map<string, number>();
  private readonly slippage = new SlippageBook();
  private readonly missingPresetAlerted = new Set<string>();
  private slippageBreaches = 0;
  private readonly staleDistinct = new Set<string>();
  private readonly orphanDistinct = new Set<string>();
  private staleCancelledCount = 0;
  private fillsCaught = 0;
  private duplicateDeliveries = 0;
  private ordersSent = 0;
  private reconcileFailures = 0;
  private coalescedRuns = 0;
  private maxDriftPips: Dec = D.ZERO;
  private maxDriftUnits: Dec = D.ZERO;
  private readonly lastDriftReported = new Map<string, string>();
  private readonly capBreachOpen = new Set<string>();
  private readonly lossBreachDays = new Set<string>();
  private killEngagedAt: string | null = null;
  private readonly killReasons = new Set<string>();
  private cacheFailureRaised = false;

  constructor(private readonly config: Config, private readonly options: EngineOptions) {
    this.cache = new OrderIdCache(options.cacheEntries, config.cacheEntriesMax);
    if (options.emit === undefined) {
      const assembler = new Assembler(config.reportListItemsMax);
      this.assembler = assembler;
      this.emit = (g) => assembler.add(g);
    } else {
      this.assembler = null;
      this.emit = options.emit;
    }
  }

  // ---------------------------------------------------------------- feeding records

  step(rec: InputRecord): void {
    this.beginRecord(rec);
    if (rec.src === "journal") this.onJournal(rec);
    else if (this.firstDelivery(rec)) this.onBroker(rec);
    this.flushGroup(null);
  }

  /**
   * A record another shard owns: it still moves the clock (due reconciliations, the end of a
   * startup) and its event id is still checked for redelivery, so every shard runs the same
   * reconciliations at the same times; its content is left to its owner.
   */
  tick(rec: InputRecord): void {
    this.beginRecord(rec);
    if (rec.src === "journal") {
      assert(rec.type === "decision" || rec.type === "cancel_request", "restarts and snapshots reach every shard");
      this.startIfNeeded(rec.ts);
    } else {
      this.firstDelivery(rec);
    }
    this.flushGroup(null);
  }

  private beginRecord(rec: InputRecord): void {
    this.recordsSeen += 1;
    if (this.recordsSeen > this.config.eventsMax) {
      throw new DataError(rec.src, rec.line, "(line)", `at most events_max=${this.config.eventsMax} records in one replay (raise it in the config)`);
    }
    if (this.phase === "running") this.runDueReconciles(rec.ts);
    this.lastTs = rec.ts;
    if (rec.src === "journal") this.journalRecords += 1;
    else this.brokerEvents += 1;
  }

  /** Ends the replay: completes a pending startup and runs the final reconciliation. */
  reconcileAtEnd(): void {
    // A proof over nothing must not pass: both logs must say something.
    if (this.brokerEvents === 0) {
      throw new DataError("broker", 0, "(file)", "at least one broker event (an empty broker log proves nothing)", "an empty log");
    }
    if (this.journalRecords === 0 || this.lastTs === undefined) {
      throw new DataError("journal", 0, "(file)", "at least one journal record (the engine never started)", "an empty journal");
    }
    if (this.phase === "starting") this.completeStartup(this.lastTs);
    if (this.phase === "running") this.reconcile("end", this.lastTs, 0);
    this.flushGroup(null);
    this.ended = true;
  }

  /** Builds the report; the replay must have ended (reconcileAtEnd). Only for a plain replay. */
  finish(): Report {
    assert(this.ended, "the final reconciliation runs before the report is built");
    assert(this.assembler !== null, "a replay that emits its groups elsewhere has no report of its own");
    return composeReport(this.assembler.lists(), this.state(), this.assembler.drainTrades());
  }

  drainCacheOps(): CacheOp[] {
    return this.cache.drainOps();
  }

  /** The order-id cache as it stands (at the end of a replay: what persists for the next one). */
  cacheEntries(): CacheEntry[] {
    return this.cache.allEntries();
  }

  /** Trade rows reconciled since the last drain, in report order (a plain replay only). */
  drainTrades(): TradeRow[] {
    assert(this.assembler !== null, "a replay that emits its groups elsewhere drains no trades");
    return this.assembler.drainTrades();
  }

  /** What a shard hands to merge besides its groups. */
  shardEvidence(): ShardEvidence {
    return {
      lastUnblockedDecisionGroup: this.lastUnblockedDecisionGroup,
      dayPnlLows: [...this.dayPnlLows].sort(([a], [b]) => (a < b ? -1 : 1)),
      cacheEntriesPeak: this.cache.peakSize,
    };
  }

  // ---------------------------------------------------------------- emitted groups

  /** Closes the current group (a reconcile run, or one record's handling) and hands it on. */
  private flushGroup(run: RunRecord | null): void {
    const seq = this.groupSeq;
    this.groupSeq += 1;
    const p = this.pending;
    // Most records emit nothing: keep their (empty) buffers rather than allocate new ones.
    if (run === null && hasNoItems(p)) return;
    this.pending = emptyPending();
    this.emit({ seq, run, ...p });
  }

  // ---------------------------------------------------------------- journal (the engine's side)

  private onJournal(rec: JournalRecord): void {
    switch (rec.type) {
      case "restart":
        if (this.phase === "starting") this.completeStartup(rec.ts);
        this.beginStart(rec.ts, "restart");
        return;
      case "snapshot":
        if (this.phase === "not_started") this.beginStart(rec.ts, "startup");
        if (this.phase !== "starting" || this.snapshotSinceStart) {
          throw new DataError("journal", rec.line, "type", "a snapshot only as the journal's first record or right after a restart (at most one per restart)", "snapshot");
        }
        this.applySnapshot(rec);
        this.completeStartup(rec.ts);
        return;
      default:
        this.startIfNeeded(rec.ts);
        if (rec.type === "decision") this.onDecision(rec);
        else this.onCancelRequest(rec.clientOrderId, rec.ts, rec.line);
    }
  }

  /** A decision or cancel request means the engine is up: it starts, or finishes starting. */
  private startIfNeeded(ts: Instant): void {
    if (this.phase === "not_started") this.beginStart(ts, "startup");
    if (this.phase === "starting") this.completeStartup(ts);
  }

  /** The engine (re)starts: it forgets everything but the cache, which drops expired ids. */
  private beginStart(ts: Instant, trigger: ReconcileTrigger): void {
    this.phase = "starting";
    this.startTrigger = trigger;
    this.startingSince = ts;
    this.snapshotSinceStart = false;
    this.orders = new Map();
    this.engineBrokerIds = new Map();
    this.enginePositions = new Map();
    this.nextDueMs = undefined;
    this.cache.purgeExpired(ts.ms);
    if (this.options.cacheFailure !== null && !this.cacheFailureRaised) {
      this.cacheFailureRaised = true;
      this.raiseAlert("ALERT_IDEMPOTENCY_PERSISTENCE_FAILED", ts, null, null, { cache_entries_loaded: 0 },
        { failure: this.options.cacheFailure }, true);
      this.engageKill("cache_load_failed", ts);
    }
  }

  private applySnapshot(rec: SnapshotRecord): void {
    this.snapshotSinceStart = true;
    for (const o of rec.openOrders) {
      const cached = this.cache.get(o.clientOrderId);
      this.orders.set(o.clientOrderId, {
        clientOrderId: o.clientOrderId, decisionId: cached?.decisionId, symbol: o.symbol, side: o.side, qty: o.qty,
        filledQty: o.filledQty, refPrice: o.refPrice, limitPrice: undefined, sentAt: undefined,
        ttlUtcMs: cached?.ttlUtcMs, status: D.isZero(o.filledQty) ? "sent" : "partially_filled",
        brokerOrderId: undefined, staleReported: false, ttlCancelStaged: false, evidence: [evidenceRef(rec)],
      });
    }
    for (const p of rec.positions) {
      if (!D.isZero(p.qty)) this.enginePositions.set(p.symbol, { qty: p.qty, avgPrice: p.avgPrice });
    }
  }

  private completeStartup(ts: Instant): void {
    assert(this.phase === "starting" && this.startingSince !== undefined, "startup completes only while starting");
    this.phase = "running";
    // Orders the cache still counts as working are the engine's, even if the snapshot forgot them:
    // re-link them so reconciliation can find them filled, cancelled, or missing at the broker.
    for (const entry of this.cache.openEntries()) {
      if (!this.orders.has(entry.clientOrderId)) this.engineOrderFor(entry.clientOrderId, ts, this.nextRunId());
    }
    this.recomputeKnownFills();
    this.reconcile(this.startTrigger, ts, ts.ms - this.startingSince.ms);
  }

  /**
   * After a (re)start the engine knows an order's fills only as far as its snapshot (or, for orders
   * missing from the snapshot, its cache entry) says. The cache is written through on every fill,
   * so an entry still at `sent` proves the previous run never processed that fill.
   */
  private recomputeKnownFills(): void {
    for (const b of this.truth.values()) {
      const coid = b.clientOrderId;
      const known = coid === undefined ? undefined
        : (this.orders.get(coid)?.filledQty ?? this.cache.get(coid)?.filledQty);
      let cum = D.ZERO;
      for (const f of b.fills) {
        cum = D.add(cum, f.ev.qty);
        f.knownToEngine = known !== undefined && cum <= known;
      }
      b.terminalSeen = false;
      // The new engine run has seen none of it: the startup reconciliation looks at every order.
      this.unsettled.add(b.key);
    }
  }

  private onDecision(rec: DecisionRecord): void {
    const skip = (list: SkippedDecision[], reason: string) =>
      list.push({ decisionId: rec.decisionId, clientOrderId: rec.clientOrderId, ts: rec.ts.text, line: rec.line, reason });
    if (this.killEngagedAt !== null) {
      this.blockedCount += 1;
      skip(this.pending.blocked, "kill_switch");
      return;
    }
    this.lastUnblockedDecisionGroup = this.groupSeq;
    const open = this.orders.get(rec.clientOrderId);
    const cached = this.cache.live(rec.clientOrderId, rec.ts.ms);
    if (cached !== undefined || (open !== undefined && OPEN_STATUSES.has(open.status))) {
      // A closed entry within its TTL also blocks: an order the broker filled is never re-sent.
      this.skippedCount += 1;
      skip(this.pending.skipped, cached !== undefined ? `cache_${cached.status}` : "open_order");
      return;
    }
    const ttlUtcMs = rec.ts.ms + ttlMsFor(this.config, rec.symbol);
    this.orders.set(rec.clientOrderId, {
      clientOrderId: rec.clientOrderId, decisionId: rec.decisionId, symbol: rec.symbol, side: rec.side, qty: rec.qty,
      filledQty: D.ZERO, refPrice: rec.refPrice, limitPrice: rec.limitPrice, sentAt: rec.ts, ttlUtcMs,
      status: "sent", brokerOrderId: undefined, staleReported: false, ttlCancelStaged: false, evidence: [evidenceRef(rec)],
    });
    this.cache.recordSent({
      clientOrderId: rec.clientOrderId, decisionId: rec.decisionId, symbol: rec.symbol, side: rec.side, size: rec.qty,
      refPrice: rec.refPrice, filledQty: D.ZERO, ttlUtcMs, status: "sent",
    }, rec.line);
    this.ordersSent += 1;
  }

  private onCancelRequest(clientOrderId: string, ts: Instant, line: number): void {
    const e = this.orders.get(clientOrderId);
    if (e !== undefined && OPEN_STATUSES.has(e.status)) {
      e.evidence.push(`journal:${line}`);
      return;
    }
    this.addFinding("cancel_request_unknown_order", "warning", ts, null, {
      clientOrderId, brokerOrderId: e?.brokerOrderId ?? null, symbol: e?.symbol ?? null,
      detail: { engine_status: e?.status ?? "not_known" }, evidence: [`journal:${line}`],
    });
  }

  // ---------------------------------------------------------------- broker (the truth)

  /** False for a redelivered event (counted, otherwise a no-op); a conflicting redelivery is bad input. */
  private firstDelivery(ev: BrokerEvent): boolean {
    const first = this.firstDeliveryOf(ev);
    if (first === undefined) return true;
    if (!sameContent(first.text, ev.fingerprint)) {
      throw new DataError("broker", ev.line, "event_id",
        `a unique event_id, or a redelivery with identical content (it was first seen on line ${first.line()} with different content)`,
        JSON.stringify(ev.eventId));
    }
    this.duplicateDeliveries += 1;
    return false;
  }

  /** The earlier delivery of this event's id, or undefined (and the event is remembered as the first). */
  private firstDeliveryOf(ev: BrokerEvent): { readonly text: string; readonly line: () => number } | undefined {
    const recall = this.options.recallBroker;
    if (recall === undefined) {
      const first = this.seenTexts.get(ev.eventId);
      if (first === undefined) this.seenTexts.set(ev.eventId, { fingerprint: ev.fingerprint, line: ev.line });
      return first === undefined ? undefined : { text: first.fingerprint, line: () => first.line };
    }
    let text = "";
    const pos = this.seenIds.find(ev.eventId, (p) => {
      text = recall.text(p);
      return (JSON.parse(text) as { event_id?: unknown }).event_id === ev.eventId;
    });
    if (pos === undefined) this.seenIds.add(ev.eventId, ev.pos);
    return pos === undefined ? undefined : { text, line: () => recall.line(pos) };
  }


  private onBroker(ev: BrokerEvent): void {
    const visible = this.phase === "running" && this.connected;
    switch (ev.type) {
      case "order_accepted": {
        const b = this.truthOrder(ev.brokerOrderId, ev.clientOrderId, ev.symbol, ev.side, ev);
        b.qty = ev.qty;
        if (D.sub(b.cumFilled, ev.qty) >= 0n && b.status === "live") b.status = "filled";
        if (visible) this.engineSeesAck(b, ev.ts);
        return;
      }
      case "fill": {
        const b = this.truthOrder(ev.brokerOrderId, ev.clientOrderId, ev.symbol, ev.side, ev);
        const tf = this.applyTruthFill(b, ev);
        if (visible) this.engineSeesFill(b, tf);
        return;
      }
      case "order_cancelled": {
        const b = this.truthByBrokerId.get(ev.brokerOrderId);
        if (b === undefined) {
          // A cancel for an order the log never showed: keep it as evidence of a terminal order.
          const created = this.newTruthOrder(`broker:${ev.brokerOrderId}`, ev.brokerOrderId, undefined, "", "buy", ev);
          created.status = "cancelled";
          return;
        }
        b.status = "cancelled";
        b.evidence.push(evidenceRef(ev));
        this.unsettled.add(b.key);
        if (visible) this.engineSeesTerminal(b);
        return;
      }
      case "order_rejected": {
        const b = this.truthByCoid.get(ev.clientOrderId) ?? this.newTruthOrder(`client:${ev.clientOrderId}`, undefined, ev.clientOrderId, "", "buy", ev);
        b.status = "rejected";
        if (!b.evidence.includes(evidenceRef(ev))) b.evidence.push(evidenceRef(ev));
        this.unsettled.add(b.key);
        if (visible) this.engineSeesTerminal(b);
        return;
      }
      case "position_snapshot":
        this.truthPositions = new Map(ev.positions.filter((p) => !D.isZero(p.qty)).map((p) => [p.symbol, { qty: p.qty, avgPrice: p.avgPrice }]));
        return;
      case "limits_snapshot":
        this.limits = ev;
        return;
      case "disconnect":
        this.connected = false;
        return;
      case "reconnect": {
        const wasConnected = this.connected;
        this.connected = true;
        if (this.phase === "running" && !wasConnected) this.reconcile("reconnect", ev.ts, 0);
        return;
      }
    }
  }

  private truthOrder(brokerOrderId: string, clientOrderId: string | undefined, symbol: string, side: Side, ev: BrokerEvent): TruthOrder {
    let b = this.truthByBrokerId.get(brokerOrderId);
    if (b === undefined && clientOrderId !== undefined) {
      // A reject keyed by client id may precede nothing else; an accept after it is the same order.
      const byCoid = this.truthByCoid.get(clientOrderId);
      if (byCoid !== undefined && byCoid.brokerOrderId === undefined) {
        b = byCoid;
        b.brokerOrderId = brokerOrderId;
        this.truthByBrokerId.set(brokerOrderId, b);
      }
    }
    if (b === undefined) return this.newTruthOrder(`broker:${brokerOrderId}`, brokerOrderId, clientOrderId, symbol, side, ev);
    if (b.clientOrderId === undefined && clientOrderId !== undefined) {
      b.clientOrderId = clientOrderId;
      this.truthByCoid.set(clientOrderId, b);
    }
    if (b.symbol === "") {
      b.symbol = symbol;
      b.side = side;
    }
    b.evidence.push(evidenceRef(ev));
    this.unsettled.add(b.key);
    return b;
  }

  private newTruthOrder(key: string, brokerOrderId: string | undefined, clientOrderId: string | undefined, symbol: string, side: Side, ev: BrokerEvent): TruthOrder {
    const b: TruthOrder = {
      key, brokerOrderId, clientOrderId, symbol, side, qty: undefined, status: "live", cumFilled: D.ZERO, fills: [],
      firstTs: ev.ts, evidence: [evidenceRef(ev)], orphanReported: false, terminalSeen: false,
    };
    this.truth.set(key, b);
    if (brokerOrderId !== undefined) this.truthByBrokerId.set(brokerOrderId, b);
    if (clientOrderId !== undefined) this.truthByCoid.set(clientOrderId, b);
    this.unsettled.add(key);
    return b;
  }

  private applyTruthFill(b: TruthOrder, ev: FillEvent): TruthFill {
    const pos = this.truthPositions.get(ev.symbol) ?? FLAT;
    const { pos: next, realized } = applyFill(pos, ev.side, ev.qty, ev.price);
    if (D.isZero(next.qty)) this.truthPositions.delete(ev.symbol);
    else this.truthPositions.set(ev.symbol, next);
    const net = D.sub(realized, ev.fee);
    const day = utcDay(ev.ts);
    this.realizedByDay.set(day, D.add(this.realizedByDay.get(day) ?? D.ZERO, net));
    this.lastMark.set(ev.symbol, ev.price);
    this.fillCount += 1;
    b.cumFilled = D.add(b.cumFilled, ev.qty);
    if (b.qty !== undefined && b.cumFilled >= b.qty && b.status === "live") b.status = "filled";
    const tf: TruthFill = { ev, realizedPnl: net, knownToEngine: false, seenLive: false, rowEmitted: false };
    b.fills.push(tf);
    return tf;
  }

  // ---------------------------------------------------------------- what the engine sees live

  private engineSeesAck(b: TruthOrder, ts: Instant): void {
    const e = b.clientOrderId === undefined ? undefined : this.engineOrderFor(b.clientOrderId, ts);
    if (e === undefined) return;
    this.link(e, b);
    if (e.status === "sent" || e.status === "unknown") e.status = "accepted";
    this.cache.update(e.clientOrderId, "pending_fill", e.filledQty);
  }

  private engineSeesFill(b: TruthOrder, tf: TruthFill): void {
    tf.seenLive = true;
    const coid = tf.ev.clientOrderId ?? this.engineBrokerIds.get(tf.ev.brokerOrderId);
    const e = coid === undefined ? undefined : this.engineOrderFor(coid, tf.ev.ts);
    if (e === undefined) return; // unknown to the engine: the next reconciliation reports it
    this.link(e, b);
    this.applyFillToEngine(e, tf, "stream", null);
  }

  private engineSeesTerminal(b: TruthOrder): void {
    const coid = b.clientOrderId ?? (b.brokerOrderId === undefined ? undefined : this.engineBrokerIds.get(b.brokerOrderId));
    const e = coid === undefined ? undefined : this.orders.get(coid);
    b.terminalSeen = true;
    if (e === undefined) return;
    this.closeEngineOrder(e, b.status === "rejected" ? "rejected" : "cancelled");
  }

  /** The engine's order for an id: its own table first, else re-linked from the cache after a restart. */
  private engineOrderFor(clientOrderId: string, ts: Instant, reconcileId: string | null = null): EngineOrder | undefined {
    const own = this.orders.get(clientOrderId);
    if (own !== undefined) return own;
    const c = this.cache.get(clientOrderId);
    if (c === undefined) return undefined;
    const status: EngineStatus = c.status === "sent" ? "sent"
      : c.status === "pending_fill" ? (D.isZero(c.filledQty) ? "accepted" : "partially_filled")
      : "closed";
    const e: EngineOrder = {
      clientOrderId, decisionId: c.decisionId, symbol: c.symbol, side: c.side, qty: c.size, filledQty: c.filledQty,
      refPrice: c.refPrice, limitPrice: undefined, sentAt: undefined, ttlUtcMs: c.ttlUtcMs, status,
      brokerOrderId: undefined, staleReported: false, ttlCancelStaged: false, evidence: [],
    };
    this.orders.set(clientOrderId, e);
    if (c.status !== "closed") {
      const b = this.truthByCoid.get(clientOrderId);
      this.addFinding("order_relinked_from_cache", "info", ts, reconcileId, {
        clientOrderId, brokerOrderId: b?.brokerOrderId ?? null, symbol: c.symbol,
        detail: { cache_status: c.status, decision_id: c.decisionId }, evidence: b === undefined ? [] : [...b.evidence],
      });
    }
    return e;
  }

  private link(e: EngineOrder, b: TruthOrder): void {
    if (b.brokerOrderId !== undefined && e.brokerOrderId === undefined) {
      e.brokerOrderId = b.brokerOrderId;
      this.engineBrokerIds.set(b.brokerOrderId, e.clientOrderId);
    }
  }

  private applyFillToEngine(e: EngineOrder, tf: TruthFill, source: "stream" | "reconcile", reconcileId: string | null): void {
    assert(!tf.knownToEngine, "a fill is applied to the engine's view at most once per engine run");
    tf.knownToEngine = true;
    e.filledQty = D.add(e.filledQty, tf.ev.qty);
    const pos = this.enginePositions.get(e.symbol) ?? FLAT;
    const next = applyFill(pos, tf.ev.side, tf.ev.qty, tf.ev.price).pos;
    if (D.isZero(next.qty)) this.enginePositions.delete(e.symbol);
    else this.enginePositions.set(e.symbol, next);
    if (e.filledQty >= e.qty) {
      if (e.filledQty > e.qty) {
        this.addFinding("overfill", "critical", tf.ev.ts, reconcileId, {
          clientOrderId: e.clientOrderId, brokerOrderId: tf.ev.brokerOrderId, symbol: e.symbol,
          detail: { order_qty: D.toPlain(e.qty), filled_qty: D.toPlain(e.filledQty) }, evidence: [evidenceRef(tf.ev)],
        });
      }
      if (e.status !== "cancelled" && e.status !== "rejected" && e.status !== "closed") e.status = "filled";
      this.cache.update(e.clientOrderId, "closed", e.filledQty);
    } else {
      if (OPEN_STATUSES.has(e.status)) e.status = "partially_filled";
      this.cache.update(e.clientOrderId, "pending_fill", e.filledQty);
    }
    this.emitTrade(tf, e, source);
  }

  private closeEngineOrder(e: EngineOrder, status: "cancelled" | "rejected"): void {
    if (OPEN_STATUSES.has(e.status)) e.status = status;
    this.cache.update(e.clientOrderId, "closed", e.filledQty);
  }

  private emitTrade(tf: TruthFill, e: EngineOrder | undefined, source: "stream" | "reconcile"): void {
    if (tf.rowEmitted) return;
    tf.rowEmitted = true;
    const ev = tf.ev;
    const session = sessionOf(this.config, utcHour(ev.ts));
    const refPrice = e?.refPrice;
    let slip: Dec | undefined;
    if (refPrice !== undefined) {
      const pip = pipSize(ev.symbol, this.config.pipSizes);
      slip = slippagePips(ev.side, ev.price, refPrice, pip);
      const preset = findPreset(this.config, ev.symbol, session);
      const breach = preset === undefined || slip > preset.maxSlippagePips;
      if (breach) {
        this.slippageBreaches += 1;
        this.breachesBySymbol.set(ev.symbol, (this.breachesBySymbol.get(ev.symbol) ?? 0) + 1);
      }
      const improvement = e?.limitPrice === undefined ? undefined : limitImprovementPips(ev.side, ev.price, e.limitPrice, pip);
      this.slippage.record(ev.symbol, session, slip, preset, breach, improvement);
      if (preset === undefined && !this.missingPresetAlerted.has(`${ev.symbol}|${session}`)) {
        this.missingPresetAlerted.add(`${ev.symbol}|${session}`);
        this.raiseAlert("ALERT_SLIPPAGE_PRESET_MISSING", ev.ts, null, e?.decisionId ?? null,
          { fills_without_preset: 1, slippage_breaches: this.breachesBySymbol.get(ev.symbol) ?? 0 },
          { symbol: ev.symbol, session, client_order_id: e?.clientOrderId ?? null,
            slippage_pips: D.toFixed(slip, 1) });
      }
    }
    // Reported P&L is that of reconciled fills, so summary.txt always equals the sum of trades.csv.
    this.realizedBySymbol.set(ev.symbol, D.add(this.realizedBySymbol.get(ev.symbol) ?? D.ZERO, tf.realizedPnl));
    this.totalRealized = D.add(this.totalRealized, tf.realizedPnl);
    this.pending.trades.push({
      ts: ev.ts.text, decisionId: e?.decisionId ?? "", clientOrderId: e?.clientOrderId ?? ev.clientOrderId ?? "",
      brokerOrderId: ev.brokerOrderId, symbol: ev.symbol, side: ev.side, qty: ev.qty, price: ev.price,
      refPrice, slippagePips: slip, session, fee: ev.fee, realizedPnl: tf.realizedPnl, source,
    });
  }

  // ---------------------------------------------------------------- reconciliation

  /**
   * Runs the reconciliations due before `now`. In a quiet stretch (no event between several due
   * times) the runs in the middle would see exactly what the first one saw, so they are coalesced:
   * the first due run and the last one before `now` run (the last still catches TTL expiry and
   * grace timeouts), and the ones between are counted as `reconcile_runs_coalesced`. A log spanning
   * years with a 5-minute cadence thus costs runs per event, not per five minutes.
   */
  private runDueReconciles(now: Instant): void {
    const interval = this.config.reconcileIntervalMs;
    if (this.nextDueMs === undefined || now.ms < this.nextDueMs) return;
    this.reconcile("interval", instantFromMs(this.nextDueMs), 0);
    if (now.ms < this.nextDueMs) return;
    const skipped = Math.floor((now.ms - this.nextDueMs) / interval);
    this.coalescedRuns += skipped;
    this.reconcile("interval", instantFromMs(this.nextDueMs + skipped * interval), 0);
  }

  /** The id the next reconciliation run will get. */
  private nextRunId(): string {
    return `R${String(this.runCount + 1).padStart(5, "0")}`;
  }

  private reconcile(trigger: ReconcileTrigger, at: Instant, durationMs: number): void {
    const id = this.nextRunId();
    this.nextDueMs = at.ms + this.config.reconcileIntervalMs;
    const c: RunCounters = {
      stale: 0, orphan: 0, drifting: 0, fillsCaught: 0, staleCancelled: 0, inFlight: 0, ambiguous: 0,
      newDivergence: false, maxDriftPips: D.ZERO, maxDriftUnits: D.ZERO,
    };
    if (!this.connected) {
      this.reconcileFailures += 1;
      this.raiseAlert("ALERT_RECONCILE_FAILED", at, id, null, { consecutive_failures: this.reconcileFailures },
        { trigger, failure: "broker_unreachable" }, true);
      this.engageKill("broker_unreachable", at);
      this.recordRun(id, at, trigger, "failed", "broker_unreachable", durationMs, c);
      return;
    }
    this.syncBrokerOrders(id, at, c);
    this.checkLocalOrders(id, at, trigger, c);
    this.checkPositions(id, at, c);
    this.checkLimits(id, at);
    if (trigger === "restart") this.stageRecovery(id, at);
    if (c.stale > 0) this.engageKill("stale_local_order", at);
    if (c.orphan > 0) this.engageKill("orphan_broker_order", at);
    if (c.drifting > 0) this.engageKill("position_drift", at);
    this.pruneClosedOrders();
    this.recordRun(id, at, trigger, "ok", null, durationMs, c);
  }

  /** Closes the run's group; a new divergence in it raises ALERT_RECONCILE_DIVERGENCE (see emit.ts). */
  private recordRun(id: string, at: Instant, trigger: ReconcileTrigger, status: "ok" | "failed", failure: string | null, durationMs: number, c: RunCounters): void {
    const run: ReconcileRun = {
      reconcileId: id, ts: at.text, trigger, status, failure, durationMs,
      counts: {
        staleLocalOrders: c.stale, orphanBrokerOrders: c.orphan, driftingSymbols: c.drifting, fillsCaught: c.fillsCaught,
        staleOrdersCancelled: c.staleCancelled, inFlightOrders: c.inFlight, ambiguousMatches: c.ambiguous,
      },
      maxDriftPips: c.maxDriftPips, maxDriftUnits: c.maxDriftUnits,
    };
    this.runCount += 1;
    this.flushGroup({ run, divergence: c.newDivergence });
  }

  /** Every broker order with news: catch missed fills and cancels, re-link from the cache, find orphans. */
  private syncBrokerOrders(id: string, at: Instant, c: RunCounters): void {
    for (const key of [...this.unsettled]) {
      const b = this.truth.get(key);
      assert(b !== undefined, "every unsettled key names a broker order");
      const coid = b.clientOrderId;
      const e = coid !== undefined ? this.engineOrderFor(coid, at, id)
        : b.brokerOrderId !== undefined ? this.orders.get(this.engineBrokerIds.get(b.brokerOrderId) ?? "\u0000") : undefined;
      if (e !== undefined) this.catchUp(e, b, id, at, c);
      else this.reportOrphan(b, id, at, c);
      // Settled: finished at the broker (as far as the log shows), every fill accounted for, and the
      // engine's order (if any) finished too — a part-filled order known only from fills is not.
      const settled = !provenLive(b) && (e === undefined || !OPEN_STATUSES.has(e.status)) &&
        b.fills.every((f) => f.rowEmitted && (f.knownToEngine || e === undefined));
      if (settled) this.forgetTruthOrder(b);
    }
  }

  /**
   * A finished broker order the engine has fully accounted for is dropped, so memory follows the
   * working orders, not the length of the log. A later event about it starts a fresh record, which
   * the cache ties back to the decision. (The cost: a restart snapshot that wrongly lists such an
   * order as open sees no broker record of it, and reports it stale rather than filled.)
   */
  private forgetTruthOrder(b: TruthOrder): void {
    this.unsettled.delete(b.key);
    this.truth.delete(b.key);
    if (b.brokerOrderId !== undefined && this.truthByBrokerId.get(b.brokerOrderId) === b) this.truthByBrokerId.delete(b.brokerOrderId);
    if (b.clientOrderId !== undefined && this.truthByCoid.get(b.clientOrderId) === b) this.truthByCoid.delete(b.clientOrderId);
  }

  private catchUp(e: EngineOrder, b: TruthOrder, id: string, at: Instant, c: RunCounters): void {
    this.link(e, b);
    if (e.status === "unknown" && b.status === "live") e.status = "accepted";
    if (e.status === "sent" && b.status === "live") {
      e.status = "accepted";
      this.cache.update(e.clientOrderId, "pending_fill", e.filledQty);
    }
    for (const tf of b.fills) {
      if (tf.knownToEngine) continue;
      this.applyFillToEngine(e, tf, "reconcile", id);
      c.fillsCaught += 1;
      this.fillsCaught += 1;
      const complete = e.filledQty >= e.qty;
      this.addFinding(complete ? "fill_caught_by_reconcile" : "partial_fill_caught_by_reconcile", "warning", at, id, {
        clientOrderId: e.clientOrderId, brokerOrderId: tf.ev.brokerOrderId, symbol: e.symbol,
        detail: { fill_ts: tf.ev.ts.text, qty: D.toPlain(tf.ev.qty), price: D.toPlain(tf.ev.price),
          filled_qty: D.toPlain(e.filledQty), order_qty: D.toPlain(e.qty) },
        evidence: [evidenceRef(tf.ev)],
      });
    }
    if ((b.status === "cancelled" || b.status === "rejected") && !b.terminalSeen) {
      b.terminalSeen = true;
      const wasOpen = OPEN_STATUSES.has(e.status);
      this.closeEngineOrder(e, b.status);
      if (wasOpen) {
        this.addFinding("order_state_caught_by_reconcile", "warning", at, id, {
          clientOrderId: e.clientOrderId, brokerOrderId: b.brokerOrderId ?? null, symbol: e.symbol,
          detail: { broker_status: b.status, filled_qty: D.toPlain(e.filledQty) }, evidence: [...b.evidence],
        });
      }
    }
  }

  private reportOrphan(b: TruthOrder, id: string, at: Instant, c: RunCounters): void {
    const unreported = b.fills.filter((f) => !f.rowEmitted);
    if (!provenLive(b) && unreported.length === 0) return;
    for (const f of unreported) this.emitTrade(f, undefined, f.seenLive ? "stream" : "reconcile");
    c.orphan += 1;
    if (b.orphanReported) return;
    b.orphanReported = true;
    this.orphanDistinct.add(b.key);
    c.newDivergence = true;
    const qty = b.qty ?? b.cumFilled;
    const candidates = this.signatureCandidates(b, qty);
    if (candidates.length > 1) {
      c.ambiguous += 1;
      this.pending.ambiguous.push({ reconcileId: id, ts: at.text, brokerOrderId: b.brokerOrderId ?? null,
        brokerClientOrderId: b.clientOrderId ?? null, symbol: b.symbol, side: b.side, qty, candidates });
    }
    this.addFinding("orphan_broker_order", "critical", at, id, {
      clientOrderId: b.clientOrderId ?? null, brokerOrderId: b.brokerOrderId ?? null, symbol: b.symbol,
      detail: {
        side: b.side, qty: D.toPlain(qty), filled_qty: D.toPlain(b.cumFilled), broker_status: b.status,
        match: candidates.length === 0 ? "none" : candidates.length === 1 ? "signature" : "ambiguous",
        candidates,
      },
      evidence: [...b.evidence],
    });
    if (this.config.orphanPolicy === "flatten" && !D.isZero(b.cumFilled)) {
      this.stageAction("flatten_position", at, id, b.symbol, b.clientOrderId ?? null, b.brokerOrderId ?? null,
        b.side === "buy" ? "sell" : "buy", b.cumFilled, "orphan_broker_order: flatten the position it opened");
    }
    if (this.config.orphanPolicy === "flatten" && provenLive(b)) {
      this.stageAction("cancel_order", at, id, b.symbol, b.clientOrderId ?? null, b.brokerOrderId ?? null,
        null, null, "orphan_broker_order: cancel the live order");
    }
  }

  /** Engine orders the broker has no record of that look like this broker order (same symbol, side, qty, time). */
  private signatureCandidates(b: TruthOrder, qty: Dec): string[] {
    const out: string[] = [];
    for (const e of this.orders.values()) {
      if (!OPEN_STATUSES.has(e.status) || this.hasBrokerRecord(e)) continue;
      if (e.symbol !== b.symbol || e.side !== b.side || e.qty !== qty) continue;
      const near = e.sentAt === undefined || Math.abs(e.sentAt.ms - b.firstTs.ms) <= this.config.signatureMatchWindowMs;
      if (near) out.push(e.clientOrderId);
    }
    return out.sort();
  }

  private hasBrokerRecord(e: EngineOrder): boolean {
    return this.truthByCoid.has(e.clientOrderId) ||
      (e.brokerOrderId !== undefined && this.truthByBrokerId.has(e.brokerOrderId));
  }

  /** Engine orders the broker has no live record of (stale), and orders past their TTL. */
  private checkLocalOrders(id: string, at: Instant, trigger: ReconcileTrigger, c: RunCounters): void {
    for (const e of this.orders.values()) {
      if (!OPEN_STATUSES.has(e.status)) continue;
      if (!this.hasBrokerRecord(e)) {
        const age = e.sentAt === undefined ? Infinity : at.ms - e.sentAt.ms;
        if (age > this.config.inFlightGraceMs) {
          c.stale += 1;
          e.status = "unknown"; // held for Ops: never assumed cancelled or filled
          if (!e.staleReported) {
            e.staleReported = true;
            this.staleDistinct.add(e.clientOrderId);
            c.newDivergence = true;
            this.addFinding("stale_local_order", "critical", at, id, {
              clientOrderId: e.clientOrderId, brokerOrderId: e.brokerOrderId ?? null, symbol: e.symbol,
              detail: { side: e.side, qty: D.toPlain(e.qty), filled_qty: D.toPlain(e.filledQty),
                sent_at: e.sentAt?.text ?? null, outcome: "unknown" },
              evidence: [...e.evidence],
            });
          }
        } else {
          c.inFlight += 1;
          if (trigger === "end") {
            this.addFinding("in_flight_order", "info", at, id, {
              clientOrderId: e.clientOrderId, brokerOrderId: null, symbol: e.symbol,
              detail: { sent_at: e.sentAt?.text ?? null, outcome: "unknown" }, evidence: [...e.evidence],
            });
          }
        }
      }
      const expiresMs = e.ttlUtcMs;
      if (!e.ttlCancelStaged && expiresMs !== undefined && at.ms >= expiresMs) {
        e.ttlCancelStaged = true;
        c.staleCancelled += 1;
        this.staleCancelledCount += 1;
        this.stageAction("cancel_order", at, id, e.symbol, e.clientOrderId, e.brokerOrderId ?? null, null, null,
          "stale_order_cancelled: open past its idempotency TTL");
        this.addFinding("stale_order_cancelled", "warning", at, id, {
          clientOrderId: e.clientOrderId, brokerOrderId: e.brokerOrderId ?? null, symbol: e.symbol,
          detail: { sent_at: e.sentAt?.text ?? null, ttl_expired_at: instantFromMs(expiresMs).text, action: "staged" },
          evidence: [...e.evidence],
        });
      }
    }
  }

  private checkPositions(id: string, at: Instant, c: RunCounters): void {
    const symbols = [...new Set([...this.enginePositions.keys(), ...this.truthPositions.keys()])].sort();
    for (const symbol of symbols) {
      const mine = this.enginePositions.get(symbol) ?? FLAT;
      const theirs = this.truthPositions.get(symbol) ?? FLAT;
      const units = D.abs(D.sub(mine.qty, theirs.qty));
      const comparable = !D.isZero(mine.qty) && D.sign(mine.qty) === D.sign(theirs.qty);
      const pips = comparable ? D.div(D.abs(D.sub(mine.avgPrice, theirs.avgPrice)), pipSize(symbol, this.config.pipSizes)) : D.ZERO;
      c.maxDriftUnits = D.max(c.maxDriftUnits, units);
      c.maxDriftPips = D.max(c.maxDriftPips, pips);
      this.maxDriftUnits = D.max(this.maxDriftUnits, units);
      this.maxDriftPips = D.max(this.maxDriftPips, pips);
      const beyond = units > this.config.driftToleranceUnits || pips > this.config.driftTolerancePips;
      if (!beyond) {
        this.lastDriftReported.delete(symbol);
        continue;
      }
      c.drifting += 1;
      const signature = `${mine.qty}|${mine.avgPrice}|${theirs.qty}|${theirs.avgPrice}`;
      if (this.lastDriftReported.get(symbol) === signature) continue;
      this.lastDriftReported.set(symbol, signature);
      c.newDivergence = true;
      this.addFinding("position_drift", "critical", at, id, {
        clientOrderId: null, brokerOrderId: null, symbol,
        detail: {
          engine_qty: D.toPlain(mine.qty), engine_avg_price: D.toPlain(mine.avgPrice),
          broker_qty: D.toPlain(theirs.qty), broker_avg_price: D.toPlain(theirs.avgPrice),
          drift_units: D.toPlain(units), drift_pips: D.toFixed(pips, 1),
        },
        evidence: [],
      });
    }
  }

  /** Broker risk limits against the engine's rails, and actual exposure against the caps. */
  private checkLimits(id: string, at: Instant): void {
    const lim = this.limits;
    if (lim !== undefined && this.limitsCheckedEventId !== lim.eventId) {
      this.limitsCheckedEventId = lim.eventId;
      const mismatches: string[] = [];
      const engineCap = this.config.dailyLossCap;
      if (engineCap === undefined || engineCap !== lim.dailyLossCap) {
        mismatches.push(`daily_loss_cap: engine=${engineCap === undefined ? "unset" : D.toPlain(engineCap)} broker=${D.toPlain(lim.dailyLossCap)}`);
      }
      const engineCaps = new Map(this.config.symbolCaps);
      const brokerCaps = new Map(lim.symbolCaps);
      for (const symbol of [...new Set([...engineCaps.keys(), ...brokerCaps.keys()])].sort()) {
        const e = engineCaps.get(symbol);
        const b = brokerCaps.get(symbol);
        if (e !== b) {
          mismatches.push(`symbol_caps.${symbol}: engine=${e === undefined ? "unset" : D.toPlain(e)} broker=${b === undefined ? "unset" : D.toPlain(b)}`);
        }
      }
      if (mismatches.length > 0) {
        for (const m of mismatches) {
          this.addFinding("broker_limit_mismatch", "warning", at, id, {
            clientOrderId: null, brokerOrderId: null, symbol: null,
            detail: { mismatch: m, config_hash: this.options.configHash }, evidence: [evidenceRef(lim)],
          }, true);
        }
        this.raiseAlert("ALERT_BROKER_LIMIT_MISMATCH", at, id, null, { mismatches: mismatches.length },
          { fields: mismatches, config_hash: this.options.configHash }, true);
      }
    }
    for (const [symbol, cap] of this.config.symbolCaps) {
      const qty = D.abs((this.truthPositions.get(symbol) ?? FLAT).qty);
      if (qty <= cap) {
        this.capBreachOpen.delete(symbol);
        continue;
      }
      this.engageKill("symbol_cap_breach", at);
      if (this.capBreachOpen.has(symbol)) continue;
      this.capBreachOpen.add(symbol);
      this.addFinding("symbol_cap_breach", "critical", at, id, {
        clientOrderId: null, brokerOrderId: null, symbol,
        detail: { position_units: D.toPlain(qty), cap_units: D.toPlain(cap) }, evidence: [],
      });
    }
    const cap = this.config.dailyLossCap;
    const day = utcDay(at);
    const dayPnl = this.realizedByDay.get(day) ?? D.ZERO;
    if (cap !== undefined && dayPnl < (this.dayPnlLows.get(day) ?? D.ZERO)) this.dayPnlLows.set(day, dayPnl);
    if (cap !== undefined && dayPnl < D.neg(cap)) {
      this.engageKill("daily_loss_breach", at);
      if (!this.lossBreachDays.has(day)) {
        this.lossBreachDays.add(day);
        this.addFinding("daily_loss_breach", "critical", at, id, {
          clientOrderId: null, brokerOrderId: null, symbol: null,
          detail: { utc_day: day, realized_pnl: D.toFixed(dayPnl, 2), daily_loss_cap: D.toPlain(cap) }, evidence: [],
        });
      }
    }
  }

  /** Recovery policy for positions open after a restart: staged, never executed. */
  private stageRecovery(id: string, at: Instant): void {
    const policy = this.config.openPositionsPolicy;
    if (policy === "RESUME") return;
    for (const [symbol, pos] of [...this.truthPositions].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const closeSide: Side = D.sign(pos.qty) > 0 ? "sell" : "buy";
      if (policy === "CLOSE_ALL") {
        this.stageAction("close_position", at, id, symbol, null, null, closeSide, D.abs(pos.qty), "recovery CLOSE_ALL after restart");
        continue;
      }
      const mark = this.lastMark.get(symbol);
      if (mark === undefined) {
        this.stageAction("review_position", at, id, symbol, null, null, closeSide, D.abs(pos.qty),
          "recovery EMERGENCY_EXIT: no fill price to mark the position; outcome unknown");
        continue;
      }
      const unrealized = D.mul(pos.qty, D.sub(mark, pos.avgPrice));
      const threshold = this.config.emergencyExitLossThreshold ?? D.ZERO;
      if (D.neg(unrealized) >= threshold) {
        this.stageAction("close_position", at, id, symbol, null, null, closeSide, D.abs(pos.qty),
          `recovery EMERGENCY_EXIT: unrealized ${D.toFixed(unrealized, 2)} at last fill price ${D.toPlain(mark)} breaches the loss threshold`);
      }
    }
  }

  /** The engine forgets finished orders (the cache remembers their ids). */
  private pruneClosedOrders(): void {
    for (const [coid, e] of this.orders) {
      if (OPEN_STATUSES.has(e.status)) continue;
      this.orders.delete(coid);
      if (e.brokerOrderId !== undefined) this.engineBrokerIds.delete(e.brokerOrderId);
    }
  }

  // ---------------------------------------------------------------- report plumbing

  private addFinding(kind: FindingKind, severity: Severity, at: Instant, reconcileId: string | null, f: {
    clientOrderId: string | null; brokerOrderId: string | null; symbol: string | null; detail: Detail; evidence: string[];
  }, global = false): void {
    this.pending.findings.push({
      kind, severity, ts: at.text, reconcileId, clientOrderId: f.clientOrderId, brokerOrderId: f.brokerOrderId,
      symbol: f.symbol, detail: f.detail, evidence: f.evidence, global,
    });
  }

  private raiseAlert(alert: AlertName, at: Instant, reconcileId: string | null, decisionId: string | null,
    counts: Record<string, number>, detail: Detail, global = false): void {
    this.pending.alerts.push({ alert, ts: at.text, reconcileId, decisionId, counts, detail, global });
  }

  private stageAction(action: StagedActionKind, at: Instant, reconcileId: string, symbol: string, clientOrderId: string | null,
    brokerOrderId: string | null, side: Side | null, qty: Dec | null, reason: string): void {
    this.pending.actions.push({ action, ts: at.text, reconcileId, symbol, clientOrderId, brokerOrderId, side, qty, reason });
  }

  private engageKill(reason: string, at: Instant): void {
    if (this.killEngagedAt === null) this.killEngagedAt = at.text;
    if (this.killReasons.has(reason)) return;
    this.killReasons.add(reason);
    this.pending.kills.push({ reason, ts: at.text });
  }

  /** The engine's totals and books at the end: mergeable across shards (see state.ts). */
  state(): EngineState {
    assert(this.ended, "the final reconciliation runs before the state is read");
    // Fills neither written to trades.csv nor already known to the engine (e.g. from the cache of
    // an earlier run): what a reconciliation that could not reach the broker left behind.
    const unreconciled = [...this.truth.values()].reduce((n, b) => n + b.fills.filter((f) => !f.rowEmitted && !f.knownToEngine).length, 0);
    const symbols = [...new Set([...this.enginePositions.keys(), ...this.truthPositions.keys()])].sort();
    const positions = symbols.map((symbol) => {
      const mine = this.enginePositions.get(symbol) ?? FLAT;
      const theirs = this.truthPositions.get(symbol) ?? FLAT;
      return { symbol, engineQty: mine.qty, engineAvgPrice: mine.avgPrice, brokerQty: theirs.qty, brokerAvgPrice: theirs.avgPrice };
    });
    return {
      positions,
      realizedPnlBySymbol: [...this.realizedBySymbol].sort(([a], [b]) => (a < b ? -1 : 1)),
      slippage: this.slippage.cellsSorted(),
      brokerLimits: this.limits === undefined ? null
        : { ts: this.limits.ts.text, dailyLossCap: this.limits.dailyLossCap, symbolCaps: this.limits.symbolCaps },
      cache: {
        ok: this.options.cacheFailure === null, failure: this.options.cacheFailure, entriesLoaded: this.options.cacheEntries.length,
        entriesWritten: this.cache.entriesWritten, entriesPurged: this.cache.entriesPurged, liveEntries: this.cache.size,
      },
      counts: {
        stale: this.staleDistinct.size, orphan: this.orphanDistinct.size, driftPips: this.maxDriftPips,
        driftUnits: this.maxDriftUnits, duplicatesSkipped: this.skippedCount, blockedDecisions: this.blockedCount,
        duplicateDeliveries: this.duplicateDeliveries,
        fillsCaughtByReconcile: this.fillsCaught, staleOrdersCancelled: this.staleCancelledCount,
        slippageBreaches: this.slippageBreaches, realizedPnl: this.totalRealized, ordersSent: this.ordersSent,
        fills: this.fillCount, reconcileRuns: this.runCount, reconcileRunsCoalesced: this.coalescedRuns,
        reconcileFailures: this.reconcileFailures, journalRecords: this.journalRecords, brokerEvents: this.brokerEvents,
        unreconciledFills: unreconciled,
      },
    };
  }
}

function emptyPending(): {
  findings: RawFinding[]; alerts: RawAlert[]; actions: RawAction[]; ambiguous: AmbiguousMatch[];
  skipped: SkippedDecision[]; blocked: SkippedDecision[]; trades: TradeRow[]; kills: KillEngage[];
} {
  return { findings: [], alerts: [], actions: [], ambiguous: [], skipped: [], blocked: [], trades: [], kills: [] };
}
