// A config is read like the inputs (a BOM is fine, bytes that are not UTF-8 and numbers a double
// cannot hold are not silently changed), a config far too large is refused by a named limit before it
// is read, and a symbol that is not ASCII is refused rather than case-folded into another ("EURUSDı"
// became "EURUSDI").

import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_BYTES_MAX, loadConfig } from "../../src/adapters/inputs.js";
import { parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { configErrorOf, configFile, dataErrorOf } from "./helpers.js";

describe("the config file", () => {
  it("a UTF-8 byte order mark is accepted, as in the JSONL inputs", () => {
    const loaded = loadConfig(configFile("\ufeff" + `{"reconcile_interval_ms": 60000}`));
    expect(loaded.config.reconcileIntervalMs).toBe(60000);
  });

  it("a 2 GB config is refused by config_bytes_max before it is read (exit 2)", () => {
    const path = join(tempDir(), "config.json");
    const fd = openSync(path, "w");
    ftruncateSync(fd, 2 * 1024 ** 3); // sparse: no disk used
    closeSync(fd);
    expect(configErrorOf(path).message).toContain(`config larger than config_bytes_max=${CONFIG_BYTES_MAX} bytes`);
    const dir = tempDir();
    writeFileSync(join(dir, "j.jsonl"), "{}\n");
    const r = runCli(["replay", "--journal", join(dir, "j.jsonl"), "--broker", join(dir, "j.jsonl"), "--config", path, "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(2);
  });

  it("bytes that are not UTF-8 are refused with their offset", () => {
    const path = configFile(Buffer.concat([Buffer.from(`{"pip_sizes": {"EURUSD`), Buffer.from([0xff]), Buffer.from(`": 0.0001}}`)]));
    expect(configErrorOf(path).message).toContain("not UTF-8: the byte 0xff at byte offset 22");
  });

  it("numbers are read exactly: one a double cannot hold is named as written, never rounded", () => {
    expect(configErrorOf(configFile(`{"idempotency_ttl_ms": 9007199254740993}`)).message).toContain("got 9007199254740993");
    const loaded = loadConfig(configFile(`{"drift_tolerance_units": 123456789012.1234567}`));
    expect(loaded.effective["drift_tolerance_units"]).toBe("123456789012.1234567");
  });
});

describe("symbols are ASCII", () => {
  const decision = (symbol: string) => JSON.stringify({ type: "decision", ts: "2025-10-20T08:00:00Z", decision_id: "D1",
    client_order_id: "C1", symbol, side: "buy", qty: 1000, ref_price: 1.1 });

  it("EURUSD with a dotless i is refused, not folded into EURUSDI", () => {
    const err = dataErrorOf(() => parseJournalLine(decision("EURUSD\u0131"), 2));
    expect([err.field, err.got]).toEqual(["symbol", JSON.stringify("EURUSD\u0131")]);
  });

  it("a config table keyed by a non-ASCII symbol is a config error", () => {
    expect(configErrorOf(configFile(JSON.stringify({ pip_sizes: { "EURUSD\u0131": 0.0001 } }))).message).toContain("pip_sizes");
  });
});

describe("one definition of a currency code, for the config and the logs", () => {
  const crypto = (quote: string) => JSON.stringify({ instruments: { ETHUSDT: { asset_class: "crypto", quote_currency: quote, tick_size: 0.01 } } });
  const fee = (currency: string) => JSON.stringify({ type: "fill", ts: "2025-10-20T08:00:00Z", event_id: "E1", broker_order_id: "B1",
    symbol: "ETHUSDT", side: "buy", qty: 1, price: 2500, fee: 1, fee_currency: currency });

  it("a crypto instrument quoted in USDT is accepted, as the broker log's fee_currency USDT is", () => {
    expect(loadConfig(configFile(crypto("USDT"))).config.instruments.get("ETHUSDT")?.quoteCurrency).toBe("USDT");
    expect(parseBrokerLine(fee("USDT"), 1)).toMatchObject({ feeCurrency: "USDT" });
  });

  for (const bad of ["usdt", "US", "1USD", "USD T", "ABCDEFGHIJK"]) {
    it(`${JSON.stringify(bad)} is refused by both, with the same words`, () => {
      const configMessage = configErrorOf(configFile(crypto(bad))).message;
      const logError = dataErrorOf(() => parseBrokerLine(fee(bad), 1));
      expect(logError.field).toBe("fee_currency");
      expect(configMessage).toContain(`"instruments.ETHUSDT.quote_currency" must be ${logError.expected}, got ${JSON.stringify(bad)}`);
    });
  }

  it("a replay of a USDT-quoted instrument keeps its P&L in USDT", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "journal.jsonl"), [
      `{"type":"snapshot","ts":"2025-10-20T07:00:00Z"}`,
      `{"type":"decision","ts":"2025-10-20T08:00:00Z","decision_id":"D1","client_order_id":"C1","symbol":"ETHUSDT","side":"buy","qty":1,"ref_price":2500}`,
      `{"type":"decision","ts":"2025-10-20T09:00:00Z","decision_id":"D2","client_order_id":"C2","symbol":"ETHUSDT","side":"sell","qty":1,"ref_price":2510}`,
    ].join("\n") + "\n");
    writeFileSync(join(dir, "broker.jsonl"), [
      `{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E0","positions":[]}`,
      `{"type":"fill","ts":"2025-10-20T08:00:01Z","event_id":"E1","client_order_id":"C1","broker_order_id":"B1","symbol":"ETHUSDT","side":"buy","qty":1,"price":2500}`,
      `{"type":"fill","ts":"2025-10-20T09:00:01Z","event_id":"E2","client_order_id":"C2","broker_order_id":"B2","symbol":"ETHUSDT","side":"sell","qty":1,"price":2510}`,
    ].join("\n") + "\n");
    const config = configFile(JSON.stringify({ ...JSON.parse(crypto("USDT")), slippage_presets: ["asia", "eu", "us", "overnight"].map((session) => ({ symbol: "ETHUSDT", session, max_slippage_pips: 100 })) }));
    const out = join(dir, "out");
    const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", config, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "reconcile-report.json"), "utf8")) as { realized_pnl_by_currency: { items: unknown } };
    expect(report.realized_pnl_by_currency.items).toEqual([{ currency: "USDT", realized_pnl: "10.00" }]);
  });
});

