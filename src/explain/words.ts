// What `recon-proof explain` says about each rule: its name in words (and, for contributors, where
// in the core it is decided), what
// fired in words, and what would have made the replay healthy, quoting this item's facts and the
// config's thresholds. Keyed by FindingKind, AlertName and KillReason as Records, so a new kind,
// alert or reason does not compile until it is explained here. Pure: text out.

import type { Config } from "../domain/config.js";
import * as D from "../domain/decimal.js";
import type { AlertName, Detail, FindingKind, KillReason } from "../domain/report.js";
import { formatMs, parseInstant } from "../domain/time.js";

/** The item a rule is explained for: its facts as the report states them, and the replay's config. */
export interface WordsContext {
  readonly config: Config;
  readonly detail: Detail;
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly symbol: string | null;
  readonly ts: string;
  readonly reconcileId: string | null;
}

export interface RuleWords {
  /** The rule's name in words, as Ops know it: "Orphan broker order: a broker order or fill the engine never sent". */
  readonly rule: string;
  /** Where in the core it is decided (for contributors; in explain's --json only). */
  readonly decidedIn: string;
  /** What fired, in words. */
  readonly fired: (c: WordsContext) => string;
  /** What would have made it healthy (or, for an item that is not a failure, kept it from being raised). */
  readonly healthy: (c: WordsContext) => string;
}

/** "10 s", "5 min", "48 h", "250 ms". */
export function duration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** A detail value as text ("?" when the report does not carry it). */
const fact = (c: WordsContext, key: string): string => {
  const v = c.detail[key];
  return v === undefined || v === null ? "?" : Array.isArray(v) ? v.join(", ") : String(v);
};

/** `ts` plus `ms` of event time, as an RFC 3339 UTC timestamp (or null when `ts` is not one). */
function later(ts: string, ms: number): string | null {
  const at = parseInstant(ts);
  return at === undefined ? null : formatMs(at.ms + ms);
}

const order = (c: WordsContext): string => `client order id ${c.clientOrderId ?? "?"}`;
const grace = (c: WordsContext): string => `${duration(c.config.inFlightGraceMs)} in-flight grace (in_flight_grace_ms=${c.config.inFlightGraceMs})`;
const run = (c: WordsContext): string => (c.reconcileId === null ? "this record" : `reconcile run ${c.reconcileId}`);
const units = (d: D.Dec): string => D.toPlain(d);

function staleHealthy(c: WordsContext): string {
  const sent = c.detail["sent_at"];
  const broker = `an order_accepted, fill, order_cancelled or order_rejected naming ${order(c)}`;
  if (typeof sent !== "string") {
    return `The broker log showing this order (${broker}) before ${run(c)} at ${c.ts}: the engine knew it only from its snapshot or its cache, so no grace was left for it.`;
  }
  return `The broker log showing this order (${broker}) within the ${grace(c)} after it was sent at ${sent}, i.e. by ${later(sent, c.config.inFlightGraceMs) ?? "?"}; no broker record of it exists by ${run(c)} at ${c.ts}.`;
}

const caughtHealthy = (c: WordsContext): string =>
  `The engine seeing the broker's fill of ${fact(c, "qty")} at ${fact(c, "fill_ts")} on the live stream: connected (no disconnect open) and running (not restarting) when it arrived.`;

function orphanFired(c: WordsContext): string {
  const conflict = fact(c, "conflicting_fields");
  if (fact(c, "match") === "broker_order_id_conflict") {
    return `The broker has an order or fill (${order(c)}, broker order id ${c.brokerOrderId ?? "?"}) that names one of the engine's broker order ids while contradicting it in ${conflict}: an id match that another field contradicts is a conflict, never a link, so it is booked as its own broker order (contradicted order: ${fact(c, "candidates")}).`;
  }
  return `The broker has an order or fill (${order(c)}, broker order id ${c.brokerOrderId ?? "?"}) that the engine never sent and does not hold in its order-id cache. Match by signature: ${fact(c, "match")}${fact(c, "candidates") === "" ? "" : ` (candidates ${fact(c, "candidates")}, listed, never linked)`}.`;
}

