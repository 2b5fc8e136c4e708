// The replay engine: a pure state machine fed one input record at a time, in event time. This is
// its facade: the replay's lifecycle and clock (starting, running, connected, when runs are due),
// and the dispatch of each record to the module that handles it.
//
//   broker-book.ts   the broker's truth            engine-view.ts  what the engine knows
//   redelivery.ts    seen event ids                reported.ts     what the report already said
//   journal.ts       decisions, cancels, snapshot  live.ts         what the engine sees of the broker
//   reconcile.ts     one reconciliation run        rules/          pure decisions the above apply
//   findings.ts      what each finding says        emit.ts         groups of emitted items
//
// The two books are never mixed: the view changes only from broker evidence, through live.ts while
// connected and running, and through reconcile.ts otherwise.

import type { Config } from "../../domain/config.js";
import { assert, DataError } from "../../domain/errors.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../../domain/records.js";
import type { ReconcileTrigger, Report, TradeRow } from "../../domain/report.js";
import { compareInstants, type Instant, instantFromMs } from "../../domain/time.js";
import { BrokerBook } from "../books/broker-book.js";
import type { CacheEntry, CacheOp } from "../books/cache.js";
import { type EngineCore, engageKill, report } from "./context.js";
import { Assembler, GroupEmitter } from "../output/emit.js";
import { DriftCauses } from "../books/drift-causes.js";
import { EngineView } from "../books/engine-view.js";
import * as F from "../output/findings.js";
import { decide, loadSnapshot, requestCancel } from "./journal.js";
import { Instruments } from "./instruments.js";
import { type Inspection, inspect, type Subject } from "../inspect/inspect.js";
import { KillSwitch } from "./kill-switch.js";
import { seeAcceptance, seeFill, seeTerminal } from "./live.js";
import { resolveOrRelink } from "./orders.js";
import { reconcile } from "../reconcile/run.js";
import { type OrderSyncPlan, planOrderSync } from "../reconcile/sync-orders.js";
import { type Delivery, Redelivery } from "./redelivery.js";
import type { Tick } from "../shard/shard.js";
import { Reported } from "./reported.js";
import { dueRuns } from "./schedule.js";
import { composeReport, type EngineState, engineState } from "../output/state.js";
import type { EngineOptions, ShardEvidence } from "./options.js";
import { Totals } from "./totals.js";

export type { BrokerRecall } from "./redelivery.js";

export type { EngineOptions, ShardEvidence } from "./options.js";

type Phase = "not_started" | "starting" | "running";

export class Engine {
  private readonly core: EngineCore;
  private readonly redelivery: Redelivery;
  private readonly assembler: Assembler | null;
  private phase: Phase = "not_started";
  private startTrigger: ReconcileTrigger = "startup";
  private startingSince: Instant | undefined;
  private snapshotSinceStart = false;
  private connected = true;
  private nextDueMs: number | undefined;
  private lastTs: Instant | undefined;
  private ended = false;

  constructor(config: Config, private readonly options: EngineOptions) {
    const assembler = options.emit === undefined ? new Assembler(config.reportListItemsMax) : null;
    this.assembler = assembler;
    this.redelivery = new Redelivery(options.recallBroker);
    this.core = {
      config, configHash: options.configHash, book: new BrokerBook(), instruments: new Instruments(config),
      view: new EngineView(options.cacheEntries, config.cacheEntriesMax, options.queueCacheChanges ?? true), causes: new DriftCauses(), reported: new Reported(), totals: new Totals(),
      out: new GroupEmitter(options.emit ?? ((g) => assembler!.add(g))), kill: new KillSwitch(),
    };
  }

  // ---------------------------------------------------------------- feeding records

  /**
   * Applies one record. `judged` is given when a reader upstream already checked the event id for
   * redelivery (a replay split across threads keeps one index of event ids, in its reader); absent,
   * this engine checks it.
   */
  step(rec: InputRecord, judged?: Delivery): void {
    this.beginRecord(rec);
    for (const symbol of this.core.instruments.meetRecord(rec)) report(this.core, F.instrumentUndescribed(symbol, rec.line, rec.ts));
    if (rec.src === "journal") this.onJournal(rec);
    else if (this.redelivery.take(rec, judged)) this.onBroker(rec);
    this.core.out.flush(null);
  }

