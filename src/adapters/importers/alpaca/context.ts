// What the parts of the Alpaca importer share while they read one input: the report, the records
// written so far (in source order), what the input states of its instruments, the orders' identity,
// and what settles at the end (notional acknowledgements, executions from several sources,
// positions given one by one).

import type { Dec } from "../../../domain/decimal.js";
import type { ImportOptions, ImportReport, Json, OutRecord, Pos } from "../common.js";
import type { InstrumentFacts } from "../instruments.js";
import type { OrderIdentity } from "./identity.js";

export type FillSource = "execution" | "activity" | "order";

export interface FillRecord {
  readonly out: OutRecord;
  readonly orderId: string;
  readonly source: FillSource;
  /** The execution's id, where the source names it (a trade update's execution_id, an activity id's uuid). */
  readonly execId: string | undefined;
  /** The order's cumulative filled quantity right after this execution, where the source states it. */
  readonly cumAfter: Dec | undefined;
  readonly qty: Dec;
}

/** A notional order's acknowledgement, written at the end with the quantity it filled. */
export interface NotionalAck {
  readonly order: Json;
  readonly ts: string;
  readonly pos: Pos;
  readonly notional: string;
}

export interface AlpacaImport {
  readonly opts: ImportOptions;
  readonly report: ImportReport;
  /** Every record written, in the order the input gave them (ties in time keep it). */
  readonly out: OutRecord[];
  readonly instruments: InstrumentFacts;
  readonly ids: OrderIdentity;
  /** Orders acknowledged (or whose acknowledgement waits for the quantity a notional order filled). */
  readonly acked: Set<string>;
  /** Orders whose end (cancel, expiry, replacement, reject) is written. */
  readonly terminal: Set<string>;
  readonly notionalAcks: NotionalAck[];
  /** The latest order object per id, for the fallback fill. */
  readonly orderObjects: Map<string, { order: Json; pos: Pos }>;
  readonly fills: FillRecord[];
  /** Position objects of one top-level array: together they are one snapshot. */
  readonly positionGroups: Map<number, { pos: Pos; list: Json[] }>;
}
