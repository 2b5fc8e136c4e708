// Interactive Brokers quirks, each on its own.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/domain/errors.js";
import { BROKERS, importChecked, records, writeTemp } from "./helpers.js";

const R = join(BROKERS, "ib", "rust-ibapi");
const PLACE = join(R, "place_order_MKT_BUY_100_TSLA__openOrder_orderStatus_execDetails_commissionReport.psv");
const EXEC = "11|-1|13|76792991|TSLA|STK||0.0|||ISLAND|USD|TSLA|NMS|00025b46.63f8f39c.01.01|20230224  12:04:56|DU1234567|ISLAND|BOT|100|196.52|1376327563|100|0|100|196.52|||||2||";

describe("import ib: TWS times, executions with their commissions, cancels and positions", () => {
  it("refuses zoneless TWS times without --tz (exit 2), naming the line; never guesses", () => {
    expect(() => importChecked("ib", [PLACE])).toThrow(ConfigError);
    expect(() => importChecked("ib", [PLACE])).toThrow(/place_order_MKT_BUY_100_TSLA.*\.psv:3: execution time "20230224  12:04:56" carries no zone/);
  });

  it("reads TWS times in --tz: 12:04:56 New York in February is 17:04:56Z, in Tokyo 03:04:56Z", () => {
    expect(records(importChecked("ib", [PLACE], { tz: "America/New_York" })).find((r) => r["type"] === "fill")!["ts"]).toBe("2023-02-24T17:04:56Z");
    expect(records(importChecked("ib", [PLACE], { tz: "Asia/Tokyo" })).find((r) => r["type"] === "fill")!["ts"]).toBe("2023-02-24T03:04:56Z");
  });

  it("joins commissionReport by execId, BOT is buy, and the untimed openOrder takes the execution's time", () => {
    const r = records(importChecked("ib", [PLACE], { tz: "America/New_York" }));
    expect(r).toEqual([
      expect.objectContaining({ type: "order_accepted", ts: "2023-02-24T17:04:56Z", ts_inferred: true, broker_order_id: "1376327563", client_order_id: "ib:100:13", qty: "100" }),
      expect.objectContaining({ type: "fill", side: "buy", qty: "100", price: "196.52", fee: "1", fee_currency: "USD", exec_id: "00025b46.63f8f39c.01.01" }),
    ]);
  });

  it("an execId ending .02 corrects .01: only the correction is imported, under the same event id", () => {
    const corrected = EXEC.replace("00025b46.63f8f39c.01.01", "00025b46.63f8f39c.01.02").replace("|BOT|100|196.52|", "|SLD|100|196.55|");
    const r = records(importChecked("ib", [writeTemp("c.psv", [EXEC, corrected].join("\n"))], { tz: "America/New_York" }));
    expect(r).toEqual([expect.objectContaining({ type: "fill", side: "sell", price: "196.55", exec_id: "00025b46.63f8f39c.01.02", event_id: "ib:exec:DU1234567:00025b46.63f8f39c.01" })]);
  });

  it("1.7976931348623157E308 means not set: such a commission is no fee", () => {
    const r = records(importChecked("ib", [writeTemp("u.psv", [EXEC, "59|1|00025b46.63f8f39c.01.01|1.7976931348623157E308|USD|1.7976931348623157E308|1.7976931348623157E308|||"].join("\n"))], { tz: "UTC" }));
    expect(r[0]!["fee"]).toBeUndefined();
  });

  it("a cancel (orderStatus Cancelled + error 202) is one order_cancelled; with no time anywhere it needs --as-of", () => {
    const f = join(R, "cancel_order__orderStatus_Cancelled_error202.psv");
    const none = importChecked("ib", [f]);
    expect(none.finished.lines).toEqual([]);
    expect(none.report.problems[0]).toMatch(/cancel_order__orderStatus_Cancelled_error202\.psv:1: order_cancelled: IB sends no time/);
    expect(records(importChecked("ib", [f], { asOf: "2025-01-02T15:00:00Z" }))).toEqual([
      expect.objectContaining({ type: "order_cancelled", broker_order_id: "71270927", ts: "2025-01-02T15:00:00Z" }),
    ]);
  });

  it("position ... positionEnd in a recorded session becomes one snapshot, future avgCost divided by its multiplier", () => {
    const r = records(importChecked("ib", [join(R, "tws_interactions.yaml")]));
    expect(r).toEqual([expect.objectContaining({
      type: "position_snapshot", ts: "2025-07-15T19:05:07Z",
      positions: [{ symbol: "AAPL", qty: "-110", avg_price: "201.8829709" }, { symbol: "ESU5", qty: "1", avg_price: "6302.295" }],
    })]);
  });

  it("a raw TWS API log (dash separated, length prefixed) imports: the order, its execution at --tz, its commission", () => {
    const o = importChecked("ib", [join(R, "raw_tws_api_log__AAPL_MKT_BUY_100__2023-02-23.txt")], { tz: "America/New_York" });
    expect(records(o)).toEqual([
      expect.objectContaining({ type: "order_accepted", ts: "2023-02-23T16:49:33Z", ts_inferred: true, broker_order_id: "45587459", client_order_id: "ib:123:12", symbol: "AAPL", side: "buy", qty: "100" }),
      expect.objectContaining({ type: "fill", ts: "2023-02-23T16:49:33Z", broker_order_id: "45587459", qty: "100", price: "149.23", fee: "1", fee_currency: "USD", exec_id: "0000e0d5.64305db8.01.01" }),
    ]);
    expect(o.report.problems).toEqual([]);
    expect(o.report.ignored).toContainEqual(["request sent to TWS", 1]);
  });

  it("a raw log line whose readable length prefix disagrees with its text is reported", () => {
    const line = readFileSync(join(R, "raw_tws_api_log__AAPL_MKT_BUY_100__2023-02-23.txt"), "utf8").split("\n").find((l) => l.includes("---T59"))!;
    const o = importChecked("ib", [writeTemp("cut.txt", line.replace("-1.0-USD-", "-1.0-US-") + "\n")], { tz: "UTC" });
    expect(o.report.problems).toEqual([expect.stringMatching(/cut\.txt:1: raw TWS message: its length prefix says 84 bytes but it has 83: not imported/)]);
  });
});

