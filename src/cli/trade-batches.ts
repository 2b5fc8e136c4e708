// Trade rows go to trades.csv in batches as they are reconciled (by a replay or a merge), so memory
// holds one batch, never the whole file.

import type { ArtifactSetWriter } from "../adapters/artifacts.js";
import type { TradeRow } from "../domain/report.js";
import { type RenderedTrade, renderTradeRows } from "../report/trades-csv.js";

/**
 * Small enough that a batch's rows die young: rows held across V8's young-generation collections
 * are promoted to the old generation and cost a full collection later. At 4 096 the trade rows
 * were a third of what a replay promoted; at 256 they are gone from it (README, Benchmarks).
 */
const TRADE_ROWS_PER_WRITE = 256;

export class TradeBatches {
  private batch: TradeRow[] = [];

  constructor(private readonly writer: ArtifactSetWriter) {}

  add(rows: readonly TradeRow[]): void {
    for (const row of rows) this.batch.push(row);
    if (this.batch.length >= TRADE_ROWS_PER_WRITE) this.flush();
  }

  flush(): void {
    this.writer.appendStreamed(renderTradeRows(this.batch));
    this.batch = [];
  }
}

/** The same for rows rendered already (by the workers of `replay --jobs`). */
export class RenderedTradeBatches {
  private batch: string[] = [];

  constructor(private readonly writer: ArtifactSetWriter) {}

  add(rows: readonly RenderedTrade[]): void {
    for (const row of rows) this.batch.push(row.csv);
    if (this.batch.length >= TRADE_ROWS_PER_WRITE) this.flush();
  }

  flush(): void {
    this.writer.appendStreamed(this.batch.join(""));
    this.batch = [];
  }
}
