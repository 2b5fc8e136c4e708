// Session-bucketed slippage presets and broker-limit mirrors: sessions by UTC hour, pip sizes,
// the sign of slippage, presets and their breaches, broker limits vs the engine's rails, exposure.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../src/domain/config.js";
import * as D from "../src/domain/decimal.js";
import { lookUpInstrument } from "../src/domain/instruments.js";
import { sessionOf, slippagePips } from "../src/core/rules/index.js";
import { alertNames, B, J, kinds, run } from "./helpers/replay.js";

const DEFAULTS = resolveConfig({});
const FLAT_START = [J.snapshot("00:00:00")];
const FLAT_BROKER = [B.snapshot("00:00:00")];

describe("sessions", () => {
  const expected: Array<[number, string]> = [
    [0, "asia"], [6, "asia"], [7, "eu"], [12, "eu"], [13, "us"], [20, "us"], [21, "overnight"], [23, "overnight"],
  ];
  for (const [hour, session] of expected) {
    it(`UTC hour ${hour} is ${session} by default (boundary hours included)`, () => {
      expect(sessionOf(DEFAULTS, hour)).toBe(session);
    });
  }

  it("a fill's session is the UTC hour of the fill, whatever the machine's zone", () => {
    const r = run([...FLAT_START, J.decision("06:59:59", "C1", "EURUSD", "buy", 1000, 1.1)],
      [...FLAT_BROKER, B.fill("06:59:59.999", "C1", "B1", "EURUSD", "buy", 1000, 1.1), B.fill("07:00:00", "C1", "B1", "EURUSD", "buy", 1, 1.1)]);
    const sessions = r.artifacts["trades.csv"].trim().split("\n").slice(1).map((l) => l.split(",")[10]);
    expect(sessions).toEqual(["asia", "eu"]);
  });

  it("property: for any valid session table, every UTC hour maps to exactly one session", () => {
    const table = fc.uniqueArray(fc.integer({ min: 1, max: 23 }), { minLength: 0, maxLength: 6 })
      .map((cuts) => [0, ...cuts.sort((a, b) => a - b), 24])
      .map((b) => b.slice(0, -1).map((start, i) => ({ name: `s${i}`, start_hour: start, end_hour: b[i + 1]! })));
    fc.assert(fc.property(table, fc.integer({ min: 0, max: 2 ** 40 }), (sessions, ms) => {
      const config = resolveConfig({ sessions });
      const hour = new Date(ms).getUTCHours();
      const owners = sessions.filter((s) => hour >= s.start_hour && hour < s.end_hour);
      expect(owners).toHaveLength(1);
      expect(sessionOf(config, hour)).toBe(owners[0]!.name);
    }));
  });

  it("a table with a gap or an overlap is a config error naming the hours", () => {
    expect(() => resolveConfig({ sessions: [{ name: "a", start_hour: 0, end_hour: 12 }, { name: "b", start_hour: 13, end_hour: 24 }] }))
      .toThrow(/sessions leave UTC hours 12 in no session/);
    expect(() => resolveConfig({ sessions: [{ name: "a", start_hour: 0, end_hour: 14 }, { name: "b", start_hour: 12, end_hour: 24 }] }))
      .toThrow(/sessions overlap at UTC hours 12 \(a, b\); 13 \(a, b\)/);
  });
});

describe("pips and the sign of slippage", () => {
  it("a JPY-quoted pair's pip is 0.01, any other pair's 0.0001, and a config override wins", () => {
    const none = new Map<string, D.Dec>();
    const pip = (symbol: string, pips = none) => D.toPlain(lookUpInstrument(symbol, new Map(), pips)!.unitSize);
    expect(pip("USDJPY")).toBe("0.01");
    expect(pip("EURJPY")).toBe("0.01");
    expect(pip("EURUSD")).toBe("0.0001");
    expect(pip("XAUUSD", resolveConfig({ pip_sizes: { "XAU/USD": 0.1 } }).pipSizes)).toBe("0.1");
  });

  it("paying more on a buy and receiving less on a sell are both positive (worse)", () => {
    const pip = D.parseDec("0.0001")!;
    expect(D.toFixed(slippagePips("buy", D.parseDec("1.10020")!, D.parseDec("1.1")!, pip), 1)).toBe("2.0");
    expect(D.toFixed(slippagePips("sell", D.parseDec("1.09980")!, D.parseDec("1.1")!, pip), 1)).toBe("2.0");
    expect(D.toFixed(slippagePips("buy", D.parseDec("1.09990")!, D.parseDec("1.1")!, pip), 1)).toBe("-1.0");
  });

  it("property: a buy and its mirrored sell (same distance the other way) have equal slippage", () => {
    fc.assert(fc.property(fc.integer({ min: 100_000, max: 200_000 }), fc.integer({ min: -500, max: 500 }), fc.constantFrom("0.0001", "0.01"),
      (refPipettes, delta, pipText) => {
        const pip = D.parseDec(pipText)!;
        const tick = D.div(pip, D.decFromInt(10));
        const ref = D.mul(D.decFromInt(refPipettes), tick);
        const buyPrice = D.add(ref, D.mul(D.decFromInt(delta), tick));
        const sellPrice = D.sub(ref, D.mul(D.decFromInt(delta), tick));
        expect(slippagePips("buy", buyPrice, ref, pip)).toBe(slippagePips("sell", sellPrice, ref, pip));
      }));
  });
});

