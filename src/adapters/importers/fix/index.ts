// FIX 4.4 ExecutionReports (35=8) → canonical broker events.
//
// Input is a QuickFIX-style message log: each line holds one or more messages, possibly after a
// log prefix (a time, a log4j header); fields are separated by SOH, `|`, or, in logs that rendered
// SOH as a space, by a space before the next `tag=`. Every message's BodyLength (9) and CheckSum
// (10) are verified against the SOH form of the message, so a mangled line is reported, never
// half-imported. ExecutionReports and PositionReports become events; session, market-data and
// request messages are counted and ignored.
//
// ExecType (150) decides the event: 0 new → order_accepted (once per order), F trade → fill when
// LastQty (32) > 0 — FXCM fills LastPx (31) with the market price even on reports that fill
// nothing — 4/C/3 → order_cancelled, 8 → order_rejected (or order_cancelled when part of the order
// had filled: the remainder was refused), 5 replaced → order_accepted of the replacement, which
// keeps the client order id at the root of the OrigClOrdID (41) chain. H (trade cancel) removes the
// fill whose ExecID its ExecRefID (19) names, G (trade correct) corrects that fill's qty and price:
// the output is the corrected log. A complete set of PositionReports (35=AP) is a position_snapshot.

import { add, type Dec, div, isZero, mul, SCALE_DIGITS, sign, sub, ZERO } from "../../../domain/decimal.js";
import type { AssetClass } from "../../../domain/instruments.js";
import { compareInstants } from "../../../domain/time.js";
import { createHash } from "node:crypto";
import { InstrumentFacts, sizeText } from "../instruments.js";
import {
  absDec, type BrokerSeq, decOf, decText, ImportReport, type ImportResult, instantOf, type OutRecord, type Pos, snapshotEventId, symbolOf, where,
} from "../common.js";

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
/** SecurityType (167) in our asset classes; other values have no counterpart. */
const FIX_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = {
  CS: "equity", PS: "equity", FUT: "future", OPT: "option", OOF: "option", OOP: "option", FOR: "fx", FXSPOT: "fx",
  CORP: "bond", GO: "bond", TBOND: "bond", TNOTE: "bond", TBILL: "bond",
};

class FixImporter {
  readonly report = new ImportReport();
  private readonly out: OutRecord[] = [];
  private readonly acked = new Set<string>();
  private readonly cumByOrder = new Map<string, Dec>();
  /** ClOrdID → the ClOrdID it replaced (OrigClOrdID), for the chain's root. */
  private readonly replaces = new Map<string, string>();
  /** The MsgSeqNum (34) of the message being read, in its session. */
  private seq: BrokerSeq | undefined;
  /** Fills by session and ExecID, for the busts and corrections that name them. */
  private readonly fillsByExec = new Map<string, { fields: Record<string, unknown>; pos: Pos }>();
  private readonly amendments: Amendment[] = [];
  /** Position reports by session and PosReqID. */
  private readonly positionSets = new Map<string, { request: string; total: number; reports: { fields: ReadonlyMap<string, string>; pos: Pos }[]; pos: Pos }>();
  readonly instruments = new InstrumentFacts({
    asset_class: "not stated by the source (no SecurityType, 167)",
    quote_currency: "not stated by the source (no Currency, 15, on a non-FX instrument)",
    tick_size: "not stated by the source (no MinPriceIncrement, 969)",
  });

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
    if (type === "AP") return this.positionReport(f, pos);
    if (type !== "8") {
      this.report.ignore(`35=${type} ${NON_EXECUTION_TYPES[type] ?? "(not an ExecutionReport)"}`);
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
      case "G": {
        const ref = f.get("19"); // ExecRefID: the execution busted or corrected
        if (ref === undefined) {
          this.report.problem(pos, `ExecType ${execType} (trade ${execType === "H" ? "cancel" : "correction"}): expected ExecRefID (19)`);
          return;
        }
        this.amendments.push({ kind: execType, ref, execId: f.get("17") ?? "", session: sessionOf(f), qty: decOf(f.get("32") ?? ""), price: f.get("31"), pos });
        // The order's CumQty after the bust or correction: later fills are counted from it.
        const cum = decOf(f.get("14") ?? "");
        if (cum !== undefined && brokerOrderId !== undefined) this.cumByOrder.set(brokerOrderId, cum);
        return;
      }
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
    this.fillsByExec.set(`${sessionOf(f)}|${f.get("17") ?? ""}`, { fields, pos });
    const fee = this.commission(f, qty, pos);
    if (fee !== undefined && sign(fee) > 0) {
      fields["fee"] = decText(fee);
      const currency = f.get("479"); // CommCurrency
      if (currency !== undefined && currency !== "") fields["fee_currency"] = currency;
    }
    this.push(fields, pos);
  }

