// FIX 4.4 ExecutionReports (35=8) → canonical broker events.
//
// Input is a QuickFIX-style message log: each line holds one or more messages, possibly after a
// log prefix (a time, a log4j header); fields are separated by SOH, `|`, or, in logs that rendered
// SOH as a space, by a space before the next `tag=`. Every message's BodyLength (9) and CheckSum
// (10) are verified against the SOH form of the message, so a mangled line is reported, never
// half-imported. Only ExecutionReports become events; session, market-data and request messages
// are counted and ignored.
//
// ExecType (150) decides the event: 0 new → order_accepted (once per order), F trade → fill when
// LastQty (32) > 0 — FXCM fills LastPx (31) with the market price even on reports that fill
// nothing — 4/C/3 → order_cancelled, 8 → order_rejected (or order_cancelled when part of the order
// had filled: the remainder was refused), 5 replaced → order_accepted of the replacement, which
// keeps the client order id at the root of the OrigClOrdID (41) chain.

import { type Dec, isZero, sign, sub } from "../../domain/decimal.js";
import { createHash } from "node:crypto";
import {
  type BrokerSeq, decOf, decText, ImportReport, type ImportResult, type OutRecord, type Pos, symbolOf,
} from "./common.js";

const SOH = "\u0001";
/** A BeginString at a field boundary (not the tail of a value such as 11=FIX.4.4:...). */
const BEGIN = /(?<=^|[\s|\u0001:>])8=FIX[T.0-9]*/g;
/** Message types that carry no execution (session, market data, requests we sent, lists). */
const NON_EXECUTION_TYPES: Readonly<Record<string, string>> = {
  "0": "Heartbeat", "1": "TestRequest", "2": "ResendRequest", "3": "Reject", "4": "SequenceReset", "5": "Logout",
  A: "Logon", D: "NewOrderSingle", F: "OrderCancelRequest", G: "OrderCancelReplaceRequest", H: "OrderStatusRequest",
  "9": "OrderCancelReject", E: "NewOrderList", V: "MarketDataRequest", W: "MarketDataSnapshot", X: "MarketDataIncrementalRefresh",
  AN: "RequestForPositions", AO: "RequestForPositionsAck", BA: "CollateralReport", BB: "CollateralInquiry",
  BE: "UserRequest", BF: "UserResponse", x: "SecurityListRequest", y: "SecurityList", AF: "OrderMassStatusRequest",
  j: "BusinessMessageReject", h: "TradingSessionStatus", g: "TradingSessionStatusRequest",
};

export interface FixMessage {
  /** Tag → first value (repeating groups keep their first occurrence; we read no group fields). */
  readonly fields: ReadonlyMap<string, string>;
  readonly soh: string;
}

/** Splits one message's text into fields; the separator is SOH, `|`, or a space before `tag=`. */
export function splitFix(text: string): string[] {
  const body = text.trim();
  if (body.includes(SOH)) return body.split(SOH).filter((f) => f !== "");
  if (/^8=FIX[^|]*\|/.test(body)) return body.split("|").map((f) => f.trim()).filter((f) => f !== "");
  return body.split(/\s+(?=\d+=)/).map((f) => f.trim()).filter((f) => f !== "");
}

