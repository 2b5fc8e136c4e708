// The reconciliation rules (docs/reference/rules.md), one behaviour per test, through the pure core.

import { describe, expect, it } from "vitest";
import * as D from "../src/domain/decimal.js";
import { alertNames, B, J, kinds, type Obj, run } from "./helpers/replay.js";

const FLAT_START = [J.snapshot("07:00:00")];
const FLAT_BROKER = [B.snapshot("06:59:00")];

describe("stale_local_order", () => {
  it("an order the broker never saw is stale once past the in-flight grace, with outcome unknown (never 'cancelled')", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085)],
      [...FLAT_BROKER, B.snapshot("08:00:30")]);
    expect(r.report.totals.stale).toBe(1);
    const f = r.report.findings.items.find((x) => x.kind === "stale_local_order")!;
    expect(f.detail["outcome"]).toBe("unknown");
    expect(f.evidence).toEqual(["journal:2"]);
    expect(r.report.killSwitch.reasons).toContain("stale_local_order");
    expect(alertNames(r)).toContain("ALERT_RECONCILE_DIVERGENCE");
  });

  it("within the grace the order is in flight: reported as unknown outcome, not stale, no kill switch", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085)],
      [...FLAT_BROKER, B.snapshot("08:00:05")]);
    expect(r.report.totals.stale).toBe(0);
    expect(kinds(r)).toEqual(["in_flight_order"]);
    expect(r.report.totals.killSwitch).toBe(false);
  });

  it("a rejected order is closed by evidence, not stale", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085)],
      [...FLAT_BROKER, B.rejected("08:00:01", "C1"), B.snapshot("09:00:00")]);
    expect(r.report.totals.stale).toBe(0);
    expect(r.report.totals.killSwitch).toBe(false);
    expect(r.report.cache.liveEntries).toBe(1);
  });
});

describe("orphan_broker_order and secondary matching", () => {
  it("a broker order whose client id the engine never sent is an orphan, with its events as evidence", () => {
    const r = run(FLAT_START, [...FLAT_BROKER, B.accepted("08:00:00", "HAND-1", "B9", "EURUSD", "buy", 500)]);
    expect(r.report.totals.orphan).toBe(1);
    const f = r.report.findings.items.find((x) => x.kind === "orphan_broker_order")!;
    expect(f.clientOrderId).toBe("HAND-1");
    expect(f.detail["match"]).toBe("none");
    expect(f.evidence).toEqual(["broker:2"]);
  });

  it("one engine order with the same signature is named as a candidate but not linked", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 500, 1.085)],
      [...FLAT_BROKER, B.accepted("08:00:01", "OTHER-ID", "B9", "EURUSD", "buy", 500), B.snapshot("08:01:00")]);
    const orphan = r.report.findings.items.find((x) => x.kind === "orphan_broker_order")!;
    expect(orphan.detail["match"]).toBe("signature");
    expect(orphan.detail["candidates"]).toEqual(["C1"]);
    // Not guessed: the engine's order stays unmatched, and so is stale.
    expect(r.report.totals.stale).toBe(1);
    expect(r.report.ambiguousMatches.items).toEqual([]);
  });

  it("two candidates make an ambiguous match, listed with both and never guessed", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 500, 1.085), J.decision("08:00:00", "C2", "EURUSD", "buy", 500, 1.085)],
      [...FLAT_BROKER, B.accepted("08:00:01", "OTHER-ID", "B9", "EURUSD", "buy", 500), B.snapshot("08:01:00")]);
    expect(r.report.ambiguousMatches.items).toHaveLength(1);
    expect(r.report.ambiguousMatches.items[0]!.candidates).toEqual(["C1", "C2"]);
    expect(r.report.totals.stale).toBe(2);
    expect(r.report.totals.orphan).toBe(1);
  });

  it("orphan policy 'alert' stages nothing; 'flatten' stages a flatten of the orphan's fills", () => {
    const journal = FLAT_START;
    const broker = [...FLAT_BROKER, B.fill("08:00:00", "HAND-1", "B9", "EURUSD", "sell", 700, 1.08)];
    expect(run(journal, broker).report.stagedActions.items).toEqual([]);
    const flatten = run(journal, broker, { recovery: { orphan_policy: "flatten" } }).report.stagedActions.items;
    expect(flatten.map((a) => [a.action, a.side, String(a.qty)])).toEqual([["flatten_position", "buy", String(700n * 10n ** 10n)]]);
  });
});