  /**
   * An execution's fee: Commission (12) read as CommType (13) says. 3 (absolute), or no CommType, is
   * the amount; 1 (per unit) is per unit filled; 2 (percentage, 5% written .05) is that share of the
   * execution's value (LastQty x LastPx). Other types (percentages waived, points per bond or
   * contract) are reported and the fee left out, as is a product the replay's decimals cannot hold.
   */
  private commission(f: ReadonlyMap<string, string>, qty: Dec, pos: Pos): Dec | undefined {
    const amount = decOf(f.get("12") ?? "");
    if (amount === undefined || sign(amount) <= 0) return undefined;
    const type = f.get("13") ?? "3";
    if (type === "3") return amount;
    const price = decOf(f.get("31") ?? "");
    const fee = type === "1" ? exactProduct([amount, qty]) : type === "2" && price !== undefined ? exactProduct([amount, qty, price]) : undefined;
    if (fee === undefined) {
      this.report.problem(pos, type === "1" || type === "2"
        ? `Commission (12) ${f.get("12")} with CommType (13) ${type}: the fee has more than ${SCALE_DIGITS} decimal places${type === "2" && price === undefined ? " or no LastPx (31)" : ""}; fee left out`
        : `Commission (12) ${f.get("12")} with CommType (13) ${JSON.stringify(type)}: only 1 (per unit), 2 (percentage) and 3 (absolute) say what the fee is; fee left out`);
    }
    return fee;
  }

  private orderFields(f: ReadonlyMap<string, string>, pos: Pos): Record<string, unknown> | undefined {
    const side = SIDES[f.get("54") ?? ""];
    const symbol = f.get("55");
    const qty = decOf(f.get("38") ?? "");
    if (side === undefined || symbol === undefined) {
      this.report.problem(pos, `expected Side (54) 1/2/5/6 and Symbol (55), got ${JSON.stringify(f.get("54"))} / ${JSON.stringify(symbol)}`);
      return undefined;
    }
    this.describeInstrument(f, pos);
    return { symbol: symbolOf(symbol), side, ...(qty === undefined ? {} : { qty: decText(qty) }) };
  }