describe("import ib: positions polled twice", () => {
  it("the same positions reported at two times are two snapshots with two ids", () => {
    const session = (secs: number) => [`49|1|${secs}`, "61|3|DU1234567|265598|AAPL|STK||0.0|||NASDAQ|USD|AAPL|NMS|-110|201.8829709", "62|1"].join("\n");
    const r = records(importChecked("ib", [writeTemp("p.psv", session(1752606307) + "\n" + session(1752609907))]));
    expect(r.map((x) => x["ts"])).toEqual(["2025-07-15T19:05:07Z", "2025-07-15T20:05:07Z"]);
    expect(r[0]!["event_id"]).not.toBe(r[1]!["event_id"]);
  });
});

describe("import ib: executions within one second", () => {
  it("executions of one second from several files follow their execution ids, not the file order", () => {
    const second = EXEC.replace("00025b46.63f8f39c.01.01", "00025b46.63f8f39c.02.01").replace("|100|196.52|1376327563|100|0|100|196.52|", "|50|196.60|1376327563|100|0|150|196.55|");
    const r = records(importChecked("ib", [writeTemp("b.psv", second), writeTemp("a.psv", EXEC)], { tz: "America/New_York" }));
    expect(r.map((x) => x["exec_id"])).toEqual(["00025b46.63f8f39c.01.01", "00025b46.63f8f39c.02.01"]);
  });
});

describe("import ib: completed orders", () => {
  const COMPLETED = join(R, "completed_orders__completedOrder_end.psv");
  const completed = () => readFileSync(COMPLETED, "utf8");

  it("a cancelled completedOrder (101) is the order and its cancel, at its completedTime (zone given, no --tz needed)", () => {
    const cancelled = completed().replace("|Filled|100|0|0|150.25|", "|Cancelled|0|0|0|150.25|").replace("America/Los_Angeles|Filled|", "America/Los_Angeles|Cancelled by Trader|");
    const r = records(importChecked("ib", [writeTemp("c.psv", cancelled)]));
    expect(r).toEqual([
      expect.objectContaining({ type: "order_accepted", ts: "2023-11-22T18:30:00Z", ts_inferred: true, broker_order_id: "1377295418", client_order_id: "ib:perm:1377295418", symbol: "AAPL", side: "buy", qty: "100" }),
      expect.objectContaining({ type: "order_cancelled", ts: "2023-11-22T18:30:00Z", broker_order_id: "1377295418", reason: "Cancelled by Trader" }),
    ]);
  });

  it("a filled completedOrder gives its order next to its executions; without them it is reported (it carries no fill price)", () => {
    const alone = importChecked("ib", [COMPLETED]);
    expect(alone.finished.lines).toEqual([]);
    expect(alone.report.problems).toEqual([expect.stringMatching(/completed_orders__completedOrder_end\.psv:1: completedOrder 1377295418 \(BUY 100 AAPL\) Filled, but none of its executions are in the input/)]);
    const exec = EXEC.replaceAll("1376327563", "1377295418").replace("|TSLA|STK|", "|AAPL|STK|").replace("|TSLA|NMS|", "|AAPL|NMS|");
    const r = records(importChecked("ib", [COMPLETED, writeTemp("e.psv", exec)], { tz: "America/New_York" }));
    expect(r.map((x) => [x["type"], x["broker_order_id"], x["ts"]])).toEqual([["order_accepted", "1377295418", "2023-02-24T17:04:56Z"], ["fill", "1377295418", "2023-02-24T17:04:56Z"]]);
  });
});
