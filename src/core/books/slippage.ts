// The report's slippage statistics per symbol and session (what each fill's slippage is, is a rule:
// rules/pricing.ts).

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { SlippageCell } from "../../domain/report.js";
import type { FillPricing } from "../rules/index.js";

interface CellAcc {
  unit: "pips" | "ticks";
  fills: number;
  presetHits: number;
  breaches: number;
  presetPips: Dec | null;
  /** Fills per slippage rounded to the reported 0.1 pip: percentiles in memory bounded by distinct values, not fills. */
  histogram: Map<Dec, number>;
  sum: Dec;
  limitFills: number;
  limitImprovementSum: Dec;
}

/** Per (symbol, session) statistics for the report. */
export class SlippageBook {
  private readonly cells = new Map<string, CellAcc>();

  /** Adds one fill's pricing to its (symbol, session) cell, counted in the instrument's unit. */
  record(cell: { readonly symbol: string; readonly session: string; readonly unit: "pips" | "ticks" }, fill: FillPricing): void {
    const { symbol, session, unit } = cell;
    const { slippagePips: pips, preset, breach, limitImprovementPips: limitImprovement } = fill;
    const key = `${symbol}\u0000${session}`;
    let c = this.cells.get(key);
    if (c === undefined) {
      c = { unit, fills: 0, presetHits: 0, breaches: 0, presetPips: preset?.maxSlippagePips ?? null, histogram: new Map(), sum: D.ZERO,
        limitFills: 0, limitImprovementSum: D.ZERO };
      this.cells.set(key, c);
    }
    c.fills += 1;
    if (preset !== undefined) c.presetHits += 1;
    if (breach) c.breaches += 1;
    const bin = D.roundTo(pips, 1);
    c.histogram.set(bin, (c.histogram.get(bin) ?? 0) + 1);
    c.sum = D.add(c.sum, pips);
    if (limitImprovement !== undefined) {
      c.limitFills += 1;
      c.limitImprovementSum = D.add(c.limitImprovementSum, limitImprovement);
    }
  }

  cellsSorted(): SlippageCell[] {
    return [...this.cells.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, c]) => {
        const [symbol, session] = key.split("\u0000") as [string, string];
        const bins = [...c.histogram].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return {
          symbol, session, unit: c.unit, fills: c.fills, presetPips: c.presetPips, presetHits: c.presetHits, breaches: c.breaches,
          meanPips: D.div(c.sum, D.decFromInt(c.fills)),
          p50Pips: nearestRank(bins, c.fills, 50),
          p95Pips: nearestRank(bins, c.fills, 95),
          maxPips: bins[bins.length - 1]![0],
          limitFills: c.limitFills,
          meanLimitImprovementPips: c.limitFills === 0 ? null : D.div(c.limitImprovementSum, D.decFromInt(c.limitFills)),
        };
      });
  }
}

/**
 * Nearest-rank percentile over the rounded values: always an observed value, so it needs no
 * interpolation rule. Rounding keeps order, so this is the exact percentile, rounded.
 */
function nearestRank(bins: ReadonlyArray<readonly [Dec, number]>, count: number, p: number): Dec {
  const rank = Math.max(1, Math.ceil((p / 100) * count));
  let seen = 0;
  for (const [value, n] of bins) {
    seen += n;
    if (seen >= rank) return value;
  }
  throw new Error("invariant: a percentile rank within the count");
}
