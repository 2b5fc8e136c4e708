// No healthy verdict that the books contradict: each case below is one where a careful back office
// halts, and a test of the rule that makes the replay halt there too (exit 3, not `healthy`).

import { describe, expect, it } from "vitest";
import { B, day, J, kinds, run } from "./helpers/replay.js";
import type { Obj } from "./helpers/replay.js";

const START = [J.snapshot("07:00:00")];
const FLAT = [B.snapshot("06:59:00")];
const PRESETS = { slippage_presets: ["asia", "eu", "us", "overnight"].flatMap((session) =>
  ["EURUSD", "USDJPY", "TSLA"].map((symbol) => ({ symbol, session, max_slippage_pips: 1000 }))) };
const summaryLine = (r: ReturnType<typeof run>, key: string) =>
  r.artifacts["summary.txt"].split("\n").find((l) => l.startsWith(`${key}=`));

describe("1. a fill attributed by broker order id alone", () => {
  const journal = [...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1)];
  const accepted = B.accepted("08:00:01", "C1", "V-1", "EURUSD", "buy", 1000);

  it("a fill naming the engine's broker id with another client id is an orphan naming that match, and the engine's order stays unfilled", () => {
    const r = run(journal, [...FLAT, accepted, B.fill("08:00:05", "OTHER", "V-1", "EURUSD", "buy", 1000, 1.1), B.snapshot("08:10:00")], PRESETS);
    const orphan = r.report.findings.items.find((f) => f.kind === "orphan_broker_order")!;
    expect(orphan.clientOrderId).toBe("OTHER");
    expect(orphan.detail["match"]).toBe("broker_order_id_conflict");
    expect(orphan.detail["candidates"]).toEqual(["C1"]);
    expect(orphan.detail["conflicting_fields"]).toEqual(["client_order_id"]);
    expect(kinds(r)).not.toContain("fill_caught_by_reconcile");
    expect(r.report.totals.killSwitch).toBe(true);
    expect(r.report.positions.find((p) => p.symbol === "EURUSD")?.engineQty ?? 0n).toBe(0n);
  });

  it("a fill naming the engine's broker id with the other side (and no client id) is an orphan too", () => {
    const r = run(journal, [...FLAT, accepted, B.fill("08:00:05", undefined, "V-1", "EURUSD", "sell", 1000, 1.1), B.snapshot("08:10:00")], PRESETS);
    const orphan = r.report.findings.items.find((f) => f.kind === "orphan_broker_order")!;
    expect(orphan.detail["conflicting_fields"]).toEqual(["side"]);
    expect(orphan.detail["candidates"]).toEqual(["C1"]);
    expect(r.report.totals.killSwitch).toBe(true);
  });

  it("the same fill with the engine's own client id and side is the engine's (no finding)", () => {
    const r = run(journal, [...FLAT, accepted, B.fill("08:00:05", "C1", "V-1", "EURUSD", "buy", 1000, 1.1), B.snapshot("08:10:00", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])], PRESETS);
    expect(kinds(r)).toEqual([]);
    expect(r.report.totals.killSwitch).toBe(false);
  });
});

describe("2. a replaced order of a different size", () => {
  // As OANDA reports a replace: the old order is cancelled (reason ..._REPLACED, naming its
  // replacement) and the replacement is accepted under the same client id.
  const journal = [...START, J.decision("08:00:00", "myID", "EURUSD", "sell", 100, 1.1, { order_type: "limit", limit_price: 1.1 })];
  const broker = (qty: number): Obj[] => [...FLAT, B.accepted("08:00:01", "myID", "2304", "EURUSD", "sell", 100),
    { ...B.cancelled("09:00:00", "2304"), reason: "CLIENT_REQUEST_REPLACED", replaced_by_broker_order_id: "2307" },
    { ...B.accepted("09:00:00", "myID", "2307", "EURUSD", "sell", qty), replaces_broker_order_id: "2304" }, B.snapshot("09:10:00")];

  it("the engine follows its order to the replacement; a replacement of another size is order_mismatch (kill switch)", () => {
    const r = run(journal, broker(500_000), PRESETS);
    const m = r.report.findings.items.filter((f) => f.kind === "order_mismatch");
    expect(m).toHaveLength(1);
    expect(m[0]!.clientOrderId).toBe("myID");
    expect(m[0]!.brokerOrderId).toBe("2307");
    expect(m[0]!.detail["fields"]).toEqual(["qty: engine=100 broker=500000"]);
    expect(r.report.totals.killSwitch).toBe(true);
    expect(r.report.killSwitch.reasons).toContain("order_mismatch");
    expect(summaryLine(r, "order_mismatches")).toBe("order_mismatches=1");
  });

  it("a replacement of the decided size is followed without a finding (the order is still open, not stale)", () => {
    const r = run(journal, broker(100), PRESETS);
    expect(kinds(r)).toEqual([]);
    expect(r.report.totals.killSwitch).toBe(false);
  });

  it("an acceptance of another side or limit price than decided is order_mismatch too", () => {
    const r = run(journal, [...FLAT, { ...B.accepted("08:00:01", "myID", "2304", "EURUSD", "buy", 100), limit_price: 1.2 }, B.snapshot("08:10:00")], PRESETS);
    const m = r.report.findings.items.find((f) => f.kind === "order_mismatch")!;
    expect(m.detail["fields"]).toEqual(["side: engine=sell broker=buy", "limit_price: engine=1.1 broker=1.2"]);
  });
});

