// JSON text read exactly. JSON.parse turns every number into a double and keeps the last of two
// equal keys, so `"qty":12345678.123456789` became 12345678.12345679, `9007199254740993` became
// ...992 and `"qty":100000,"qty":1` silently meant 1. Inputs are money, so a number is read from
// its source text, and an ambiguous object is refused.
//
// The hot path stays JSON.parse: one cheap scan of the text (strings skipped with indexOf) counts
// the keys, checks the nesting depth, and looks at every number token. When every number is one a
// double holds exactly (at most 15 significant digits, no exponent: its shortest round-trip text is
// the same decimal) and JSON.parse kept every key, its result is exact and is used as is. Otherwise
// a small exact parser reads the text again: numbers a double cannot hold become JsonNumber (their
// source text), and a repeated key is named.

import { type Dec, decFromNumber, parseDec } from "./decimal.js";

/** A JSON number whose value a double would not keep exactly, carried as its source text. */
export class JsonNumber {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** Named limit: JSON nested deeper than this is refused (deep nesting overflowed the stack). */
export const JSON_DEPTH_MAX = 64;

/** Why a JSON text was refused: `field` is the path of the offending part ("(line)" for the whole). */
export class JsonTextError extends Error {
  constructor(readonly field: string, readonly expected: string, readonly got: string) {
    super(`${field}: expected ${expected}, got ${got}`);
    this.name = "JsonTextError";
  }
}

/** Significant digits a double always keeps: a decimal with at most this many round-trips. */
const DOUBLE_EXACT_DIGITS = 15;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO_DIGIT = 0x30;
const NINE_DIGIT = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Index of the quote that closes the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let q = text.indexOf("\"", open + 1);
  while (q !== -1 && text.charCodeAt(q - 1) === BACKSLASH) {
    let slashes = 1;
    while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes += 1;
    if (slashes % 2 === 0) break;
    q = text.indexOf("\"", q + 1);
  }
  return q;
}

/** Set by numberEnd: whether a double holds the token it just read exactly. (A flag rather than a
 * returned object: this runs for every number of every input line.) */
let tokenIsExact = true;

/** End (exclusive) of the number token starting at `start`; sets tokenIsExact. */
function numberEnd(text: string, start: number): number {
  let significant = 0;
  let leadingZeros = true;
  let exponent = false;
  let end = start;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c >= ZERO_DIGIT && c <= NINE_DIGIT) {
      if (c !== ZERO_DIGIT) leadingZeros = false;
      if (!leadingZeros) significant += 1;
    } else if (c === LOWER_E || c === UPPER_E) exponent = true;
    else if (c !== DOT && c !== MINUS && c !== PLUS) break;
  }
  tokenIsExact = !exponent && significant <= DOUBLE_EXACT_DIGITS;
  return end;
}

interface Scan {
  readonly keys: number;
  /** Every number token is one a double holds exactly. */
  readonly exact: boolean;
}

/** One pass over the text: keys counted, numbers checked, depth bounded (throws beyond it). */
function scan(text: string): Scan {
  let keys = 0;
  let depth = 0;
  let exact = true;
  const n = text.length;
  for (let i = 0; i < n;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end === -1) break; // unterminated: JSON.parse reports it
      i = end + 1;
      while (isWhitespace(text.charCodeAt(i))) i += 1;
      if (text.charCodeAt(i) === COLON) {
        keys += 1;
        i += 1;
      }
    } else if (c === MINUS || (c >= ZERO_DIGIT && c <= NINE_DIGIT)) {
      i = numberEnd(text, i);
      if (!tokenIsExact) exact = false;
    } else {
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth += 1;
        if (depth > JSON_DEPTH_MAX) throw new JsonTextError("(line)", `JSON nested at most json_depth_max=${JSON_DEPTH_MAX} deep`, "deeper nesting");
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth -= 1;
      i += 1;
    }
  }
  return { keys, exact };
}

/** Keys of every object in a parsed value (JSON.parse keeps one per name). */
function countKeys(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value) n += countKeys(item);
    return n;
  }
  for (const key in value) n += 1 + countKeys((value as Record<string, unknown>)[key]);
  return n;
}

/**
 * Parses one JSON text exactly (see the top of this file). Throws SyntaxError for text that is
 * not JSON (JSON.parse's message) and JsonTextError for JSON that is refused here.
 */
export function parseJsonExact(text: string): unknown {
  const scanned = scan(text);
  const value: unknown = JSON.parse(text);
  if (scanned.exact && countKeys(value) === scanned.keys) return value;
  return new ExactParser(text).parseWhole();
}

