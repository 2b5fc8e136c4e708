// What the parts of the ccxt importer share while they read one input: the report (each problem
// said after the recorded response it came from), the records written so far, every order merged
// over its copies, trades by event id, position listings, and what the input states of its
// instruments.

import type { Dec } from "../../../domain/decimal.js";
import type { ImportOptions, ImportReport, Json, OutRecord, Pos } from "../common.js";
import type { CryptoSymbol } from "../crypto-symbols.js";
import type { InstrumentFacts } from "../instruments.js";

export const ORDER_KEYS = ["clientOrderId", "id"] as const;
export type OrderKey = (typeof ORDER_KEYS)[number];

export interface CcxtOptions extends ImportOptions {
  readonly orderKey?: OrderKey | undefined;
}

/** Everything the input says about one exchange order, merged over every copy of it. */
export interface OrderFacts {
  readonly id: string;
  readonly pos: Pos;
  /** The recorded response it came from, said before its problems. */
  readonly context: string;
  instrument: CryptoSymbol;
  ts: string;
  clientOrderId: string | undefined;
  side: "buy" | "sell" | undefined;
  amount: Dec | undefined;
  limitPrice: Dec | undefined;
  status: string | undefined;
  filled: Dec;
  average: Dec | undefined;
  lastTradeTs: string | undefined;
  lastUpdateTs: string | undefined;
  latest: Json;
}

export interface TradeRecord {
  readonly out: OutRecord;
  readonly orderId: string;
  readonly qty: Dec;
}

/** A position listing: its positions, and the recorded response it came from. */
export interface PositionList {
  readonly pos: Pos;
  readonly list: readonly Json[];
  readonly prefix: string;
}

export interface CcxtImport {
  readonly opts: CcxtOptions;
  readonly report: ImportReport;
  readonly instruments: InstrumentFacts;
  /** Every record written, in the order the input gave them (ties in time keep it). */
  readonly out: OutRecord[];
  readonly orders: Map<string, OrderFacts>;
  readonly trades: Map<string, TradeRecord>;
  readonly positionLists: PositionList[];
  /** Position objects of one top-level array: together they are one listing. */
  readonly positionGroups: Map<number, { pos: Pos; list: Json[] }>;
  /** Spot pairs the input trades: a listing of contracts would call them flat. */
  readonly spotSymbols: Set<string>;
  /** Where a recorded response's case sits, said before each of its problems. */
  context: string;
}

/** A problem, said after the recorded response it came from. */
export function problem(p: CcxtImport, pos: Pos, reason: string): void {
  p.report.problem(pos, p.context + reason);
}
