// Validation at the boundary: one JSON line in, one typed record out, or a DataError that names the
// line, the field and what was expected. Unknown fields are kept out of the typed record and ignored
// (docs/reference/formats.md); an unknown `type` is an error. schemas/*.schema.json state the same formats for
// editors and other tools; test/schemas.test.ts keeps the two in agreement.

import { type Dec, decimalRuleFor, sign } from "./decimal.js";
import { DataError, preview } from "./errors.js";
import { isObject, type Json } from "./json.js";
import { decimalOfValue, JsonNumber, JsonTextError, parseJsonExact } from "./json-text.js";
import { jsonSyntaxError } from "./json-where.js";
import { flatBrokerRecord, flatJournalRecord } from "./flat-records.js";
import type {
  BrokerEvent, JournalRecord, PositionLine, Side, SnapshotOrder, Source,
} from "./records.js";
import { CURRENCY_CODE_EXPECTED, isCurrencyCode } from "./instruments.js";
import { parseSymbol } from "./symbol.js";
import { type Instant, parseInputInstant } from "./time.js";

const SYMBOL_EXPECTED = "an instrument name in ASCII such as EURUSD, EUR_USD or EUR/USD";

export const JOURNAL_TYPES = ["snapshot", "decision", "cancel_request", "restart"] as const;
export const BROKER_TYPES = [
  "order_accepted", "fill", "order_cancelled", "order_rejected",
  "position_snapshot", "limits_snapshot", "financing", "disconnect", "reconnect",
] as const;

/** In a `u` regular expression a surrogate pair is one code point, so this matches only a lone half. */
const UNPAIRED_SURROGATE = /[\uD800-\uDFFF]/u;

/** Reads typed fields out of one parsed object, raising DataError with the field's path. */
class FieldReader {
  constructor(
    private readonly src: Source,
    private readonly line: number,
    private readonly obj: Json,
    private readonly path: string = "",
  ) {}

  private fail(field: string, expected: string, value: unknown): never {
    throw new DataError(this.src, this.line, this.path + field, expected, preview(value));
  }

  private present(field: string): unknown {
    const value = this.obj[field];
    if (value === undefined || value === null) {
      throw new DataError(this.src, this.line, this.path + field, "a value (the field is required)", "nothing");
    }
    return value;
  }

  has(field: string): boolean {
    return this.obj[field] !== undefined && this.obj[field] !== null;
  }

  string(field: string): string {
    const value = this.present(field);
    if (typeof value !== "string" || value.length === 0) this.fail(field, "a non-empty string", value);
    // A JSON escape such as \ud800 with no partner is not text: UTF-8 (the artifacts, the SQLite
    // cache) cannot hold it, so the id written would differ from the id read.
    if (UNPAIRED_SURROGATE.test(value)) this.fail(field, "text (no unpaired surrogate escape such as \\ud800)", value);
    return value;
  }

  optionalString(field: string): string | undefined {
    return this.has(field) ? this.string(field) : undefined;
  }

  currency(field: string): string {
    const value = this.present(field);
    if (typeof value !== "string" || !isCurrencyCode(value)) this.fail(field, CURRENCY_CODE_EXPECTED, value);
    return value;
  }

  optionalCurrency(field: string): string | undefined {
    return this.has(field) ? this.currency(field) : undefined;
  }

  optionalSymbol(field: string): string | undefined {
    return this.has(field) ? this.symbol(field) : undefined;
  }

  /** Accepts a JSON number or a decimal string (brokers send both), exactly; a string is the
   * decimal and nothing else (" 1000" is not 1000: text around a number is a malformed number). */
  decimal(field: string, rule: "positive" | "non-negative" | "any"): Dec {
    const value = this.present(field);
    const dec = decimalOfValue(value);
    const wanted = rule === "positive" ? "a positive number" : rule === "non-negative" ? "a number >= 0" : "a number";
    if (dec === undefined) this.fail(field, `${wanted} (${decimalRuleFor(value)})`, value);
    if (rule === "positive" && sign(dec) <= 0) this.fail(field, wanted, value);
    if (rule === "non-negative" && sign(dec) < 0) this.fail(field, wanted, value);
    return dec;
  }

  optionalDecimal(field: string, rule: "positive" | "non-negative" | "any"): Dec | undefined {
    return this.has(field) ? this.decimal(field, rule) : undefined;
  }

  side(field: string): Side {
    const value = this.present(field);
    if (value !== "buy" && value !== "sell") this.fail(field, `"buy" or "sell"`, value);
    return value;
  }

  symbol(field: string): string {
    const raw = this.string(field);
    const symbol = parseSymbol(raw);
    if (symbol === undefined) this.fail(field, SYMBOL_EXPECTED, raw);
    return symbol;
  }

