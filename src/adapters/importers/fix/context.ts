// What the parts of the FIX importer share while they read one log: the report, the records written
// so far (in source order), what the log states of its instruments, and what settles at the end
// (busts and corrections of fills, sets of position reports).

import type { Dec } from "../../../domain/decimal.js";
import type { BrokerSeq, ImportReport, OutRecord, Pos } from "../common.js";
import type { InstrumentFacts } from "../instruments.js";

/** A trade cancel (150=H) or correction (150=G) of an earlier fill. */
export interface Amendment {
  readonly kind: "H" | "G";
  /** ExecRefID (19): the execution busted or corrected. */
  readonly ref: string;
  readonly execId: string;
  readonly session: string;
  readonly qty: Dec | undefined;
  readonly price: string | undefined;
  readonly pos: Pos;
}

/** The PositionReports (35=AP) of one request: a snapshot once all TotalNumPosReports are in. */
export interface PositionSet {
  readonly request: string;
  readonly total: number;
  readonly reports: { fields: ReadonlyMap<string, string>; pos: Pos }[];
  readonly pos: Pos;
}

export interface FixImport {
  readonly report: ImportReport;
  /** Every record written, in the order the log gave them (ties in time follow MsgSeqNum). */
  readonly out: OutRecord[];
  readonly instruments: InstrumentFacts;
  /** Orders acknowledged, by OrderID and ClOrdID. */
  readonly acked: Set<string>;
  /** Each order's CumQty (14) already imported as fills. */
  readonly cumByOrder: Map<string, Dec>;
  /** ClOrdID → the ClOrdID it replaced (OrigClOrdID), for the chain's root. */
  readonly replaces: Map<string, string>;
  /** The MsgSeqNum (34) of the message being read, in its session. */
  seq: BrokerSeq | undefined;
  /** Fills by session and ExecID, for the busts and corrections that name them. */
  readonly fillsByExec: Map<string, { fields: Record<string, unknown>; pos: Pos }>;
  readonly amendments: Amendment[];
  /** Position reports by session and PosReqID. */
  readonly positionSets: Map<string, PositionSet>;
}
