// FIX 4.4 ExecutionReport quirks, each on its own.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFix } from "../../src/adapters/importers/fix/messages.js";
import { BROKERS, fixMessage as fix, importChecked, records, writeTemp } from "./helpers.js";

const er = (extra: [string, string][]): [string, string][] => [
  ["35", "8"], ["34", "5"], ["49", "FXCM"], ["52", "20251020-10:00:00.118"], ["56", "client1"], ["11", "C-1"], ["37", "900"],
  ["38", "1000000"], ["54", "2"], ["55", "USD/JPY"], ["60", "20251020-10:00:00.117"], ...extra,
];

describe("import fix: verified messages, fills, rejects and replacements", () => {
  it("verifies BodyLength and CheckSum: a real FXCM ExecutionReport passes, one altered byte fails", () => {
    const real = "8=FIX.4.4 9=489 35=8 34=15 49=FXCM 50=U100D1 52=20160404-06:18:07.634 56=D101546502001_client1 1=01537581 6=0.99631 11=635953582874324718 14=100000 15=AUD 17=819171964 31=0.99631 32=100000 37=225010828 38=100000 39=2 40=1 44=0.99631 54=2 55=AUD/CAD 58=Executed 59=1 60=20160404-06:18:07 99=0 150=F 151=0 211=0 336=FXCM 625=U100D1 835=0 836=0 1094=0 9000=16 9041=89061181 9050=CM 9051=F 9061=0 453=1 448=FXCM ID 447=D 452=3 802=4 523=1537581 803=10 523=d101546502001 803=2 523=Halpert 803=22 523=32 803=26 10=128";
    expect(typeof parseFix(real)).toBe("object");
    expect(parseFix(real.replace("32=100000", "32=100001"))).toMatch(/CheckSum \(10\) says 128 but the message sums to/);
    expect(parseFix(real.replace("58=Executed", "58=Execute"))).toMatch(/BodyLength \(9\) says 489 but the body has 488 bytes/);
  });

  it("SOH and | delimited logs give the same records", () => {
    const msgs = [er([["17", "1"], ["150", "0"], ["39", "0"], ["14", "0"], ["32", "0"], ["31", "150.25"]]), er([["17", "2"], ["150", "F"], ["39", "2"], ["14", "1000000"], ["32", "1000000"], ["31", "150.251"]])];
    const pipe = importChecked("fix", [writeTemp("p.log", msgs.map((m) => fix(m, "|")).join("\n"))]);
    const soh = importChecked("fix", [writeTemp("s.log", msgs.map((m) => "20251020-10:00:00.120 : " + fix(m, "\u0001")).join("\n"))]);
    expect(soh.finished.lines).toEqual(pipe.finished.lines);
    expect(records(pipe).map((r) => r["type"])).toEqual(["order_accepted", "fill"]);
  });

  it("LastPx with LastQty 0 is not a fill (FXCM sends the market price on every report)", () => {
    const o = importChecked("fix", [writeTemp("z.log", fix(er([["17", "3"], ["150", "F"], ["39", "0"], ["14", "0"], ["32", "0"], ["31", "150.25"]])))]);
    expect(o.finished.lines).toEqual([]);
    expect(o.report.ignored).toEqual([["ExecType F with LastQty 0 (not a fill)", 1]]);
  });

  it("partial fill, then the remainder rejected: 600000 filled, the rest is a cancel; a repeated CumQty is not a second fill", () => {
    const r = records(importChecked("fix", [writeTemp("pf.log", [
      fix(er([["17", "10"], ["150", "F"], ["39", "1"], ["14", "600000"], ["32", "600000"], ["31", "150.251"], ["151", "400000"]])),
      fix(er([["17", "11"], ["150", "F"], ["39", "1"], ["14", "600000"], ["32", "600000"], ["31", "150.251"], ["151", "400000"]])),
      fix(er([["17", "12"], ["150", "8"], ["39", "8"], ["14", "600000"], ["32", "0"], ["31", "150.249"], ["58", "Rejected"]])),
    ].join("\n"))]));
    expect(r).toEqual([
      expect.objectContaining({ type: "fill", qty: "600000", price: "150.251", side: "sell", symbol: "USDJPY", client_order_id: "C-1", broker_order_id: "900" }),
      expect.objectContaining({ type: "order_cancelled", broker_order_id: "900", reason: "remainder rejected: Rejected" }),
    ]);
  });

  it("mangled lines in the FXCM docs are reported with file:line, never crash the import", () => {
    const o = importChecked("fix", [join(BROKERS, "fix", "fxcm", "fixapi.rst"), join(BROKERS, "fix", "fxcm", "fixfaq.rst")]);
    expect(o.report.problems).toContain("fixapi.rst:135: text before the first BeginString looks like FIX fields: the line is mangled; the message after it is checked on its own");
    expect(o.report.problems).toContain("fixfaq.rst:64: message cut short: no CheckSum (10) field");
    expect(records(o)).toEqual([expect.objectContaining({ type: "fill", ts: "2016-04-04T06:18:07.634Z", symbol: "AUDCAD", qty: "100000", price: "0.99631", event_id: "fix:FXCM-D101546502001_client1:819171964" })]);
  });

  it("a reject with ExecID 0 gets a stable id from the message itself, the same on every import", () => {
    const f = join(BROKERS, "fix", "fxcm", "fixconcepts.rst");
    const a = records(importChecked("fix", [f])).find((r) => r["type"] === "order_rejected");
    const b = records(importChecked("fix", [f])).find((r) => r["type"] === "order_rejected");
    expect(a!["event_id"]).toMatch(/^fix:FXCM-1206026806_client1:msg-[0-9a-f]{16}$/);
    expect(b!["event_id"]).toBe(a!["event_id"]);
  });

  it("a replacement (150=5) keeps the first ClOrdID of the OrigClOrdID chain", () => {
    const r = records(importChecked("fix", [writeTemp("r.log", [
      fix(er([["17", "20"], ["150", "0"], ["39", "0"]])),
      fix([["35", "8"], ["34", "6"], ["49", "FXCM"], ["52", "20251020-10:01:00"], ["56", "client1"], ["11", "C-2"], ["41", "C-1"], ["37", "900"], ["38", "500000"], ["54", "2"], ["55", "USD/JPY"], ["60", "20251020-10:01:00"], ["17", "21"], ["150", "5"], ["39", "5"]]),
      fix([["35", "8"], ["34", "7"], ["49", "FXCM"], ["52", "20251020-10:02:00"], ["56", "client1"], ["11", "C-2"], ["37", "900"], ["38", "500000"], ["54", "2"], ["55", "USD/JPY"], ["60", "20251020-10:02:00"], ["17", "22"], ["150", "F"], ["39", "2"], ["14", "500000"], ["32", "500000"], ["31", "150.3"]]),
    ].join("\n"))]));
    expect(r[1]).toMatchObject({ type: "order_accepted", client_order_id: "C-1", replaces_client_order_id: "C-1", qty: "500000" });
    expect(r[2]).toMatchObject({ type: "fill", client_order_id: "C-1", qty: "500000" });
  });
});

