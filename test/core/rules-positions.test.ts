// rules/drift.ts, rules/limits.ts, rules/recovery.ts: positions against tolerance, caps and the
// daily loss cap (each at, below and above its boundary), and recovery after a restart.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as D from "../../src/domain/decimal.js";
import { driftSignature, positionDrift } from "../../src/core/rules/drift.js";
import { dailyLossBreached, limitMismatches, overCap } from "../../src/core/rules/limits.js";
import { recoveryActions } from "../../src/core/rules/recovery.js";
import { d, dec, PARAMS, position } from "./arbitraries.js";

const PIP = d("0.0001");
const TOL = { units: d("0"), pips: d("0.5") };
const long = (qty: string, avg: string) => ({ qty: d(qty), avgPrice: d(avg) });

describe("positionDrift (tolerances exclusive: beyond means strictly more)", () => {
  it("units: at the tolerance is within, one unit more is beyond", () => {
    const tol = { units: d("100"), pips: d("0.5") };
    expect(positionDrift(long("1000", "1.1"), long("1100", "1.1"), PIP, tol).beyond).toBe(false);
    expect(positionDrift(long("1000", "1.1"), long("1099", "1.1"), PIP, tol).beyond).toBe(false);
    expect(positionDrift(long("1000", "1.1"), long("1101", "1.1"), PIP, tol).beyond).toBe(true);
  });

  it("pips: 0.5 pip of average price is within, 0.50001 beyond, 0.49999 within", () => {
    expect(positionDrift(long("1000", "1.10000"), long("1000", "1.10005"), PIP, TOL)).toEqual({ units: d("0"), pips: d("0.5"), beyond: false, headlinePips: d("0.5") });
    expect(positionDrift(long("1000", "1.10000"), long("1000", "1.100050001"), PIP, TOL).beyond).toBe(true);
    expect(positionDrift(long("1000", "1.10000"), long("1000", "1.100049999"), PIP, TOL).beyond).toBe(false);
  });

  it("pips are compared only when both hold the same direction", () => {
    // Opposite sides: no pips of average price; the headline counts the value drift per unit held.
    expect(positionDrift(long("1000", "1.1"), long("-1000", "1.2"), PIP, TOL)).toEqual({ units: d("2000"), pips: d("0"), beyond: true, headlinePips: d("23000") });
    expect(positionDrift({ qty: D.ZERO, avgPrice: D.ZERO }, long("1000", "1.2"), PIP, TOL).pips).toBe(D.ZERO);
  });

  it("prop_positionDrift_within_tolerance_never_beyond: equal books never drift; drift is symmetric", () => {
    fc.assert(fc.property(position, position, (a, b) => {
      expect(positionDrift(a, a, PIP, TOL)).toEqual({ units: D.ZERO, pips: D.ZERO, beyond: false, headlinePips: D.ZERO });
      const ab = positionDrift(a, b, PIP, TOL);
      const ba = positionDrift(b, a, PIP, TOL);
      expect(ab.units).toBe(ba.units);
      expect(ab.headlinePips).toBe(ba.headlinePips);
      expect(ab.beyond).toBe(ab.units > TOL.units || ab.pips! > TOL.pips);
    }), PARAMS);
  });

  it("prop_positionDrift_units_within_tolerance_never_beyond_on_units", () => {
    fc.assert(fc.property(dec(-1000, 1000, 0), dec(0, 500, 0), dec(0, 500, 0), (qty, delta, tolerance) => {
      const r = positionDrift({ qty, avgPrice: D.ZERO }, { qty: D.add(qty, delta), avgPrice: D.ZERO }, PIP, { units: tolerance, pips: d("1000") });
      expect(r.beyond).toBe(delta > tolerance);
    }), PARAMS);
  });

  it("the same two positions give the same signature; any change gives another", () => {
    expect(driftSignature(long("1", "2"), long("3", "4"))).toBe(driftSignature(long("1", "2"), long("3", "4")));
    expect(driftSignature(long("1", "2"), long("3", "4"))).not.toBe(driftSignature(long("1", "2"), long("3", "4.1")));
  });
});

