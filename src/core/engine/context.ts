// The engine's state, owned by the Engine facade and handed to the modules that act on it: the two
// books, what has been reported, the running totals, the group being emitted, and the kill switch.
// Rules (rules/) never see this: they take values and return decisions.

import { assert } from "../../domain/errors.js";
import type { Config } from "../../domain/config.js";
import type { KillReason } from "../../domain/report.js";
import type { Instant } from "../../domain/time.js";
import type { BrokerBook, BrokerOrder } from "../books/broker-book.js";
import type { GroupEmitter, RawFinding } from "../output/emit.js";
import { isCritical } from "../output/findings.js";
import type { DriftCauses } from "../books/drift-causes.js";
import type { EngineOrder, EngineView, OrderRef } from "../books/engine-view.js";
import type { Instruments } from "./instruments.js";
import type { KillSwitch } from "./kill-switch.js";
import type { Reported } from "./reported.js";
import type { Totals } from "./totals.js";

export interface EngineCore {
  readonly config: Config;
  /** sha256 of the effective config, quoted in broker-limit mismatch findings and alerts. */
  readonly configHash: string;
  readonly book: BrokerBook;
  readonly instruments: Instruments;
  readonly view: EngineView;
  /** The lines on which the two books differ, per symbol (a drift's first evidence). */
  readonly causes: DriftCauses;
  readonly reported: Reported;
  readonly totals: Totals;
  readonly out: GroupEmitter;
  readonly kill: KillSwitch;
}

/** Engages the kill switch; a reason is emitted (for the report) the first time it engages it. */
export function engageKill(core: EngineCore, reason: KillReason, at: Instant): void {
  if (core.kill.engage(reason, at.text)) core.out.kill({ reason, ts: at.text });
}

/**
 * Emits a finding; a critical one engages the kill switch, with its kind as the reason
 * (docs/reference/rules.md, "Kill switch").
 */
export function report(core: EngineCore, f: RawFinding): void {
  core.out.finding(f);
  if (isCritical(f.kind)) {
    if (core.kill.engage(f.kind, f.ts)) core.out.kill({ reason: f.kind, ts: f.ts });
  }
}

const NO_REF: OrderRef = { clientOrderId: undefined, brokerOrderId: undefined };

/**
 * How the broker names one of its orders. A record whose events contradicted the order their broker
 * id named names no engine order at all: a conflict is reported, never linked.
 */
export function refOf(b: BrokerOrder): OrderRef {
  return b.conflict !== undefined ? NO_REF : { clientOrderId: b.clientOrderId, brokerOrderId: b.brokerOrderId };
}

/** The broker has a record of the engine's order: by its client id, or the broker id it was linked to. */
export function brokerHasRecordOf(core: EngineCore, e: EngineOrder): boolean {
  return core.book.orderByClientId(e.clientOrderId) !== undefined ||
    (e.brokerOrderId !== undefined && core.book.orderByBrokerId(e.brokerOrderId) !== undefined);
}

/** A broker order is accounted for: the book and everyone keyed by it forget it. */
export function forgetBrokerOrder(core: EngineCore, b: BrokerOrder): void {
  core.book.forget(b);
  core.view.forgetBrokerOrder(b);
  core.reported.forgetBrokerOrder(b);
  // A settled order stays settled: no book and no index still reaches it.
  assert(b.brokerOrderId === undefined || core.book.orderByBrokerId(b.brokerOrderId) !== b, "a forgotten broker order is gone from the book");
  assert(b.fills.every((f) => !core.view.knows(f) && !core.reported.rowWritten(f)), "the view and the report forget a forgotten order's fills");
}
