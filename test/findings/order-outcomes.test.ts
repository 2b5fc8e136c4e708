// The engine's own orders that the broker ended: a reject, a cancel or an expiry once left no trace
// but `orders_sent=1`. Each is counted and listed with the broker's reason.

import { describe, expect, it } from "vitest";
import { B, day, J, type Obj, run } from "../helpers/replay.js";

const start = { journal: [J.snapshot("07:00:00")], broker: [B.snapshot("06:59:00")] };

const summary = (r: ReturnType<typeof run>): Map<string, string> =>
  new Map(r.artifacts["summary.txt"].split("\n").slice(1).filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

const cancelled = (ts: string, bid: string, reason: string): Obj => ({ ...B.cancelled(ts, bid), reason });

describe("orders the broker rejected, cancelled or let expire", () => {
  it("a reject with its reason: counted in summary.txt, the report and metrics, and listed", () => {
    const r = run([...start.journal, J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1)], [...start.broker, B.rejected("07:01:00.2", "C1")]);
    const s = summary(r);
    expect([s.get("orders_sent"), s.get("orders_rejected"), s.get("orders_cancelled"), s.get("orders_expired")]).toEqual(["1", "1", "0", "0"]);
    const doc = JSON.parse(r.artifacts["reconcile-report.json"]);
    expect(doc.totals.orders_rejected).toBe(1);
    expect(doc.order_outcomes.items).toEqual([{
      ts: day("07:01:00.2"), outcome: "rejected", reason: "INSUFFICIENT_MARGIN", client_order_id: "C1", broker_order_id: null,
      decision_id: "D-C1", symbol: "EURUSD", side: "buy", qty: "1000", filled_qty: "0", evidence: ["broker:2"],
    }]);
    expect(r.artifacts["metrics.txt"]).toContain("engine_orders_rejected_total 1\n");
  });

  it("a cancel after a partial fill, and a cancel whose reason says the order expired", () => {
    const journal = [...start.journal, J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1), J.decision("07:02:00", "C2", "GBPUSD", "sell", 500, 1.3)];
    const broker = [
      ...start.broker,
      B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000),
      B.fill("07:01:00.2", "C1", "B1", "EURUSD", "buy", 400, 1.1),
      cancelled("07:01:30", "B1", "CLIENT_REQUEST"),
      B.accepted("07:02:00.1", "C2", "B2", "GBPUSD", "sell", 500),
      cancelled("07:03:00", "B2", "TIME_IN_FORCE_EXPIRED"),
    ];
    const r = run(journal, broker);
    const s = summary(r);
    expect([s.get("orders_cancelled"), s.get("orders_expired")]).toEqual(["1", "1"]);
    const items = JSON.parse(r.artifacts["reconcile-report.json"]).order_outcomes.items as Obj[];
    expect(items.map((o) => [o["client_order_id"], o["outcome"], o["reason"], o["filled_qty"]])).toEqual([
      ["C1", "cancelled", "CLIENT_REQUEST", "400"], ["C2", "expired", "TIME_IN_FORCE_EXPIRED", "0"],
    ]);
  });

  it("a reject the engine missed while disconnected is counted once, when reconciliation catches it", () => {
    const journal = [...start.journal, J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1)];
    const broker = [...start.broker, B.disconnect("07:00:59"), B.rejected("07:01:00.2", "C1"), B.reconnect("07:01:05")];
    const r = run(journal, broker);
    expect(summary(r).get("orders_rejected")).toBe("1");
    expect(r.report.findings.items.map((f) => f.kind)).toContain("order_state_caught_by_reconcile");
  });

  it("a cancel that is a replacement is no end: the replacement's cancel is the one outcome", () => {
    const journal = [...start.journal, J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1)];
    const broker = [
      ...start.broker,
      B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000),
      { ...B.accepted("07:01:10", "C1", "B2", "EURUSD", "buy", 1000), replaces_broker_order_id: "B1" },
      { ...B.cancelled("07:01:10.1", "B1"), replaced_by_broker_order_id: "B2" },
      cancelled("07:02:00", "B2", "CLIENT_REQUEST"),
    ];
    const r = run(journal, broker);
    expect(summary(r).get("orders_cancelled")).toBe("1");
  });

  it("the list is capped at report_list_items_max and says how many it left out; the counts are whole", () => {
    const journal = [...start.journal, ...[1, 2, 3].map((i) => J.decision(`07:0${i}:00`, `C${i}`, "EURUSD", "buy", 1000, 1.1))];
    const broker = [...start.broker, ...[1, 2, 3].map((i) => B.rejected(`07:0${i}:00.2`, `C${i}`))];
    const r = run(journal, broker, { report_list_items_max: 2 });
    const doc = JSON.parse(r.artifacts["reconcile-report.json"]);
    expect([doc.order_outcomes.items.length, doc.order_outcomes.omitted, doc.totals.orders_rejected]).toEqual([2, 1, 3]);
  });
});