describe("a config string holds no control character", () => {
  const allDay = (name: string) => JSON.stringify({ sessions: [{ name, start_hour: 0, end_hour: 24 }] });

  it("a session name holding NUL is refused, naming the setting", () => {
    expect(configErrorOf(configFile(allDay("all\u0000day"))).message).toContain(`"sessions[0].name" holds the control character U+0000`);
  });

  it("and any other control character, in a value or a key, at any depth", () => {
    expect(configErrorOf(configFile(allDay("all\u001bday"))).message).toContain(`"sessions[0].name" holds the control character U+001B`);
    expect(configErrorOf(configFile(allDay("all\u0085day"))).message).toContain("U+0085");
    const presets = JSON.stringify({ slippage_presets: [{ symbol: "EURUSD", session: "eu\u0007", max_slippage_pips: 1 }] });
    expect(configErrorOf(configFile(presets)).message).toContain(`"slippage_presets[0].session" holds the control character U+0007`);
    expect(configErrorOf(configFile(JSON.stringify({ $schema: "config.schema.json\u0000" }))).message).toContain(`"$schema" holds`);
    expect(configErrorOf(configFile(JSON.stringify({ pip_sizes: { "EURUSD\u0000": 0.0001 } }))).message).toContain(`the key "EURUSD\\u0000" in "pip_sizes" holds the control character U+0000`);
  });

  it("on the command line: exit 2 naming the key; printable names (with spaces, accents) are fine", () => {
    const dir = tempDir();
    const args = (config: string) => ["replay", "--journal", join(dir, "j.jsonl"), "--broker", join(dir, "b.jsonl"), "--config", config, "--out", join(dir, "out")];
    writeFileSync(join(dir, "j.jsonl"), `{"type":"snapshot","ts":"2025-10-20T07:00:00Z"}\n`);
    writeFileSync(join(dir, "b.jsonl"), `{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E0","positions":[]}\n`);
    const r = runCli(args(configFile(allDay("all\u0000day"))));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`"sessions[0].name" holds the control character U+0000`);
    expect(runCli(args(configFile(allDay("journée entière")))).status).toBe(0);
  });
});
