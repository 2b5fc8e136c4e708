// Interactive Brokers TWS API messages, as recorded by client libraries → canonical broker events.
//
// Input: recorded messages (`|` or NUL separated), a recorded session YAML, or a raw TWS API log
// (wire.ts). The layout is that of current TWS servers (no version field in orderStatus /
// execDetails).
//
// The parts: wire.ts reads a line into a message's fields; orders.ts and executions.ts translate
// order messages and executions into records; identity.ts gives orders their engine key and
// contracts their symbol; snapshots.ts turns position messages into snapshots; timeline.ts reads
// TWS times (in --tz where they carry no zone) and gives untimed messages a neighbour's time.

import { ImportReport, type ImportOptions, type ImportResult, type Pos } from "../common.js";
import { InstrumentFacts } from "../instruments.js";
import type { IbImport } from "./context.js";
import { commissionReport, execDetails, latestExecutions } from "./executions.js";
import { contractData } from "./identity.js";
import { completedOrder, error, openOrder, orderStatus, settleCompleted } from "./orders.js";
import { position, positionEnd, reportUnclosedPositions } from "./snapshots.js";
import { timeAnchor, timedRecords } from "./timeline.js";
import { ibFields } from "./wire.js";

const INFO_MESSAGES: Readonly<Record<string, string>> = {
  "9": "nextValidId", "15": "managedAccounts", "53": "openOrderEnd", "55": "execDetailsEnd", "63": "accountSummary",
  "64": "accountSummaryEnd", "102": "completedOrdersEnd",
  "1": "tickPrice", "2": "tickSize", "6": "updateAccountValue", "7": "updatePortfolio", "8": "updateAccountTime",
  "46": "tickString", "52": "contractDataEnd", "17": "historicalData",
};

function start(opts: ImportOptions): IbImport {
  return {
    opts, report: new ImportReport(),
    instruments: new InstrumentFacts({
      tick_size: "not stated by the source (IB states minTick in contract details: import a reqContractDetails answer, message 10, with the messages)",
    }),
    timeline: [], orders: new Map(), permByOrderId: new Map(), acked: new Set(), terminal: new Set(), execs: new Map(),
    commissions: new Map(), completed: [], positions: undefined, zonelessNoted: false,
  };
}

function readLine(p: IbImport, text: string, pos: Pos): void {
  const parsed = ibFields(text);
  if (parsed === undefined) return; // YAML structure, blank or comment lines
  if ("request" in parsed) {
    p.report.ignore("request sent to TWS");
    return;
  }
  if ("bad" in parsed) {
    p.report.problem(pos, parsed.bad);
    return;
  }
  message(p, parsed.fields, pos);
}

function message(p: IbImport, f: string[], pos: Pos): void {
  const id = f[0]!;
  switch (id) {
    case "5": return openOrder(p, f, pos);
    case "3": return orderStatus(p, f, pos);
    case "4": return error(p, f, pos);
    case "11": return execDetails(p, f, pos);
    case "59": return commissionReport(p, f);
    case "10": return contractData(p, f, pos);
    case "61": return position(p, f, pos);
    case "101": return completedOrder(p, f, pos);
    case "62": return positionEnd(p, pos);
    case "49": return timeAnchor(p, f, pos);
    default:
      p.report.ignore(`message ${id} ${INFO_MESSAGES[id] ?? "(not an order, execution or position)"}`);
  }
}

/** Pure: recorded IB lines in, canonical broker records and a report out. Throws ConfigError without --tz. */
export function importIb(lines: Iterable<{ text: string; line: number; file: string }>, opts: ImportOptions = {}): ImportResult {
  const p = start(opts);
  for (const l of lines) readLine(p, l.text, { file: l.file, line: l.line });
  settleCompleted(p);
  reportUnclosedPositions(p);
  const records = timedRecords(p, latestExecutions(p));
  return { records, report: p.report, instruments: p.instruments };
}
