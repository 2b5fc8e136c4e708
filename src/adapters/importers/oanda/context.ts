// What the parts of the OANDA importer share while they read one input: the report, the records
// written so far (in source order), what the input states of its instruments, and the parts that
// settle at the end what needs the whole input.

import type { ImportOptions, ImportReport, Json, OutRecord, Pos } from "../common.js";
import type { InstrumentFacts } from "../instruments.js";
import type { HomeCurrency } from "./home-currency.js";
import type { OrderLinks } from "./identity.js";
import type { OrderListings } from "./order-listings.js";
import type { TransactionIds } from "./sequence.js";
import type { PositionListings } from "./snapshots.js";

export interface OandaImport {
  readonly opts: ImportOptions;
  readonly report: ImportReport;
  /** Every record written, in the order the input gave them (ties in time keep it). */
  readonly out: OutRecord[];
  readonly instruments: InstrumentFacts;
  readonly ids: TransactionIds;
  readonly links: OrderLinks;
  readonly home: HomeCurrency;
  readonly positions: PositionListings;
  readonly orderListings: OrderListings;
}

/** One transaction being translated: its fields as read, its id, time and event id. */
export interface TxContext {
  readonly tx: Json;
  readonly type: string;
  readonly id: string;
  readonly ts: string;
  readonly eventId: string;
  readonly pos: Pos;
}
