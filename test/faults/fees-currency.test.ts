// A fee is an amount in the currency it was charged in. Cases as other platforms meet them: a crypto
// exchange taking a buy's fee in the coin bought (Binance's commissionAsset), a fee in a third asset
// (BNB), a broker commission in EUR on a USD stock. Each was booked as a quote-currency fee before.

import { describe, expect, it } from "vitest";
import { B, day, J, type Obj, run } from "../helpers/replay.js";
import { parseTradesCsv } from "../../src/artifacts/read-trades.js";

const CRYPTO = { instruments: { ADAUSD: { asset_class: "crypto", quote_currency: "USD", tick_size: 0.0001 } } };

const fill = (ts: string, coid: string, bid: string, symbol: string, side: string, qty: string, price: string, fee: string, feeCurrency?: string): Obj =>
  ({ ...B.fill(ts, coid, bid, symbol, side, Number(qty), price, fee), qty, ...(feeCurrency === undefined ? {} : { fee_currency: feeCurrency }) });

/** A decision at `ts` (hh:mm:ss), accepted and filled at once, its fee in `feeCurrency`. */
interface Trade { ts: string; coid: string; symbol: string; side: string; qty: string; price: string; fee: string; feeCurrency?: string }

function trades(start: string, list: readonly Trade[]): { journal: Obj[]; broker: Obj[] } {
  return {
    journal: [J.snapshot(start), ...list.map((t) => J.decision(t.ts, t.coid, t.symbol, t.side, Number(t.qty), Number(t.price)))],
    broker: [B.snapshot("00:00:00"), ...list.flatMap((t) => [
      B.accepted(`${t.ts}.1`, t.coid, `B-${t.coid}`, t.symbol, t.side, Number(t.qty)),
      fill(`${t.ts}.2`, t.coid, `B-${t.coid}`, t.symbol, t.side, t.qty, t.price, t.fee, t.feeCurrency),
    ])],
  };
}

const summaryLines = (summary: string): Map<string, string> =>
  new Map(summary.split("\n").slice(1).filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

describe("a fee in the base asset of a crypto spot instrument changes the quantity held, on both books", () => {
  const journal = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "ADAUSD", "buy", 30, 0.35)];
  const broker = (held: string): Obj[] => [
    B.snapshot("06:59:00"),
    B.accepted("07:01:00.1", "C1", "B1", "ADAUSD", "buy", 30),
    fill("07:01:00.2", "C1", "B1", "ADAUSD", "buy", "30", "0.35", "0.01", "ADA"),
    B.snapshot("07:02:00", [{ symbol: "ADAUSD", qty: held, avg_price: "0.3501167056" }]),
  ];

  it("a buy of 30 with a fee of 0.01 ADA delivers 29.99: the exchange's balance agrees, no drift, no kill switch", () => {
    const r = run(journal, broker("29.99"), CRYPTO);
    expect(r.report.findings.items.map((f) => f.kind)).toEqual([]);
    expect(r.artifacts["summary.txt"].split("\n")[0]).toBe("reconcile_summary stale=0 orphan=0 drift=0.0 cache_ok=true");
    const pos = r.report.positions.find((p) => p.symbol === "ADAUSD")!;
    expect([String(pos.engineQty), String(pos.brokerQty)]).toEqual([String(pos.brokerQty), String(pos.engineQty)]);
    expect(summaryLines(r.artifacts["summary.txt"]).get("kill_switch")).toBe("0");
    // Nothing of the fee is booked as a USD fee: P&L is zero on an opening buy.
    expect(summaryLines(r.artifacts["summary.txt"]).get("realized_pnl")).toBe("0.00");
  });

  it("a balance that still holds the 30 (the fee not taken) is a drift of 0.01 units", () => {
    const r = run(journal, broker("30"), CRYPTO);
    const drift = r.report.findings.items.find((f) => f.kind === "position_drift")!;
    expect(drift.detail["drift_units"]).toBe("0.01");
  });

  it("a sell of 29 with a fee of 0.01 ADA gives up 29.01, and the fee's cost is in the realized P&L", () => {
    const j = [...journal, J.decision("07:03:00", "C2", "ADAUSD", "sell", 29, 0.4)];
    const b = [
      B.snapshot("06:59:00"),
      B.accepted("07:01:00.1", "C1", "B1", "ADAUSD", "buy", 30),
      fill("07:01:00.2", "C1", "B1", "ADAUSD", "buy", "30", "0.35", "0.01", "ADA"),
      B.accepted("07:03:00.1", "C2", "B2", "ADAUSD", "sell", 29),
      fill("07:03:00.2", "C2", "B2", "ADAUSD", "sell", "29", "0.40", "0.01", "ADA"),
      B.snapshot("07:04:00", [{ symbol: "ADAUSD", qty: "0.98", avg_price: "0.3501167056" }]),
    ];
    const r = run(j, b, CRYPTO);
    expect(r.report.findings.items.filter((f) => f.severity === "critical")).toEqual([]);
    const pos = r.report.positions.find((p) => p.symbol === "ADAUSD")!;
    expect(String(pos.engineQty)).toBe(String(pos.brokerQty));
    // 30 cost 10.50 for 29.99 held: 0.350116... each. The sell fetched 29 x 0.40 = 11.60 for 29.01 of them.
    expect(summaryLines(r.artifacts["summary.txt"]).get("realized_pnl")).toBe("1.44");
  });

  it("the base asset comes from the instrument table when the symbol does not end with the quote currency", () => {
    const config = { instruments: { ADAPERP: { asset_class: "crypto", quote_currency: "USD", tick_size: 0.0001, base_currency: "ADA" } } };
    const j = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "ADAPERP", "buy", 30, 0.35)];
    const b = [
      B.snapshot("06:59:00"),
      B.accepted("07:01:00.1", "C1", "B1", "ADAPERP", "buy", 30),
      fill("07:01:00.2", "C1", "B1", "ADAPERP", "buy", "30", "0.35", "0.01", "ADA"),
      B.snapshot("07:02:00", [{ symbol: "ADAPERP", qty: "29.99", avg_price: "0.3501167056" }]),
    ];
    expect(run(j, b, config).report.findings.items.map((f) => f.kind)).toEqual([]);
  });
});