describe("3. overfill", () => {
  it("a fill beyond the order's quantity engages the kill switch and summary.txt counts it", () => {
    const r = run([...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1)],
      [...FLAT, B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 1500, 1.1),
        B.snapshot("08:10:00", [{ symbol: "EURUSD", qty: 1500, avg_price: 1.1 }])], PRESETS);
    expect(kinds(r)).toEqual(["overfill"]);
    expect(r.report.totals.killSwitch).toBe(true);
    expect(r.report.killSwitch.reasons).toEqual(["overfill"]);
    expect(summaryLine(r, "overfills")).toBe("overfills=1");
  });
});

describe("4. a redelivery after later events", () => {
  const journal = [...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1)];
  const ack = B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 1000);
  const fill = B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 1000, 1.1);
  const after = B.snapshot("08:10:00", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }]);

  it("is counted and otherwise a no-op, exit 0", () => {
    const once = run(journal, [...FLAT, ack, fill, after], PRESETS);
    const late = run(journal, [...FLAT, ack, fill, after, { ...ack }], PRESETS);
    expect(late.report.totals.duplicateDeliveries).toBe(1);
    expect(late.report.totals.killSwitch).toBe(false);
    expect(kinds(late)).toEqual(kinds(once));
    expect(late.artifacts["trades.csv"]).toBe(once.artifacts["trades.csv"]);
  });

  it("a late line that is not a redelivery still breaks the time order (bad input)", () => {
    expect(() => run(journal, [...FLAT, ack, after, fill], PRESETS)).toThrow(/time order/);
  });

  it("a late redelivery whose content differs (its ts included) is a conflict", () => {
    expect(() => run(journal, [...FLAT, ack, fill, after, { ...ack, ts: day("08:00:01.5") }], PRESETS)).toThrow(/unique event_id/);
  });
});

describe("5. critical findings name the lines they rest on", () => {
  it("position_drift names the broker snapshot and the fills after it, and the engine lines that built its position", () => {
    const r = run([J.snapshot("07:00:00", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }]), J.decision("08:00:00", "C1", "EURUSD", "buy", 500, 1.1)],
      [B.snapshot("06:59:00", [{ symbol: "EURUSD", qty: 2000, avg_price: 1.1 }]), B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 500),
        B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 500, 1.1)], PRESETS);
    const drift = r.report.findings.items.filter((f) => f.kind === "position_drift");
    expect(drift.length).toBeGreaterThan(0);
    const last = drift[drift.length - 1]!;
    expect(last.evidence).toEqual(["broker:1", "broker:3", "journal:1"]);
  });

  it("symbol_cap_breach names the broker lines behind the position; daily_loss_breach the fills of the day", () => {
    const r = run([...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 2000, 1.1), J.decision("08:01:00", "C2", "EURUSD", "sell", 2000, 1.1)],
      [...FLAT, B.accepted("08:00:01", "C1", "B1", "EURUSD", "buy", 2000), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 2000, 1.1),
        B.accepted("08:01:01", "C2", "B2", "EURUSD", "sell", 2000), B.fill("08:01:02", "C2", "B2", "EURUSD", "sell", 2000, 1.0)],
      { ...PRESETS, limits: { daily_loss_cap: 100, symbol_caps: { EURUSD: 1000 } }, reconcile_interval_ms: 30_000 });
    const cap = r.report.findings.items.find((f) => f.kind === "symbol_cap_breach")!;
    expect(cap.evidence).toEqual(["broker:1", "broker:3"]);
    const loss = r.report.findings.items.find((f) => f.kind === "daily_loss_breach")!;
    expect(loss.evidence).toEqual(["broker:3", "broker:5"]);
  });
});