describe("slippage presets", () => {
  const journal = [...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.1), J.decision("14:00:00", "C2", "USDJPY", "sell", 1000, 150)];
  const broker = [...FLAT_BROKER, B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 1000, "1.10015"), B.fill("14:00:01", "C2", "B2", "USDJPY", "sell", 1000, "149.99")];

  it("a fill within its preset is a hit, not a breach; above it, a breach", () => {
    const presets = [{ symbol: "EURUSD", session: "eu", max_slippage_pips: 1.5 }, { symbol: "USDJPY", session: "us", max_slippage_pips: 0.5 }];
    const r = run(journal, broker, { slippage_presets: presets });
    expect(r.report.totals.slippageBreaches).toBe(1); // USDJPY sold 1 pip under the reference
    expect(r.artifacts["metrics.txt"]).toContain(`engine_slippage_preset_hits_total{symbol="EURUSD",session="eu"} 1\n`);
    expect(r.artifacts["metrics.txt"]).toContain(`engine_slippage_breaches_total{symbol="USDJPY",session="us"} 1\n`);
    expect(alertNames(r)).toEqual([]);
  });

  it("a fill with no preset for its symbol and session raises ALERT_SLIPPAGE_PRESET_MISSING and counts as a breach (fail safe)", () => {
    const r = run(journal, broker, { slippage_presets: [{ symbol: "EURUSD", session: "eu", max_slippage_pips: 5 }] });
    expect(r.report.totals.slippageBreaches).toBe(1);
    const alert = r.report.alerts.items.find((a) => a.alert === "ALERT_SLIPPAGE_PRESET_MISSING")!;
    expect(alert.decisionId).toBe("D-C2");
    expect(alert.ts).toBe("2025-10-20T14:00:01Z");
    expect(alert.detail).toMatchObject({ symbol: "USDJPY", session: "us" });
    expect(alert.counts).toMatchObject({ fills_without_preset: 1 });
  });

  it("per-session statistics: count, mean, p50, p95, max; limit orders report their improvement", () => {
    const j = [...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 3000, 1.1, { order_type: "limit", limit_price: 1.1003 })];
    const b = [...FLAT_BROKER, B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 1000, "1.1"), B.fill("08:00:02", "C1", "B1", "EURUSD", "buy", 1000, "1.1001"),
      B.fill("08:00:03", "C1", "B1", "EURUSD", "buy", 1000, "1.1003")];
    const cell = run(j, b).report.slippage[0]!;
    expect([cell.fills, D.toFixed(cell.meanPips, 2), D.toFixed(cell.p50Pips, 1), D.toFixed(cell.p95Pips, 1), D.toFixed(cell.maxPips, 1)])
      .toEqual([3, "1.33", "1.0", "3.0", "3.0"]);
    expect([cell.limitFills, D.toFixed(cell.meanLimitImprovementPips!, 2)]).toEqual([3, "1.67"]);
  });
});

describe("broker-limit mirrors and exposure", () => {
  const limits = { daily_loss_cap: 5000, symbol_caps: { EURUSD: 100000 } };

  it("broker limits equal to the engine's raise nothing and are mirrored in the report", () => {
    const r = run(FLAT_START, [...FLAT_BROKER, B.limits("00:00:01", 5000, { EUR_USD: 100000 })], { limits });
    expect(alertNames(r)).toEqual([]);
    expect(r.artifacts["reconcile-report.json"]).toContain(`"broker_limits": {\n    "ts": "2025-10-20T00:00:01Z",\n    "daily_loss_cap": "5000",\n    "symbol_caps": {\n      "EURUSD": "100000"`);
  });

  it("a mismatch raises ALERT_BROKER_LIMIT_MISMATCH naming the field, both values and the engine config hash", () => {
    const r = run(FLAT_START, [...FLAT_BROKER, B.limits("00:00:01", 2500, { EURUSD: 100000, GBPUSD: 5000 })], { limits });
    const alert = r.report.alerts.items.find((a) => a.alert === "ALERT_BROKER_LIMIT_MISMATCH")!;
    expect(alert.detail["fields"]).toEqual(["daily_loss_cap: engine=5000 broker=2500", "symbol_caps.GBPUSD: engine=unset broker=5000"]);
    expect(alert.detail["config_hash"]).toBe("test-config-hash");
    expect(alert.counts).toEqual({ mismatches: 2 });
    expect(kinds(r)).toEqual(["broker_limit_mismatch", "broker_limit_mismatch"]);
    expect(r.report.totals.killSwitch).toBe(false);
  });

  it("a position beyond its symbol cap is a finding and engages the kill switch", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 150000, 1.1)],
      [...FLAT_BROKER, B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 150000, 1.1)], { limits });
    expect(kinds(r)).toContain("symbol_cap_breach");
    expect(r.report.killSwitch.reasons).toEqual(["symbol_cap_breach"]);
  });

  it("realized P&L for the UTC day below minus the daily loss cap is a finding and engages the kill switch", () => {
    const r = run([...FLAT_START, J.decision("08:00:00", "C1", "EURUSD", "buy", 100000, 1.1), J.decision("09:00:00", "C2", "EURUSD", "sell", 100000, 1.03)],
      [...FLAT_BROKER, B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 100000, "1.1"), B.fill("09:00:01", "C2", "B2", "EURUSD", "sell", 100000, "1.03")], { limits });
    const f = r.report.findings.items.find((x) => x.kind === "daily_loss_breach")!;
    expect(f.detail).toMatchObject({ utc_day: "2025-10-20", realized_pnl: "-7000.00", daily_loss_cap: "5000" });
    expect(r.report.killSwitch.reasons).toEqual(["daily_loss_breach"]);
  });
});