/** Reads JSON text already known to be valid (JSON.parse accepted it), exactly. */
class ExactParser {
  private at = 0;

  constructor(private readonly text: string) {}

  parseWhole(): unknown {
    const value = this.value("");
    this.skipWhitespace();
    return value;
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.text.charCodeAt(this.at))) this.at += 1;
  }

  private value(path: string): unknown {
    this.skipWhitespace();
    const c = this.text.charCodeAt(this.at);
    if (c === OPEN_BRACE) return this.object(path);
    if (c === OPEN_BRACKET) return this.array(path);
    if (c === QUOTE) return this.string();
    if (c === MINUS || (c >= ZERO_DIGIT && c <= NINE_DIGIT)) return this.number();
    for (const [word, literal] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return literal;
      }
    }
    throw new Error(`invariant: text JSON.parse accepted has no value at ${this.at}`);
  }

  private string(): string {
    const end = stringEnd(this.text, this.at);
    const value = JSON.parse(this.text.slice(this.at, end + 1)) as string;
    this.at = end + 1;
    return value;
  }

  private number(): number | JsonNumber {
    const start = this.at;
    this.at = numberEnd(this.text, start);
    const token = this.text.slice(start, this.at);
    return tokenIsExact ? Number(token) : new JsonNumber(token);
  }

  private object(path: string): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.at += 1;
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) === CLOSE_BRACE) break;
      const key = this.string();
      if (seen.has(key)) throw new JsonTextError(path + key, "each key once in an object", `${JSON.stringify(key)} a second time`);
      seen.add(key);
      this.skipWhitespace();
      this.at += 1; // ':'
      // defineProperty, not assignment: a "__proto__" key is data, as JSON.parse makes it.
      Object.defineProperty(obj, key, { value: this.value(`${path}${key}.`), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) === CLOSE_BRACE) break;
      this.at += 1; // ','
    }
    this.at += 1;
    return obj;
  }

  private array(path: string): unknown[] {
    const items: unknown[] = [];
    const base = path.endsWith(".") ? path.slice(0, -1) : path;
    this.at += 1;
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) === CLOSE_BRACKET) break;
      items.push(this.value(`${base}[${items.length}].`));
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) === CLOSE_BRACKET) break;
      this.at += 1; // ','
    }
    this.at += 1;
    return items;
  }
}

/** The exact decimal of a JSON number (a double JSON.parse kept exactly, or a JsonNumber). */
export function decimalOfJsonNumber(value: unknown): Dec | undefined {
  if (typeof value === "number") return decFromNumber(value);
  if (value instanceof JsonNumber) return parseDec(value.text);
  return undefined;
}

/**
 * A decimal as the inputs and the config write one: a JSON number, or a string holding a decimal
 * and nothing else (a string with spaces or other text around the digits is not a number).
 */
export function decimalOfValue(value: unknown): Dec | undefined {
  return typeof value === "string" ? parseDec(value) : decimalOfJsonNumber(value);
}

/** A JSON number that is a whole number a double holds exactly, else undefined. */
export function safeIntegerOfJsonNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  if (value instanceof JsonNumber && /^-?\d+$/.test(value.text)) {
    const n = Number(value.text);
    return Number.isSafeInteger(n) && BigInt(value.text) === BigInt(n) ? n : undefined;
  }
  return undefined;
}

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** One spelling per decimal value: "1.50", "15e-1" and 1.5 all give "15e-1". */
function normalizedNumber(text: string): string {
  const m = NUMBER_TEXT.exec(text);
  if (m === null) throw new Error(`invariant: not a JSON number: ${text}`);
  let digits = ((m[2] ?? "") + (m[3] ?? "")).replace(/^0+/, "");
  let exponent = Number(m[4] ?? "0") - (m[3] ?? "").length;
  const trimmed = digits.replace(/0+$/, "");
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return digits === "" ? "0" : `${m[1]}${digits}e${exponent}`;
}

/** Equal JSON values: same keys (any order), same items, numbers equal as exact decimals. */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  const aNumber = typeof a === "number" || a instanceof JsonNumber;
  const bNumber = typeof b === "number" || b instanceof JsonNumber;
  if (aNumber || bNumber) return aNumber && bNumber && normalizedNumber(String(a)) === normalizedNumber(String(b));
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJsonValue(item, b[i]));
  }
  const aObj = a as Record<string, unknown>;
  const bObj = b as Record<string, unknown>;
  const keys = Object.keys(aObj);
  return keys.length === Object.keys(bObj).length &&
    keys.every((k) => Object.prototype.hasOwnProperty.call(bObj, k) && sameJsonValue(aObj[k], bObj[k]));
}
