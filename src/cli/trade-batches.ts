// Trade rows go to trades.csv in batches as they are reconciled (by a replay or a merge), so memory
// holds one batch, never the whole file.

import type { ArtifactSetWriter } from "../adapters/artifacts.js";
import type { TradeRow } from "../domain/report.js";
import { renderTradeRows } from "../report/trades-csv.js";

const TRADE_ROWS_PER_WRITE = 4096;

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