describe("position_drift", () => {
  it("drift within the unit tolerance is not a finding; beyond it is", () => {
    const journal = [J.snapshot("07:00:00", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])];
    const broker = [B.snapshot("06:59:00", [{ symbol: "EUR_USD", qty: 1005, avg_price: 1.1 }])];
    expect(kinds(run(journal, broker, { drift_tolerance_units: 10 }))).toEqual([]);
    const r = run(journal, broker);
    expect(kinds(r)).toEqual(["position_drift"]);
    expect(r.artifacts["summary.txt"]).toContain("drift_units=5\n");
  });

  it("pips drift is measured in the symbol's pip (0.01 for JPY pairs)", () => {
    const r = run([J.snapshot("07:00:00", [], [{ symbol: "USDJPY", qty: -1000, avg_price: 150.0 }])],
      [B.snapshot("06:59:00", [{ symbol: "USD/JPY", qty: -1000, avg_price: 150.03 }])]);
    expect(r.artifacts["summary.txt"].split("\n")[0]).toBe("reconcile_summary stale=0 orphan=0 drift=3.0 cache_ok=true");
  });

  it("persisting identical drift is reported once, not at every run", () => {
    const r = run([J.snapshot("07:00:00", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])],
      [B.snapshot("06:59:00", [{ symbol: "EURUSD", qty: 2000, avg_price: 1.1 }]), B.snapshot("12:00:00", [{ symbol: "EURUSD", qty: 2000, avg_price: 1.1 }])],
      { reconcile_interval_ms: 3_600_000 });
    expect(r.report.totals.reconcileRuns + r.report.totals.reconcileRunsCoalesced).toBeGreaterThan(4);
    expect(kinds(r)).toEqual(["position_drift"]);
  });
});

describe("disconnects, missed events and the kill switch", () => {
  it("a cancel missed during a disconnect is caught by reconciliation from the broker's record", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085, { order_type: "limit", limit_price: 1.08 })],
      [...FLAT_BROKER, B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000), B.disconnect("08:01:00"),
        B.cancelled("08:01:30", "B1"), B.reconnect("08:02:00")]);
    expect(kinds(r)).toEqual(["order_state_caught_by_reconcile"]);
    expect(r.report.totals.killSwitch).toBe(false);
  });

  // Long 5000 @ 1.30. C1 (buy 2000) is accepted before C2 (sell 6000), but C2 fills first, during
  // a disconnect: the broker goes short 1000 @ 1.40, then long 1000 @ 1.50. Taken order by order
  // (C1 first) the engine would be long 7000 @ 1.357..., then long 1000 at that price.
  const twoMissedFills = (brokerAfter: Obj[] = []) => {
    const long = [{ symbol: "EURUSD", qty: 5000, avg_price: 1.3 }];
    return run([J.snapshot("07:00:00", [], long), J.decision("08:00:00", "C1", "EURUSD", "buy", 2000, 1.5),
      J.decision("08:00:00", "C2", "EURUSD", "sell", 6000, 1.4)],
    [B.snapshot("06:59:00", long), B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 2000),
      B.accepted("08:00:02", "C2", "B2", "EURUSD", "sell", 6000), B.disconnect("08:00:03"),
      B.fill("08:00:04", "C2", "B2", "EURUSD", "sell", 6000, 1.4), B.fill("08:00:05", "C1", "B1", "EURUSD", "buy", 2000, 1.5),
      B.reconnect("08:00:06"), ...brokerAfter]);
  };

  it("fills of two orders missed during a disconnect are taken in the broker's order, so the average cost agrees (no false drift)", () => {
    const r = twoMissedFills();
    expect(kinds(r)).toEqual(["fill_caught_by_reconcile", "fill_caught_by_reconcile"]);
    expect(r.report.findings.items.map((f) => f.clientOrderId)).toEqual(["C2", "C1"]);
    expect(r.report.totals.killSwitch).toBe(false);
    const eur = r.report.positions.find((p) => p.symbol === "EURUSD")!;
    expect([eur.engineQty, eur.engineAvgPrice, eur.brokerAvgPrice].map(D.toPlain)).toEqual(["1000", "1.5", "1.5"]);
    expect(r.artifacts["trades.csv"].split("\n").slice(1, 3).map((l) => l.split(",")[2])).toEqual(["C2", "C1"]);
  });

  it("the same caught fills, but the broker's later snapshot prices the position elsewhere: a real drift, and the kill switch", () => {
    const r = twoMissedFills([B.snapshot("08:00:07", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.45 }])]);
    expect(kinds(r)).toContain("position_drift");
    expect(r.report.killSwitch.reasons).toContain("position_drift");
  });

  it("a reconciliation due while disconnected fails: ALERT_RECONCILE_FAILED and the kill switch", () => {
    const r = run(FLAT_START, [...FLAT_BROKER, B.disconnect("07:01:00"), B.reconnect("07:20:00")], { reconcile_interval_ms: 300_000 });
    expect(alertNames(r)).toContain("ALERT_RECONCILE_FAILED");
    expect(r.report.killSwitch.reasons).toEqual(["broker_unreachable"]);
    // Due at 07:05, 07:10, 07:15 and 07:20 (the reconnect at 07:20 comes after the run due then);
    // nothing happens between, so 07:10 and 07:15 are coalesced and 07:05 and 07:20 both fail.
    expect(r.report.totals.reconcileFailures).toBe(2);
    expect(r.report.totals.reconcileRunsCoalesced).toBe(2);
  });

  it("startup never fails open: a broker unreachable at startup engages the kill switch", () => {
    const r = run(FLAT_START, [B.disconnect("06:00:00"), B.reconnect("07:30:00")]);
    expect(r.report.runs.items[0]!.status).toBe("failed");
    expect(r.report.killSwitch.engagedAt).toBe("2025-10-20T07:00:00Z");
  });

  it("while the kill switch is engaged, decisions are blocked and counted, not sent", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085), J.decision("08:10:00", "C2", "EURUSD", "buy", 1000, 1.085)],
      [...FLAT_BROKER, B.accepted("07:30:00", "HAND", "B0", "EURUSD", "buy", 1), B.snapshot("08:20:00")], { reconcile_interval_ms: 1_800_000 });
    expect(r.report.totals.orphan).toBe(1);
    expect(r.report.totals.blockedDecisions).toBe(2);
    expect(r.report.totals.ordersSent).toBe(0);
    expect(r.artifacts["summary.txt"]).toContain("blocked_decisions=2\n");
  });

  it("a cache that failed to load raises ALERT_IDEMPOTENCY_PERSISTENCE_FAILED and engages the kill switch", () => {
    const r = run(FLAT_START, FLAT_BROKER, {}, { failure: "checksum mismatch" });
    expect(alertNames(r)).toEqual(["ALERT_IDEMPOTENCY_PERSISTENCE_FAILED"]);
    expect(r.artifacts["summary.txt"].split("\n")[0]).toContain("cache_ok=false");
    expect(r.report.killSwitch.reasons).toEqual(["cache_load_failed"]);
  });
});