describe("6. orphan fills stay out of the engine's books", () => {
  it("an orphan's fill is written with source=orphan and its P&L and fee are not the engine's", () => {
    const r = run(START, [...FLAT, B.accepted("08:00:00", "HAND-1", "B9", "EURUSD", "buy", 1000),
      B.fill("08:00:01", "HAND-1", "B9", "EURUSD", "buy", 1000, 1.1, 5)], PRESETS);
    const rows = r.artifacts["trades.csv"].trim().split("\n").slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.split(",")[13]).toBe("orphan");
    expect(summaryLine(r, "realized_pnl")).toBe("realized_pnl=0.00");
  });
});

describe("7. money in several currencies is never added", () => {
  it("one quote currency: realized_pnl as before; two: realized_pnl=mixed and one line per currency, equal to the CSV's sums", () => {
    const trade = (coid: string, bid: string, symbol: string, price: number, hms: string, side = "buy") =>
      [B.accepted(hms, coid, bid, symbol, side, 1000), B.fill(hms, coid, bid, symbol, side, 1000, price, 1.25)];
    const journal = [...START, J.decision("08:00:00", "E1", "EURUSD", "buy", 1000, 1.1), J.decision("08:00:00", "J1", "USDJPY", "buy", 1000, 150)];
    const r = run(journal, [...FLAT, ...trade("E1", "B1", "EURUSD", 1.1, "08:00:01"), ...trade("J1", "B2", "USDJPY", 150, "08:00:02"),
      B.snapshot("08:10:00", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }, { symbol: "USDJPY", qty: 1000, avg_price: 150 }])], PRESETS);
    expect(summaryLine(r, "realized_pnl")).toBe("realized_pnl=mixed");
    expect(summaryLine(r, "realized_pnl_JPY")).toBe("realized_pnl_JPY=-1.25");
    expect(summaryLine(r, "realized_pnl_USD")).toBe("realized_pnl_USD=-1.25");
    const one = run([...START, J.decision("08:00:00", "E1", "EURUSD", "buy", 1000, 1.1)],
      [...FLAT, ...trade("E1", "B1", "EURUSD", 1.1, "08:00:01"), B.snapshot("08:10:00", [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])], PRESETS);
    expect(summaryLine(one, "realized_pnl")).toBe("realized_pnl=-1.25");
    expect(one.artifacts["summary.txt"]).not.toMatch(/realized_pnl_/);
  });
});

describe("8. instruments that are not FX pairs", () => {
  const cfg = { ...PRESETS, instruments: { TSLA: { asset_class: "equity", quote_currency: "USD", tick_size: 0.01 } } };
  it("a TSLA fill 2 cents off is 2 ticks of slippage, in ticks, not 200 pips", () => {
    const r = run([...START, J.decision("15:00:00", "T1", "TSLA", "buy", 10, 250)],
      [...FLAT, B.accepted("15:00:01", "T1", "B1", "TSLA", "buy", 10), B.fill("15:00:02", "T1", "B1", "TSLA", "buy", 10, 250.02),
        B.snapshot("15:10:00", [{ symbol: "TSLA", qty: 10, avg_price: 250.02 }])], cfg);
    const row = r.artifacts["trades.csv"].trim().split("\n")[1]!.split(",");
    expect(row[9]).toBe("2.0");
    const cell = r.report.slippage.find((c) => c.symbol === "TSLA")!;
    expect(cell.unit).toBe("ticks");
  });

  it("an unknown non-FX instrument is a config error, not a guess", () => {
    expect(() => run([...START, J.decision("15:00:00", "T1", "TSLA", "buy", 10, 250)], FLAT, PRESETS)).toThrow(/TSLA.*instruments/);
  });
});

describe("9. broker reasons are kept", () => {
  it("a reject the engine missed names the broker's reason in its finding", () => {
    const r = run([...START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1)],
      [...FLAT, B.disconnect("08:00:00.5"), B.rejected("08:00:01", "C1"), B.reconnect("08:00:02"), B.snapshot("08:10:00")], PRESETS);
    const f = r.report.findings.items.find((x) => x.kind === "order_state_caught_by_reconcile")!;
    expect(f.detail["broker_reason"]).toBe("INSUFFICIENT_MARGIN");
  });

  it("an orphan the broker cancelled after part-filling it names the cancel's reason", () => {
    const r = run(START, [...FLAT, B.accepted("08:00:00", "HAND-1", "B9", "EURUSD", "buy", 1000), B.fill("08:00:01", "HAND-1", "B9", "EURUSD", "buy", 500, 1.1),
      { ...B.cancelled("08:00:05", "B9"), reason: "USER_REQUEST" }, B.snapshot("08:10:00", [{ symbol: "EURUSD", qty: 500, avg_price: 1.1 }])], PRESETS);
    const f = r.report.findings.items.find((x) => x.kind === "orphan_broker_order")!;
    expect(f.detail["broker_status"]).toBe("cancelled");
    expect(f.detail["broker_reason"]).toBe("USER_REQUEST");
  });
});
