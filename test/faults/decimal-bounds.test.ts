// Fault suite, item 11: a decimal with a huge exponent or a huge number of digits is refused at once
// (exit 65 naming the field and the limits), never expanded: "1e999999999" crashed building a
// string of a billion zeros, "1e300000" took 102 s.

import { describe, expect, it } from "vitest";
import { dataErrorOf } from "./helpers.js";
import { DECIMAL_DIGITS_MAX, DECIMAL_EXPONENT_MAX, parseDec, toPlain } from "../../src/domain/decimal.js";
import { parseBrokerLine } from "../../src/domain/validate.js";

function fillWithQty(qty: string): string {
  return `{"type":"fill","ts":"2025-10-20T08:00:00Z","event_id":"E1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":${qty},"price":1.1}`;
}

describe("decimal text within named limits (fault suite, item 11)", () => {
  const refused = [
    ["a huge exponent", `"1e999999999"`],
    ["a large exponent", `"1e300000"`],
    ["an exponent past the limit", `"1e${DECIMAL_EXPONENT_MAX + 1}"`],
    ["more digits than the limit", `"${"9".repeat(DECIMAL_DIGITS_MAX + 1)}"`],
    ["a million digits", `"${"1".repeat(1_000_000)}"`],
  ] as const;
  for (const [name, qty] of refused) {
    it(`${name} is refused (DataError naming the field and the limits)`, () => {
      const err = dataErrorOf(() => parseBrokerLine(fillWithQty(qty), 7));
      expect(err.line).toBe(7);
      expect(err.field).toBe("qty");
      expect(err.expected).toContain(`${DECIMAL_DIGITS_MAX} digits`);
      expect(err.expected).toContain(`exponent within ±${DECIMAL_EXPONENT_MAX}`);
    });
  }

  it("at the limits a value is still read exactly, one step past them it is refused", () => {
    expect(toPlain(parseDec(`1e${DECIMAL_EXPONENT_MAX}`)!)).toBe("1" + "0".repeat(DECIMAL_EXPONENT_MAX));
    expect(parseDec(`1e${DECIMAL_EXPONENT_MAX + 1}`)).toBeUndefined();
    expect(toPlain(parseDec("9".repeat(DECIMAL_DIGITS_MAX))!)).toBe("9".repeat(DECIMAL_DIGITS_MAX));
    expect(parseDec("9".repeat(DECIMAL_DIGITS_MAX + 1))).toBeUndefined();
    expect(toPlain(parseDec("1.5e-9")!)).toBe("0.0000000015");
  });
});
