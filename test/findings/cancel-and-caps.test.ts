// Names that say what happened, and lists that say what they left out.

import { describe, expect, it } from "vitest";
import { B, J, run } from "../helpers/replay.js";

describe("a cancel request for an order that already finished is named for what happened", () => {
  it("the engine knows the order filled (its view): cancel_request_order_closed, info, with the order's status", () => {
    const journal = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1), J.cancel("07:01:01", "C1")];
    const broker = [B.snapshot("06:59:00"), B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000), B.fill("07:01:00.2", "C1", "B1", "EURUSD", "buy", 1000, 1.1)];
    const f = run(journal, broker).report.findings.items;
    expect(f.map((x) => [x.kind, x.severity, x.detail["engine_status"]])).toEqual([["cancel_request_order_closed", "info", "filled"]]);
  });

  it("after a reconciliation let the filled order go, the order-id cache still knows it closed", () => {
    const journal = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1), J.cancel("07:20:00", "C1")];
    const broker = [B.snapshot("06:59:00"), B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000), B.fill("07:01:00.2", "C1", "B1", "EURUSD", "buy", 1000, 1.1)];
    const f = run(journal, broker).report.findings.items;
    expect(f.map((x) => [x.kind, x.detail["engine_status"], x.symbol])).toEqual([["cancel_request_order_closed", "closed", "EURUSD"]]);
  });

  it("an id the engine never sent stays cancel_request_unknown_order", () => {
    const f = run([J.snapshot("07:00:00"), J.cancel("07:01:00", "NEVER")], [B.snapshot("06:59:00")]).report.findings.items;
    expect(f.map((x) => x.kind)).toEqual(["cancel_request_unknown_order"]);
  });
});

describe("every list of reconcile-report.json is cut at report_list_items_max and counted", () => {
  it("positions, instruments, P&L by symbol and slippage cells: two kept, the third counted", () => {
    const symbols = ["AUDUSD", "EURUSD", "GBPUSD"];
    const journal = [J.snapshot("07:00:00"), ...symbols.map((s, i) => J.decision(`07:0${i + 1}:00`, `C${i}`, s, "buy", 1000, 1.1))];
    const broker = [B.snapshot("06:59:00"), ...symbols.flatMap((s, i) => [
      B.accepted(`07:0${i + 1}:00.1`, `C${i}`, `B${i}`, s, "buy", 1000), B.fill(`07:0${i + 1}:00.2`, `C${i}`, `B${i}`, s, "buy", 1000, 1.1),
    ])];
    const doc = JSON.parse(run(journal, broker, { report_list_items_max: 2 }).artifacts["reconcile-report.json"]);
    for (const list of ["positions", "instruments", "realized_pnl_by_symbol", "slippage"]) {
      expect([list, doc[list].items.length, doc[list].omitted]).toEqual([list, 2, 1]);
    }
    expect(doc.positions.items.map((p: { symbol: string }) => p.symbol)).toEqual(["AUDUSD", "EURUSD"]);
  });
});