function orphanHealthy(c: WordsContext): string {
  if (fact(c, "match") === "broker_order_id_conflict") {
    return `A broker record under broker order id ${c.brokerOrderId ?? "?"} that agrees with the engine's order in client order id, symbol and side (or a broker id of its own).`;
  }
  return `The engine having sent ${order(c)} itself (a decision in the journal) or holding it in its order-id cache, so that the broker's order is one of the engine's; a manual or foreign order shows up here by design.`;
}

export const FINDING_WORDS: Readonly<Record<FindingKind, RuleWords>> = {
  stale_local_order: {
    rule: "Stale local order: the engine holds an order open that the broker has no record of, past the in-flight grace",
    decidedIn: "rules/local-orders.unseenOrderState (reconcile.checkLocalOrders)",
    fired: (c) => `The engine holds ${order(c)} open (sent or part-filled) and the broker has no record of it past the ${grace(c)}. Its outcome is unknown: it is never assumed cancelled or filled.`,
    healthy: staleHealthy,
  },
  orphan_broker_order: {
    rule: "Orphan broker order: a broker order or fill the engine never sent",
    decidedIn: "reconcile.reportOrphan: no engine order by client or linked broker id, nor an order-id cache entry (rules/matching.signatureCandidates names look-alikes, never links them)",
    fired: orphanFired,
    healthy: orphanHealthy,
  },
  position_drift: {
    rule: "Position drift: the engine's and the broker's net positions differ beyond tolerance",
    decidedIn: "rules/drift.positionDrift (reconcile.checkPositions)",
    fired: (c) => `The engine's and the broker's net ${c.symbol ?? "?"} positions differ beyond tolerance: engine ${fact(c, "engine_qty")} @ ${fact(c, "engine_avg_price")}, broker ${fact(c, "broker_qty")} @ ${fact(c, "broker_avg_price")}: ${fact(c, "drift_units")} units (drift_tolerance_units=${units(c.config.driftToleranceUnits)}) and ${fact(c, "drift_pips")} pips of average price (drift_tolerance_pips=${units(c.config.driftTolerancePips)}; pips are compared only when both hold the same direction). Drift is what remains after the fills reconciliation caught.`,
    healthy: (c) => `The engine's ${c.symbol ?? "?"} position within ${units(c.config.driftToleranceUnits)} units and ${units(c.config.driftTolerancePips)} pips of the broker's ${fact(c, "broker_qty")} @ ${fact(c, "broker_avg_price")} (the broker's latest position_snapshot plus the fills after it): every fill the broker booked seen or caught by the engine, and a snapshot that agrees with the broker after a restart.`,
  },
  fill_caught_by_reconcile: {
    rule: "Fill caught by reconcile: a broker fill the engine missed, found and applied by reconciliation",
    decidedIn: "rules/orders.reconcileOrder (reconcile.takeMissedFills, in the broker's order)",
    fired: (c) => `A broker fill of ${order(c)} (${fact(c, "qty")} @ ${fact(c, "price")} at ${fact(c, "fill_ts")}) that the engine had not taken in was found by ${run(c)} and applied to the engine's view (source reconcile in trades.csv); the order is now filled (${fact(c, "filled_qty")} of ${fact(c, "order_qty")}).`,
    healthy: caughtHealthy,
  },
  partial_fill_caught_by_reconcile: {
    rule: "Partial fill caught by reconcile: a partial broker fill the engine missed, found and applied by reconciliation",
    decidedIn: "rules/orders.reconcileOrder (reconcile.takeMissedFills, in the broker's order)",
    fired: (c) => `A partial broker fill of ${order(c)} (${fact(c, "qty")} @ ${fact(c, "price")} at ${fact(c, "fill_ts")}) that the engine had not taken in was found by ${run(c)} and applied (${fact(c, "filled_qty")} of ${fact(c, "order_qty")} filled now).`,
    healthy: caughtHealthy,
  },
  order_state_caught_by_reconcile: {
    rule: "Cancel or reject caught by reconcile: the broker ended an order the engine still held open, applied by reconciliation",
    decidedIn: "rules/orders.reconcileOrder (reconcile.catchUpTerms)",
    fired: (c) => `The broker shows ${order(c)} ${fact(c, "broker_status")}, which the engine had not taken in; ${run(c)} applied it from the broker's record.`,
    healthy: (c) => `The engine seeing the broker's ${fact(c, "broker_status") === "rejected" ? "order_rejected" : "order_cancelled"} of ${order(c)} on the live stream: connected and running when it arrived.`,
  },
  order_relinked_from_cache: {
    rule: "Order relinked from the cache: after a restart, a broker order the snapshot forgot is matched through the order-id cache",
    decidedIn: "orders.resolveOrRelink (the order-id cache after a restart)",
    fired: (c) => `After a restart the engine's snapshot did not list ${order(c)}; its order-id cache still held it (${fact(c, "cache_status")}), so the broker's order was matched to it through the cache instead of being called an orphan.`,
    healthy: (c) => `The restart snapshot listing ${order(c)} among its open orders (nothing is wrong here: the cache did its job).`,
  },
  stale_order_cancelled: {
    rule: "Order past its TTL: an order open longer than its idempotency TTL gets a staged cancel",
    decidedIn: "rules/local-orders.ttlExpired (reconcile.checkLocalOrders)",
    fired: (c) => `${order(c)} stayed open past its idempotency TTL (expired at ${fact(c, "ttl_expired_at")}; idempotency_ttl_ms=${c.config.idempotencyTtlMs}, ${duration(c.config.idempotencyTtlMs)}): a cancel is staged, never executed.`,
    healthy: (c) => `The order finished at the broker (filled, cancelled or rejected) before ${fact(c, "ttl_expired_at")}, or a cancel_request for it that the broker confirmed before then.`,
  },
  in_flight_order: {
    rule: "Order still in flight: the logs end while an order is within its grace with no broker record",
    decidedIn: "rules/local-orders.unseenOrderState (the final reconciliation)",
    fired: (c) => `When the logs end, ${order(c)} (sent at ${fact(c, "sent_at")}) is still within the ${grace(c)} and the broker has no record of it: its outcome is unknown and held for Ops.`,
    healthy: (c) => `A broker record of ${order(c)} before the logs end, or logs that run on past ${later(fact(c, "sent_at"), c.config.inFlightGraceMs) ?? "the grace"} (then the order is either seen or stale).`,
  },
  cancel_request_unknown_order: {
    rule: "Cancel request for an order the engine never held",
    decidedIn: "journal.requestCancel",
    fired: (c) => `The journal asks to cancel ${order(c)}, which the engine does not hold open (engine status: ${fact(c, "engine_status")}).`,
    healthy: (c) => `A cancel_request only for an order the engine holds open: ${order(c)} sent by a decision earlier in the journal (or in its snapshot) and not yet finished.`,
  },
  cancel_request_order_closed: {
    rule: "Cancel request for an order already closed: the engine asked to cancel an order it knows had finished",
    decidedIn: "journal.requestCancel",
    fired: (c) => `The journal asks to cancel ${order(c)}, which had already finished (engine status: ${fact(c, "engine_status")}): the cancel came too late to matter, and nothing is sent.`,
    healthy: (c) => `Nothing is wrong: a cancel that races a fill is routine. Kept from being raised by a cancel_request only while ${order(c)} is still open.`,
  },
  instrument_undescribed: {
    rule: "Undescribed instrument: a broker record in an instrument the config does not describe",
    decidedIn: "instruments.meetRecord (a broker record in an instrument the config does not describe)",
    fired: (c) => `The broker's log names ${c.symbol ?? "?"}, which the config does not describe and which is not an FX pair of two currency codes: its orders and fills are taken in and reported in units only (no pips, ticks, slippage or P&L currency).`,
    healthy: (c) => `An "instruments" entry for ${c.symbol ?? "?"} in the config: ${fact(c, "suggested_entry")}.`,
  },
  overfill: {
    rule: "Overfill: the broker filled more than the order's size",
    decidedIn: "rules/fills.fillOutcome (trades.writeTradeRow)",
    fired: (c) => `The broker's fills of ${order(c)} add up to ${fact(c, "filled_qty")}, more than its size ${fact(c, "order_qty")}.`,
    healthy: (c) => `Broker fills of ${order(c)} that add up to at most ${fact(c, "order_qty")}.`,
  },
  order_mismatch: {
    rule: "Order mismatch: the broker's live order differs from what the engine decided",
    decidedIn: "rules/mismatch.orderMismatches (reconcile.checkTerms)",
    fired: (c) => `The broker's live order under ${order(c)} (broker order id ${c.brokerOrderId ?? "?"}${fact(c, "replaces_broker_order_id") === "?" ? "" : `, which replaced ${fact(c, "replaces_broker_order_id")}`}) is not what the engine decided: ${fact(c, "fields")}.`,
    healthy: (c) => `The broker's order under ${order(c)} matching decision ${fact(c, "decision_id")} in symbol, side, size and limit price (a replace that keeps the decided terms is followed silently).`,
  },
  broker_limit_mismatch: {
    rule: "Broker limit mismatch: the broker's risk limits differ from the engine's config",
    decidedIn: "rules/limits.limitMismatches (reconcile.checkLimits)",
    fired: (c) => `The broker's limits_snapshot differs from the engine's config: ${fact(c, "mismatch")} (engine config hash ${fact(c, "config_hash").slice(0, 12)}…).`,
    healthy: () => `The engine's rails (config limits.daily_loss_cap and limits.symbol_caps) equal to the broker's latest limits_snapshot, field for field.`,
  },
  symbol_cap_breach: {
    rule: "Symbol cap breach: a position beyond its per-symbol cap",
    decidedIn: "rules/limits.overCap (reconcile.checkLimits)",
    fired: (c) => `The broker's ${c.symbol ?? "?"} position (${fact(c, "position_units")} units) is beyond its cap of ${fact(c, "cap_units")} (at the cap is allowed).`,
    healthy: (c) => `A ${c.symbol ?? "?"} position of at most ${fact(c, "cap_units")} units either way (config limits.symbol_caps).`,
  },
  daily_loss_breach: {
    rule: "Daily loss breach: the day's realized loss beyond the daily loss cap",
    decidedIn: "rules/limits.dailyLossBreached (reconcile.checkLimits)",
    fired: (c) => `Realized P&L for UTC day ${fact(c, "utc_day")} is ${fact(c, "realized_pnl")}, below minus the daily loss cap of ${fact(c, "daily_loss_cap")} (at the cap is allowed).`,
    healthy: (c) => `Realized P&L for ${fact(c, "utc_day")} at or above -${fact(c, "daily_loss_cap")} (config limits.daily_loss_cap).`,
  },
};

