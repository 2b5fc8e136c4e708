// A decimal with a huge exponent or a huge number of digits is refused at once (exit 65 naming the
// field and the limits), never expanded: "1e999999999" crashed building a string of a billion zeros,
// "1e300000" took 102 s.

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decOf } from "../../src/adapters/importers/common.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { configErrorOf, configFile, dataErrorOf } from "./helpers.js";
import { DECIMAL_DIGITS_MAX, DECIMAL_EXPONENT_MAX, parseDec, toPlain } from "../../src/domain/decimal.js";
import { parseBrokerLine } from "../../src/domain/validate.js";

function fillWithQty(qty: string): string {
  return `{"type":"fill","ts":"2025-10-20T08:00:00Z","event_id":"E1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":${qty},"price":1.1}`;
}

describe("decimal text within named limits", () => {
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

describe("a decimal string is the decimal and nothing around it", () => {
  const spaced = [["a space before", `" 1000"`], ["a space after", `"1000 "`], ["a tab before", `"\\t1000"`], ["a line break after", `"1000\\n"`],
    ["a space inside", `"1 000"`], ["a no-break space before", `"\\u00a01000"`], ["a unit after", `"1000 units"`]] as const;
  for (const [name, qty] of spaced) {
    it(`${name} (${qty}) is a malformed number: DataError naming the field`, () => {
      const err = dataErrorOf(() => parseBrokerLine(fillWithQty(qty), 4));
      expect([err.line, err.field, err.got]).toEqual([4, "qty", JSON.stringify(JSON.parse(qty))]);
    });
  }

  it("a number with white space around it is told so", () => {
    expect(dataErrorOf(() => parseBrokerLine(fillWithQty(`" 1000"`), 4)).expected).toBe("a positive number (a decimal string holds the number and nothing else: no spaces around it)");
  });

  it("the same number without the spaces is read", () => {
    expect(parseBrokerLine(fillWithQty(`"1000"`), 4)).toMatchObject({ qty: parseDec("1000") });
  });

  it("on the command line: exit 65, file:line and the field, nothing written", () => {
    const dir = tempDir();
    const journal = join(dir, "journal.jsonl");
    const broker = join(dir, "broker.jsonl");
    writeFileSync(journal, `{"type":"snapshot","ts":"2025-10-20T07:00:00Z"}\n` +
      `{"type":"decision","ts":"2025-10-20T08:00:00Z","decision_id":"D1","client_order_id":"C1","symbol":"EURUSD","side":"buy","qty":" 1000","ref_price":1.085}\n`);
    writeFileSync(broker, `{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E1","positions":[]}\n`);
    const out = join(dir, "out");
    const r = runCli(["replay", "--journal", journal, "--broker", broker, "--out", out]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toContain(`journal.jsonl:2: field "qty": expected a positive number (a decimal string holds the number and nothing else: no spaces around it), got " 1000"`);
    expect(existsSync(out)).toBe(false);
  });

  it("a config decimal with white space around it is a config error naming the setting", () => {
    const path = configFile(`{"drift_tolerance_pips": " 0.5"}`);
    expect(configErrorOf(path).message).toContain(`"drift_tolerance_pips" must be a number >= 0 (a decimal string holds the number and nothing else: no spaces around it), got " 0.5"`);
  });

  it("an importer reading a broker's own export still drops white space around a number (a padded column is that broker's format)", () => {
    expect(decOf(" 1000 ")).toBe(parseDec("1000"));
  });
});
