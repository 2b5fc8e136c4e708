// What the tool writes as JSON, as JSON Schema: schemas/reconcile-report.schema.json and
// schemas/cli-json.schema.json are the rendering of the checkers that type the writer (so they are
// the TypeScript types, stated for other tools), docs/reference/outputs.md is theirs, and a real validator
// (ajv, strict) accepts every proof's report and a --json document of each command, success and
// failure, and refuses a document with a field dropped, added or written in another form.

import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { generateScenario, FAULTS } from "../src/gen/generate.js";
import { runReplay } from "../src/run/replay.js";
import { checkReportDoc } from "../src/artifacts/report-schema.js";
import { TIMESTAMP_UTC_PATTERN } from "../src/artifacts/json-check.js";
import { outputSchemas, schemaFileText } from "../src/reference/output-schemas.js";
import { renderOutputsDoc } from "../src/reference/outputs-doc.js";
import { REPO, runCli, SCENARIOS, scenarioNames, tempDir } from "./helpers/cli.js";

const SCHEMAS = join(REPO, "schemas");
const rendered = outputSchemas();
const committed = (file: string) => JSON.parse(readFileSync(join(SCHEMAS, file), "utf8")) as Record<string, unknown>;

const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
for (const name of ["common", "journal", "broker", "config"]) ajv.addSchema(committed(`${name}.schema.json`));
for (const file of Object.keys(rendered)) ajv.addSchema(committed(file));
const reportSchema = ajv.getSchema("reconcile-report.schema.json")!;
const cliSchema = ajv.getSchema("cli-json.schema.json")!;

function errors(v: ValidateFunction, value: unknown): string {
  return v(value) ? "" : ajv.errorsText(v.errors);
}

type Doc = Record<string, any>;
const copy = (doc: Doc): Doc => JSON.parse(JSON.stringify(doc)) as Doc;
const golden = (name: string): Doc => JSON.parse(readFileSync(join(SCENARIOS, name, "golden", "reconcile-report.json"), "utf8")) as Doc;

