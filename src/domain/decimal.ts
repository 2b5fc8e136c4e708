// Exact fixed-point decimals. Money, prices and quantities never touch binary floating point after
// the input boundary, so artifacts carry no float noise (0.1 + 0.2 is 0.3 here) and are the same
// bytes on every machine. A value is a bigint count of 10^-SCALE_DIGITS units.

export const SCALE_DIGITS = 10;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

export type Dec = bigint & { readonly __dec: unique symbol };

export const ZERO = 0n as Dec;

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Named limits on decimal text: beyond them a value is refused, never expanded ("1e999999999"
 * would build a billion zeros; a million digits cost seconds of bigint parsing). */
export const DECIMAL_DIGITS_MAX = 40;
export const DECIMAL_EXPONENT_MAX = 40;

/** What a decimal input must look like, for error messages. */
export const DECIMAL_RULE_TEXT =
  `at most ${SCALE_DIGITS} decimal places and ${DECIMAL_DIGITS_MAX} digits, exponent within ±${DECIMAL_EXPONENT_MAX}`;

/** Parses plain or exponent decimal text exactly. Returns undefined for anything else, for more
 * fractional digits than SCALE_DIGITS (we refuse rather than silently round an input), and for
 * text beyond DECIMAL_DIGITS_MAX or DECIMAL_EXPONENT_MAX. */
export function parseDec(text: string): Dec | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (m === null) return undefined;
  const sign = m[1] === "-" ? -1n : 1n;
  let digits = (m[2] ?? "") + (m[3] ?? "");
  if (digits.length > DECIMAL_DIGITS_MAX) return undefined;
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exponent) > DECIMAL_EXPONENT_MAX) return undefined;
  let fracLen = (m[3] ?? "").length - exponent;
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
  return (sign * units) as Dec;
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
export function toFixed(a: Dec, places: number): string {
  const q = divRound(a, 10n ** BigInt(SCALE_DIGITS - places));
  const negative = q < 0n;
  const digits = (negative ? -q : q).toString().padStart(places + 1, "0");
  const intPart = digits.slice(0, digits.length - places);
  const fracPart = places > 0 ? "." + digits.slice(digits.length - places) : "";
  return (negative ? "-" : "") + intPart + fracPart;
}

/** The value rounded to `places` fractional digits (half away from zero), still a Dec. */
export function roundTo(a: Dec, places: number): Dec {
  const unit = 10n ** BigInt(SCALE_DIGITS - places);
  return (divRound(a, unit) * unit) as Dec;
}

/** Plain decimal with trailing zeros dropped: 1.0850000000 prints as "1.085", 100 as "100". */
export function toPlain(a: Dec): string {
  const text = toFixed(a, SCALE_DIGITS);
  const trimmed = text.replace(/\.?0+$/, "");
  return trimmed === "-0" || trimmed === "" ? "0" : trimmed;
}

/** For charts and statistics only; never for figures written as numbers in artifacts. */
export function toNumber(a: Dec): number {
  return Number(toPlain(a));
}
