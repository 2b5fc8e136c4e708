// The headline of summary.txt is what a proof greps. A drift in units alone once read `drift=0.0`
// beside a position_drift finding and the kill switch: whoever greps the headline read healthy.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as D from "../../src/domain/decimal.js";
import { HEADLINE_DRIFT_PIPS_MIN, positionDrift } from "../../src/core/rules/drift.js";
import { B, J, type Obj, run } from "../helpers/replay.js";

const headline = (r: ReturnType<typeof run>): string => r.artifacts["summary.txt"].split("\n")[0]!;
const dec = (text: string) => D.parseDec(text)!;

describe("the headline never reads drift=0.0 while a position_drift stands", () => {
  it("the engine flat while the broker holds 300 after a broker-side liquidation", () => {
    const r = run([J.snapshot("07:00:00")], [B.snapshot("06:59:00"), B.snapshot("07:01:00", [{ symbol: "EURUSD", qty: 300, avg_price: 1.1 }])]);
    expect(r.report.findings.items.map((f) => f.kind)).toContain("position_drift");
    // The value of 300 units at 1.1 per unit held: the whole price, 11000 pips.
    expect(headline(r)).toBe("reconcile_summary stale=0 orphan=0 drift=11000.0 cache_ok=true");
    expect(r.artifacts["metrics.txt"]).toContain("engine_reconcile_position_drift_pips 11000.0\n");
  });

  it("a wallet 0.9 short of the engine's 30 ETH", () => {
    const config = { instruments: { ETHUSD: { asset_class: "crypto", quote_currency: "USD", tick_size: 0.01 } } };
    const journal: Obj[] = [J.snapshot("07:00:00", [], [{ symbol: "ETHUSD", qty: 30, avg_price: 2000 }])];
    const broker: Obj[] = [B.snapshot("06:59:59", [{ symbol: "ETHUSD", qty: 29.1, avg_price: 2000 }])];
    const r = run(journal, broker, config);
    const drift = r.report.findings.items.find((f) => f.kind === "position_drift")!;
    expect(drift.detail["drift_pips"]).toBe("0.0");
    // 0.9 x 2000 over the 30 held, in ticks of 0.01: 6000.
    expect(drift.detail["headline_drift_pips"]).toBe("6000.0");
    expect(headline(r)).toBe("reconcile_summary stale=0 orphan=0 drift=6000.0 cache_ok=true");
  });

  it("a drift within tolerance still reads as its average-price drift (0.0 here), as before", () => {
    const config = { drift_tolerance_units: 1 };
    const r = run([J.snapshot("07:00:00", [], [{ symbol: "EURUSD", qty: 1000, avg_price: 1.1 }])],
      [B.snapshot("06:59:59", [{ symbol: "EURUSD", qty: 1000.5, avg_price: 1.1 }])], config);
    expect(r.report.findings.items).toEqual([]);
    expect(headline(r)).toBe("reconcile_summary stale=0 orphan=0 drift=0.0 cache_ok=true");
  });

  it("prop_positionDrift_headline_never_zero_beyond_tolerance: beyond tolerance the headline is at least 0.1 and at least the price drift", () => {
    const qty = fc.integer({ min: -5000, max: 5000 }).map((n) => D.decFromInt(n));
    const price = fc.integer({ min: 1, max: 300000 }).map((n) => D.div(D.decFromInt(n), D.decFromInt(10000)));
    const pip = fc.constantFrom(dec("0.0001"), dec("0.01"), undefined);
    fc.assert(fc.property(qty, price, qty, price, pip, (qe, pe, qb, pb, size) => {
      const engine = { qty: qe, avgPrice: D.isZero(qe) ? D.ZERO : pe };
      const broker = { qty: qb, avgPrice: D.isZero(qb) ? D.ZERO : pb };
      const d = positionDrift(engine, broker, size, { units: D.ZERO, pips: dec("0.5") });
      if (!d.beyond) return d.headlinePips === (d.pips ?? D.ZERO);
      return d.headlinePips >= HEADLINE_DRIFT_PIPS_MIN && d.headlinePips >= (d.pips ?? D.ZERO);
    }), { seed: 20261207 });
  });
});