  /** Fails unless every item's `field` is different (an ambiguous input is refused, not resolved
   * "last wins"); `field` is the array's, `what` names the list in the message. */
  static unique<T>(items: readonly T[], key: (item: T) => string, where: { src: Source; line: number; path: (i: number) => string; what: string }): void {
    const { src, line, path, what } = where;
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      const earlier = first.get(k);
      if (earlier !== undefined) throw new DataError(src, line, path(i), `each ${what}`, `${JSON.stringify(k)} again (as in ${path(earlier)})`);
      first.set(k, i);
    });
  }

  instant(field: string): Instant {
    const value = this.present(field);
    const instant = typeof value === "string" ? parseInputInstant(value) : undefined;
    if (instant === undefined) {
      this.fail(field, "an RFC 3339 timestamp such as 2025-10-20T14:30:22.123456789Z or 2025-10-20T16:30:22+02:00", value);
    }
    return instant;
  }

  array(field: string): FieldReader[] {
    const value = this.present(field);
    if (!Array.isArray(value)) this.fail(field, "an array", value);
    return value.map((item, i) => {
      const itemPath = `${this.path}${field}[${i}]`;
      if (!isObject(item)) {
        throw new DataError(this.src, this.line, itemPath, "an object", preview(item));
      }
      return new FieldReader(this.src, this.line, item, itemPath + ".");
    });
  }

  object(field: string): Json {
    const value = this.present(field);
    if (!isObject(value)) this.fail(field, "an object", value);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    if (!this.has(field)) return fallback;
    const value = this.obj[field];
    if (typeof value !== "string" || !allowed.includes(value as T)) {
      this.fail(field, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, value);
    }
    return value as T;
  }

  get lineNo(): number {
    return this.line;
  }
}

/** JSON text of a value with object keys sorted at every depth: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (value instanceof JsonNumber) return value.text; // a number read exactly stays its source text
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(value[k])).join(",") + "}";
  }
  return JSON.stringify(value) ?? "null";
}

function parseObject(src: Source, line: number, text: string): Json {
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch (err) {
    if (err instanceof JsonTextError) throw new DataError(src, line, err.field, err.expected, err.got);
    throw new DataError(src, line, "(line)", "one JSON object per line", jsonSyntaxError(text).got);
  }
  if (!isObject(value)) throw new DataError(src, line, "(line)", "a JSON object", preview(value));
  return value;
}

function positionLines(src: Source, r: FieldReader, field: string): PositionLine[] {
  const lines = r.array(field).map((p) => ({
    symbol: p.symbol("symbol"),
    qty: p.decimal("qty", "any"),
    avgPrice: p.decimal("avg_price", "non-negative"),
  }));
  FieldReader.unique(lines, (p) => p.symbol, { src, line: r.lineNo, path: (i) => `${field}[${i}].symbol`, what: "symbol once in a snapshot" });
  return lines;
}

function snapshotOrders(r: FieldReader): SnapshotOrder[] {
  const orders = r.array("open_orders").map((o) => {
    const qty = o.decimal("qty", "positive");
    const filledQty = o.has("filled_qty") ? o.decimal("filled_qty", "non-negative") : (0n as Dec);
    if (filledQty > qty) {
      throw new DataError("journal", o.lineNo, "open_orders[].filled_qty", "at most the order's qty", undefined);
    }
    return {
      clientOrderId: o.string("client_order_id"),
      symbol: o.symbol("symbol"),
      side: o.side("side"),
      qty,
      filledQty,
      refPrice: o.decimal("ref_price", "positive"),
    };
  });
  FieldReader.unique(orders, (o) => o.clientOrderId, { src: "journal", line: r.lineNo, path: (i) => `open_orders[${i}].client_order_id`, what: "order once in a snapshot" });
  return orders;
}

/** What a record of the other log says about the file it is in: the two logs' record types are
 * disjoint, so a broker event in the journal (or the reverse) most likely means the two files
 * were given the other way round. */
const SWAPPED_HINT: Readonly<Record<Source, string>> = {
  journal: "a broker log record: is this file the broker log? (did you swap --journal and --broker?)",
  broker: "a journal record: is this file the journal? (did you swap --journal and --broker?)",
};

function typeOf(r: FieldReader, obj: Json, src: Source, allowed: readonly string[]): string {
  const type = obj["type"];
  if (typeof type !== "string" || !allowed.includes(type)) {
    const other: readonly string[] = src === "journal" ? BROKER_TYPES : JOURNAL_TYPES;
    const hint = typeof type === "string" && other.includes(type) ? `: ${SWAPPED_HINT[src]}` : "";
    throw new DataError(src, r.lineNo, "type", `one of ${allowed.join(", ")}`, preview(type) + hint);
  }
  return type;
}

// The records are built as whole object literals (no spread of a shared base): validation is on
// the hot path, and a literal per record type keeps V8 on fast, fixed-shape objects.

/** One journal line: a flat decision in one pass (flat-records.ts), anything else by the exact path. */
export function parseJournalLine(text: string, line: number): JournalRecord {
  return flatJournalRecord(text, line) ?? parseJournalLineExactly(text, line);
}