export const ALERT_WORDS: Readonly<Record<AlertName, RuleWords>> = {
  ALERT_RECONCILE_DIVERGENCE: {
    rule: "Reconcile divergence: a run found a new stale order, orphan or drift",
    decidedIn: "emit.Assembler (a run with a new stale order, orphan or drift)",
    fired: (c) => `${run(c)} (${fact(c, "trigger")}) found a new stale order, orphan or drift: see its findings.`,
    healthy: (c) => `${run(c)} finding no new stale order, orphan or drift beyond tolerance.`,
  },
  ALERT_RECONCILE_FAILED: {
    rule: "Reconcile failed: the broker could not be reached when a run was due",
    decidedIn: "reconcile.reconcile (the broker unreachable when a run is due)",
    fired: (c) => `${/^[aeiou]/.test(fact(c, "trigger")) ? "An" : "A"} ${fact(c, "trigger")} reconciliation (${run(c)}) was due at ${c.ts} while the broker could not be reached: it failed, and the kill switch engaged (startup never fails open).`,
    healthy: (c) => `The broker reachable when the run was due at ${c.ts}: a reconnect before then, i.e. a disconnect shorter than the time to the next due run (reconcile_interval_ms=${c.config.reconcileIntervalMs}, ${duration(c.config.reconcileIntervalMs)}), and none open at startup.`,
  },
  ALERT_IDEMPOTENCY_PERSISTENCE_FAILED: {
    rule: "Order-id cache failed: the idempotency cache could not be loaded",
    decidedIn: "Engine.beginStart (the order-id cache failed to load)",
    fired: (c) => `The order-id cache could not be loaded (${fact(c, "failure")}): the engine cannot prove it will not send an order twice, so it does not trade.`,
    healthy: () => `A cache file that loads: made with \`recon-proof cache init\`, its schema version and checksum intact.`,
  },
  ALERT_SLIPPAGE_PRESET_MISSING: {
    rule: "Slippage preset missing: a fill with no preset for its symbol and session (a breach, fail safe)",
    decidedIn: "rules/pricing.priceFill (a fill with no preset is a breach: fail safe)",
    fired: (c) => `A fill of ${fact(c, "symbol")} in session ${fact(c, "session")} (slippage ${fact(c, "slippage_pips")} pips) has no slippage preset, so it counts as a breach.`,
    healthy: (c) => `A slippage_presets entry for ${fact(c, "symbol")} in session ${fact(c, "session")} (config), with the fill's slippage at most its max_slippage_pips.`,
  },
  ALERT_BROKER_LIMIT_MISMATCH: {
    rule: FINDING_WORDS.broker_limit_mismatch.rule,
    decidedIn: "rules/limits.limitMismatches (reconcile.checkLimits)",
    fired: (c) => `The broker's limits differ from the engine's config in: ${fact(c, "fields")}.`,
    healthy: () => `The engine's rails (config limits) equal to the broker's latest limits_snapshot, field for field.`,
  },
};

