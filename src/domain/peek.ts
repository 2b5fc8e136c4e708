// What a shard needs of a line it may not own, read without validating the line: its type, time,
// symbol and order ids (to route it), and a broker event's id (to judge its redelivery). Only the
// record types that name one symbol or one order are peeked, and only when written plainly (no
// escape, no nested value, each key once, a string value right after its colon); anything else
// answers undefined and the line is read whole, as an unsharded replay reads it. A peeked line is
// validated by the shard that owns it (core/shard/shard.ts): the others only tick on its time.

import { parseSymbol } from "./symbol.js";
import { type Instant, parseInputInstant } from "./time.js";

interface PeekedBase {
  readonly peeked: true;
  readonly ts: Instant;
  readonly line: number;
  /** The line's text (a broker event's fingerprint). */
  readonly text: string;
}

export type PeekedJournalLine = PeekedBase & { readonly src: "journal"; readonly pos: number } & (
  | { readonly type: "decision"; readonly symbol: string; readonly clientOrderId: string }
  | { readonly type: "cancel_request"; readonly clientOrderId: string }
);

export type PeekedBrokerLine = PeekedBase & { readonly src: "broker"; readonly eventId: string; readonly pos: number; readonly fingerprint: string } & (
  | { readonly type: "order_accepted"; readonly symbol: string; readonly clientOrderId: string; readonly brokerOrderId: string }
  | { readonly type: "fill"; readonly symbol: string; readonly clientOrderId: string | undefined; readonly brokerOrderId: string }
  | { readonly type: "order_rejected"; readonly clientOrderId: string }
  | { readonly type: "order_cancelled"; readonly brokerOrderId: string }
);

export type PeekedLine = PeekedJournalLine | PeekedBrokerLine;

/** Thrown (and caught below) where a line is not plain enough to peek: it is read whole. */
const NOT_PLAIN = new Error("not plain enough to peek");

/** A string value of `key`, undefined when the line lacks the key; NOT_PLAIN unless it is plainly `"key":"value"`, once. */
function plainValue(text: string, key: string): string | undefined {
  const quoted = `"${key}"`;
  const at = text.indexOf(quoted);
  if (at < 0) return undefined;
  if (text.indexOf(quoted, at + quoted.length) >= 0) throw NOT_PLAIN;
  const open = at + quoted.length;
  if (text.charCodeAt(open) !== 0x3a || text.charCodeAt(open + 1) !== 0x22) throw NOT_PLAIN;
  const close = text.indexOf('"', open + 2);
  if (close <= open + 2) throw NOT_PLAIN; // empty or unterminated: the exact path says why
  return text.slice(open + 2, close);
}

function required(text: string, key: string): string {
  const value = plainValue(text, key);
  if (value === undefined) throw NOT_PLAIN;
  return value;
}

function symbolOf(text: string): string {
  const symbol = parseSymbol(required(text, "symbol"));
  if (symbol === undefined) throw NOT_PLAIN;
  return symbol;
}

/** The parts of a line both logs peek alike: plain, flat, with a type and a time; or NOT_PLAIN. */
function peekBase(text: string): { type: string; ts: Instant } {
  if (text.charCodeAt(0) !== 0x7b || text.indexOf("\\") >= 0 || text.indexOf("{", 1) >= 0 || text.indexOf("[") >= 0) throw NOT_PLAIN;
  const type = required(text, "type");
  const ts = parseInputInstant(required(text, "ts"));
  if (ts === undefined) throw NOT_PLAIN;
  return { type, ts };
}

/** A journal line's routing facts, or undefined: read it whole. */
export function peekJournalLine(text: string, line: number): PeekedJournalLine | undefined {
  try {
    const { type, ts } = peekBase(text);
    // Literal objects of one shape each, no spread: this runs for every line of the journal.
    if (type === "decision") {
      return { peeked: true, src: "journal", ts, line, text, pos: line, type, symbol: symbolOf(text), clientOrderId: required(text, "client_order_id") };
    }
    if (type === "cancel_request") return { peeked: true, src: "journal", ts, line, text, pos: line, type, clientOrderId: required(text, "client_order_id") };
    return undefined;
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}

/** A broker line's routing facts and event id, or undefined: read it whole. */
export function peekBrokerLine(text: string, line: number, pos: number): PeekedBrokerLine | undefined {
  try {
    const { type, ts } = peekBase(text);
    const eventId = required(text, "event_id");
    const src = "broker";
    const peeked = true;
    switch (type) {
      case "order_accepted":
        return { peeked, src, ts, line, text, fingerprint: text, pos, eventId, type, symbol: symbolOf(text), clientOrderId: required(text, "client_order_id"),
          brokerOrderId: required(text, "broker_order_id") };
      case "fill":
        return { peeked, src, ts, line, text, fingerprint: text, pos, eventId, type, symbol: symbolOf(text), clientOrderId: plainValue(text, "client_order_id"),
          brokerOrderId: required(text, "broker_order_id") };
      case "order_rejected":
        return { peeked, src, ts, line, text, fingerprint: text, pos, eventId, type, clientOrderId: required(text, "client_order_id") };
      case "order_cancelled":
        return { peeked, src, ts, line, text, fingerprint: text, pos, eventId, type, brokerOrderId: required(text, "broker_order_id") };
      default:
        return undefined;
    }
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}
