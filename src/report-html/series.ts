// Cumulative realized P&L from trades.csv, and downsampling for charts. Sums are exact (bigint
// decimals) so the final value printed on the chart is the exact sum of the rows; the plotted points
// are doubles, which is fine for pixels.

import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import { byEventTime, type TradeView } from "../artifacts/read-trades.js";

export interface Series {
  readonly key: string;
  /** Event times (ms) and cumulative values, one per fill, in event-time order. */
  readonly t: number[];
  readonly v: number[];
  readonly final: Dec;
  readonly fills: number;
}

const UNIT = 10 ** D.SCALE_DIGITS;

function emptySeries(key: string): { key: string; t: number[]; v: number[]; final: Dec; fills: number } {
  return { key, t: [], v: [], final: D.ZERO, fills: 0 };
}

function step(per: Map<string, ReturnType<typeof emptySeries>>, key: string, row: TradeView): void {
  let s = per.get(key);
  if (s === undefined) per.set(key, (s = emptySeries(key)));
  s.final = D.add(s.final, row.realizedPnl);
  s.fills += 1;
  s.t.push(row.ms);
  s.v.push(Number(s.final) / UNIT);
}

const sortedSeries = (per: Map<string, Series>): Series[] => [...per.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/**
 * Cumulative P&L of the engine's fills in event time, per quote currency (the sums summary.txt
 * reports: currencies are never added) and per symbol. Orphan rows are the broker's, not the
 * engine's: they are left out, as the summary leaves them out. Returns also how many were left out.
 */
export function cumulativePnl(rows: readonly TradeView[], currencyOf: (symbol: string) => string): { byCurrency: Series[]; bySymbol: Series[]; orphans: number } {
  const currencies = new Map<string, ReturnType<typeof emptySeries>>();
  const symbols = new Map<string, ReturnType<typeof emptySeries>>();
  let orphans = 0;
  for (const row of byEventTime(rows)) {
    if (row.source === "orphan") {
      orphans += 1;
      continue;
    }
    step(currencies, currencyOf(row.symbol), row);
    step(symbols, row.symbol, row);
  }
  return { byCurrency: sortedSeries(currencies), bySymbol: sortedSeries(symbols), orphans };
}

/**
 * Index-bucketed min/max downsampling: each bucket keeps its first, lowest, highest and last point,
 * so peaks, troughs and the final value survive and the line keeps its shape. Returns indices.
 */
export function downsample(values: readonly number[], pointsMax: number): number[] {
  const n = values.length;
  if (n <= pointsMax) return values.map((_, i) => i);
  const buckets = Math.max(1, Math.floor(pointsMax / 4));
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (values[i]! < values[iMin]!) iMin = i;
      if (values[i]! > values[iMax]!) iMax = i;
    }
    const keep = [lo, iMin, iMax, hi - 1].sort((x, y) => x - y);
    for (let k = 0; k < keep.length; k++) if (k === 0 || keep[k] !== keep[k - 1]) out.push(keep[k]!);
  }
  return out;
}