describe("limits", () => {
  it("overCap: at the cap is allowed, one unit over breaches, either direction", () => {
    expect(overCap(d("99999"), d("100000"))).toBe(false);
    expect(overCap(d("100000"), d("100000"))).toBe(false);
    expect(overCap(d("100001"), d("100000"))).toBe(true);
    expect(overCap(d("-100001"), d("100000"))).toBe(true);
  });

  it("dailyLossBreached: a loss equal to the cap is allowed, a cent more breaches; no cap never breaches", () => {
    expect(dailyLossBreached(d("-499.99"), d("500"))).toBe(false);
    expect(dailyLossBreached(d("-500"), d("500"))).toBe(false);
    expect(dailyLossBreached(d("-500.01"), d("500"))).toBe(true);
    expect(dailyLossBreached(d("-1e9"), undefined)).toBe(false);
  });

  it("prop_dailyLossBreached_only_beyond_the_cap", () => {
    fc.assert(fc.property(dec(-10000, 10000), dec(0, 10000), (pnl, cap) => {
      expect(dailyLossBreached(pnl, cap)).toBe(D.add(pnl, cap) < 0n);
    }), PARAMS);
  });

  it("prop_overCap_symmetric_in_direction", () => {
    fc.assert(fc.property(dec(-1e6, 1e6, 0), dec(0, 1e6, 0), (qty, cap) => {
      expect(overCap(qty, cap)).toBe(overCap(D.neg(qty), cap));
      expect(overCap(qty, cap)).toBe(D.abs(qty) > cap);
    }), PARAMS);
  });

  it("limitMismatches names each field that differs, with both values; equal limits give none", () => {
    const engine = { dailyLossCap: d("500"), symbolCaps: [["EURUSD", d("1000")]] as const };
    expect(limitMismatches(engine, engine)).toEqual([]);
    expect(limitMismatches(engine, { dailyLossCap: d("400"), symbolCaps: [["USDJPY", d("5")]] })).toEqual([
      "daily_loss_cap: engine=500 broker=400", "symbol_caps.EURUSD: engine=1000 broker=unset", "symbol_caps.USDJPY: engine=unset broker=5",
    ]);
    expect(limitMismatches({ dailyLossCap: undefined, symbolCaps: [] }, { dailyLossCap: d("500"), symbolCaps: [] }))
      .toEqual(["daily_loss_cap: engine=unset broker=500"]);
  });

  it("prop_limitMismatches_empty_iff_equal", () => {
    const caps = fc.uniqueArray(fc.tuple(fc.constantFrom("EURUSD", "USDJPY", "GBPUSD"), dec(1, 10)), { selector: ([s]) => s })
      .map((a) => a.sort(([x], [y]) => (x < y ? -1 : 1)));
    fc.assert(fc.property(dec(1, 100), caps, dec(1, 100), caps, (c1, s1, c2, s2) => {
      const same = c1 === c2 && JSON.stringify(s1, (_k, v) => (typeof v === "bigint" ? String(v) : v)) === JSON.stringify(s2, (_k, v) => (typeof v === "bigint" ? String(v) : v));
      expect(limitMismatches({ dailyLossCap: c1, symbolCaps: s1 }, { dailyLossCap: c2, symbolCaps: s2 }).length === 0).toBe(same);
    }), PARAMS);
  });
});

describe("recoveryActions (staged after a restart, never executed)", () => {
  const positions = new Map([["USDJPY", long("-1000", "150")], ["EURUSD", long("1000", "1.1")]]);
  it("RESUME stages nothing; CLOSE_ALL closes every position, in symbol order, on the opposite side", () => {
    expect(recoveryActions({ policy: "RESUME", lossThreshold: undefined }, positions, () => undefined)).toEqual([]);
    const all = recoveryActions({ policy: "CLOSE_ALL", lossThreshold: undefined }, positions, () => undefined);
    expect(all.map((a) => [a.action, a.symbol, a.side, D.toPlain(a.qty)])).toEqual([
      ["close_position", "EURUSD", "sell", "1000"], ["close_position", "USDJPY", "buy", "1000"],
    ]);
  });

  it("EMERGENCY_EXIT: a loss at the threshold closes (inclusive), a smaller one does not, no mark asks for review", () => {
    const one = new Map([["EURUSD", long("1000", "1.1")]]);
    const at = (mark: string, threshold: string) =>
      recoveryActions({ policy: "EMERGENCY_EXIT", lossThreshold: d(threshold) }, one, () => d(mark)).map((a) => a.action);
    expect(at("1.09", "10")).toEqual(["close_position"]);   // loss 10.00, threshold 10
    expect(at("1.0901", "10")).toEqual([]);                  // loss 9.90
    expect(at("1.0899", "10")).toEqual(["close_position"]); // loss 10.10
    expect(recoveryActions({ policy: "EMERGENCY_EXIT", lossThreshold: d("10") }, one, () => undefined).map((a) => a.action)).toEqual(["review_position"]);
  });

  it("prop_recoveryActions_one_action_per_position_at_most_and_flattening", () => {
    const book = fc.dictionary(fc.constantFrom("EURUSD", "USDJPY", "GBPUSD"), position.filter((p) => !D.isZero(p.qty)));
    fc.assert(fc.property(book, fc.constantFrom("RESUME" as const, "CLOSE_ALL" as const, "EMERGENCY_EXIT" as const), dec(0, 100), (o, policy, threshold) => {
      const map = new Map(Object.entries(o));
      const actions = recoveryActions({ policy, lossThreshold: threshold }, map, () => d("1"));
      expect(new Set(actions.map((a) => a.symbol)).size).toBe(actions.length);
      for (const a of actions) {
        const pos = map.get(a.symbol)!;
        expect(a.qty).toBe(D.abs(pos.qty));
        expect(a.side).toBe(D.sign(pos.qty) > 0 ? "sell" : "buy");
      }
      if (policy === "CLOSE_ALL") expect(actions.length).toBe(map.size);
    }), PARAMS);
  });
});
