// A number in a broker payload is read exactly from its text or refused, as in the replay's own
// inputs: JSON.parse would turn 12345678.123456789 units into 12345678.12345679 and an id of
// 9007199254740993 into ...992, and keep the last of two equal keys.

import { describe, expect, it } from "vitest";
import { importChecked, records, writeTemp } from "./helpers.js";

const acct = "101-004-1435156-001";
const order = (fields: string) =>
  `{"type":"MARKET_ORDER","batchID":"10","accountID":"${acct}","time":"2017-03-09T13:22:13.832587780Z","instrument":"EUR_USD","reason":"CLIENT_ORDER","clientExtensions":{"id":"E-1"},${fields}}`;

describe("importers read numbers exactly", () => {
  it("units given as a JSON number with 17 significant digits keep every digit", () => {
    const r = records(importChecked("oanda", [writeTemp("stream.jsonl", order(`"id":"10","units":-12345678.123456789`) + "\n")]));
    expect(r[0]).toMatchObject({ type: "order_accepted", side: "sell", qty: "12345678.123456789" });
  });

  it("an id given as a JSON number beyond 2^53 keeps its digits", () => {
    const r = records(importChecked("oanda", [writeTemp("stream.jsonl", order(`"id":9007199254740993,"units":"-100"`) + "\n")]));
    expect(r[0]!["event_id"]).toBe(`oanda:${acct}:9007199254740993`);
  });

  it("an object naming one key twice is reported and not imported (never last-wins)", () => {
    const o = importChecked("oanda", [
      writeTemp("stream.jsonl", order(`"id":"10","units":"-100000","units":"-1"`) + "\n" + order(`"id":"11","units":"-5"`) + "\n"),
    ]);
    expect(records(o).map((x) => x["qty"])).toEqual(["5"]);
    expect(o.report.problems.join("\n")).toMatch(/stream\.jsonl:1.*"units".*twice|stream\.jsonl:1.*units/);
  });
});