  /**
   * A record another shard owns: it still moves the clock (due reconciliations, the end of a
   * startup) and its event id is still checked for redelivery, so every shard runs the same
   * reconciliations at the same times; its content is left to its owner.
   */
  tick(rec: InputRecord): void;
  /** The same, for a record whose delivery was judged upstream: only its time and place are needed. */
  tick(rec: Tick, judged: Delivery): void;
  tick(rec: InputRecord | Tick, judged?: Delivery): void {
    this.beginRecord(rec);
    if (rec.src === "journal") {
      assert(rec.type === "decision" || rec.type === "cancel_request", "restarts and snapshots reach every shard");
      this.startIfNeeded(rec.ts, rec.line);
    } else {
      this.redelivery.take(rec, judged);
    }
    this.core.out.flush(null);
  }

  /** The number the next emitted group will carry: every group below it has been emitted. */
  get groupSeq(): number {
    return this.core.out.currentSeq;
  }

  private beginRecord(rec: InputRecord | Tick): void {
    const t = this.core.totals;
    t.recordsSeen += 1;
    if (t.recordsSeen > this.core.config.eventsMax) {
      throw new DataError(rec.src, rec.line, "(line)", `at most events_max=${this.core.config.eventsMax} records in one replay (raise it in the config)`);
    }
    if (this.phase === "running") this.runDueReconciles(rec.ts);
    // A late redelivery never moves the clock back.
    if (this.lastTs === undefined || compareInstants(rec.ts, this.lastTs) > 0) this.lastTs = rec.ts;
    if (rec.src === "journal") t.journalRecords += 1;
    else t.brokerEvents += 1;
  }

  /** Ends the replay: completes a pending startup and runs the final reconciliation. */
  reconcileAtEnd(): void {
    // A proof over nothing must not pass: both logs must say something.
    if (this.core.totals.brokerEvents === 0) {
      throw new DataError("broker", 0, "(file)", "at least one broker event (an empty broker log proves nothing)", "an empty log");
    }
    if (this.core.totals.journalRecords === 0 || this.lastTs === undefined) {
      throw new DataError("journal", 0, "(file)", "at least one journal record (the engine never started)", "an empty journal");
    }
    if (this.phase === "starting") this.completeStartup(this.lastTs);
    if (this.phase === "running") this.reconcile("end", this.lastTs, 0);
    this.core.out.flush(null);
    this.ended = true;
  }

  /** Builds the report; the replay must have ended (reconcileAtEnd). Only for a plain replay. */
  finish(): Report {
    assert(this.ended, "the final reconciliation runs before the report is built");
    assert(this.assembler !== null, "a replay that emits its groups elsewhere has no report of its own");
    return composeReport(this.assembler.lists(), this.state(), this.assembler.drainTrades());
  }

  drainCacheOps(): readonly CacheOp[] {
    return this.core.view.cache.drainOps();
  }

  /** The order-id cache as it stands (at the end of a replay: what persists for the next one). */
  cacheEntries(): CacheEntry[] {
    return this.core.view.cache.allEntries();
  }

  /** Trade rows reconciled since the last drain, in report order (a plain replay only). */
  drainTrades(): readonly TradeRow[] {
    assert(this.assembler !== null, "a replay that emits its groups elsewhere drains no trades");
    return this.assembler.drainTrades();
  }

  /** What a shard hands to merge besides its groups. */
  shardEvidence(): ShardEvidence {
    const t = this.core.totals;
    return {
      lastUnblockedDecisionGroup: t.lastUnblockedDecisionGroup,
      dayPnlLows: [...t.dayPnlLows].sort(([a], [b]) => (a < b ? -1 : 1)),
      cacheEntriesPeak: this.core.view.cache.peakSize,
    };
  }

  /**
   * What a reconciliation run's first step would do now (reconcile/sync-orders.ts): its plan, made
   * from the books by lookups only, so asking changes nothing.
   */
  planOrderSync(): OrderSyncPlan {
    return planOrderSync(this.core);
  }

  /** What the engine and the broker hold about a subject now; read-only (see inspect.ts). */
  inspect(subject: Subject): Inspection {
    return inspect(this.core, subject, { phase: this.phase, connected: this.connected });
  }

  /** The engine's totals and books at the end: mergeable across shards (see state.ts). */
  state(): EngineState {
    assert(this.ended, "the final reconciliation runs before the state is read");
    return engineState(this.core, { entriesLoaded: this.options.cacheEntries.length, failure: this.options.cacheFailure },
      this.redelivery.duplicates);
  }

  // ---------------------------------------------------------------- lifecycle

