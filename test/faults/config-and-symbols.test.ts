// Fault suite, item 16 (and item 2 for the config): a config is read like the inputs (a BOM is
// fine, bytes that are not UTF-8 and numbers a double cannot hold are not silently changed), a
// config far too large is refused by a named limit before it is read, and a symbol that is not
// ASCII is refused rather than case-folded into another ("EURUSDı" became "EURUSDI").

import { closeSync, ftruncateSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_BYTES_MAX, loadConfig } from "../../src/adapters/inputs.js";
import { parseJournalLine } from "../../src/domain/validate.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { configErrorOf, configFile, dataErrorOf } from "./helpers.js";

describe("the config file (fault suite, item 16)", () => {
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

describe("symbols are ASCII (fault suite, item 16)", () => {
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
