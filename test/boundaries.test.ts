// Every rule with a threshold, through the whole replay: one case at the boundary, one just below and
// one just above, each asserting the exact set of findings (an extra finding fails). The table in
// docs/reference/boundaries.md states the convention each of these pins (inclusive or exclusive).

import { describe, expect, it } from "vitest";
import { B, J, kinds, run } from "./helpers/replay.js";

const START = [J.snapshot("07:00:00")];
const FLAT = [B.snapshot("06:59:00")];
const at = (hms: string, ms: number) => `${hms}.${String(ms).padStart(3, "0")}`;

describe("in-flight grace (10 s; exclusive: stale only strictly past it)", () => {
  const order = [...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085)];
  const endAt = (ts: string) => run(order, [...FLAT, B.snapshot(ts)]);
  it("just below: in flight", () => expect(kinds(endAt(at("08:00:09", 999)))).toEqual(["in_flight_order"]));
  it("at the grace: still in flight", () => expect(kinds(endAt(at("08:00:10", 0)))).toEqual(["in_flight_order"]));
  it("just above: stale, kill switch", () => {
    const r = endAt(at("08:00:10", 1));
    expect(kinds(r)).toEqual(["stale_local_order"]);
    expect(r.report.killSwitch.reasons).toEqual(["stale_local_order"]);
  });
});

describe("drift tolerance in units (exclusive: beyond means strictly more)", () => {
  const journal = [J.snapshot("07:00:00", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])];
  const driftOf = (brokerQty: number) => run(journal, [B.snapshot("06:59:00", [{ symbol: "EURUSD", qty: brokerQty, avg_price: 1.1 }])],
    { drift_tolerance_units: 100 });
  it("just below", () => expect(kinds(driftOf(1099))).toEqual([]));
  it("at the tolerance", () => expect(kinds(driftOf(1100))).toEqual([]));
  it("just above: drift, kill switch", () => {
    const r = driftOf(1101);
    expect(kinds(r)).toEqual(["position_drift"]);
    expect(r.report.totals.killSwitch).toBe(true);
  });
});

describe("drift tolerance in pips of average price (0.5 pip; exclusive)", () => {
  const journal = [J.snapshot("07:00:00", [], [{ symbol: "EURUSD", qty: 1000, avg_price: "1.10000" }])];
  const driftOf = (avg: string) => run(journal, [B.snapshot("06:59:00", [{ symbol: "EURUSD", qty: 1000, avg_price: avg }])]);
  it("just below", () => expect(kinds(driftOf("1.1000499999"))).toEqual([]));
  it("at the tolerance", () => expect(kinds(driftOf("1.10005"))).toEqual([]));
  it("just above: drift", () => expect(kinds(driftOf("1.1000500001"))).toEqual(["position_drift"]));
});

describe("TTL cancel (inclusive: staged at the expiry instant)", () => {
  // An accepted order that never fills, with a 60 s TTL; the replay ends at the given time.
  const order = [...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085)];
  const endAt = (ts: string) => run(order, [...FLAT, B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000), B.snapshot(ts)],
    { idempotency_ttl_ms: 60_000 });
  it("just below", () => expect(kinds(endAt(at("08:00:59", 999)))).toEqual([]));
  it("at the expiry: a staged cancel", () => {
    const r = endAt(at("08:01:00", 0));
    expect(kinds(r)).toEqual(["stale_order_cancelled"]);
    expect(r.report.stagedActions.items.map((a) => a.action)).toEqual(["cancel_order"]);
  });
  it("just above", () => expect(kinds(endAt(at("08:01:00", 1)))).toEqual(["stale_order_cancelled"]));
});

describe("idempotency cache TTL (an id is reserved strictly before its expiry; free at it)", () => {
  // C1 is sent, filled (its entry closes), then decided again at the given time.
  const again = (ts: string) => run([...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085),
    { ...J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085), ts: `2025-10-20T${ts}Z`, decision_id: "D-again" }],
  [...FLAT, B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 1000, 1.085),
    B.accepted(ts, "C1", "B2", "EURUSD", "buy", 1000), B.fill(ts, "C1", "B2", "EURUSD", "buy", 1000, 1.085)],
  { idempotency_ttl_ms: 60_000, slippage_presets: [{ symbol: "EURUSD", session: "eu", max_slippage_pips: 1 }] });
  it("just below: a duplicate, skipped (the second fill is then the broker's alone)", () => {
    const r = again(at("08:00:59", 999));
    expect(r.report.totals.duplicatesSkipped).toBe(1);
    expect(r.report.totals.ordersSent).toBe(1);
  });
  it("at the expiry: sent again", () => {
    const r = again(at("08:01:00", 0));
    expect([r.report.totals.duplicatesSkipped, r.report.totals.ordersSent]).toEqual([0, 2]);
    expect(kinds(r)).toEqual([]);
  });
  it("just above: sent again", () => {
    const r = again(at("08:01:00", 1));
    expect([r.report.totals.duplicatesSkipped, r.report.totals.ordersSent]).toEqual([0, 2]);
  });
});

