// Time and the two logs: the generator's clock, broker events scheduled ahead (flushed in time
// order), the journal and broker lines written so far, the engine's link to the broker, and when
// it last reconciled (a disconnect must not overlap the next reconciliation).

import { assert } from "../domain/errors.js";
import type { Truth } from "./truth.js";
import { type Draws, iso, type Obj, RECONCILE_INTERVAL_MS, START_MS } from "./world.js";

interface Pending {
  readonly t: number;
  readonly seq: number;
  readonly make: () => Obj | null;
}

export class Timeline {
  now = START_MS;
  readonly journal: string[] = [];
  readonly broker: string[] = [];
  private readonly pending: Pending[] = [];
  private pendingSeq = 0;
  private eventSeq = 0;
  /** Whether the engine is connected to the broker: what it does not see, reconciliation catches. */
  connected = true;
  /** Event time of the engine's last reconciliation, to keep disconnects clear of the next one. */
  lastReconcileMs = START_MS;
  lastBrokerMs = START_MS;
  /** Orders the broker has shown something of (an accept, fill or reject). */
  readonly brokerSeen = new Set<string>();

  constructor(private readonly draws: Draws, private readonly truth: Truth) {}

  lineCount(): number {
    return this.journal.length + this.broker.length + this.pending.length;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    this.flushUntil(until);
    this.now = until;
    while (this.lastReconcileMs + RECONCILE_INTERVAL_MS <= this.now) this.lastReconcileMs += RECONCILE_INTERVAL_MS;
  }

  flushUntil(t: number): void {
    this.pending.sort((a, b) => a.t - b.t || a.seq - b.seq);
    while (this.pending.length > 0 && this.pending[0]!.t <= t) {
      const p = this.pending.shift()!;
      const obj = p.make();
      if (obj !== null) this.emitBroker(obj, p.t);
    }
  }

  flushAll(): void {
    this.flushUntil(Number.MAX_SAFE_INTEGER);
    this.now = Math.max(this.now, this.lastBrokerMs);
  }

  /** Emits a broker event now, after everything scheduled before it, so the log stays in time order. */
  emitBrokerAt(obj: Obj, t: number): void {
    this.flushUntil(t);
    this.emitBroker(obj, t);
  }

  /** A broker event at `t`, made when its time comes (null: nothing happens after all). */
  schedule(t: number, make: () => Obj | null): void {
    this.pending.push({ t, seq: this.pendingSeq++, make });
  }

  emitJournal(obj: Obj): void {
    this.journal.push(JSON.stringify(obj));
  }

  /** A broker event, delivered twice now and then under the duplicate-delivery fault. */
  emitBroker(obj: Obj, t: number): void {
    if (typeof obj["client_order_id"] === "string") this.brokerSeen.add(obj["client_order_id"]);
    this.eventSeq += 1;
    this.lastBrokerMs = Math.max(this.lastBrokerMs, t);
    const line = JSON.stringify({ type: obj["type"], ts: iso(t),
      event_id: `EV-${String(this.eventSeq).padStart(8, "0")}`, ...obj });
    this.broker.push(line);
    const { rng, faults, toForce } = this.draws;
    if (faults.has("duplicate-delivery") && (rng.chance(2) || toForce.has("duplicate-delivery"))) {
      toForce.delete("duplicate-delivery");
      this.broker.push(line);
      this.truth.duplicateDeliveries += 1;
    }
    assert(this.broker.length === this.eventSeq + this.truth.duplicateDeliveries, "each broker line is an event or the counted repeat of one");
  }

  /** Time until the engine's next scheduled reconciliation, which a disconnect must not overlap. */
  msToNextReconcile(): number {
    return this.lastReconcileMs + RECONCILE_INTERVAL_MS - this.now;
  }

  /**
   * A restart's snapshot states what the engine saw of the broker events emitted so far. The replay
   * puts the journal first among records with one timestamp, so a broker event in the same
   * millisecond as the restart would be replayed after the snapshot that already counts it: the
   * restart moves one millisecond past the last broker event. (Long scenarios, millions of events,
   * have such ties: a fill would be counted twice, then drift, then the kill switch.)
   */
  stepPastBrokerEvents(): void {
    if (this.lastBrokerMs >= this.now) this.now = this.lastBrokerMs + 1;
  }
}