describe("idempotency cache (in memory)", () => {
  it("a decision re-emitted within the TTL is skipped; after the TTL it is sent again", () => {
    const journal = [...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085),
      J.restart("09:00:00"), J.snapshot("09:00:01", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.085 }]),
      J.decision("09:00:02", "C1", "EURUSD", "buy", 1000, 1.085)];
    const broker = [...FLAT_BROKER, B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 1000, 1.085)];
    const within = run(journal, broker);
    expect(within.report.totals.duplicatesSkipped).toBe(1);
    expect(within.report.skippedDecisions.items[0]!.reason).toBe("cache_closed");
    expect(within.report.totals.ordersSent).toBe(1);
    const after = run(journal, broker, { idempotency_ttl_ms: 1_800_000 });
    expect(after.report.totals.duplicatesSkipped).toBe(0);
    expect(after.report.totals.ordersSent).toBe(2);
    expect(after.report.cache.entriesPurged).toBe(1); // purged at the restart
  });

  it("the TTL can be set per symbol", () => {
    const journal = [...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085),
      J.decision("08:00:00", "C2", "GBPUSD", "buy", 1000, 1.3),
      J.decision("10:00:00", "C1", "EURUSD", "buy", 1000, 1.085), J.decision("10:00:00", "C2", "GBPUSD", "buy", 1000, 1.3)];
    const broker = [...FLAT_BROKER, B.rejected("08:00:01", "C1"), B.rejected("08:00:01", "C2"), B.rejected("10:00:01", "C1")];
    const r = run(journal, broker, { idempotency_ttl_ms_by_symbol: { EUR_USD: 3_600_000 } });
    expect(r.report.skippedDecisions.items.map((s) => s.clientOrderId)).toEqual(["C2"]);
  });
});

describe("redelivery", () => {
  it("a redelivered broker event (same event_id, same content) is counted and otherwise a no-op", () => {
    const fill = B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 1000, 1.0851);
    const journal = [...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085)];
    const once = run(journal, [...FLAT_BROKER, fill]);
    const twice = run(journal, [...FLAT_BROKER, fill, fill]);
    expect(twice.report.totals.duplicateDeliveries).toBe(1);
    expect(twice.artifacts["trades.csv"]).toBe(once.artifacts["trades.csv"]);
    const strip = (s: string) => s.replace(/duplicate_deliveries=\d+\n/, "").replace(/broker_events=\d+\n/, "");
    expect(strip(twice.artifacts["summary.txt"])).toBe(strip(once.artifacts["summary.txt"]));
  });
});