describe("schemas/ for what the tool writes", () => {
  it("are the rendering of the checkers (UPDATE_GOLDEN=1 rewrites them), and compile under a strict validator", () => {
    expect(Object.keys(rendered).sort()).toEqual(["cli-json.schema.json", "reconcile-report.schema.json"]);
    for (const [file, schema] of Object.entries(rendered)) {
      const path = join(SCHEMAS, file);
      if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(path, schemaFileText(schema));
      expect(readFileSync(path, "utf8"), file).toBe(schemaFileText(schema));
      expect(schema["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(ajv.validateSchema(schema), file).toBe(true);
    }
    expect(typeof reportSchema).toBe("function");
    expect(typeof cliSchema).toBe("function");
  });

  it("docs/reference/outputs.md is their rendering (UPDATE_GOLDEN=1 rewrites it)", () => {
    const path = join(REPO, "docs", "reference", "outputs.md");
    const page = renderOutputsDoc({ report: rendered["reconcile-report.schema.json"]!, cli: rendered["cli-json.schema.json"]! });
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(path, page);
    expect(readFileSync(path, "utf8")).toBe(page);
  });

  it("a timestamp is the inputs' RFC 3339 form, in UTC only", () => {
    const common = committed("common.schema.json") as { $defs: { timestamp: { pattern: string } } };
    expect(common.$defs.timestamp.pattern.replace("(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)$", "Z$")).toBe(TIMESTAMP_UTC_PATTERN);
  });
});

describe("reconcile-report.json against its schema", () => {
  for (const name of scenarioNames()) {
    it(`${name}: the proof's report validates, its keys in the order the schema lists them`, () => {
      const doc = golden(name);
      expect(errors(reportSchema, doc)).toBe("");
      expect(keyOrderProblems(doc, rendered["reconcile-report.schema.json"]!)).toEqual([]);
    });
  }

  it("a generated scenario with every fault, replayed now, validates", () => {
    const dir = tempDir();
    const g = generateScenario({ seed: 23, events: 800, faults: [...FAULTS] });
    writeFileSync(join(dir, "journal.jsonl"), g.journal.join("\n") + "\n");
    writeFileSync(join(dir, "broker.jsonl"), g.broker.join("\n") + "\n");
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...g.config, report_list_items_max: 3 }));
    runReplay({ journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json"), out: join(dir, "out") });
    const doc = JSON.parse(readFileSync(join(dir, "out", "reconcile-report.json"), "utf8")) as Doc;
    expect(doc["findings"].omitted).toBeGreaterThan(0);
    expect(errors(reportSchema, doc)).toBe("");
  });

  describe("refuses a report that is not what the writer writes", () => {
    const cases: Array<[string, (d: Doc) => void]> = [
      ["a top-level section dropped", (d) => delete d["totals"]],
      ["a total dropped", (d) => delete d["totals"].orphan],
      ["a finding's field dropped", (d) => delete d["findings"].items[0].severity],
      ["an unknown top-level field", (d) => (d["written_by"] = "someone")],
      ["an unknown field in a finding", (d) => (d["findings"].items[0].note = "x")],
      ["an unknown field in the totals", (d) => (d["totals"].orphans = 1)],
      ["a decimal written as a JSON number", (d) => (d["totals"].drift_units = 0)],
      ["a decimal with an exponent", (d) => (d["positions"].items[0].broker_qty = "1e-7")],
      ["a time with an offset", (d) => (d["findings"].items[0].ts = "2025-10-20T10:00:00+02:00")],
      ["a finding kind this writer does not write", (d) => (d["findings"].items[0].kind = "hunch")],
      ["a list written without its omitted count", (d) => (d["alerts"] = d["alerts"].items)],
      ["another schema version", (d) => (d["schema_version"] = 3)],
    ];
    for (const [what, mutate] of cases) {
      it(what, () => {
        const doc = copy(golden("orphan-manual-trade"));
        expect(errors(reportSchema, doc)).toBe("");
        mutate(doc);
        expect(reportSchema(doc)).toBe(false);
      });
    }
    it("while the reader, which a newer writer's fields must not break, still reads one with a field added", () => {
      const doc = copy(golden("orphan-manual-trade"));
      doc["findings"].items[0].note = "x";
      expect(reportSchema(doc)).toBe(false);
      expect(() => checkReportDoc(doc)).not.toThrow();
    });
  });
});

/** Where an object's keys are not in the order its schema lists them (the order the writer writes). */
function keyOrderProblems(value: unknown, node: Record<string, unknown>, path = "", root = node): string[] {
  const resolved = resolve(node, root);
  if (Array.isArray(value)) return value.flatMap((v, i) => keyOrderProblems(v, resolve(resolved["items"] as Record<string, unknown>, root), `${path}[${i}]`, root));
  if (typeof value !== "object" || value === null) return [];
  const props = resolved["properties"] as Record<string, Record<string, unknown>> | undefined;
  if (props === undefined) return [];
  const own = Object.keys(value);
  const listed = Object.keys(props).filter((k) => own.includes(k));
  const here = own.join(",") === listed.join(",") ? [] : [`${path}: ${own.join(",")}`];
  return [...here, ...own.flatMap((k) => keyOrderProblems((value as Doc)[k], props[k]!, `${path}.${k}`, root))];
}

function resolve(node: Record<string, unknown>, root: Record<string, unknown>): Record<string, unknown> {
  const ref = node["$ref"];
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) return resolve((root["$defs"] as Doc)[ref.slice("#/$defs/".length)] as Record<string, unknown>, root);
  const nonNull = Array.isArray(node["anyOf"]) ? (node["anyOf"] as Doc[]).filter((n) => n["type"] !== "null") : [];
  return nonNull.length === 1 ? resolve(nonNull[0]!, root) : node;
}

