// What the parts of the IB importer share while they read one input: the report, the timeline of
// records (each with its time, or none yet: untimed messages borrow a neighbour's at the end), the
// orders known by permId, executions by execId and their commissions, what the input states of its
// instruments.

import type { Dec } from "../../../domain/decimal.js";
import type { BrokerSeq, ImportOptions, ImportReport, Pos } from "../common.js";
import type { InstrumentFacts } from "../instruments.js";

export interface OrderInfo {
  readonly permId: string;
  readonly coid: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly qty: Dec | undefined;
}

/** A record with an optional time: untimed ones borrow a neighbour's time at the end. */
export interface Entry {
  ts: string | undefined;
  readonly fields: Record<string, unknown> | undefined;
  readonly pos: Pos;
  /** An execution's place in the account's sequence (its execId). */
  readonly seq?: BrokerSeq;
}

export interface Exec {
  readonly entry: Entry;
  readonly execId: string;
  readonly rev: bigint;
}

/** A completedOrder (101), settled at the end against the executions seen. */
export interface Completed {
  readonly info: OrderInfo;
  readonly ts: string;
  readonly status: string;
  readonly action: string;
  /** Where its events go in the timeline (a placeholder: no record, no time). */
  readonly anchor: Entry;
  readonly pos: Pos;
}

export interface IbImport {
  readonly opts: ImportOptions;
  readonly report: ImportReport;
  readonly instruments: InstrumentFacts;
  /** Every record (and time anchor) in the order the input gave them. */
  readonly timeline: Entry[];
  readonly orders: Map<string, OrderInfo>;
  /** The permId of an order id (a client's own numbering), from openOrder and orderStatus. */
  readonly permByOrderId: Map<string, string>;
  readonly acked: Set<string>;
  /** Orders whose cancel or reject is written. */
  readonly terminal: Set<string>;
  /** The latest revision of each execution, by execId without its revision. */
  readonly execs: Map<string, Exec>;
  readonly commissions: Map<string, { commission: Dec | undefined; currency: string }>;
  readonly completed: Completed[];
  /** The position messages since the last positionEnd (62), and where the first of them was. */
  positions: { lines: Record<string, unknown>[]; pos: Pos } | undefined;
  /** Whether the note that zoneless times are read in --tz was written. */
  zonelessNoted: boolean;
}