describe("import fix: reports of one instant", () => {
  it("reports of one TransactTime from several files follow MsgSeqNum (34), not the file order", () => {
    const at = (seq: string, exec: string, extra: [string, string][]) => fix(er([["17", exec], ...extra]).map(([k, v]) => (k === "34" ? [k, seq] : k === "52" ? [k, "20251020-10:00:00.117"] : [k, v]) as [string, string]));
    const fillLog = writeTemp("late.log", at("7", "31", [["150", "F"], ["39", "2"], ["14", "1000000"], ["32", "1000000"], ["31", "150.25"]]));
    const ackLog = writeTemp("early.log", at("6", "30", [["150", "0"], ["39", "0"], ["14", "0"], ["32", "0"], ["31", "0"]]));
    expect(records(importChecked("fix", [fillLog, ackLog])).map((r) => r["type"])).toEqual(["order_accepted", "fill"]);
  });
});

describe("import fix: time and fees", () => {
  const fill = (t60: string, t52: string, extra: [string, string][] = []) => fix(er([["17", "40"], ["150", "F"], ["39", "2"], ["14", "1000000"], ["32", "1000000"], ["31", "150.25"], ...extra])
    .map(([k, v]) => (k === "60" ? [k, t60] : k === "52" ? [k, t52] : [k, v]) as [string, string]));

  it("the execution time is the most precise of TransactTime (60) and SendingTime (52) within the same second", () => {
    const ts = (log: string) => records(importChecked("fix", [writeTemp("t.log", log)]))[0]!["ts"];
    expect(ts(fill("20251020-10:00:00", "20251020-10:00:00.118"))).toBe("2025-10-20T10:00:00.118Z");
    expect(ts(fill("20251020-10:00:00.117", "20251020-10:00:00.118"))).toBe("2025-10-20T10:00:00.117Z");
    // A SendingTime in a later second is when the report was sent (a resend), not when it executed.
    expect(ts(fill("20251020-10:00:00", "20251020-10:00:05.118"))).toBe("2025-10-20T10:00:00Z");
  });

  it("Commission (12) with CommCurrency (479) gives fee and fee_currency", () => {
    const r = records(importChecked("fix", [writeTemp("c.log", fill("20251020-10:00:00", "20251020-10:00:00.118", [["12", "2.5"], ["479", "JPY"]]))]));
    expect(r[0]).toMatchObject({ fee: "2.5", fee_currency: "JPY" });
  });

  it("CommType (13) says what Commission (12) is: absolute as it is, per unit times the qty filled, a percentage (.001 for 0.1%) of the execution's value", () => {
    const feeOf = (commission: [string, string][]) => {
      const o = importChecked("fix", [writeTemp("c.log", fill("20251020-10:00:00", "20251020-10:00:00.118", [["12", "0.002"], ["479", "USD"], ...commission]))]);
      return { fill: records(o)[0]!, problems: o.report.problems };
    };
    expect(feeOf([["13", "3"]]).fill).toMatchObject({ qty: "1000000", price: "150.25", fee: "0.002", fee_currency: "USD" });
    expect(feeOf([["13", "1"]]).fill).toMatchObject({ fee: "2000", fee_currency: "USD" });
    expect(feeOf([["13", "2"]]).fill).toMatchObject({ fee: "300500", fee_currency: "USD" });
    const points = feeOf([["13", "6"]]);
    expect(points.fill["fee"]).toBeUndefined();
    expect(points.problems).toEqual([expect.stringMatching(/c\.log:1: Commission \(12\) 0\.002 with CommType \(13\) "6": only 1 \(per unit\), 2 \(percentage\) and 3 \(absolute\) say what the fee is; fee left out/)]);
  });
});

