// The parsers that run for every input line (timestamps, decimals) and the decimal printer read and
// write by character code instead of regular expressions. Each must give exactly what the
// regular-expression version gave, kept here as the reference, over generated text shaped like its
// inputs and near misses of it.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as D from "../src/domain/decimal.js";
import { type Instant, parseInstant, RFC3339_UTC_SHAPE } from "../src/domain/time.js";

const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 2000);

/** The regular-expression parser, the reference (its calendar check is the shared startOfDay, reached here through parseInstant). */
function referenceInstant(text: string): Instant | undefined {
  const m = RFC3339_UTC_SHAPE.exec(text);
  if (m === null) return undefined;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const midnight = parseInstant(`${text.slice(0, 10)}T00:00:00Z`);
  if (midnight === undefined) return undefined;
  const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(9, "0"));
  const wholeMs = midnight.ms + hour * 3_600_000 + minute * 60_000 + second * 1000;
  return { ms: wholeMs + Math.floor(frac / 1_000_000), subNs: frac % 1_000_000, text };
}

function referenceDec(text: string): D.Dec | undefined {
  const m = D.DECIMAL_TEXT_SHAPE.exec(text);
  if (m === null) return undefined;
  const sign = m[1] === "-" ? -1n : 1n;
  let digits = (m[2] ?? "") + (m[3] ?? "");
  if (digits.length > D.DECIMAL_DIGITS_MAX) return undefined;
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exponent) > D.DECIMAL_EXPONENT_MAX) return undefined;
  let fracLen = (m[3] ?? "").length - exponent;
  if (fracLen < 0) {
    digits += "0".repeat(-fracLen);
    fracLen = 0;
  }
  while (fracLen > D.SCALE_DIGITS && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    fracLen -= 1;
  }
  if (fracLen > D.SCALE_DIGITS) return undefined;
  const units = BigInt(digits === "" ? "0" : digits) * 10n ** BigInt(D.SCALE_DIGITS - fracLen);
  return (sign * units) as D.Dec;
}

function referencePlain(a: D.Dec): string {
  const trimmed = D.toFixed(a, D.SCALE_DIGITS).replace(/\.?0+$/, "");
  return trimmed === "-0" || trimmed === "" ? "0" : trimmed;
}

const pick = (chars: string, max: number) => fc.array(fc.constantFrom(...chars.split("")), { maxLength: max }).map((a) => a.join(""));
const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, "0"));

/** Timestamps of the accepted shape, out-of-range fields included, and random edits of them. */
const timestampText = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9999 }), two, two, two, two, two, pick("0123456789", 11), fc.boolean())
    .map(([y, mo, d, h, mi, s, frac, dot]) => `${String(y).padStart(4, "0")}-${mo}-${d}T${h}:${mi}:${s}${dot ? "." : ""}${frac}Z`),
  fc.tuple(fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), fc.nat(30), pick("0123456789.Z:-T+ a٣", 3))
    .map(([date, at, junk]) => { const t = date.toISOString(); return t.slice(0, at) + junk + t.slice(at + junk.length); }),
  pick("0123456789-:.TZ", 32),
);

/** Decimal text, near misses included: signs, dots, exponents, long digit runs, stray characters. */
const decimalText = fc.oneof(
  fc.tuple(pick("+-", 1), pick("0123456789", 45), fc.boolean(), pick("0123456789", 14), pick("eE", 1), pick("+-", 1), pick("0123456789", 3))
    .map(([s, i, dot, f, e, es, x]) => `${s}${i}${dot ? "." : ""}${f}${e}${e === "" ? "" : es + x}`),
  pick("0123456789.-+eE x", 20),
);

describe("hot-path parsers agree with their regular-expression versions", () => {
  it("prop_parseInstant_matchesReference: the same instant, or undefined, for every text", () => {
    fc.assert(fc.property(timestampText, (text) => {
      expect(parseInstant(text)).toEqual(referenceInstant(text));
    }), { numRuns: NUM_RUNS });
  });

  it("prop_parseDec_matchesReference: the same decimal, or undefined, for every text", () => {
    fc.assert(fc.property(decimalText, (text) => {
      expect(D.parseDec(text)).toBe(referenceDec(text));
    }), { numRuns: NUM_RUNS });
  });

  it("prop_toPlain_matchesReference: the same text for every decimal", () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat(12), (units, zeros) => {
      const a = (units * 10n ** BigInt(zeros)) as D.Dec;
      expect(D.toPlain(a)).toBe(referencePlain(a));
    }), { numRuns: NUM_RUNS });
  });
});
