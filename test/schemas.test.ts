// The input formats as JSON Schema (schemas/, draft 2020-12): the schemas compile under a real
// validator (ajv, strict), docs/reference/formats.md is their rendering, and every fixture, proof scenario,
// generated scenario and importer output validates against them. Where the replay's own parser and
// the schemas could disagree, both are asked: each accepts what the other accepts, on every line here,
// and both refuse the same malformed lines.

import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, DEFAULT_CONFIG_JSON, resolveConfig } from "../src/domain/config.js";
import { CURRENCY_CODE } from "../src/domain/instruments.js";
import { parseBrokerLine, parseJournalLine } from "../src/domain/validate.js";
import { generateScenario, FAULTS } from "../src/gen/generate.js";
import { runImport } from "../src/adapters/importers/run.js";
import { renderFormatsDoc } from "../src/reference/formats-doc.js";
import { BROKER_SAMPLE_IMPORTS } from "./importers/sample-table.js";
import { REPO } from "./helpers/cli.js";

const SCHEMAS = join(REPO, "schemas");
const load = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, `${name}.schema.json`), "utf8")) as Record<string, unknown>;
const schemas = { common: load("common"), journal: load("journal"), broker: load("broker"), config: load("config") };

const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
for (const s of Object.values(schemas)) ajv.addSchema(s);
const validator = (id: string): ValidateFunction => ajv.getSchema(id)!;
const journalSchema = validator("journal.schema.json");
const brokerSchema = validator("broker.schema.json");
const configSchema = validator("config.schema.json");

function schemaErrors(v: ValidateFunction, value: unknown): string {
  return v(value) ? "" : ajv.errorsText(v.errors);
}

function filesUnder(dir: string, name: RegExp): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p, name) : name.test(n) ? [p] : [];
  });
}