describe("a fee in any other currency stays out of P&L and is totalled per currency", () => {
  it("a BNB fee on a crypto buy: fees_BNB= in summary.txt, the report's totals and metrics; P&L untouched", () => {
    const { journal, broker } = trades("07:00:00", [
      { ts: "07:01:00", coid: "C1", symbol: "ADAUSD", side: "buy", qty: "30", price: "0.35", fee: "0.00075", feeCurrency: "BNB" },
      { ts: "07:05:00", coid: "C2", symbol: "ADAUSD", side: "sell", qty: "30", price: "0.36", fee: "0.0008", feeCurrency: "BNB" },
    ]);
    const r = run(journal, broker, CRYPTO);
    const lines = summaryLines(r.artifacts["summary.txt"]);
    expect(lines.get("realized_pnl")).toBe("0.30");
    expect(lines.get("fees_BNB")).toBe("0.00155");
    expect(JSON.parse(r.artifacts["reconcile-report.json"]).totals.fees_outside_pnl).toEqual({ BNB: "0.00155" });
    expect(r.artifacts["metrics.txt"]).toContain('engine_fees_outside_pnl_total{currency="BNB"} 0.00155\n');
    expect(r.report.findings.items).toEqual([]);
  });

  it("an EUR commission on a USD stock is not netted into the USD P&L", () => {
    const config = { instruments: { AAPL: { asset_class: "equity", quote_currency: "USD", tick_size: 0.01 } } };
    const { journal, broker } = trades("14:00:00", [
      { ts: "14:01:00", coid: "C1", symbol: "AAPL", side: "buy", qty: "10", price: "150", fee: "1.25", feeCurrency: "EUR" },
      { ts: "14:05:00", coid: "C2", symbol: "AAPL", side: "sell", qty: "10", price: "151", fee: "1", feeCurrency: "USD" },
    ]);
    const lines = summaryLines(run(journal, broker, config).artifacts["summary.txt"]);
    expect(lines.get("realized_pnl")).toBe("9.00");
    expect(lines.get("fees_EUR")).toBe("1.25");
    expect(lines.has("fees_USD")).toBe(false);
  });

  it("trades.csv names the quote currency of price and P&L, and the currency each fee was charged in", () => {
    const j = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "ADAUSD", "buy", 30, 0.35), J.decision("07:02:00", "C2", "EURUSD", "buy", 1000, 1.1)];
    const b = [
      B.snapshot("06:59:00"),
      B.accepted("07:01:00.1", "C1", "B1", "ADAUSD", "buy", 30),
      fill("07:01:00.2", "C1", "B1", "ADAUSD", "buy", "30", "0.35", "0.01", "ADA"),
      B.accepted("07:02:00.1", "C2", "B2", "EURUSD", "buy", 1000),
      fill("07:02:00.2", "C2", "B2", "EURUSD", "buy", "1000", "1.1", "0.02"),
    ];
    const csv = run(j, b, CRYPTO).artifacts["trades.csv"];
    const [header, ...rows] = csv.trimEnd().split("\n");
    expect(header!.endsWith(",source,currency,fee_currency")).toBe(true);
    expect(rows.map((row) => row.split(",").slice(-2).join(","))).toEqual(["USD,ADA", "USD,USD"]);
    expect(parseTradesCsv(csv)).toHaveLength(2);
  });

  it("the day's realized P&L, against the daily loss cap, carries only fees in the quote currency", () => {
    const config = { ...CRYPTO, limits: { daily_loss_cap: 1, symbol_caps: {} } };
    const j = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "ADAUSD", "buy", 30, 0.35), J.decision("07:05:00", "C2", "ADAUSD", "sell", 30, 0.35)];
    const b = [
      B.snapshot("06:59:00"),
      B.accepted("07:01:00.1", "C1", "B1", "ADAUSD", "buy", 30),
      fill("07:01:00.2", "C1", "B1", "ADAUSD", "buy", "30", "0.35", "5", "BNB"),
      B.accepted("07:05:00.1", "C2", "B2", "ADAUSD", "sell", 30),
      fill("07:05:00.2", "C2", "B2", "ADAUSD", "sell", "30", "0.35", "5", "BNB"),
      B.snapshot(day("07:10:00").slice(11, -1)),
    ];
    expect(run(j, b, config).report.findings.items.map((f) => f.kind)).not.toContain("daily_loss_breach");
  });
});