describe("reconcile cadence (a run is due at its time: a record exactly then is preceded by it)", () => {
  // Startup at 08:00:00 schedules the next run at 08:05:00 (300 s); the replay ends at the given time.
  const runsUntil = (ts: string) => run([J.snapshot("08:00:00")], [B.snapshot("08:00:00"), B.snapshot(ts)]).report.runs.items
    .map((r) => `${r.trigger}@${r.ts.slice(11)}`);
  it("just below: startup and end only", () => expect(runsUntil(at("08:04:59", 999))).toEqual(["startup@08:00:00Z", "end@08:04:59.999Z"]));
  it("at the due time: the interval run comes first", () =>
    expect(runsUntil(at("08:05:00", 0))).toEqual(["startup@08:00:00Z", "interval@08:05:00.000Z", "end@08:05:00.000Z"]));
  it("just above", () => expect(runsUntil(at("08:05:00", 1))).toEqual(["startup@08:00:00Z", "interval@08:05:00.000Z", "end@08:05:00.001Z"]));
});

describe("signature window for orphan candidates (300 s; inclusive)", () => {
  // The engine's order is never acknowledged; the broker shows another id with the same signature.
  const orphanAt = (ts: string) => run([...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 500, 1.085)],
    [...FLAT, B.accepted(ts, "OTHER", "B9", "EURUSD", "buy", 500)]).report.findings.items
    .filter((f) => f.kind === "orphan_broker_order").map((f) => [f.detail["match"], f.detail["candidates"]]);
  it("just inside", () => expect(orphanAt(at("08:04:59", 999))).toEqual([["signature", ["C1"]]]));
  it("at the window's edge: still a candidate", () => expect(orphanAt(at("08:05:00", 0))).toEqual([["signature", ["C1"]]]));
  it("just outside: no candidate", () => expect(orphanAt(at("08:05:00", 1))).toEqual([["none", []]]));
});

describe("daily loss cap (500; a loss equal to the cap is allowed, beyond it breaches)", () => {
  // Buy 1000 at 1.1, sell 1000 at the given price: the day's P&L is the loss; limits as the engine's.
  const lossAt = (sellPrice: string, fee = 0) => run([...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1), J.decision("08:01:00", "C2", "EURUSD", "sell", 1000, 1.1)],
    [...FLAT, B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 1000, "1.1"),
      B.accepted("08:01:01", "C2", "B2", "EURUSD", "sell", 1000), B.fill("08:01:02", "C2", "B2", "EURUSD", "sell", 1000, sellPrice, fee)],
    { limits: { daily_loss_cap: 500, symbol_caps: {} }, slippage_presets: [{ symbol: "EURUSD", session: "eu", max_slippage_pips: 100000 }] });
  it("just below the cap", () => expect(kinds(lossAt("0.6001"))).toEqual([]));
  it("at the cap (a loss of exactly 500.00)", () => expect(kinds(lossAt("0.6"))).toEqual([]));
  it("just beyond (a cent of fee more)", () => {
    const r = lossAt("0.6", 0.01);
    expect(kinds(r)).toEqual(["daily_loss_breach"]);
    expect(r.report.killSwitch.reasons).toEqual(["daily_loss_breach"]);
  });
});

describe("symbol cap (1000 units; at the cap is allowed)", () => {
  const positionOf = (qty: number) => run(START.map((r) => r), [B.snapshot("06:59:00", [{ symbol: "EURUSD", qty, avg_price: 1.1 }])],
    { limits: { daily_loss_cap: null, symbol_caps: { EURUSD: 1000 } }, drift_tolerance_units: 1e9, drift_tolerance_pips: 1e9 });
  it("just below", () => expect(kinds(positionOf(999))).toEqual([]));
  it("at the cap", () => expect(kinds(positionOf(1000))).toEqual([]));
  it("just above: breach, kill switch", () => {
    const r = positionOf(1001);
    expect(kinds(r)).toEqual(["symbol_cap_breach"]);
    expect(r.report.killSwitch.reasons).toEqual(["symbol_cap_breach"]);
  });
  it("short beyond the cap breaches too", () => expect(kinds(positionOf(-1001))).toEqual(["symbol_cap_breach"]));
});