const nonBlank = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("schemas/", () => {
  it("are JSON Schema draft 2020-12 documents a strict validator compiles", () => {
    for (const [name, s] of Object.entries(schemas)) {
      expect(s["$schema"], name).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(ajv.validateSchema(s), name).toBe(true);
    }
    expect(typeof journalSchema).toBe("function");
  });

  it("docs/reference/formats.md is their rendering (UPDATE_GOLDEN=1 rewrites it)", () => {
    const path = join(REPO, "docs", "reference", "formats.md");
    const rendered = renderFormatsDoc(schemas);
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(path, rendered);
    expect(readFileSync(path, "utf8")).toBe(rendered);
  });

  it("every journal and broker line of the fixtures and proof scenarios validates, and the replay's parser agrees", () => {
    const dirs = [join(REPO, "fixtures", "scenarios"), join(REPO, "proofs"), join(REPO, "fixtures", "e2e")];
    const files = dirs.flatMap((d) => filesUnder(d, /^(journal|broker)\.jsonl$/));
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const isJournal = file.endsWith("journal.jsonl");
      nonBlank(readFileSync(file, "utf8")).forEach((line, i) => {
        const where = `${file.slice(REPO.length + 1)}:${i + 1}`;
        expect(schemaErrors(isJournal ? journalSchema : brokerSchema, JSON.parse(line)), where).toBe("");
        expect(() => (isJournal ? parseJournalLine(line, i + 1) : parseBrokerLine(line, i + 1)), where).not.toThrow();
      });
    }
  });

  it("every config.json of the fixtures, and the defaults, validate; the config loader agrees", () => {
    const configs = [join(REPO, "fixtures", "scenarios"), join(REPO, "proofs")].flatMap((d) => filesUnder(d, /^config\.json$/));
    expect(configs.length).toBeGreaterThan(10);
    for (const file of configs) {
      const config = JSON.parse(readFileSync(file, "utf8")) as unknown;
      expect(schemaErrors(configSchema, config), file).toBe("");
      expect(() => resolveConfig(config), file).not.toThrow();
    }
    expect(schemaErrors(configSchema, { $schema: "../../schemas/config.schema.json", ...DEFAULT_CONFIG_JSON })).toBe("");
  });

  it("generated scenarios (every fault) validate", () => {
    const g = generateScenario({ seed: 17, events: 600, faults: [...FAULTS] });
    g.journal.flatMap(nonBlank).forEach((l) => expect(schemaErrors(journalSchema, JSON.parse(l)), l).toBe(""));
    g.broker.flatMap(nonBlank).forEach((l) => expect(schemaErrors(brokerSchema, JSON.parse(l)), l).toBe(""));
    expect(schemaErrors(configSchema, g.config)).toBe("");
  });

  it("every importer output validates: each real broker sample, and the end-to-end logs", () => {
    let checked = 0;
    for (const c of BROKER_SAMPLE_IMPORTS) {
      const o = runImport({ source: c.broker, files: [c.path], ...c.opts });
      for (const line of o.finished.lines) {
        expect(schemaErrors(brokerSchema, JSON.parse(line)), `${c.file}: ${line}`).toBe("");
        checked += 1;
      }
    }
    const e2e = join(REPO, "fixtures", "e2e");
    const imports: [string, string, { tz?: string }][] = [
      ["oanda", "transactions-stream.jsonl", {}], ["alpaca", "trade_updates.jsonl", {}], ["fix", "messages.log", {}], ["ib", "tws-messages.psv", { tz: "America/New_York" }],
    ];
    for (const [broker, file, opts] of imports) {
      for (const line of runImport({ source: broker, files: [join(e2e, broker, file)], ...opts }).finished.lines) {
        expect(schemaErrors(brokerSchema, JSON.parse(line)), line).toBe("");
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  describe("the schemas and the replay's parser refuse the same malformed lines", () => {
    const decision = { type: "decision", ts: "2025-10-20T08:00:00Z", decision_id: "D1", client_order_id: "C1", symbol: "EURUSD", side: "buy", qty: 1000, ref_price: 1.085 };
    const fill = { type: "fill", ts: "2025-10-20T08:00:02Z", event_id: "E3", client_order_id: "C1", broker_order_id: "B1", symbol: "EURUSD", side: "buy", qty: 1000, price: "1.0851" };
    const journalCases: [string, object][] = [
      ["missing qty", { ...decision, qty: undefined }], ["negative qty", { ...decision, qty: -5 }], ["qty zero as text", { ...decision, qty: "0.000" }],
      ["side long", { ...decision, side: "long" }], ["ts without zone", { ...decision, ts: "2025-10-20T08:00:00" }],
      ["ts hour 24", { ...decision, ts: "2025-10-20T24:00:00Z" }], ["unknown type", { ...decision, type: "order" }],
      ["limit order without a limit price", { ...decision, order_type: "limit" }], ["order_type stop", { ...decision, order_type: "stop" }],
      ["empty client order id", { ...decision, client_order_id: "" }], ["symbol with a space", { ...decision, symbol: "EUR USD" }],
      ["qty as text with spaces around it", { ...decision, qty: " 1000" }], ["ref_price as text with a trailing space", { ...decision, ref_price: "1.085 " }],
      ["snapshot position without avg_price", { type: "snapshot", ts: decision.ts, positions: [{ symbol: "EURUSD", qty: 1 }] }],
    ];
    const brokerCases: [string, object][] = [
      ["price one", { ...fill, price: "one" }], ["no event_id", { ...fill, event_id: undefined }], ["negative fee", { ...fill, fee: "-0.1" }],
      ["fee currency in words", { ...fill, fee_currency: "dollars" }], ["fee with a tab before it", { ...fill, fee: "\t0.5" }], ["financing without currency", { type: "financing", ts: fill.ts, event_id: "F", amount: "1" }],
      ["limits without symbol_caps", { type: "limits_snapshot", ts: fill.ts, event_id: "L", daily_loss_cap: 5 }],
      ["position snapshot without positions", { type: "position_snapshot", ts: fill.ts, event_id: "P" }],
      ["accepted with a zero limit price", { type: "order_accepted", ts: fill.ts, event_id: "A", client_order_id: "C", broker_order_id: "B", symbol: "EURUSD", side: "buy", qty: 1, limit_price: 0 }],
    ];
    for (const [name, value] of journalCases) {
      it(`journal: ${name}`, () => {
        expect(journalSchema(value)).toBe(false);
        expect(() => parseJournalLine(JSON.stringify(value), 1)).toThrow();
      });
    }
    for (const [name, value] of brokerCases) {
      it(`broker: ${name}`, () => {
        expect(brokerSchema(value)).toBe(false);
        expect(() => parseBrokerLine(JSON.stringify(value), 1)).toThrow();
      });
    }
    it("and accept the same well-formed ones (an offset, a decimal string, a null optional field)", () => {
      for (const value of [{ ...decision, ts: "2025-10-20T10:00:00.5+02:00", strategy: null }, { ...decision, qty: "1e3", order_type: "limit", limit_price: "1.08" }]) {
        expect(schemaErrors(journalSchema, value)).toBe("");
        expect(() => parseJournalLine(JSON.stringify(value), 1)).not.toThrow();
      }
      const financing = { type: "financing", ts: fill.ts, event_id: "F", amount: "-0.51", currency: "EUR", symbol: "EUR_USD" };
      expect(schemaErrors(brokerSchema, financing)).toBe("");
      expect(() => parseBrokerLine(JSON.stringify(financing), 1)).not.toThrow();
    });
    it("configs: a decimal setting given as a decimal string, as in the inputs, is accepted by both", () => {
      const config = {
        drift_tolerance_pips: "0.5", pip_sizes: { XAUUSD: "0.01" }, instruments: { TSLA: { asset_class: "equity", quote_currency: "USD", tick_size: "0.01" } },
        slippage_presets: [{ symbol: "EURUSD", session: "eu", max_slippage_pips: "1.5" }],
        limits: { daily_loss_cap: "5000", symbol_caps: { EURUSD: "1000000" } },
        recovery: { open_positions_policy: "EMERGENCY_EXIT", emergency_exit_loss_threshold: "250.5" },
      };
      expect(schemaErrors(configSchema, config)).toBe("");
      expect(() => resolveConfig(config)).not.toThrow();
    });
    it("configs: a crypto instrument quoted in USDT, whose quote currency the broker log may also name, is accepted by both", () => {
      const config = { instruments: { ETHUSDT: { asset_class: "crypto", quote_currency: "USDT", tick_size: 0.01 } } };
      expect(schemaErrors(configSchema, config)).toBe("");
      expect(resolveConfig(config).instruments.get("ETHUSDT")?.quoteCurrency).toBe("USDT");
      const fee = { type: "fill", ts: "2025-10-20T08:00:02Z", event_id: "E3", broker_order_id: "B1", symbol: "ETHUSDT", side: "buy", qty: 1, price: 2500, fee: 1, fee_currency: "USDT" };
      expect(schemaErrors(brokerSchema, fee)).toBe("");
      expect(() => parseBrokerLine(JSON.stringify(fee), 1)).not.toThrow();
    });
    it("one definition of a currency code: the schema's pattern is the one the replay checks with", () => {
      const currency = (schemas.common["$defs"] as Record<string, { pattern: string }>)["currency"]!;
      expect(currency.pattern).toBe(CURRENCY_CODE.source);
      const quote = ((schemas.config["properties"] as Record<string, { additionalProperties: { properties: Record<string, unknown> } }>)["instruments"]!)
        .additionalProperties.properties["quote_currency"] as Record<string, unknown>;
      expect(quote["$ref"]).toBe("common.schema.json#/$defs/currency");
    });
    it("configs: the keys the schema names, table by table, are the keys the loader knows (CONFIG_KEYS)", () => {
      type Props = { properties: Record<string, Props>; items?: Props; additionalProperties?: Props };
      const top = schemas.config as unknown as Props;
      const keys = (p: Props | undefined) => Object.keys(p?.properties ?? {}).sort();
      expect(keys(top)).toEqual([...CONFIG_KEYS.top].sort());
      expect(keys(top.properties["limits"])).toEqual([...CONFIG_KEYS.limits].sort());
      expect(keys(top.properties["recovery"])).toEqual([...CONFIG_KEYS.recovery].sort());
      expect(keys(top.properties["instruments"]?.additionalProperties)).toEqual([...CONFIG_KEYS.instrument].sort());
      expect(keys(top.properties["sessions"]?.items)).toEqual([...CONFIG_KEYS.session].sort());
      expect(keys(top.properties["slippage_presets"]?.items)).toEqual([...CONFIG_KEYS.slippage_preset].sort());
    });
    it("configs: an unknown key, a cadence under a second, an emergency exit without its threshold", () => {
      for (const bad of [{ reconcile_interval_s: 60 }, { reconcile_interval_ms: 10 }, { recovery: { open_positions_policy: "EMERGENCY_EXIT" } }, { sessions: [] },
        { drift_tolerance_pips: "-0.5" }, { pip_sizes: { XAUUSD: "0" } }, { limits: { daily_loss_cap: "five" } }, { limits: { daily_loss_cap: " 5" } },
        { sessions: [{ name: "all\u0000day", start_hour: 0, end_hour: 24 }] }]) {
        expect(configSchema(bad), JSON.stringify(bad)).toBe(false);
        expect(() => resolveConfig(bad), JSON.stringify(bad)).toThrow();
      }
    });
  });

  it("the README, the docs and every --help point at docs/reference/formats.md, and cite no document outside the repository", () => {
    const texts = [join(REPO, "README.md"), ...filesUnder(join(REPO, "docs"), /\.md$/), ...filesUnder(join(REPO, "src"), /\.ts$/)]
      .map((f) => [f.slice(REPO.length + 1), readFileSync(f, "utf8")] as const);
    for (const [file, text] of texts) {
      expect(text, file).not.toMatch(/§\s*\d/);
      expect(text, file).not.toMatch(/docs\/formats\.md/);
    }
    expect(existsSync(join(REPO, "docs", "reference", "formats.md"))).toBe(true);
    expect(texts.find(([file]) => file === "README.md")![1]).toContain("docs/reference/formats.md");
  });
});
