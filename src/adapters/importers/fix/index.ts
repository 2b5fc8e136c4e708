// FIX 4.4 logs → canonical broker events.
//
// Input is a QuickFIX-style message log (messages.ts reads and verifies it). ExecutionReports and
// PositionReports become events; session, market-data and request messages are counted and ignored.
//
// The parts: messages.ts splits a line into messages and verifies each; execution-reports.ts
// translates ExecutionReports (35=8) into records; identity.ts gives orders their engine key (the
// root of the OrigClOrdID chain) and records their event ids; amendments.ts applies trade cancels
// and corrections to earlier fills; snapshots.ts turns complete sets of PositionReports (35=AP)
// into snapshots.

import { assert } from "../../../domain/errors.js";
import { ImportReport, type ImportResult, type Pos } from "../common.js";
import { InstrumentFacts } from "../instruments.js";
import { applyAmendments } from "./amendments.js";
import type { FixImport } from "./context.js";
import { executionReport } from "./execution-reports.js";
import { BEGIN, type FixMessage, parseFix } from "./messages.js";
import { positionReport, positionSnapshots } from "./snapshots.js";

/** Message types that carry no execution (session, market data, requests we sent, lists). */
const NON_EXECUTION_TYPES: Readonly<Record<string, string>> = {
  "0": "Heartbeat", "1": "TestRequest", "2": "ResendRequest", "3": "Reject", "4": "SequenceReset", "5": "Logout",
  A: "Logon", D: "NewOrderSingle", F: "OrderCancelRequest", G: "OrderCancelReplaceRequest", H: "OrderStatusRequest",
  "9": "OrderCancelReject", E: "NewOrderList", V: "MarketDataRequest", W: "MarketDataSnapshot", X: "MarketDataIncrementalRefresh",
  AN: "RequestForPositions", AO: "RequestForPositionsAck", BA: "CollateralReport", BB: "CollateralInquiry",
  BE: "UserRequest", BF: "UserResponse", x: "SecurityListRequest", y: "SecurityList", AF: "OrderMassStatusRequest",
  j: "BusinessMessageReject", h: "TradingSessionStatus", g: "TradingSessionStatusRequest",
};

function start(): FixImport {
  return {
    report: new ImportReport(), out: [],
    instruments: new InstrumentFacts({
      asset_class: "not stated by the source (no SecurityType, 167)",
      quote_currency: "not stated by the source (no Currency, 15, on a non-FX instrument)",
      tick_size: "not stated by the source (no MinPriceIncrement, 969)",
    }),
    acked: new Set(), cumByOrder: new Map(), replaces: new Map(), seq: undefined, fillsByExec: new Map(), amendments: [], positionSets: new Map(),
  };
}

/** One line of the log: the messages on it, each checked on its own. */
function readLine(p: FixImport, text: string, lineNo: number, file: string): void {
  const starts = [...text.matchAll(BEGIN)].map((m) => m.index!);
  if (starts.length === 0) {
    // Fields without a BeginString: a fragment (docs, a wrapped line), not a message.
    if (/(^|[\s|\u0001])(35|150|39)=\w/.test(text)) {
      p.report.problem({ file, line: lineNo }, "FIX fields without a BeginString (8=FIX...): not a complete message");
    } else {
      p.report.ignore("non-FIX log line");
    }
    return;
  }
  if (starts[0]! > 0 && /(^|[\s|\u0001])35=\d/.test(text.slice(0, starts[0]))) {
    p.report.problem({ file, line: lineNo }, "text before the first BeginString looks like FIX fields: the line is mangled; the message after it is checked on its own");
  }
  starts.forEach((start, i) => {
    const pos: Pos = starts.length === 1 ? { file, line: lineNo } : { file, line: lineNo, item: i };
    const msg = parseFix(text.slice(start, starts[i + 1] ?? text.length));
    if (typeof msg === "string") {
      p.report.problem(pos, msg);
      return;
    }
    message(p, msg, pos);
  });
}

function message(p: FixImport, msg: FixMessage, pos: Pos): void {
  const f = msg.fields;
  const seqNum = f.get("34");
  p.seq = seqNum !== undefined && /^\d+$/.test(seqNum) ? { scope: `fix:${f.get("49") ?? ""}-${f.get("56") ?? ""}`, n: BigInt(seqNum) } : undefined;
  const type = f.get("35") ?? "";
  if (type === "AP") return positionReport(p, f, pos);
  if (type !== "8") {
    p.report.ignore(`35=${type} ${NON_EXECUTION_TYPES[type] ?? "(not an ExecutionReport)"}`);
    return;
  }
  executionReport(p, msg, pos);
}

/** Pure: lines of a FIX log in, canonical broker records and a report out. */
export function importFix(lines: Iterable<{ text: string; line: number; file: string }>): ImportResult {
  const p = start();
  for (const l of lines) readLine(p, l.text, l.line, l.file);
  positionSnapshots(p);
  const removed = applyAmendments(p);
  const records = p.out.filter((r) => !removed.has(r.fields));
  assert(records.length + removed.size === p.out.length, "every record is written or removed as a busted fill");
  return { records, report: p.report, instruments: p.instruments };
}