  /**
   * What a message states of its instrument: SecurityType (167), MinPriceIncrement (969), and the
   * currency of its prices. A pair written BASE/QUOTE names both; on an FX instrument Currency (15)
   * is the dealt currency (FXCM sends 15=EUR on EUR/USD), so it is the price currency only elsewhere.
   */
  private describeInstrument(f: ReadonlyMap<string, string>, pos: Pos): void {
    const raw = f.get("55");
    if (raw === undefined) return;
    const type = f.get("167") ?? "";
    const asset = FIX_ASSET_CLASSES[type];
    const symbol = symbolOf(raw);
    if (asset === undefined && type !== "") this.instruments.hint(symbol, "asset_class", `SecurityType (167) ${JSON.stringify(type)} is none of them`);
    const pair = /^([A-Za-z0-9]+)\/([A-Za-z]{3,5})$/.exec(raw.trim());
    const quote = pair !== null ? pair[2]!.toUpperCase() : asset !== "fx" ? f.get("15") : undefined;
    this.instruments.state(symbol, { asset_class: asset, quote_currency: quote, base_currency: pair?.[1]?.toUpperCase(), tick_size: sizeText(f.get("969")) }, pos);
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

  /**
   * A PositionReport (35=AP) is one ticket of the book as of a request (PosReqID 710); the whole book
   * is the TotalNumPosReports (727) reports of that request. Only a complete set is a snapshot: net
   * quantity per symbol (LongQty 704 minus ShortQty 705), its average price weighted from the tickets'
   * SettlPrice (730, FXCM's open price), at the SendingTime of the last report.
   */
  private positionReport(f: ReadonlyMap<string, string>, pos: Pos): void {
    if (f.get("724") !== "0") {
      this.report.ignore(`35=AP with PosReqType 724=${f.get("724") ?? "?"} (closed positions: history, not the book)`);
      return;
    }
    const key = `${sessionOf(f)}|${f.get("710") ?? ""}`;
    const total = Number(f.get("727") ?? "NaN");
    this.describeInstrument(f, pos);
    const set = this.positionSets.get(key) ?? { request: f.get("710") ?? "?", total, reports: [], pos };
    set.reports.push({ fields: f, pos });
    this.positionSets.set(key, set);
  }

  private positionSnapshots(): void {
    for (const set of this.positionSets.values()) {
      const tickets = new Map(set.reports.map((r) => [r.fields.get("721") ?? String(r.pos.line), r]));
      if (!Number.isInteger(set.total) || tickets.size !== set.total) {
        this.report.problem(set.pos, `position reports of request ${set.request} (PosReqID 710): ${tickets.size} of ${Number.isInteger(set.total) ? set.total : "?"} ` +
          "(TotalNumPosReports 727) in the input: an incomplete book is not a snapshot; not imported");
        continue;
      }
      const bySymbol = new Map<string, { qty: Dec; cost: Dec }>();
      let ts: string | undefined;
      let bad = false;
      for (const { fields: r, pos } of tickets.values()) {
        const symbol = r.get("55");
        const qty = sub(decOf(r.get("704") ?? "0") ?? ZERO, decOf(r.get("705") ?? "0") ?? ZERO);
        const price = decOf(r.get("730") ?? "");
        const sent = fixTime(r.get("52"));
        if (symbol === undefined || price === undefined || sent === undefined) {
          this.report.problem(pos, "PositionReport: expected Symbol (55), SettlPrice (730) and SendingTime (52); the book of its request is not imported");
          bad = true;
          break;
        }
        if (ts === undefined || compareInstants(instantOf(sent), instantOf(ts)) > 0) ts = sent;
        const acc = bySymbol.get(symbolOf(symbol)) ?? { qty: ZERO, cost: ZERO };
        bySymbol.set(symbolOf(symbol), { qty: add(acc.qty, qty), cost: add(acc.cost, mul(absDec(qty), price)) });
      }
      if (bad || ts === undefined) continue;
      const lines = [...bySymbol].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, v]) => !isZero(v.qty))
        .map(([symbol, v]) => ({ symbol, qty: decText(v.qty), avg_price: decText(div(v.cost, absDec(v.qty))) }));
      this.out.push({ ts, pos: set.pos, fields: { type: "position_snapshot", ts, event_id: snapshotEventId(`fix:${set.reports[0]!.fields.get("49") ?? ""}-${set.reports[0]!.fields.get("56") ?? ""}:positions`, lines, ts), positions: lines } });
    }
  }

  /** Trade cancels (150=H) remove the execution they bust; trade corrections (150=G) replace its qty and price. */
  private applyAmendments(): Set<Record<string, unknown>> {
    const removed = new Set<Record<string, unknown>>();
    for (const a of this.amendments) {
      const target = this.fillsByExec.get(`${a.session}|${a.ref}`);
      const name = a.kind === "H" ? "trade cancel (150=H)" : "trade correction (150=G)";
      if (target === undefined || removed.has(target.fields)) {
        this.report.problem(a.pos, `${name} of ExecID ${a.ref}, which is not in the input: nothing to ${a.kind === "H" ? "remove" : "correct"}`);
        continue;
      }
      if (a.kind === "H") {
        removed.add(target.fields);
        this.report.note(`${where(a.pos)}: fill ExecID ${a.ref} busted by ExecID ${a.execId} (150=H): removed from the log`);
        continue;
      }
      if (a.qty === undefined || sign(a.qty) <= 0 || a.price === undefined) {
        this.report.problem(a.pos, `${name} of ExecID ${a.ref}: expected the corrected LastQty (32) and LastPx (31)`);
        continue;
      }
      target.fields["qty"] = decText(a.qty);
      target.fields["price"] = a.price;
      target.fields["corrected_by_exec_id"] = a.execId;
      this.report.note(`${where(a.pos)}: fill ExecID ${a.ref} corrected by ExecID ${a.execId} (150=G): qty ${decText(a.qty)}, price ${a.price}`);
    }
    return removed;
  }

  /** ExecID (17) scoped by the session; FXCM sends 17=0 on rejects, so then the message's own hash. */
  private eventId(msg: FixMessage): string {
    const execId = msg.fields.get("17");
    const session = sessionOf(msg.fields);
    if (execId !== undefined && execId !== "0" && execId !== "") return `fix:${session}:${execId}`;
    return `fix:${session}:msg-${createHash("sha256").update(msg.soh).digest("hex").slice(0, 16)}`;
  }

  private push(fields: Record<string, unknown>, pos: Pos): void {
    this.out.push({ ts: fields["ts"] as string, fields, pos, seq: this.seq });
  }

  finish(): ImportResult {
    this.positionSnapshots();
    const removed = this.applyAmendments();
    return { records: this.out.filter((r) => !removed.has(r.fields)), report: this.report, instruments: this.instruments };
  }
}

interface Amendment {
  readonly kind: "H" | "G";
  /** ExecRefID (19): the execution busted or corrected. */
  readonly ref: string;
  readonly execId: string;
  readonly session: string;
  readonly qty: Dec | undefined;
  readonly price: string | undefined;
  readonly pos: Pos;
}

/** The product of decimals, when the replay's decimals hold it exactly. */
function exactProduct(factors: readonly Dec[]): Dec | undefined {
  const scale = 10n ** BigInt(SCALE_DIGITS);
  const product = factors.reduce<bigint>((p, d) => p * d, 1n);
  const divisor = scale ** BigInt(factors.length - 1);
  return product % divisor === 0n ? (product / divisor) as Dec : undefined;
}

/** SenderCompID-TargetCompID: the session that numbers the messages and scopes ExecIDs. */
function sessionOf(f: ReadonlyMap<string, string>): string {
  return `${f.get("49") ?? ""}-${f.get("56") ?? ""}`;
}

/** Pure: lines of a FIX log in, canonical broker records and a report out. */
export function importFix(lines: Iterable<{ text: string; line: number; file: string }>): ImportResult {
  const imp = new FixImporter();
  for (const l of lines) imp.line(l.text, l.line, l.file);
  return imp.finish();
}
