// Fault injectors over a team's own recorded logs. Each takes the two logs and a free number that
// picks the point (any non-negative integer: it is taken modulo the points the fault can hit), and
// returns the mutated logs with what reconciliation must then find, or null when the logs offer no
// point for that fault (no fill to miss, no restart to redeliver after). What each must find follows
// the replay's rules (docs/reference/rules.md): a redelivery changes nothing but its count; a fill
// the engine missed live is caught at the next reconciliation; a fill never reported as an event
// leaves the books apart once the broker's snapshot shows it.

import { resolveConfig } from "../domain/config.js";
import { instantFromMs } from "../domain/time.js";
import { freshEventId, insertAt, instantOf, journalIndexAfter, liveFillsOfEngineOrders, msOf, type Obj, parseLogs, type ParsedLogs, symbolOf, timeOrder } from "./logs.js";
import { openOrdersBefore } from "./open-orders.js";
import { type Logs, replayLogs } from "./run.js";

export const FAULT_NAMES = [
  "duplicate-delivery", "redelivery-after-restart", "dropped-ack", "disconnect-window", "crash-restart", "missed-fill",
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/**
 * A finding reconciliation must report: its kind, and the order or symbol it concerns when given.
 * The kind `caught_by_reconcile` stands for either fill_caught_by_reconcile or
 * partial_fill_caught_by_reconcile (which one depends on the order's other fills).
 */
export interface ExpectedFinding {
  readonly kind: string;
  readonly client_order_id?: string;
  readonly symbol?: string;
}

/** What reconciliation must find in the mutated logs. */
export interface Expected {
  /** Each of these is in the report. */
  readonly findings: readonly ExpectedFinding[];
  /** The fault changes no finding: the report's findings are exactly the original logs' (their kinds, orders and symbols). */
  readonly unchanged: boolean;
  /** How many more duplicate deliveries the report counts than the original logs'. */
  readonly duplicateDeliveriesAdded: number;
}

/** Logs with one fault injected, what reconciliation must find, and the logs it was injected into. */
export interface FaultCase extends Logs {
  readonly fault: FaultName;
  /** Where and how, in words: "broker line 4 (event B-0004) delivered again after broker line 9". */
  readonly description: string;
  readonly expected: Expected;
  readonly original: Logs;
}

type Injector = (p: ParsedLogs, pick: number) => Omit<FaultCase, "fault" | "original"> | null;

const NO_CHANGE: Expected = { findings: [], unchanged: true, duplicateDeliveriesAdded: 1 };

const chosen = <T>(points: readonly T[], pick: number): T | undefined => points[Math.abs(Math.trunc(pick)) % Math.max(points.length, 1)];

const eventName = (p: ParsedLogs, i: number) => `broker line ${i + 1} (${String(p.broker[i]!["type"])} ${String(p.broker[i]!["event_id"])})`;

/** One broker event delivered again, anywhere after its first delivery (the pick chooses both). */
const duplicateDelivery: Injector = (p, pick) => {
  const n = p.broker.length;
  if (n === 0) return null;
  const i = Math.abs(Math.trunc(pick)) % n;
  const after = i + 1 + (Math.floor(Math.abs(pick) / n) % (n - i));
  return { journal: p.logs.journal, broker: insertAt(p.logs.broker, after, p.logs.broker[i]!), config: p.logs.config,
    description: `${eventName(p, i)} delivered again after broker line ${after}`, expected: NO_CHANGE };
};

/** A broker event from before a restart delivered again just after it, when the engine has forgotten its orders. */
const redeliveryAfterRestart: Injector = (p, pick) => {
  const points = p.journal.flatMap((o) => (o["type"] !== "restart" ? [] : p.broker.flatMap((b, i) => (timeOrder(b, o) < 0 ? [{ restart: o, i }] : []))));
  const point = chosen(points, pick);
  if (point === undefined) return null;
  const after = p.broker.findIndex((b) => timeOrder(b, point.restart) > 0);
  const at = after === -1 ? p.broker.length : after;
  return { journal: p.logs.journal, broker: insertAt(p.logs.broker, at, p.logs.broker[point.i]!), config: p.logs.config,
    description: `${eventName(p, point.i)} delivered again after the restart at ${String(point.restart["ts"])}`, expected: NO_CHANGE };
};

/**
 * True when a journal restart lies between `from` and `to`. An order a restart's snapshot lists has
 * no sent time, so it is past its in-flight grace at once: the restart's reconciliation would call
 * it stale if the broker's record of it were lost.
 */
const restartBetween = (p: ParsedLogs, from: Obj, to: Obj): boolean =>
  p.journal.some((o) => o["type"] === "restart" && timeOrder(o, from) >= 0 && timeOrder(o, to) <= 0);

/**
 * The broker's acknowledgement of an order is lost; its fills (which carry the client order id)
 * still tie it to the engine. Only an order every later event names by client order id, that fills
 * within the in-flight grace of its decision with no restart in between (so no reconciliation could
 * call it stale first).
 */
const droppedAck: Injector = (p, pick) => {
  const grace = resolveConfig(p.logs.config ?? {}).inFlightGraceMs;
  const points = p.broker.flatMap((o, i) => {
    const coid = p.coidOf(o);
    const decision = coid === undefined ? undefined : p.decided.get(coid);
    if (o["type"] !== "order_accepted" || decision === undefined || "replaces_broker_order_id" in o || !p.deliveredOnce(i)) return [];
    const later = p.broker.filter((b, k) => k !== i && b["broker_order_id"] === o["broker_order_id"]);
    const fills = later.filter((b) => b["type"] === "fill");
    const namedById = later.every((b) => b["client_order_id"] === coid);
    return namedById && fills.length > 0 && msOf(fills[0]!) - msOf(decision) < grace && !restartBetween(p, decision, fills[0]!) ? [i] : [];
  });
  const i = chosen(points, pick);
  if (i === undefined) return null;
  return { journal: p.logs.journal, broker: p.logs.broker.filter((_l, k) => k !== i), config: p.logs.config,
    description: `${eventName(p, i)} never delivered`, expected: { findings: [], unchanged: true, duplicateDeliveriesAdded: 0 } };
};

/** The link drops just before a fill of the engine's order and comes back just after it: reconnecting catches the fill. */
const disconnectWindow: Injector = (p, pick) => {
  const i = chosen(liveFillsOfEngineOrders(p), pick);
  if (i === undefined) return null;
  const fill = p.broker[i]!;
  const event = (type: string) => JSON.stringify({ type, ts: fill["ts"], event_id: freshEventId(p, `injected-${type}-${i + 1}`) });
  const broker = insertAt(insertAt(p.logs.broker, i + 1, event("reconnect")), i, event("disconnect"));
  return { journal: p.logs.journal, broker, config: p.logs.config,
    description: `the link is down around ${eventName(p, i)}`,
    expected: { findings: [{ kind: "caught_by_reconcile", client_order_id: p.coidOf(fill)! }], unchanged: false, duplicateDeliveriesAdded: 0 } };
};

/**
 * A fill of the engine's order is never reported as an event, and the broker's position snapshot at
 * the end shows the position it made: the books differ by that fill, a position drift. Only a fill
 * of an order the broker acknowledged before it, in a symbol whose books agree at the end without the fault.
 */
const missedFill: Injector = (p, pick) => {
  const tolerance = resolveConfig(p.logs.config ?? {}).driftToleranceUnits;
  // The order keeps an earlier broker record (its accept), so losing the fill leaves it known, not stale.
  const acceptedBefore = (i: number) => p.broker.slice(0, i).some((b) => b["type"] === "order_accepted" && p.coidOf(b) === p.coidOf(p.broker[i]!));
  const positions = replayLogs(p.logs).positions;
  // A symbol that already drifts could drift by minus the fill: losing it would make the books agree.
  // (Positions are canonical decimal text: equal text, equal quantity.)
  const drifts = new Set(positions.filter((h) => h.engine_qty !== h.broker_qty).map((h) => h.symbol));
  const points = liveFillsOfEngineOrders(p).filter((i) => Number(p.broker[i]!["qty"]) > Number(tolerance) && acceptedBefore(i)
    && !drifts.has(symbolOf(p.broker[i]!)));
  const i = chosen(points, pick);
  if (i === undefined) return null;
  const held = positions.filter((h) => Number(h.broker_qty) !== 0);
  const last = [...p.journal, ...p.broker].reduce((a, b) => (timeOrder(b, a) > 0 ? b : a));
  const snapshot = JSON.stringify({ type: "position_snapshot", ts: last["ts"], event_id: freshEventId(p, "injected-position-snapshot"),
    positions: held.map((h) => ({ symbol: h.symbol, qty: h.broker_qty, avg_price: h.broker_avg_price })) });
  return { journal: p.logs.journal, broker: [...p.logs.broker.filter((_l, k) => k !== i), snapshot], config: p.logs.config,
    description: `${eventName(p, i)} never reported; a broker position snapshot at the end shows it`,
    expected: { findings: [{ kind: "position_drift", symbol: symbolOf(p.broker[i]!) }], unchanged: false, duplicateDeliveriesAdded: 0 } };
};

/**
 * The engine crashes just before a fill of its order and restarts a millisecond after it; its
 * snapshot holds what it believed (the order open, the fill not taken in). The order-id cache proves
 * the fill was never processed, so the restart's reconciliation catches it. Only a fill with no other
 * broker event or journal record within a millisecond after it, whose open orders all have a broker record.
 */
const crashRestart: Injector = (p, pick) => {
  // The snapshot's instant: the millisecond after the fill's.
  const restarted = (i: number) => instantFromMs(msOf(p.broker[i]!) + 1);
  const points = liveFillsOfEngineOrders(p).filter((i) => {
    const next = p.broker[i + 1];
    return (next === undefined || timeOrder(next, restarted(i)) > 0) && journalIndexAfter(p, restarted(i)) === journalIndexAfter(p, instantOf(p.broker[i]!))
      && openOrdersBefore(p, i) !== null;
  });
  const i = chosen(points, pick);
  if (i === undefined) return null;
  const fill = p.broker[i]!;
  const at = journalIndexAfter(p, instantOf(fill));
  const before = replayLogs({ journal: p.logs.journal.slice(0, at), broker: p.logs.broker.slice(0, i), config: p.logs.config });
  const positions = before.positions.filter((h) => Number(h.engine_qty) !== 0).map((h) => ({ symbol: h.symbol, qty: h.engine_qty, avg_price: h.engine_avg_price }));
  const restart = JSON.stringify({ type: "restart", ts: fill["ts"], reason: "crash" });
  const snapshot = JSON.stringify({ type: "snapshot", ts: restarted(i).text, open_orders: openOrdersBefore(p, i)!, positions });
  return { journal: insertAt(p.logs.journal, at, restart, snapshot), broker: p.logs.broker, config: p.logs.config,
    description: `the engine crashes at ${String(fill["ts"])}, just before ${eventName(p, i)}, and restarts a millisecond later`,
    expected: { findings: [{ kind: "caught_by_reconcile", client_order_id: p.coidOf(fill)! }], unchanged: false, duplicateDeliveriesAdded: 0 } };
};

const INJECTORS: Record<FaultName, Injector> = {
  "duplicate-delivery": duplicateDelivery,
  "redelivery-after-restart": redeliveryAfterRestart,
  "dropped-ack": droppedAck,
  "disconnect-window": disconnectWindow,
  "crash-restart": crashRestart,
  "missed-fill": missedFill,
};

/**
 * Injects `fault` into the logs at the point `pick` chooses (taken modulo the points the fault can
 * hit, so any non-negative integer will do). Returns null when the logs offer no such point.
 */
export function injectFault(logs: Logs, fault: FaultName, pick = 0): FaultCase | null {
  const injected = INJECTORS[fault](parseLogs(logs), pick);
  return injected === null ? null : { ...injected, ...(logs.names === undefined ? {} : { names: logs.names }), fault, original: logs };
}

export type { Obj };