/** Parses and verifies one message. Returns the reason when it is not a sound FIX message. */
export function parseFix(text: string): FixMessage | string {
  const parts = splitFix(text);
  if (parts.length < 4 || !parts[0]!.startsWith("8=") || !parts[1]!.startsWith("9=")) {
    return "not a FIX message: expected BeginString (8) then BodyLength (9)";
  }
  const lastIdx = parts.findIndex((p) => p.startsWith("10="));
  if (lastIdx === -1) return "message cut short: no CheckSum (10) field";
  const fields = parts.slice(0, lastIdx + 1);
  for (const f of fields) {
    if (!/^\d+=/.test(f)) return `malformed field ${JSON.stringify(f.slice(0, 30))}: expected tag=value`;
  }
  const soh = fields.join(SOH) + SOH;
  const checksumAt = soh.lastIndexOf(SOH + "10=") + 1;
  const beforeChecksum = soh.slice(0, checksumAt);
  const declaredLen = Number(fields[1]!.slice(2));
  const bodyStart = fields[0]!.length + 1 + fields[1]!.length + 1;
  const actualLen = Buffer.byteLength(beforeChecksum.slice(bodyStart), "utf8");
  if (declaredLen !== actualLen) return `BodyLength (9) says ${fields[1]!.slice(2)} but the body has ${actualLen} bytes: the message was altered`;
  let sum = 0;
  for (const byte of Buffer.from(beforeChecksum, "utf8")) sum = (sum + byte) % 256;
  const declared = fields[lastIdx]!.slice(3);
  if (!/^\d{3}$/.test(declared) || Number(declared) !== sum) {
    return `CheckSum (10) says ${declared} but the message sums to ${String(sum).padStart(3, "0")}: the message was altered`;
  }
  const map = new Map<string, string>();
  for (const f of fields) {
    const eq = f.indexOf("=");
    const tag = f.slice(0, eq);
    if (!map.has(tag)) map.set(tag, f.slice(eq + 1));
  }
  return { fields: map, soh };
}

