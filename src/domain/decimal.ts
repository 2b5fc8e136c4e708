// Exact fixed-point decimals. Money, prices and quantities never touch binary floating point after
// the input boundary, so artifacts carry no float noise (0.1 + 0.2 is 0.3 here) and are the same
// bytes on every machine. A value is a bigint count of 10^-SCALE_DIGITS units.

export const SCALE_DIGITS = 10;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

export type Dec = bigint & { readonly __dec: unique symbol };

export const ZERO = 0n as Dec;

/** The form parseDec accepts (it reads it by character code; tests hold it to this). */
export const DECIMAL_TEXT_SHAPE = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Named limits on decimal text: beyond them a value is refused, never expanded ("1e999999999"
 * would build a billion zeros; a million digits cost seconds of bigint parsing). */
export const DECIMAL_DIGITS_MAX = 40;
export const DECIMAL_EXPONENT_MAX = 40;

/** What a decimal input must look like, for error messages. */
export const DECIMAL_RULE_TEXT =
  `at most ${SCALE_DIGITS} decimal places and ${DECIMAL_DIGITS_MAX} digits, exponent within ±${DECIMAL_EXPONENT_MAX}`;

/**
 * What a value that is not a decimal should have been, for an error message: the rule above, or,
 * for a decimal string with white space around it (" 1000"), that the string is the number and
 * nothing else.
 */
export function decimalRuleFor(value: unknown): string {
  if (typeof value === "string" && value.trim() !== value && parseDec(value.trim()) !== undefined) {
    return "a decimal string holds the number and nothing else: no spaces around it";
  }
  return DECIMAL_RULE_TEXT;
}

const CHAR_0 = 48;
const CHAR_9 = 57;

/** The end of the run of ASCII digits starting at `i`. */
function digitsEnd(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) break;
    i += 1;
  }
  return i;
}

/** Parses plain or exponent decimal text exactly. Returns undefined for anything else, for more
 * fractional digits than SCALE_DIGITS (we refuse rather than silently round an input), and for
 * text beyond DECIMAL_DIGITS_MAX or DECIMAL_EXPONENT_MAX. Read by character code, not a regular
 * expression: it runs for every price and quantity read. */
export function parseDec(text: string): Dec | undefined {
  const n = text.length;
  const first = text.charCodeAt(0);
  const intStart = first === 45 /* - */ || first === 43 /* + */ ? 1 : 0;
  const intEnd = digitsEnd(text, intStart);
  if (intEnd === intStart) return undefined;
  let fracEnd = intEnd;
  if (text.charCodeAt(intEnd) === 46 /* . */) {
    fracEnd = digitsEnd(text, intEnd + 1);
    if (fracEnd === intEnd + 1) return undefined;
  }
  let exponent = 0;
  if (fracEnd < n) {
    const e = text.charCodeAt(fracEnd);
    if (e !== 101 /* e */ && e !== 69 /* E */) return undefined;
    const s = text.charCodeAt(fracEnd + 1);
    const expStart = s === 45 || s === 43 ? fracEnd + 2 : fracEnd + 1;
    if (digitsEnd(text, expStart) !== n || expStart === n) return undefined;
    exponent = Number(text.slice(fracEnd + 1, n));
  }
  const fracDigits = fracEnd === intEnd ? "" : text.slice(intEnd + 1, fracEnd);
  let digits = text.slice(intStart, intEnd) + fracDigits;
  if (digits.length > DECIMAL_DIGITS_MAX) return undefined;
  if (Math.abs(exponent) > DECIMAL_EXPONENT_MAX) return undefined;
  let fracLen = fracDigits.length - exponent;
  if (fracLen < 0) {
    digits += "0".repeat(-fracLen);
    fracLen = 0;
  }
  // Trailing zeros beyond the scale carry no information: drop them before the precision check.
  while (fracLen > SCALE_DIGITS && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    fracLen -= 1;
  }
  if (fracLen > SCALE_DIGITS) return undefined;
  const units = BigInt(digits === "" ? "0" : digits) * 10n ** BigInt(SCALE_DIGITS - fracLen);
  return (first === 45 ? -units : units) as Dec;
}

/** A JSON number arrives as a double; its shortest round-trip text is what the author wrote. */
export function decFromNumber(value: number): Dec | undefined {
  if (Number.isSafeInteger(value)) return (BigInt(value) * SCALE) as Dec;
  if (!Number.isFinite(value)) return undefined;
  return parseDec(String(value));
}

export function decFromInt(value: number | bigint): Dec {
  return (BigInt(value) * SCALE) as Dec;
}

export const add = (a: Dec, b: Dec): Dec => (a + b) as Dec;
export const sub = (a: Dec, b: Dec): Dec => (a - b) as Dec;
export const neg = (a: Dec): Dec => -a as Dec;
export const abs = (a: Dec): Dec => (a < 0n ? -a : a) as Dec;
export const isZero = (a: Dec): boolean => a === 0n;
export const sign = (a: Dec): -1 | 0 | 1 => (a < 0n ? -1 : a > 0n ? 1 : 0);
export const min = (a: Dec, b: Dec): Dec => (a < b ? a : b);
export const max = (a: Dec, b: Dec): Dec => (a > b ? a : b);

/** Integer division rounding half away from zero (the rounding Ops expect from a spreadsheet). */
function divRound(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new Error("invariant: division by zero");
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q += 1n;
  return negative ? -q : q;
}

export const mul = (a: Dec, b: Dec): Dec => divRound(a * b, SCALE) as Dec;
export const div = (a: Dec, b: Dec): Dec => divRound(a * SCALE, b) as Dec;

/** Rounds to `places` fractional digits (half away from zero) and prints them all: "2.50". */
/** 10^(SCALE_DIGITS - places), for each places 0..SCALE_DIGITS: the unit of the last place kept. */
const PLACE_UNITS: readonly bigint[] = Array.from({ length: SCALE_DIGITS + 1 }, (_, places) => 10n ** BigInt(SCALE_DIGITS - places));

function placeUnit(places: number): bigint {
  const unit = PLACE_UNITS[places];
  if (unit === undefined) throw new Error(`invariant: 0 to ${SCALE_DIGITS} decimal places, got ${places}`);
  return unit;
}

export function toFixed(a: Dec, places: number): string {
  const q = divRound(a, placeUnit(places));
  const negative = q < 0n;
  const digits = (negative ? -q : q).toString().padStart(places + 1, "0");
  const intPart = digits.slice(0, digits.length - places);
  const fracPart = places > 0 ? "." + digits.slice(digits.length - places) : "";
  return (negative ? "-" : "") + intPart + fracPart;
}

/** The value rounded to `places` fractional digits (half away from zero), still a Dec. */
export function roundTo(a: Dec, places: number): Dec {
  const unit = placeUnit(places);
  return (divRound(a, unit) * unit) as Dec;
}

/** Plain decimal with trailing zeros dropped: 1.0850000000 prints as "1.085", 100 as "100". */
export function toPlain(a: Dec): string {
  const negative = a < 0n;
  const units = negative ? -a : a;
  const whole = (units / SCALE).toString();
  const frac = units % SCALE;
  if (frac === 0n) return negative ? `-${whole}` : whole;
  const fracText = frac.toString().padStart(SCALE_DIGITS, "0");
  let end = fracText.length;
  while (fracText.charCodeAt(end - 1) === CHAR_0) end -= 1;
  return `${negative ? "-" : ""}${whole}.${fracText.slice(0, end)}`;
}

/** For charts and statistics only; never for figures written as numbers in artifacts. */
export function toNumber(a: Dec): number {
  return Number(toPlain(a));
}