describe("recovery policy after a restart (staged, never executed)", () => {
  const journal = [J.snapshot("07:00:00", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }, { symbol: "GBPUSD", qty: -500, avg_price: 1.3 }]),
    J.restart("08:00:00"), J.snapshot("08:00:01", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }, { symbol: "GBPUSD", qty: -500, avg_price: 1.3 }])];
  const broker = [B.snapshot("06:00:00", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }, { symbol: "GBPUSD", qty: -500, avg_price: 1.3 }]),
    B.fill("06:30:00", "X", "B1", "EURUSD", "buy", 1, 1.05), B.fill("06:30:01", "X", "B1", "EURUSD", "sell", 1, 1.05)];

  it("RESUME stages nothing", () => {
    expect(run(journal, broker).report.stagedActions.items.filter((a) => a.action === "close_position")).toEqual([]);
  });

  it("CLOSE_ALL stages a close of every open position at the restart", () => {
    const r = run(journal, broker, { recovery: { open_positions_policy: "CLOSE_ALL" } });
    const closes = r.report.stagedActions.items.filter((a) => a.action === "close_position");
    expect(closes.map((a) => [a.symbol, a.side])).toEqual([["EURUSD", "sell"], ["GBPUSD", "buy"]]);
    expect(new Set(closes.map((a) => a.reconcileId)).size).toBe(1);
  });

  it("EMERGENCY_EXIT closes positions whose loss at the last fill price passes the threshold, and asks for review where there is no price", () => {
    const r = run(journal, broker, { recovery: { open_positions_policy: "EMERGENCY_EXIT", emergency_exit_loss_threshold: 40 } });
    const actions = r.report.stagedActions.items.filter((a) => a.action !== "flatten_position" && a.action !== "cancel_order");
    // EURUSD long 1000 @1.10 marked at 1.05: -50, beyond 40. GBPUSD has no fill to mark it.
    expect(actions.map((a) => [a.action, a.symbol])).toEqual([["close_position", "EURUSD"], ["review_position", "GBPUSD"]]);
  });
});

describe("P&L: average cost, quote currency, net of fees", () => {
  it("a position flip realizes the closed part and opens the rest at the fill price", () => {
    const journal = [...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 100, 1.0), J.decision("09:00:00", "C2", "EURUSD", "sell", 150, 1.1)];
    const broker = [...FLAT_BROKER, B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 100, "1.0", "0.5"),
      B.fill("09:00:01", "C2", "B2", "EURUSD", "sell", 150, "1.1", "0.25")];
    const r = run(journal, broker);
    const rows = r.artifacts["trades.csv"].trim().split("\n").slice(1).map((l) => l.split(",")[12]);
    expect(rows).toEqual(["-0.50", "9.75"]); // 100 x (1.1 - 1.0) = 10, less the 0.25 fee
    expect(r.artifacts["summary.txt"]).toContain("realized_pnl=9.25\n");
    expect(r.report.positions[0]!.brokerQty).toBe(-50n * 10n ** 10n);
  });

  it("a partial close realizes against the average of several fills, exactly (no float noise)", () => {
    const journal = [...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 3, 0.1), J.decision("09:00:00", "C2", "EURUSD", "sell", 1, 0.3)];
    const broker = [...FLAT_BROKER, B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 1, 0.1), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 2, 0.2),
      B.fill("09:00:01", "C2", "B2", "EURUSD", "sell", 1, 0.3)];
    const r = run(journal, broker);
    // average (0.1 + 0.4) / 3 = 0.1666666667; 0.3 - 0.1666666667 = 0.1333333333
    expect(r.artifacts["summary.txt"]).toContain("realized_pnl=0.13\n");
    expect(r.artifacts["trades.csv"]).not.toMatch(/e-|0000000000001/);
  });
});

describe("spreadsheet safety", () => {
  it("a client order id that a spreadsheet would run as a formula is neutralized in trades.csv; negative numbers are not", () => {
    const evil = "=HYPERLINK(\"http://x\",\"y\")";
    const r = run([...FLAT_START, J.decision("08:00:00", evil, "EURUSD", "buy", 100, 1.1)],
      [...FLAT_BROKER, B.fill("08:00:01", evil, "-B1", "EURUSD", "buy", 100, 1.1, 1)]);
    const row = r.artifacts["trades.csv"].split("\n")[1]!;
    expect(row).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(row).toContain(",'-B1,");
    expect(row.endsWith(",-1.00,stream,USD,USD")).toBe(true);
  });
});
