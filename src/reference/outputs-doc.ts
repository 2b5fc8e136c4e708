// docs/reference/outputs.md, rendered from the JSON Schemas of what the tool writes (schemas/
// reconcile-report.schema.json and cli-json.schema.json, themselves rendered from the checkers), with
// the tables docs/reference/formats.md uses for the inputs. test/output-schemas.test.ts keeps the committed
// page equal to this rendering (UPDATE_GOLDEN=1 rewrites it).

import type { Json } from "../domain/json.js";
import { cell, obj, type Row, rows, type Style, table, VALUE_NAMES } from "./formats-doc.js";

export interface OutputSchemas {
  readonly report: Json;
  readonly cli: Json;
}

const OUTPUTS: Style = { nulls: true };

/** Definitions shown as values (a line each), not as tables of fields. */
const isValue = (def: Json): boolean => def["properties"] === undefined;

function defsOf(schema: Json): Array<[string, Json]> {
  return Object.entries(obj(schema["$defs"])).map(([name, def]) => [name, obj(def)]);
}

/** One section per definition that has fields: its description and its table. */
function defSections(defs: ReadonlyArray<[string, Json]>, level: string): string[] {
  return defs.filter(([, def]) => !isValue(def)).flatMap(([name, def]) =>
    [`${level} \`${name}\``, "", String(def["description"] ?? ""), "", ...table("field", rows(def, "", OUTPUTS)), ""]);
}

function valueTable(defs: ReadonlyArray<[string, Json]>): string[] {
  return [
    "| value | what |",
    "| --- | --- |",
    ...defs.filter(([, def]) => isValue(def)).map(([name, def]) => `| ${VALUE_NAMES[name] ?? name} | ${cell(String(def["description"] ?? ""))} |`),
  ];
}

export function renderOutputsDoc(s: OutputSchemas): string {
  const reportDefs = defsOf(s.report);
  const shown = new Set(reportDefs.map(([name]) => name));
  const documents = (Array.isArray(s.cli["oneOf"]) ? s.cli["oneOf"] : []).map((r) => String(obj(r)["$ref"]).replace("#/$defs/", ""));
  const cliDefs = defsOf(s.cli);
  const top: Row[] = rows(s.report, "", OUTPUTS);
  return [
    "# Output formats",
    "",
    "<!-- Generated from schemas/reconcile-report.schema.json and schemas/cli-json.schema.json by",
    "     test/output-schemas.test.ts; those are rendered from the checkers in src/artifacts/report-schema.ts",
    "     and src/cli/json-docs.ts. Edit the checkers, then run `UPDATE_GOLDEN=1 npx vitest run test/output-schemas.test.ts`. -->",
    "",
    "What `recon-proof` writes as JSON: `reconcile-report.json` (one of the four artifacts) and the one",
    "document a command prints under `--json`. Each has a JSON Schema (draft 2020-12) in `schemas/`,",
    "rendered from the same checkers that type the writer and check what `report` and `explain` read",
    "back, so the schema, the code and this page say the same. A field is listed in the order it is",
    "written; every object has exactly the fields listed (`additionalProperties: false`). A reader of",
    "this version ignores fields it does not know and takes defaults for a few that older files lack;",
    "the schema states what this version writes. trades.csv, summary.txt and metrics.txt are",
    "described in [artifacts.md](artifacts.md); the inputs in [formats.md](formats.md).",
    "",
    "## Values",
    "",
    ...valueTable(reportDefs),
    "",
    "## reconcile-report.json",
    "",
    String(s.report["description"]),
    "",
    "Schema: `schemas/reconcile-report.schema.json` (its `config` refers to `schemas/config.schema.json`).",
    "",
    ...table("field", top),
    "",
    ...defSections(reportDefs, "###"),
    "## `--json` output",
    "",
    String(s.cli["description"]),
    "",
    "Schema: `schemas/cli-json.schema.json`: a document is one of those below, by `command` (and `kept`",
    "for `minimize`, `shard` for a shard replay); a failure is `failure` whatever the command.",
    "Parts shown above (`killSwitch`, `totals`, ...) are the report's.",
    "",
    ...defSections(documents.map((name) => [name, obj(obj(s.cli["$defs"])[name])]), "###"),
    ...defSections(cliDefs.filter(([name]) => !shown.has(name) && !documents.includes(name)), "###"),
  ].join("\n");
}
