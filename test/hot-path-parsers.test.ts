// The parsers that run for every input line (timestamps, decimals) and the decimal printer read and
// write by character code instead of regular expressions. Each must give exactly what the
// regular-expression version gave, kept here as the reference, over generated text shaped like its
// inputs and near misses of it.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as D from "../src/domain/decimal.js";
import { type Instant, parseInstant, RFC3339_UTC_SHAPE } from "../src/domain/time.js";
import { flatBrokerRecord, flatJournalRecord } from "../src/domain/flat-records.js";
import { parseBrokerLine, parseBrokerLineExactly, parseJournalLine, parseJournalLineExactly } from "../src/domain/validate.js";

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

describe("the one-pass reader of flat lines gives the exact path's record, or leaves the line to it", () => {
  /** Text for a value: well-formed JSON of each kind, near misses, and what the exact path refuses. */
  const jsonValue = fc.oneof(
    fc.constantFrom('"1000"', "1000", "1e3", '" 1000"', "-0", "0.5", "01", "+1", "1.", "1.2.3", '"1.23456789012"', "12345678.123456789",
      "9007199254740993", "1e400", '"0"', "0", "true", "null", '""', '"EURUSD"', '"EUR_USD"', '"eur/usd"', '"EUR USD"', '"buy"', '"sell"',
      '"BUY"', '"USD"', '"usdt"', '"2025-10-20T14:30:22.123456789Z"', '"2025-10-20T16:30:22+02:00"', '"2025-02-30T00:00:00Z"',
      '"a\\u00e9"', '"x\\"y"', "[1]", '{"a":1}', '"\\ud800"'),
    fc.integer({ min: -5, max: 1_000_000 }).map(String),
    fc.tuple(fc.stringMatching(/^[0-9]{1,14}\.[0-9]{1,12}$/), fc.boolean()).map(([s, quoted]) => (quoted ? `"${s}"` : s)),
  );
  const FIELDS = ["type", "ts", "event_id", "client_order_id", "broker_order_id", "decision_id", "symbol", "side", "qty", "price", "ref_price",
    "fee", "fee_currency", "limit_price", "order_type", "strategy", "replaces_broker_order_id", "extra"];
  const good: Record<string, string> = {
    ts: '"2025-10-20T14:30:22.5Z"', event_id: '"E1"', client_order_id: '"C1"', broker_order_id: '"B1"', decision_id: '"D1"', symbol: '"EUR_USD"',
    side: '"buy"', qty: "1000", price: '"1.085"', ref_price: "1.0849", fee: '"0.2"',
  };
  const line = fc.record({
    type: fc.constantFrom('"fill"', '"order_accepted"', '"decision"', '"order_cancelled"', '"snapshot"', "7"),
    changes: fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(jsonValue, fc.constant(undefined))), { maxLength: 4 }),
    spaces: fc.boolean(),
    duplicate: fc.boolean(),
  }).map(({ type, changes, spaces, duplicate }) => {
    const fields = new Map<string, string | undefined>(Object.entries(good));
    fields.set("type", type);
    for (const [k, v] of changes) fields.set(k, v);
    const members = [...fields].filter(([, v]) => v !== undefined).map(([k, v]) => (spaces ? `"${k}" : ${v}` : `"${k}":${v}`));
    if (duplicate && members.length > 0) members.push(members[0]!);
    return spaces ? `{ ${members.join(", ")} }` : `{${members.join(",")}}`;
  });

  const outcome = (f: () => unknown): unknown => {
    try {
      return { record: f() };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };

  it(`prop_parseLine_equals_the_exact_path (${NUM_RUNS} lines): the same record, or the same error`, () => {
    fc.assert(fc.property(line, (text) => {
      expect(outcome(() => parseBrokerLine(text, 7, 123))).toEqual(outcome(() => parseBrokerLineExactly(text, 7, 123)));
      expect(outcome(() => parseJournalLine(text, 7))).toEqual(outcome(() => parseJournalLineExactly(text, 7)));
    }), { seed: 20261207, numRuns: NUM_RUNS });
  });

  it("takes the lines the logs are made of: a decision, an acceptance and a fill each read in one pass", () => {
    const lines = [
      '{"type":"decision","ts":"2025-01-06T00:00:00.000Z","decision_id":"D-0","client_order_id":"C-0","symbol":"EURUSD","side":"buy","qty":1000,"ref_price":"1.085"}',
      '{"type":"order_accepted","ts":"2025-01-06T00:00:00.100Z","event_id":"A-0","client_order_id":"C-0","broker_order_id":"B-0","symbol":"EUR_USD","side":"buy","qty":1000}',
      '{"type":"fill","ts":"2025-01-06T00:00:00.200Z","event_id":"F-0","client_order_id":"C-0","broker_order_id":"B-0","symbol":"EUR_USD","side":"buy","qty":1000,"price":"1.085","fee":"0"}',
    ];
    expect(flatJournalRecord(lines[0]!, 1)).toEqual(parseJournalLineExactly(lines[0]!, 1));
    expect(flatBrokerRecord(lines[1]!, 2, 2)).toEqual(parseBrokerLineExactly(lines[1]!, 2, 2));
    expect(flatBrokerRecord(lines[2]!, 3, 3)).toEqual(parseBrokerLineExactly(lines[2]!, 3, 3));
  });
});
