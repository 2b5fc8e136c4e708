// The fast path of validation: a decision, an acceptance or a fill written as a flat JSON object
// (as the importers and the engines write them) is read in one pass over its text, straight into
// its record (flat-json.ts). It answers undefined for anything else, and for any value it would
// refuse: the exact path (validate.ts) then reads the line and, where the line is bad input, says
// why in its own words. So a record read here is the record the exact path would make, field for
// field (test/hot-path-parsers.test.ts holds the two to it), and no message ever comes from here.

import { type Dec, parseDec, sign } from "./decimal.js";
import { FlatObject, scanFlatObject } from "./flat-json.js";
import { isCurrencyCode } from "./instruments.js";
import type { BrokerEvent, DecisionRecord, FillEvent, JournalRecord, OrderAcceptedEvent, Side } from "./records.js";
import { parseSymbol } from "./symbol.js";
import { type Instant, parseInputInstant } from "./time.js";

/** The line scanned last; reused, so the fast path allocates only what a record keeps. */
const LINE = new FlatObject();

/** Thrown (and caught below) where a value is not one the fast path takes: the exact path decides. */
const NOT_HERE = new Error("not on the fast path");

function fieldSlot(key: string): number {
  return LINE.slot(key);
}

/** Absent or null, as the exact path's `has` reads it. */
function isAbsent(slot: number): boolean {
  return slot < 0 || LINE.kinds[slot] === "null";
}

function text(key: string): string {
  const slot = fieldSlot(key);
  if (slot < 0 || LINE.kinds[slot] !== "string" || LINE.texts[slot] === "") throw NOT_HERE;
  return LINE.texts[slot]!;
}

function optionalText(key: string): string | undefined {
  return isAbsent(fieldSlot(key)) ? undefined : text(key);
}

function decimal(key: string, rule: "positive" | "non-negative"): Dec {
  const slot = fieldSlot(key);
  if (slot < 0 || (LINE.kinds[slot] !== "string" && LINE.kinds[slot] !== "number")) throw NOT_HERE;
  const dec = parseDec(LINE.texts[slot]!);
  if (dec === undefined || (rule === "positive" ? sign(dec) <= 0 : sign(dec) < 0)) throw NOT_HERE;
  return dec;
}

function optionalDecimal(key: string, rule: "positive" | "non-negative"): Dec | undefined {
  return isAbsent(fieldSlot(key)) ? undefined : decimal(key, rule);
}

function instant(key: string): Instant {
  const at = parseInputInstant(text(key));
  if (at === undefined) throw NOT_HERE;
  return at;
}

function symbol(key: string): string {
  const s = parseSymbol(text(key));
  if (s === undefined) throw NOT_HERE;
  return s;
}

function side(key: string): Side {
  const s = text(key);
  // The literal, not the slice of the line: one string every record shares.
  if (s === "buy") return "buy";
  if (s === "sell") return "sell";
  throw NOT_HERE;
}

function optionalCurrency(key: string): string | undefined {
  const code = optionalText(key);
  if (code !== undefined && !isCurrencyCode(code)) throw NOT_HERE;
  return code;
}

/** A journal decision read in one pass, or undefined. */
export function flatJournalRecord(line: string, lineNo: number): JournalRecord | undefined {
  if (!scanFlatObject(line, LINE)) return undefined;
  try {
    return LINE.texts[fieldSlot("type")] === "decision" && LINE.kinds[fieldSlot("type")] === "string" ? decision(lineNo) : undefined;
  } catch (err) {
    if (err === NOT_HERE) return undefined;
    throw err;
  }
}

function decision(line: number): DecisionRecord {
  const ts = instant("ts");
  const orderTypeText = optionalText("order_type") ?? "market";
  if (orderTypeText !== "market" && orderTypeText !== "limit") throw NOT_HERE;
  const limitPrice = optionalDecimal("limit_price", "positive");
  if (orderTypeText === "limit" && limitPrice === undefined) throw NOT_HERE;
  return {
    src: "journal", line, ts, type: "decision",
    decisionId: text("decision_id"),
    clientOrderId: text("client_order_id"),
    symbol: symbol("symbol"),
    side: side("side"),
    qty: decimal("qty", "positive"),
    refPrice: decimal("ref_price", "positive"),
    strategy: optionalText("strategy"),
    orderType: orderTypeText,
    limitPrice,
  };
}

/** A broker acceptance or fill read in one pass, or undefined. */
export function flatBrokerRecord(line: string, lineNo: number, pos: number): BrokerEvent | undefined {
  if (!scanFlatObject(line, LINE)) return undefined;
  try {
    const typeSlot = fieldSlot("type");
    if (typeSlot < 0 || LINE.kinds[typeSlot] !== "string") return undefined;
    const type = LINE.texts[typeSlot];
    if (type === "fill") return fill(line, lineNo, pos);
    if (type === "order_accepted") return accepted(line, lineNo, pos);
    return undefined;
  } catch (err) {
    if (err === NOT_HERE) return undefined;
    throw err;
  }
}

function accepted(fingerprint: string, line: number, pos: number): OrderAcceptedEvent {
  const ts = instant("ts");
  const eventId = text("event_id");
  return {
    src: "broker", line, ts, eventId, fingerprint, pos, type: "order_accepted", clientOrderId: text("client_order_id"),
    brokerOrderId: text("broker_order_id"), symbol: symbol("symbol"),
    side: side("side"), qty: decimal("qty", "positive"), limitPrice: optionalDecimal("limit_price", "positive"),
    replacesBrokerOrderId: optionalText("replaces_broker_order_id"),
  };
}

function fill(fingerprint: string, line: number, pos: number): FillEvent {
  const ts = instant("ts");
  const eventId = text("event_id");
  return {
    src: "broker", line, ts, eventId, fingerprint, pos, type: "fill", clientOrderId: optionalText("client_order_id"),
    brokerOrderId: text("broker_order_id"), symbol: symbol("symbol"), side: side("side"),
    qty: decimal("qty", "positive"), price: decimal("price", "positive"),
    fee: optionalDecimal("fee", "non-negative") ?? (0n as Dec), feeCurrency: optionalCurrency("fee_currency"),
  };
}
