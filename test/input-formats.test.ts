// The input formats a replay accepts, beyond the rules: timestamps with an offset, the optional
// fields and the record kinds the importers write (fee_currency, financing, limit_price,
// replaces_broker_order_id), and a config that names its JSON Schema.

import { describe, expect, it } from "vitest";
import { resolveConfig } from "../src/domain/config.js";
import { ConfigError } from "../src/domain/errors.js";
import { parseBrokerLine, parseJournalLine } from "../src/domain/validate.js";
import { B, J, run } from "./helpers/replay.js";

const decision = (ts: string) => ({ ...J.decision("00:00:00", "C1", "EURUSD", "buy", 1000, 1.085), ts });
const fill = (ts: string) => ({ ...B.fill("00:00:00", "C1", "B1", "EURUSD", "buy", 1000, 1.0851), ts });

describe("timestamps with an offset", () => {
  it("are the same instant as their UTC form, and are written in UTC with Z (fraction kept)", () => {
    const r = run(
      [J.snapshot("07:00:00"), decision("2025-10-20T10:00:00.25+02:00")],
      [B.accepted("08:00:00.5", "C1", "B1", "EURUSD", "buy", 1000), fill("2025-10-20T04:00:01.123456789-04:00")],
    );
    expect(r.artifacts["trades.csv"]).toContain("\n2025-10-20T08:00:01.123456789Z,D-C1,C1,B1,EURUSD,buy,");
    expect(r.artifacts["summary.txt"]).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
  });

  it("a Z timestamp is kept byte for byte, with exactly the fractional digits it was given", () => {
    expect(parseJournalLine(JSON.stringify(decision("2025-10-20T08:00:00.50Z")), 1).ts.text).toBe("2025-10-20T08:00:00.50Z");
    expect(parseJournalLine(JSON.stringify(decision("2025-10-20T10:00:00.50+02:00")), 1).ts.text).toBe("2025-10-20T08:00:00.50Z");
    expect(parseJournalLine(JSON.stringify(decision("2025-10-20T00:30:00-01:00")), 1).ts.text).toBe("2025-10-20T01:30:00Z");
  });

  it("an offset across midnight changes the UTC day; a malformed offset is still an error", () => {
    expect(parseJournalLine(JSON.stringify(decision("2025-10-21T01:00:00+02:00")), 1).ts.text).toBe("2025-10-20T23:00:00Z");
    for (const bad of ["2025-10-20T10:00:00+2:00", "2025-10-20T10:00:00+24:00", "2025-10-20T10:00:00", "2025-02-30T10:00:00+01:00"]) {
      expect(() => parseJournalLine(JSON.stringify(decision(bad)), 3), bad).toThrow(/line 3: field "ts": expected an RFC 3339 timestamp/);
    }
  });
});

describe("fields and record kinds the importers write", () => {
  const line = (o: object) => JSON.stringify(o);

  it("fill.fee_currency is a currency code, kept on the record", () => {
    const ev = parseBrokerLine(line({ ...fill("2025-10-20T08:00:01Z"), fee: "1.5", fee_currency: "USD" }), 1);
    expect(ev.type === "fill" && ev.feeCurrency).toBe("USD");
    expect(() => parseBrokerLine(line({ ...fill("2025-10-20T08:00:01Z"), fee_currency: "us dollars" }), 2)).toThrow(/field "fee_currency": expected a currency code/);
  });

  it("order_accepted.limit_price and replaces_broker_order_id are checked when present", () => {
    const ok = { ...B.accepted("08:00:00", "C1", "B2", "EURUSD", "buy", 1000), limit_price: "1.08", replaces_broker_order_id: "B1" };
    expect(parseBrokerLine(line(ok), 1).type).toBe("order_accepted");
    expect(() => parseBrokerLine(line({ ...ok, limit_price: 0 }), 2)).toThrow(/field "limit_price": expected a positive number/);
    expect(() => parseBrokerLine(line({ ...ok, replaces_broker_order_id: "" }), 3)).toThrow(/field "replaces_broker_order_id": expected a non-empty string/);
  });

  it("a financing event (signed amount, currency, optional symbol) is accepted and stays out of trade P&L", () => {
    const financing = { type: "financing", ts: "2025-10-20T21:00:00Z", event_id: "F1", amount: "-1.2345", currency: "USD", symbol: "EUR_USD" };
    const ev = parseBrokerLine(line(financing), 1);
    expect(ev).toMatchObject({ type: "financing", amount: -12345000000n, currency: "USD", symbol: "EURUSD" });
    expect(() => parseBrokerLine(line({ ...financing, currency: undefined }), 2)).toThrow(/field "currency"/);
    const base = [J.snapshot("07:00:00"), J.decision("08:00:00", "C1", "EURUSD", "buy", 1000, 1.085)];
    const broker = [B.accepted("08:00:00.5", "C1", "B1", "EURUSD", "buy", 1000), B.fill("08:00:01", "C1", "B1", "EURUSD", "buy", 1000, 1.0851)];
    const without = run(base, broker);
    const withFinancing = run(base, [...broker, { ...financing, ts: "2025-10-20T21:00:00Z" }]);
    expect(withFinancing.artifacts["trades.csv"]).toBe(without.artifacts["trades.csv"]);
    const pnl = (t: string) => t.split("\n").filter((l) => l.startsWith("realized_pnl"));
    expect(pnl(withFinancing.artifacts["summary.txt"])).toEqual(pnl(without.artifacts["summary.txt"]));
    expect(withFinancing.report.findings.items).toEqual(without.report.findings.items);
  });
});

describe("config", () => {
  it("may name its JSON Schema with a $schema key; other unknown keys are still an error", () => {
    expect(resolveConfig({ $schema: "../schemas/config.schema.json", reconcile_interval_ms: 60_000 }).reconcileIntervalMs).toBe(60_000);
    expect(() => resolveConfig({ reconcile_interval_s: 60 })).toThrow(ConfigError);
    expect(() => resolveConfig({ $schema: 7 })).toThrow(/"\$schema" must be a string/);
  });
});