describe("import fix: position reports, busts and corrections", () => {
  // FIX 4.4 PositionReport as FXCM sends it (fixapi.rst): one per open ticket, PosReqID 710, TotalNumPosReports 727.
  const ap = (seq: string, sent: string, symbol: string, qtyTag: "704" | "705", qty: string, px: string, posReqType = "0"): string => fix([
    ["35", "AP"], ["34", seq], ["49", "FXCM"], ["52", sent], ["56", "client1"], ["1", "01958448"], ["15", "EUR"], ["55", symbol],
    ["710", "4"], ["715", "20151111"], ["721", `r${seq}`], ["724", posReqType], ["727", "2"], ["728", "0"], ["730", px], ["702", "1"], ["703", "TQ"], [qtyTag, qty], ["753", "1"],
  ]);

  it("a complete set of position reports (35=AP, 724=0) is one position_snapshot: net per symbol, average of the tickets' prices", () => {
    const r = records(importChecked("fix", [writeTemp("ap.log", [
      ap("8", "20151111-20:19:59.929", "EUR/USD", "704", "10000", "1.10728"),
      ap("9", "20151111-20:19:59.931", "EUR/USD", "704", "30000", "1.10800"),
    ].join("\n"))]));
    expect(r).toEqual([expect.objectContaining({
      type: "position_snapshot", ts: "2015-11-11T20:19:59.931Z", positions: [{ symbol: "EURUSD", qty: "40000", avg_price: "1.10782" }],
    })]);
  });

  it("an incomplete set is reported, not imported as a whole book; closed-position reports (724=1) are history", () => {
    const o = importChecked("fix", [writeTemp("ap1.log", ap("8", "20151111-20:19:59.929", "EUR/USD", "705", "10000", "1.10728"))]);
    expect(o.finished.lines).toEqual([]);
    expect(o.report.problems).toEqual([expect.stringMatching(/ap1\.log:1: position reports of request 4 \(PosReqID 710\): 1 of 2 \(TotalNumPosReports 727\) in the input: an incomplete book is not a snapshot; not imported/)]);
    const closed = importChecked("fix", [writeTemp("ap2.log", ap("8", "20151111-20:19:59.929", "EUR/USD", "704", "10000", "1.10728", "1"))]);
    expect(closed.report.problems).toEqual([]);
    expect(closed.report.ignored).toEqual([["35=AP with PosReqType 724=1 (closed positions: history, not the book)", 1]]);
  });

  const trade = (exec: string, seq: string, extra: [string, string][]) => fix([["35", "8"], ["34", seq], ["49", "FXCM"], ["52", "20251020-10:00:00.118"], ["56", "client1"],
    ["11", "C-1"], ["37", "900"], ["38", "1000000"], ["54", "2"], ["55", "USD/JPY"], ["60", "20251020-10:00:00.117"], ["17", exec], ...extra]);

  it("a trade cancel (150=H) removes the busted fill from the log; a trade correction (150=G) corrects it", () => {
    const fills = [
      trade("50", "5", [["150", "F"], ["39", "1"], ["14", "400000"], ["32", "400000"], ["31", "150.25"]]),
      trade("51", "6", [["150", "F"], ["39", "2"], ["14", "1000000"], ["32", "600000"], ["31", "150.26"]]),
    ];
    const bust = trade("52", "7", [["150", "H"], ["19", "50"], ["39", "1"], ["14", "600000"], ["32", "400000"], ["31", "150.25"]]);
    const correct = trade("53", "8", [["150", "G"], ["19", "51"], ["39", "2"], ["14", "1000000"], ["32", "600000"], ["31", "150.21"]]);
    const o = importChecked("fix", [writeTemp("bust.log", [...fills, bust, correct].join("\n"))]);
    expect(records(o)).toEqual([expect.objectContaining({ type: "fill", event_id: "fix:FXCM-client1:51", qty: "600000", price: "150.21", corrected_by_exec_id: "53" })]);
    expect(o.report.problems).toEqual([]);
    expect(o.report.notes).toEqual(expect.arrayContaining([
      "bust.log:3: fill ExecID 50 busted by ExecID 52 (150=H): removed from the log",
      "bust.log:4: fill ExecID 51 corrected by ExecID 53 (150=G): qty 600000, price 150.21",
    ]));
  });

  it("a bust of a fill that is not in the input is reported", () => {
    const o = importChecked("fix", [writeTemp("b.log", trade("52", "7", [["150", "H"], ["19", "49"], ["39", "1"], ["14", "0"], ["32", "400000"], ["31", "150.25"]]))]);
    expect(o.report.problems).toEqual([expect.stringMatching(/b\.log:1: trade cancel \(150=H\) of ExecID 49, which is not in the input: nothing to remove/)]);
  });
});