/** FIX UTCTimestamp "YYYYMMDD-HH:MM:SS[.sss…]" as RFC 3339 UTC, fraction verbatim. */
export function fixTime(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/.exec(value);
  if (m === null) return undefined;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}Z`;
}

/**
 * When an execution happened: TransactTime (60), unless SendingTime (52) says the same second more
 * precisely (FXCM sends 60 in whole seconds and 52 in milliseconds). A 52 in a later second is when
 * the report was sent (a resend, a slow gateway), not when the trade was done, so 60 stands.
 */
export function executionTime(transact: string | undefined, sending: string | undefined): string | undefined {
  const t60 = fixTime(transact);
  const t52 = fixTime(sending);
  if (t60 === undefined || t52 === undefined) return t60 ?? t52;
  const digits = (t: string) => (t.length > 20 ? t.length - 21 : 0); // "YYYY-MM-DDTHH:MM:SS.fffZ"
  const sameMoment = t52.startsWith(t60.slice(0, -1)); // 52 truncated to 60's precision is 60
  return digits(t52) > digits(t60) && sameMoment ? t52 : t60;
}

const SIDES: Readonly<Record<string, "buy" | "sell">> = { "1": "buy", "2": "sell", "5": "sell", "6": "sell" };

class FixImporter {
  readonly report = new ImportReport();
  private readonly out: OutRecord[] = [];
  private readonly acked = new Set<string>();
  private readonly cumByOrder = new Map<string, Dec>();
  /** ClOrdID → the ClOrdID it replaced (OrigClOrdID), for the chain's root. */
  private readonly replaces = new Map<string, string>();
  /** The MsgSeqNum (34) of the message being read, in its session. */
  private seq: BrokerSeq | undefined;

  line(text: string, lineNo: number, file: string): void {
    const starts = [...text.matchAll(BEGIN)].map((m) => m.index!);
    if (starts.length === 0) {
      // Fields without a BeginString: a fragment (docs, a wrapped line), not a message.
      if (/(^|[\s|\u0001])(35|150|39)=\w/.test(text)) {
        this.report.problem({ file, line: lineNo }, "FIX fields without a BeginString (8=FIX...): not a complete message");
      } else {
        this.report.ignore("non-FIX log line");
      }
      return;
    }
    if (starts[0]! > 0 && /(^|[\s|\u0001])35=\d/.test(text.slice(0, starts[0]))) {
      this.report.problem({ file, line: lineNo }, "text before the first BeginString looks like FIX fields: the line is mangled; the message after it is checked on its own");
    }
    starts.forEach((start, i) => {
      const pos: Pos = starts.length === 1 ? { file, line: lineNo } : { file, line: lineNo, item: i };
      const msg = parseFix(text.slice(start, starts[i + 1] ?? text.length));
      if (typeof msg === "string") {
        this.report.problem(pos, msg);
        return;
      }
      this.message(msg, pos);
    });
  }

  private message(msg: FixMessage, pos: Pos): void {
    const f = msg.fields;
    const seqNum = f.get("34");
    this.seq = seqNum !== undefined && /^\d+$/.test(seqNum) ? { scope: `fix:${f.get("49") ?? ""}-${f.get("56") ?? ""}`, n: BigInt(seqNum) } : undefined;
    const type = f.get("35") ?? "";
    if (type !== "8") {
      if (type === "AP") this.report.problem(pos, "PositionReport (35=AP) not imported: per-ticket reports do not make a complete position snapshot");
      else this.report.ignore(`35=${type} ${NON_EXECUTION_TYPES[type] ?? "(not an ExecutionReport)"}`);
      return;
    }
    const execType = f.get("150") ?? "";
    const ts = executionTime(f.get("60"), f.get("52"));
    if (ts === undefined) {
      this.report.problem(pos, `ExecutionReport: TransactTime (60) / SendingTime (52): expected YYYYMMDD-HH:MM:SS[.fff], got ${JSON.stringify(f.get("60") ?? f.get("52"))}`);
      return;
    }
    const clOrdId = f.get("11");
    const orig = f.get("41");
    if (clOrdId !== undefined && orig !== undefined && orig !== clOrdId) this.replaces.set(clOrdId, orig);
    const coid = clOrdId === undefined ? undefined : this.root(clOrdId);
    const orderId = f.get("37");
    const brokerOrderId = orderId !== undefined && orderId !== "NONE" ? orderId : undefined;
    const eventId = this.eventId(msg);
    const base = { ts, event_id: eventId };
    switch (execType) {
      case "0":
      case "5": {
        if (brokerOrderId === undefined || coid === undefined) {
          this.report.problem(pos, `ExecType ${execType}: expected ClOrdID (11) and OrderID (37)`);
          return;
        }
        const key = `${brokerOrderId}|${clOrdId}`;
        if (this.acked.has(key)) {
          this.report.ignore("ExecType 0 restatement of an acknowledged order");
          return;
        }
        this.acked.add(key);
        const ack = this.orderFields(f, pos);
        if (ack === undefined) return;
        const fields: Record<string, unknown> = { type: "order_accepted", ...base, client_order_id: coid, broker_order_id: brokerOrderId, ...ack };
        if (execType === "5") fields["replaces_client_order_id"] = orig;
        this.push(fields, pos);
        return;
      }
      case "F":
      case "1":
      case "2":
        return this.trade(f, base, coid, brokerOrderId, pos);
      case "4":
      case "C":
      case "3":
        if (brokerOrderId === undefined) {
          this.report.problem(pos, `ExecType ${execType} (cancel): expected OrderID (37)`);
          return;
        }
        return this.push({ type: "order_cancelled", ...base, broker_order_id: brokerOrderId, reason: execType === "C" ? "expired" : execType === "3" ? "done_for_day" : "canceled" }, pos);
      case "8": {
        const reason = f.get("58") ?? f.get("103") ?? "rejected";
        const cum = decOf(f.get("14") ?? "0");
        if (cum !== undefined && sign(cum) > 0 && brokerOrderId !== undefined) {
          // Part of the order had filled: the remainder was refused, which for the book is a cancel.
          return this.push({ type: "order_cancelled", ...base, broker_order_id: brokerOrderId, reason: `remainder rejected: ${reason}` }, pos);
        }
        if (coid === undefined) {
          this.report.problem(pos, "ExecType 8 (rejected): expected ClOrdID (11)");
          return;
        }
        return this.push({ type: "order_rejected", ...base, client_order_id: coid, reason, ...(brokerOrderId === undefined ? {} : { broker_order_id: brokerOrderId }) }, pos);
      }
      case "H":
      case "G":
        this.report.problem(pos, `ExecType ${execType} (trade ${execType === "H" ? "cancel" : "correction"}) not imported: busting or correcting a fill is not supported`);
        return;
      default:
        this.report.ignore(`ExecutionReport ExecType ${execType}`);
    }
  }

  private trade(f: ReadonlyMap<string, string>, base: { ts: string; event_id: string }, coid: string | undefined, brokerOrderId: string | undefined, pos: Pos): void {
    const lastQty = decOf(f.get("32") ?? "0");
    if (lastQty === undefined || isZero(lastQty)) {
      // FXCM sets LastPx (31) to the market price on reports that executed nothing.
      this.report.ignore("ExecType F with LastQty 0 (not a fill)");
      return;
    }
    if (brokerOrderId === undefined) {
      this.report.problem(pos, "fill: expected OrderID (37)");
      return;
    }
    let qty = lastQty;
    const cum = decOf(f.get("14") ?? "");
    if (cum !== undefined) {
      // A later report of the same execution (FXCM's fill, then "order done") must not fill twice.
      const before = this.cumByOrder.get(brokerOrderId);
      const fresh = before === undefined ? cum : sub(cum, before);
      if (sign(fresh) <= 0) {
        this.report.ignore("fill report whose CumQty (14) was already imported");
        return;
      }
      if (fresh < qty) qty = fresh;
      this.cumByOrder.set(brokerOrderId, cum);
    }
    const order = this.orderFields(f, pos);
    if (order === undefined) return;
    const fields: Record<string, unknown> = {
      type: "fill", ...base, ...(coid === undefined ? {} : { client_order_id: coid }), broker_order_id: brokerOrderId,
      symbol: order["symbol"], side: order["side"], qty: decText(qty), price: f.get("31"),
    };
    const fee = decOf(f.get("12") ?? "");
    if (fee !== undefined && sign(fee) > 0) {
      fields["fee"] = decText(fee);
      const currency = f.get("479"); // CommCurrency
      if (currency !== undefined && currency !== "") fields["fee_currency"] = currency;
    }
    this.push(fields, pos);
  }

  private orderFields(f: ReadonlyMap<string, string>, pos: Pos): Record<string, unknown> | undefined {
    const side = SIDES[f.get("54") ?? ""];
    const symbol = f.get("55");
    const qty = decOf(f.get("38") ?? "");
    if (side === undefined || symbol === undefined) {
      this.report.problem(pos, `expected Side (54) 1/2/5/6 and Symbol (55), got ${JSON.stringify(f.get("54"))} / ${JSON.stringify(symbol)}`);
      return undefined;
    }
    return { symbol: symbolOf(symbol), side, ...(qty === undefined ? {} : { qty: decText(qty) }) };
  }

  private root(clOrdId: string): string {
    let id = clOrdId;
    const seen = new Set<string>();
    while (this.replaces.has(id) && !seen.has(id)) {
      seen.add(id);
      id = this.replaces.get(id)!;
    }
    return id;
  }

  /** ExecID (17) scoped by the session; FXCM sends 17=0 on rejects, so then the message's own hash. */
  private eventId(msg: FixMessage): string {
    const execId = msg.fields.get("17");
    const session = `${msg.fields.get("49") ?? ""}-${msg.fields.get("56") ?? ""}`;
    if (execId !== undefined && execId !== "0" && execId !== "") return `fix:${session}:${execId}`;
    return `fix:${session}:msg-${createHash("sha256").update(msg.soh).digest("hex").slice(0, 16)}`;
  }

  private push(fields: Record<string, unknown>, pos: Pos): void {
    this.out.push({ ts: fields["ts"] as string, fields, pos, seq: this.seq });
  }

  finish(): ImportResult {
    return { records: this.out, report: this.report };
  }
}

/** Pure: lines of a FIX log in, canonical broker records and a report out. */
export function importFix(lines: Iterable<{ text: string; line: number; file: string }>): ImportResult {
  const imp = new FixImporter();
  for (const l of lines) imp.line(l.text, l.line, l.file);
  return imp.finish();
}
