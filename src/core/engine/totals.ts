// The report's running totals: counters and sums a replay accumulates as it goes. Plain data owned
// by the engine; the modules that decide what happened add to it.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import { SlippageBook } from "../books/slippage.js";

export class Totals {
  recordsSeen = 0;
  journalRecords = 0;
  brokerEvents = 0;
  /** Reconciliation runs made, failed, and interval runs coalesced in quiet stretches. */
  runs = 0;
  reconcileFailures = 0;
  coalescedRuns = 0;
  ordersSent = 0;
  /** Decisions skipped as duplicates, and blocked by the kill switch. */
  skipped = 0;
  blocked = 0;
  /** The last group in which a decision was sent or skipped rather than blocked (-1: none). */
  lastUnblockedDecisionGroup = -1;
  fillsCaught = 0;
  staleCancelled = 0;
  slippageBreaches = 0;
  readonly breachesBySymbol = new Map<string, number>();
  readonly slippage = new SlippageBook();
  maxDriftPips: Dec = D.ZERO;
  maxDriftUnits: Dec = D.ZERO;
  /**
   * P&L of the engine's fills written to trades.csv (orphans' excluded), per quote currency and per
   * symbol, so the summary always equals the sum of the file's engine rows.
   */
  readonly realizedByCurrency = new Map<string, Dec>();
  readonly realizedBySymbol = new Map<string, Dec>();
  /** Fees of the engine's fills kept out of P&L (neither quote currency nor base asset), per currency. */
  readonly feesOutsidePnlByCurrency = new Map<string, Dec>();
  /** Per UTC day, the lowest realized P&L seen at a limits check (days that went negative only). */
  readonly dayPnlLows = new Map<string, Dec>();

  /** The id the next reconciliation run gets. */
  nextRunId(): string {
    return `R${String(this.runs + 1).padStart(5, "0")}`;
  }
}