/** A kill-switch reason that is a critical finding: named and decided as that finding. */
const fromFinding = (kind: FindingKind & KillReason, fired: RuleWords["fired"]): RuleWords => ({
  rule: FINDING_WORDS[kind].rule, decidedIn: FINDING_WORDS[kind].decidedIn, fired,
  healthy: () => `No ${kind} finding: every reconciliation run clean of it (see that finding's own explanation for what would have kept it away).`,
});

export const KILL_WORDS: Readonly<Record<KillReason, RuleWords>> = {
  cache_load_failed: {
    rule: "Order-id cache failed to load: the engine cannot prove it will not send an order twice",
    decidedIn: "Engine.beginStart",
    fired: () => `The order-id cache failed to load at startup; the kill switch engages and stays engaged: every later decision is blocked, not sent.`,
    healthy: () => `A cache file that loads (\`recon-proof cache init\`, checksum intact), or no --cache at all.`,
  },
  broker_unreachable: {
    rule: "Broker unreachable: a reconciliation was due while the broker could not be reached",
    decidedIn: "reconcile.reconcile (a run due while disconnected)",
    fired: (c) => `A reconciliation was due at ${c.ts} while the broker was unreachable; the kill switch engages and stays engaged for the rest of the replay.`,
    healthy: (c) => `The broker reachable at every due run: each disconnect closed by a reconnect before the next run (reconcile_interval_ms=${c.config.reconcileIntervalMs}), and none open at startup.`,
  },
  symbol_cap_breach: fromFinding("symbol_cap_breach", () => `A position beyond its symbol cap engaged the kill switch.`),
  daily_loss_breach: fromFinding("daily_loss_breach", () => `The day's realized loss beyond the daily loss cap engaged the kill switch.`),
  stale_local_order: fromFinding("stale_local_order", () => `A stale local order (open at the engine, unknown at the broker past the grace) engaged the kill switch.`),
  orphan_broker_order: fromFinding("orphan_broker_order", () => `A broker order the engine never sent engaged the kill switch.`),
  position_drift: fromFinding("position_drift", () => `A position drift beyond tolerance engaged the kill switch.`),
  overfill: fromFinding("overfill", () => `Broker fills beyond an order's size engaged the kill switch.`),
  order_mismatch: fromFinding("order_mismatch", () => `A broker order that differs from the engine's decision engaged the kill switch.`),
  instrument_undescribed: fromFinding("instrument_undescribed", () => `A broker record in an instrument the config does not describe engaged the kill switch.`),
};