describe("--json documents against their schema", () => {
  const scenario = (name: string) => ["--journal", join(SCENARIOS, name, "journal.jsonl"), "--broker", join(SCENARIOS, name, "broker.jsonl"),
    "--config", join(SCENARIOS, name, "config.json")];

  /** Runs the CLI, checks the exit code, and returns its stdout as the one document it must be, validated. */
  function documentOf(args: readonly string[], exitCode: number): Doc {
    const r = runCli(args);
    expect(r.status, r.stderr).toBe(exitCode);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(errors(cliSchema, doc), r.stdout).toBe("");
    expect(doc["exit_code"]).toBe(exitCode);
    return doc;
  }

  it("replay: healthy, kill switch engaged, one shard, bad input, a usage error", () => {
    const dir = tempDir();
    const healthy = documentOf(["replay", ...scenario("healthy"), "--out", join(dir, "h"), "--json"], 0);
    expect(healthy).toMatchObject({ command: "replay", verdict: "healthy" });
    const orphan = documentOf(["replay", ...scenario("orphan-manual-trade"), "--out", join(dir, "o"), "--json"], 3);
    expect(orphan["findings"].length).toBeGreaterThan(0);
    expect(documentOf(["replay", ...scenario("healthy"), "--shard", "1/2", "--out", join(dir, "s"), "--json"], 0)).toMatchObject({ shard: { index: 1, count: 2 } });
    writeFileSync(join(dir, "bad.jsonl"), '{"type":"fill","ts":"2025-10-20T08:00:00Z","event_id":"e1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":"one","price":1}\n');
    const bad = documentOf(["replay", "--journal", join(SCENARIOS, "healthy", "journal.jsonl"), "--broker", join(dir, "bad.jsonl"), "--out", join(dir, "b"), "--json"], 65);
    expect(Object.keys(bad)).toEqual(["command", "exit_code", "error"]);
    expect(documentOf(["replay", "--journal", "j.jsonl", "--json"], 2)).toMatchObject({ command: "replay" });
    expect(documentOf(["gen", "--json"], 2)).toMatchObject({ command: "gen" });
  });

  it("proof and verify: passing and failing", () => {
    const dir = tempDir();
    const failing = join(dir, "failing");
    mkdirSync(failing);
    for (const f of ["journal.jsonl", "broker.jsonl", "config.json"]) copyFileSync(join(SCENARIOS, "healthy", f), join(failing, f));
    writeFileSync(join(failing, "expect.txt"), "summary.txt: = orphan=7\n");
    const passed = documentOf(["proof", "--artifacts", join(dir, "art"), join(SCENARIOS, "healthy"), "--json"], 0);
    expect(passed["scenarios"][0].criteria.length).toBeGreaterThan(0);
    const failed = documentOf(["proof", "--artifacts", join(dir, "art"), failing, "--json"], 1);
    expect(failed["scenarios"][0].criteria.some((c: Doc) => !c["pass"] && c["held"] !== null)).toBe(true);
    documentOf(["verify", "--artifacts", join(dir, "art", "healthy"), "--expect", join(SCENARIOS, "healthy", "expect.txt"), "--json"], 0);
    documentOf(["verify", "--artifacts", join(dir, "art", "failing"), "--expect", join(failing, "expect.txt"), "--json"], 1);
    documentOf(["verify", "--artifacts", join(dir, "none"), "--expect", join(failing, "expect.txt"), "--json"], 74);
  });

  it("explain: with the inputs (both books), without them, and an id the report does not hold", () => {
    const out = join(tempDir(), "o");
    expect(runCli(["replay", ...scenario("orphan-manual-trade"), "--out", out]).status).toBe(3);
    const full = documentOf(["explain", out, "F00001", "--inputs", join(SCENARIOS, "orphan-manual-trade"), "--json"], 0);
    expect(full["moment"]).not.toBeNull();
    expect(documentOf(["explain", out, "kill_switch", "--json"], 0)["moment"]).toBeNull();
    documentOf(["explain", out, "F09999", "--json"], 2);
  });

  it("minimize: a scenario written, and inputs that do not keep the predicate", () => {
    const dir = tempDir();
    const inputs = ["--journal", join(SCENARIOS, "orphan-manual-trade", "journal.jsonl"), "--broker", join(SCENARIOS, "orphan-manual-trade", "broker.jsonl"),
      "--config", join(SCENARIOS, "orphan-manual-trade", "config.json")];
    expect(documentOf(["minimize", ...inputs, "--keep", "summary.txt: orphan=1 ", "--out", join(dir, "m"), "--json"], 0)).toMatchObject({ kept: true });
    expect(documentOf(["minimize", ...inputs, "--keep", "summary.txt: orphan=7 ", "--out", join(dir, "n"), "--json"], 1)).toMatchObject({ kept: false });
  });

  it("refuses a document with a field dropped or added", () => {
    const doc = documentOf(["replay", ...scenario("healthy"), "--out", join(tempDir(), "h"), "--json"], 0);
    for (const mutate of [(d: Doc) => delete d["verdict"], (d: Doc) => (d["elapsed_ms"] = 12), (d: Doc) => delete d["counts"].orphan,
      (d: Doc) => (d["kill_switch"].since = null), (d: Doc) => (d["error"] = "also")]) {
      const changed = copy(doc);
      mutate(changed);
      expect(cliSchema(changed), JSON.stringify(changed).slice(0, 80)).toBe(false);
    }
  });
});
