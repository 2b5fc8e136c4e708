// Trade rows go to trades.csv in batches as they are reconciled (by a replay or a merge), so memory
// holds one batch, never the whole file.

import type { TradeRow } from "../domain/report.js";
import { type RenderedTrade, renderTradeRows } from "../artifacts/trades-csv.js";

/**
 * Small enough that a batch's rows die young: rows held across V8's young-generation collections
 * are promoted to the old generation and cost a full collection later. At 4 096 the trade rows
 * were a third of what a replay promoted; at 256 they are gone from it (docs/benchmarks.md).
 */
const TRADE_ROWS_PER_WRITE = 256;

/** Where trade rows' text goes: the staged trades.csv of an artifact set, or memory. */
export interface StreamedArtifact {
  appendStreamed(text: string): void;
}

/** Writes trade rows of type `T` (a row, or a row rendered already) in batches; `render` makes their text. */
export class TradeBatches<T = TradeRow> {
  private batch: T[] = [];

  constructor(private readonly writer: StreamedArtifact, private readonly render: (rows: readonly T[]) => string) {}

  add(rows: readonly T[]): void {
    for (const row of rows) this.batch.push(row);
    if (this.batch.length >= TRADE_ROWS_PER_WRITE) this.flush();
  }

  flush(): void {
    this.writer.appendStreamed(this.render(this.batch));
    this.batch = [];
  }
}

/** Trade rows as the replay and merge hold them. */
export const tradeRowBatches = (writer: StreamedArtifact) => new TradeBatches<TradeRow>(writer, renderTradeRows);

/** Rows the workers of `replay --jobs` rendered already: their texts, in order. */
export const renderedTradeBatches = (writer: StreamedArtifact) =>
  new TradeBatches<RenderedTrade>(writer, (rows) => rows.map((row) => row.csv).join(""));
