// `replay --jobs` renders trade rows in its workers, one text per row (renderTradesEach), and the
// main thread writes the texts in merged order. That is exact only if each row's text is what the
// whole-batch renderer writes for it: one line when no cell holds a line break, several (quoted,
// formula-neutralized) when one does.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Dec } from "../src/domain/decimal.js";
import type { TradeRow } from "../src/domain/report.js";
import { renderTradeRows, renderTradesEach, stringifyRows } from "../src/artifacts/trades-csv.js";

const SEED = Number(process.env["FC_SEED"] ?? 1809);

const row = (over: Partial<TradeRow>): TradeRow => ({
  ts: "2025-01-06T00:00:00.2Z", decisionId: "D-1", clientOrderId: "C-1", brokerOrderId: "B-1", symbol: "EURUSD", side: "buy",
  qty: 10_000_000_000_000n as Dec, price: 10_850_000_000n as Dec, refPrice: undefined, slippagePips: -12_000_000_000n as Dec, session: "london",
  fee: 0n as Dec, realizedPnl: -1_234_500_000n as Dec, source: "stream", currency: "USD", feeCurrency: "USD", ...over,
});

/** Text cells that stress the renderer: commas, quotes, CR, LF, tabs, apostrophes, formula prefixes, full-width forms. */
const cell = fc.stringMatching(/^[a-z0-9,"'=+\-@\t\r\n \uFF1D\uFF0B\uFF0D\uFF20\uFF0C]{0,8}$/);

describe("renderTradeRows: plain rows written directly, the rest by csv-stringify, the same bytes", () => {
  it(`prop_renderTradeRows_equals_csv_stringify (seed ${SEED}): any cells, any numbers`, () => {
    const dec = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((n) => n as Dec);
    fc.assert(fc.property(
      fc.array(fc.record({
        decisionId: cell, clientOrderId: cell, brokerOrderId: cell, session: cell, symbol: cell, currency: cell, feeCurrency: cell,
        qty: dec, price: dec, fee: dec, realizedPnl: dec, refPrice: fc.option(dec, { nil: undefined }), slippagePips: fc.option(dec, { nil: undefined }),
      }), { maxLength: 12 }),
      (overs) => {
        const rows = overs.map(row);
        expect(renderTradeRows(rows)).toBe(stringifyRows(rows));
      }), { seed: SEED, numRuns: 500 });
  });
});

describe("renderTradesEach: each row's own text", () => {
  it(`prop_renderTradesEach_joins_to_renderTradeRows (seed ${SEED}): any rows, any cells`, () => {
    fc.assert(fc.property(
      fc.array(fc.record({ decisionId: cell, clientOrderId: cell, brokerOrderId: cell, session: cell, symbol: fc.constantFrom("EURUSD", "USDJPY") }), { maxLength: 12 }),
      (overs) => {
        const rows = overs.map(row);
        const each = renderTradesEach(rows);
        expect(each.map((r) => r.csv).join("")).toBe(renderTradeRows(rows));
        expect(each.map((r) => r.symbol)).toEqual(rows.map((r) => r.symbol));
        // Row by row, not only joined: each text is the row rendered alone.
        each.forEach((r, i) => expect(r.csv).toBe(renderTradeRows([rows[i]!])));
      }), { seed: SEED, numRuns: 300 });
  });

  it("a cell with a line break makes that row several lines, still its own text", () => {
    const rows = [row({ decisionId: "a" }), row({ clientOrderId: "x\n=1+2" }), row({ decisionId: "c" })];
    const each = renderTradesEach(rows);
    expect(each[1]!.csv).toBe(`${renderTradeRows([rows[1]!])}`);
    expect(each[1]!.csv.split("\n").length).toBeGreaterThan(2);
    expect(each.map((r) => r.csv).join("")).toBe(renderTradeRows(rows));
  });
});