  private onJournal(rec: JournalRecord): void {
    switch (rec.type) {
      case "restart":
        if (this.phase === "starting") this.completeStartup(rec.ts);
        this.beginStart(rec.ts, rec.line, "restart");
        return;
      case "snapshot":
        if (this.phase === "not_started") this.beginStart(rec.ts, rec.line, "startup");
        if (this.phase !== "starting" || this.snapshotSinceStart) {
          throw new DataError("journal", rec.line, "type", "a snapshot only as the journal's first record or right after a restart (at most one per restart)", "snapshot");
        }
        this.snapshotSinceStart = true;
        loadSnapshot(this.core, rec);
        this.completeStartup(rec.ts);
        return;
      case "decision":
        this.startIfNeeded(rec.ts, rec.line);
        decide(this.core, rec);
        return;
      case "cancel_request":
        this.startIfNeeded(rec.ts, rec.line);
        requestCancel(this.core, rec.clientOrderId, rec.ts, rec.line);
        return;
    }
  }

  /** A decision or cancel request means the engine is up: it starts, or finishes starting. */
  private startIfNeeded(ts: Instant, line: number): void {
    if (this.phase === "not_started") this.beginStart(ts, line, "startup");
    if (this.phase === "starting") this.completeStartup(ts);
  }

  /** The engine (re)starts at journal `line`: it forgets everything but the cache, which drops expired ids. */
  private beginStart(ts: Instant, line: number, trigger: ReconcileTrigger): void {
    this.phase = "starting";
    this.startTrigger = trigger;
    this.startingSince = ts;
    this.snapshotSinceStart = false;
    this.nextDueMs = undefined;
    this.core.causes.engineRestarting(line, this.core.view.positions());
    this.core.view.restart(ts.ms);
    const failure = this.options.cacheFailure;
    if (failure !== null && !this.core.reported.cacheFailureRaised) {
      this.core.reported.cacheFailureRaised = true;
      this.core.out.alert(F.persistenceFailed(failure, ts));
      engageKill(this.core, "cache_load_failed", ts);
    }
  }

  private completeStartup(ts: Instant): void {
    assert(this.phase === "starting" && this.startingSince !== undefined, "startup completes only while starting");
    this.phase = "running";
    const { view, book, totals } = this.core;
    // Orders the cache still counts as working are the engine's, even if the snapshot forgot them:
    // re-link them so reconciliation can find them filled, cancelled, or missing at the broker.
    for (const entry of view.cache.openEntries()) {
      if (view.order(entry.clientOrderId) === undefined) {
        resolveOrRelink(this.core, { clientOrderId: entry.clientOrderId, brokerOrderId: undefined }, ts, totals.nextRunId());
      }
    }
    // The new engine run has taken in none of the broker's news: it relearns what its snapshot and
    // cache say it knew, and the startup reconciliation looks at every broker order.
    view.relearn(book.allOrders());
    for (const b of book.allOrders()) for (const f of b.fills) if (view.knows(f)) this.core.causes.taken(f.ev.symbol, f.ev.line);
    book.unsettleAll();
    this.reconcile(this.startTrigger, ts, ts.ms - this.startingSince.ms);
  }

  private onBroker(ev: BrokerEvent): void {
    const core = this.core;
    const visible = this.phase === "running" && this.connected;
    switch (ev.type) {
      case "order_accepted": {
        const b = core.book.accept(ev);
        if (visible) seeAcceptance(core, b, ev.ts);
        return;
      }
      case "fill": {
        const fill = core.book.fill(ev, core.instruments.feeCurrencies(ev.symbol));
        core.causes.booked(ev.symbol, ev.line);
        if (visible) seeFill(core, fill);
        return;
      }
      case "order_cancelled": {
        const b = core.book.cancel(ev);
        if (b !== undefined && visible) seeTerminal(core, b);
        return;
      }
      case "order_rejected": {
        const b = core.book.reject(ev);
        if (visible) seeTerminal(core, b);
        return;
      }
      case "position_snapshot": {
        const before = new Map(core.book.positions());
        core.book.snapshot(ev);
        core.causes.brokerSnapshot(ev.line, before, core.book.positions());
        return;
      }
      case "limits_snapshot":
        core.book.setLimits(ev);
        return;
      case "financing":
        return; // evidence only: financing is kept out of trade P&L and moves no order or position
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

  /** Runs the interval reconciliations due before `now` (see schedule.ts for coalescing). */
  private runDueReconciles(now: Instant): void {
    const due = dueRuns(this.nextDueMs, now.ms, this.core.config.reconcileIntervalMs);
    this.core.totals.coalescedRuns += due.coalesced;
    for (const ms of due.atMs) this.reconcile("interval", instantFromMs(ms), 0);
  }

  private reconcile(trigger: ReconcileTrigger, at: Instant, durationMs: number): void {
    this.nextDueMs = at.ms + this.core.config.reconcileIntervalMs;
    reconcile(this.core, trigger, at, durationMs, this.connected);
    // An expired id can never make a decision a duplicate: it leaves memory as event time passes
    // (after the run, which may still re-link a forgotten order from it).
    this.core.view.cache.purgeExpired(at.ms);
  }
}
