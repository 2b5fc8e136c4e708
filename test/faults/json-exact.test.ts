// A JSON line is read exactly from its text, or refused. JSON.parse rounded numbers to doubles (a
// false overfill from a 9-decimal qty, 9007199254740993 read as ...992, 21 decimal places accepted as
// 5), kept the last of two equal keys, and a 20 000-deep value overflowed the stack in the error
// message helpers.

import { describe, expect, it } from "vitest";
import { dataErrorOf } from "./helpers.js";
import { JSON_DEPTH_MAX } from "../../src/domain/json-text.js";
import { parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { runLines } from "../helpers/replay.js";

const SNAPSHOT = `{"type":"snapshot","ts":"2025-10-20T07:00:00Z","open_orders":[],"positions":[]}`;
const BROKER_SNAPSHOT = `{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E0","positions":[]}`;
const decision = (qty: string, ref = "1.085") =>
  `{"type":"decision","ts":"2025-10-20T08:00:00Z","decision_id":"D1","client_order_id":"C1","symbol":"EURUSD","side":"buy","qty":${qty},"ref_price":${ref}}`;
const fill = (qty: string, price = "1.085", eventId = "E1", ts = "08:00:01") =>
  `{"type":"fill","ts":"2025-10-20T${ts}Z","event_id":"${eventId}","client_order_id":"C1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":${qty},"price":${price}}`;

function tradeQty(trades: string): string {
  const [header, row] = trades.split("\n");
  return row!.split(",")[header!.split(",").indexOf("qty")]!;
}

describe("JSON numbers are read exactly from the text", () => {
  it("a 9-decimal fill qty as a JSON number equals the ordered qty as a string: no false overfill or drift", () => {
    const r = runLines([SNAPSHOT, decision(`"12345678.123456789"`)], [BROKER_SNAPSHOT, fill("12345678.123456789")]);
    expect(r.report.findings.items.map((f) => f.kind)).toEqual([]);
    expect(tradeQty(r.artifacts["trades.csv"])).toBe("12345678.123456789");
  });

  it("an integer above 2^53 keeps its last digit", () => {
    const r = runLines([SNAPSHOT, decision("9007199254740993")], [BROKER_SNAPSHOT, fill("9007199254740993")]);
    expect(r.report.findings.items.map((f) => f.kind)).toEqual([]);
    expect(tradeQty(r.artifacts["trades.csv"])).toBe("9007199254740993");
  });

  it("a number with more than 10 decimal places is refused, not rounded to one that fits", () => {
    const err = dataErrorOf(() => parseBrokerLine(fill("1000", "1.08502000000000000001"), 3));
    expect([err.line, err.field, err.got]).toEqual([3, "price", "1.08502000000000000001"]);
  });

  it("1e400 is refused and named as written, not as \"null\"", () => {
    const err = dataErrorOf(() => parseJournalLine(decision("1e400"), 2));
    expect([err.field, err.got]).toEqual(["qty", "1e400"]);
  });

  it("a redelivery whose number differs beyond a double's digits is a conflict; the same value written two ways is not", () => {
    const first = fill("12345678.123456789", "1.085", "E1", "08:00:01");
    const differs = fill("12345678.12345679", "1.085", "E1", "08:00:01");
    const err = dataErrorOf(() => runLines([SNAPSHOT, decision("12345678.123456789")], [BROKER_SNAPSHOT, first, differs]));
    expect(err.field).toBe("event_id");
    const same = fill("12345678.1234567890000", "1.0850", "E1", "08:00:01");
    const r = runLines([SNAPSHOT, decision("12345678.123456789")], [BROKER_SNAPSHOT, first, same]);
    expect(r.artifacts["summary.txt"]).toContain("duplicate_deliveries=1\n");
  });
});

describe("ambiguous JSON objects are refused", () => {
  it("a key given twice in one object is bad input naming the key", () => {
    const err = dataErrorOf(() => parseJournalLine(decision("100000").replace(`"qty":100000`, `"qty":100000,"qty":1`), 2));
    expect([err.line, err.field, err.expected]).toEqual([2, "qty", "each key once in an object"]);
  });

  it("a key given twice in a nested object names its path", () => {
    const line = `{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E0","positions":[{"symbol":"EURUSD","qty":1,"qty":2,"avg_price":1.1}]}`;
    expect(dataErrorOf(() => parseBrokerLine(line, 4)).field).toBe("positions[0].qty");
  });
});

describe("deeply nested JSON is refused at a named limit", () => {
  it("20 000 levels in a validated field: a DataError, not a stack overflow", () => {
    const deep = "[".repeat(20_000) + "]".repeat(20_000);
    const err = dataErrorOf(() => parseJournalLine(decision("1").replace(`"symbol":"EURUSD"`, `"symbol":${deep}`), 2));
    expect(err.field).toBe("(line)");
    expect(err.expected).toContain(`json_depth_max=${JSON_DEPTH_MAX}`);
    // Up to the limit a value is still read (and here refused by the field's own rule).
    const nested = "[".repeat(JSON_DEPTH_MAX - 1) + "]".repeat(JSON_DEPTH_MAX - 1);
    expect(dataErrorOf(() => parseJournalLine(decision("1").replace(`"symbol":"EURUSD"`, `"symbol":${nested}`), 2)).field).toBe("symbol");
  });

});