/** The exact path alone: JSON.parse, the exactness scan, then each field. Every message comes from here. */
export function parseJournalLineExactly(text: string, line: number): JournalRecord {
  const obj = parseObject("journal", line, text);
  const r = new FieldReader("journal", line, obj);
  const type = typeOf(r, obj, "journal", JOURNAL_TYPES);
  const src = "journal" as const;
  const ts = r.instant("ts");
  switch (type) {
    case "snapshot":
      return { src, line, ts, type, openOrders: r.has("open_orders") ? snapshotOrders(r) : [],
        positions: r.has("positions") ? positionLines(src, r, "positions") : [] };
    case "decision": {
      const orderType = r.oneOf("order_type", ["market", "limit"] as const, "market");
      const limitPrice = r.optionalDecimal("limit_price", "positive");
      if (orderType === "limit" && limitPrice === undefined) {
        throw new DataError("journal", line, "limit_price", "a positive number for a limit order", "nothing");
      }
      return {
        src, line, ts, type,
        decisionId: r.string("decision_id"),
        clientOrderId: r.string("client_order_id"),
        symbol: r.symbol("symbol"),
        side: r.side("side"),
        qty: r.decimal("qty", "positive"),
        refPrice: r.decimal("ref_price", "positive"),
        strategy: r.optionalString("strategy"),
        orderType,
        limitPrice,
      };
    }
    case "cancel_request":
      return { src, line, ts, type, clientOrderId: r.string("client_order_id") };
    default:
      return { src, line, ts, type: "restart", reason: r.optionalString("reason") ?? "unspecified" };
  }
}

/** `pos` says where the line can be read again (see BrokerBase.pos); by default its line number. */
export function parseBrokerLine(text: string, line: number, pos: number = line): BrokerEvent {
  return flatBrokerRecord(text, line, pos) ?? parseBrokerLineExactly(text, line, pos);
}

/** The exact path alone (see parseJournalLineExactly). */
export function parseBrokerLineExactly(text: string, line: number, pos: number = line): BrokerEvent {
  const obj = parseObject("broker", line, text);
  const r = new FieldReader("broker", line, obj);
  const type = typeOf(r, obj, "broker", BROKER_TYPES);
  const src = "broker" as const;
  const ts = r.instant("ts");
  const eventId = r.string("event_id");
  const fingerprint = text;
  switch (type) {
    case "order_accepted":
      return { src, line, ts, eventId, fingerprint, pos, type, clientOrderId: r.string("client_order_id"),
        brokerOrderId: r.string("broker_order_id"), symbol: r.symbol("symbol"),
        side: r.side("side"), qty: r.decimal("qty", "positive"), limitPrice: r.optionalDecimal("limit_price", "positive"),
        replacesBrokerOrderId: r.optionalString("replaces_broker_order_id") };
    case "fill":
      return { src, line, ts, eventId, fingerprint, pos, type, clientOrderId: r.optionalString("client_order_id"),
        brokerOrderId: r.string("broker_order_id"), symbol: r.symbol("symbol"), side: r.side("side"),
        qty: r.decimal("qty", "positive"), price: r.decimal("price", "positive"),
        fee: r.optionalDecimal("fee", "non-negative") ?? (0n as Dec), feeCurrency: r.optionalCurrency("fee_currency") };
    case "order_cancelled":
      return { src, line, ts, eventId, fingerprint, pos, type, brokerOrderId: r.string("broker_order_id"), reason: r.optionalString("reason"),
        replacedByBrokerOrderId: r.optionalString("replaced_by_broker_order_id") };
    case "order_rejected":
      return { src, line, ts, eventId, fingerprint, pos, type, clientOrderId: r.string("client_order_id"), reason: r.optionalString("reason") };
    case "position_snapshot":
      return { src, line, ts, eventId, fingerprint, pos, type, positions: positionLines(src, r, "positions") };
    case "limits_snapshot": {
      const capsObj = r.object("symbol_caps");
      const caps = new FieldReader("broker", line, capsObj, "symbol_caps.");
      const capKeys = Object.keys(capsObj);
      const symbolCaps = capKeys.map((k) => {
        const symbol = parseSymbol(k);
        if (symbol === undefined) throw new DataError(src, line, `symbol_caps.${k}`, SYMBOL_EXPECTED, JSON.stringify(k));
        return [symbol, caps.decimal(k, "non-negative")] as const;
      });
      FieldReader.unique(symbolCaps, ([symbol]) => symbol, { src, line, path: (i) => `symbol_caps.${capKeys[i]}`, what: "symbol once in symbol_caps" });
      symbolCaps.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return { src, line, ts, eventId, fingerprint, pos, type, dailyLossCap: r.decimal("daily_loss_cap", "non-negative"), symbolCaps };
    }
    case "financing":
      return { src, line, ts, eventId, fingerprint, pos, type, amount: r.decimal("amount", "any"), currency: r.currency("currency"),
        symbol: r.optionalSymbol("symbol") };
    default:
      return { src, line, ts, eventId, fingerprint, pos, type: type as "disconnect" | "reconnect" };
  }
}
