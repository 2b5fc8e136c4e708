// FIX 4.4 ExecutionReport quirks, each on its own.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFix } from "../../src/adapters/importers/fix.js";
import { BROKERS, importChecked, records, writeTemp } from "./helpers.js";

/** A message with a correct BodyLength and CheckSum, rendered with `sep` for SOH. */
function fix(fields: [string, string][], sep = "|"): string {
  const body = fields.map(([k, v]) => `${k}=${v}\u0001`).join("");
  const msg = `8=FIX.4.4\u00019=${Buffer.byteLength(body)}\u0001${body}`;
  let sum = 0;
  for (const b of Buffer.from(msg)) sum = (sum + b) % 256;
  return (msg + `10=${String(sum).padStart(3, "0")}\u0001`).replaceAll("\u0001", sep);
}
const er = (extra: [string, string][]): [string, string][] => [
  ["35", "8"], ["34", "5"], ["49", "FXCM"], ["52", "20251020-10:00:00.118"], ["56", "client1"], ["11", "C-1"], ["37", "900"],
  ["38", "1000000"], ["54", "2"], ["55", "USD/JPY"], ["60", "20251020-10:00:00.117"], ...extra,
];

describe("fix importer", () => {
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

describe("fix importer: issue 17", () => {
  it("reports of one TransactTime from several files follow MsgSeqNum (34), not the file order (defect 6)", () => {
    const at = (seq: string, exec: string, extra: [string, string][]) => fix(er([["17", exec], ...extra]).map(([k, v]) => (k === "34" ? [k, seq] : k === "52" ? [k, "20251020-10:00:00.117"] : [k, v]) as [string, string]));
    const fillLog = writeTemp("late.log", at("7", "31", [["150", "F"], ["39", "2"], ["14", "1000000"], ["32", "1000000"], ["31", "150.25"]]));
    const ackLog = writeTemp("early.log", at("6", "30", [["150", "0"], ["39", "0"], ["14", "0"], ["32", "0"], ["31", "0"]]));
    expect(records(importChecked("fix", [fillLog, ackLog])).map((r) => r["type"])).toEqual(["order_accepted", "fill"]);
  });
});

describe("fix importer: time and fees (issue 17)", () => {
  const fill = (t60: string, t52: string, extra: [string, string][] = []) => fix(er([["17", "40"], ["150", "F"], ["39", "2"], ["14", "1000000"], ["32", "1000000"], ["31", "150.25"], ...extra])
    .map(([k, v]) => (k === "60" ? [k, t60] : k === "52" ? [k, t52] : [k, v]) as [string, string]));

  it("the execution time is the most precise of TransactTime (60) and SendingTime (52) within the same second (defect 10)", () => {
    const ts = (log: string) => records(importChecked("fix", [writeTemp("t.log", log)]))[0]!["ts"];
    expect(ts(fill("20251020-10:00:00", "20251020-10:00:00.118"))).toBe("2025-10-20T10:00:00.118Z");
    expect(ts(fill("20251020-10:00:00.117", "20251020-10:00:00.118"))).toBe("2025-10-20T10:00:00.117Z");
    // A SendingTime in a later second is when the report was sent (a resend), not when it executed.
    expect(ts(fill("20251020-10:00:00", "20251020-10:00:05.118"))).toBe("2025-10-20T10:00:00Z");
  });

  it("Commission (12) with CommCurrency (479) gives fee and fee_currency (defect 9)", () => {
    const r = records(importChecked("fix", [writeTemp("c.log", fill("20251020-10:00:00", "20251020-10:00:00.118", [["12", "2.5"], ["479", "JPY"]]))]));
    expect(r[0]).toMatchObject({ fee: "2.5", fee_currency: "JPY" });
  });
});
