// One pass over a line that is a flat JSON object: keys and values read straight from the text,
// with nothing built but what the record keeps. This is the fast path of validation (validate.ts):
// the input logs' hot records (decisions, acceptances, fills) are flat objects of strings and
// numbers. Anything this scanner does not read with certainty (an escape, a nested value, a key
// given twice, text that is not JSON) makes it answer false, and the line takes the exact path
// (JSON.parse with the exactness scan), which gives every error its message. So the fast path
// changes no result and no message: it only skips work on lines that need none of it.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Named limit: keys a flat line may hold for the fast path (more: the exact path reads it). */
export const FLAT_KEYS_MAX = 32;

/** A value's kind in a flat object. */
export type FlatKind = "string" | "number" | "true" | "false" | "null";

/**
 * The keys and values of the last line scanned, reused from line to line (a record keeps only the
 * strings it reads out). Read it with `flatString`, `flatNumberText`, `flatKind`.
 */
export class FlatObject {
  count = 0;
  readonly keys: string[] = new Array<string>(FLAT_KEYS_MAX).fill("");
  readonly kinds: FlatKind[] = new Array<FlatKind>(FLAT_KEYS_MAX).fill("null");
  /** The value's text: a string's content (no quotes), a number's token. */
  readonly texts: string[] = new Array<string>(FLAT_KEYS_MAX).fill("");

  /** The slot of `key`, or -1 when the line does not hold it. */
  slot(key: string): number {
    for (let i = 0; i < this.count; i++) if (this.keys[i] === key) return i;
    return -1;
  }
}

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i += 1;
  return i;
}

/** The end (exclusive, past the closing quote) of a plain string opened at `open`: -1 for an escape, a control character or no end. */
function plainStringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

const isDigit = (c: number): boolean => c >= DIGIT_0 && c <= DIGIT_9;

/** The end of a JSON number token at `i` (the grammar exactly: no leading +, no leading zero, digits after a point), or -1. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i += 1;
  if (!isDigit(text.charCodeAt(i))) return -1;
  if (text.charCodeAt(i) === DIGIT_0) i += 1;
  else while (isDigit(text.charCodeAt(i))) i += 1;
  if (text.charCodeAt(i) === DOT) {
    i += 1;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i += 1;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i += 1;
    const s = text.charCodeAt(i);
    if (s === 0x2b || s === MINUS) i += 1;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i += 1;
  }
  return i;
}

const LITERALS: ReadonlyArray<readonly [string, FlatKind]> = [["true", "true"], ["false", "false"], ["null", "null"]];

/** Reads one value at `i` into slot `n`; returns the index past it, or -1 for anything but a plain string, a number or a literal. */
function readValue(text: string, i: number, into: FlatObject, n: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) {
    const end = plainStringEnd(text, i);
    if (end < 0) return -1;
    into.kinds[n] = "string";
    into.texts[n] = text.slice(i + 1, end - 1);
    return end;
  }
  if (c === MINUS || isDigit(c)) {
    const end = numberEnd(text, i);
    if (end < 0) return -1;
    into.kinds[n] = "number";
    into.texts[n] = text.slice(i, end);
    return end;
  }
  for (const [word, kind] of LITERALS) {
    if (text.startsWith(word, i)) {
      into.kinds[n] = kind;
      into.texts[n] = "";
      return i + word.length;
    }
  }
  return -1; // an object, an array, or not JSON: the exact path reads it
}

/** Reads one `"key": value` at `i` into the next slot; returns the index past it, or -1. */
function readMember(text: string, i: number, into: FlatObject): number {
  if (text.charCodeAt(i) !== QUOTE || into.count === FLAT_KEYS_MAX) return -1;
  const keyEnd = plainStringEnd(text, i);
  if (keyEnd < 0) return -1;
  const key = text.slice(i + 1, keyEnd - 1);
  if (into.slot(key) >= 0) return -1; // a key given twice: the exact path names it
  i = skipWhitespace(text, keyEnd);
  if (text.charCodeAt(i) !== COLON) return -1;
  const n = into.count;
  const end = readValue(text, skipWhitespace(text, i + 1), into, n);
  if (end < 0) return -1;
  into.keys[n] = key;
  into.count = n + 1;
  return skipWhitespace(text, end);
}

/**
 * Scans `text` as one flat JSON object into `into`. False when the line is anything else, or
 * anything this scanner does not read with certainty; the caller then takes the exact path.
 */
export function scanFlatObject(text: string, into: FlatObject): boolean {
  into.count = 0;
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return false;
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return skipWhitespace(text, i + 1) === text.length;
  for (;;) {
    i = readMember(text, i, into);
    if (i < 0) return false;
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return skipWhitespace(text, i + 1) === text.length;
    if (c !== COMMA) return false;
    i = skipWhitespace(text, i + 1);
  }
}
