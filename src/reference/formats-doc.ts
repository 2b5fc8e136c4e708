// docs/reference/formats.md, rendered from the JSON Schemas in schemas/: the schemas are the one statement of
// the input formats, and this page is what a person reads. test/schemas.test.ts checks the committed
// page equals this rendering (UPDATE_GOLDEN=1 rewrites it), so the two cannot drift apart.

import { isObject, type Json } from "../domain/json.js";

export interface FormatSchemas {
  readonly common: Json;
  readonly journal: Json;
  readonly broker: Json;
  readonly config: Json;
}

/** How a shared value ($defs of common.schema.json) is named in the tables. */
export const VALUE_NAMES: Readonly<Record<string, string>> = {
  timestamp: "timestamp", decimal: "decimal", positive: "decimal > 0", nonNegative: "decimal ≥ 0", symbol: "symbol",
  side: "side", currency: "currency code", text: "string", positionLine: "position", decimalText: "decimal string", detailValue: "detail value",
};

export const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ");

export function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

function refName(ref: string): string {
  const name = ref.slice(ref.lastIndexOf("/") + 1);
  return VALUE_NAMES[name] ?? name;
}

function bound(node: Json): string {
  if (typeof node["exclusiveMinimum"] === "number") return ` > ${node["exclusiveMinimum"]}`;
  const min = typeof node["minimum"] === "number" ? node["minimum"] : undefined;
  const max = typeof node["maximum"] === "number" ? node["maximum"] : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  return min !== undefined ? ` ≥ ${min}` : "";
}

/**
 * How the tables show a value. The input formats leave `null` out (a null field is one left out);
 * in what the tool writes, null is a value of its own and is named.
 */
export interface Style {
  readonly nulls: boolean;
}
const INPUTS: Style = { nulls: false };

/** The node a nullable node allows besides null (or the node itself). */
export function nonNull(node: Json): Json {
  const kinds = Array.isArray(node["anyOf"]) ? node["anyOf"].map(obj).filter((n) => n["type"] !== "null") : [];
  return kinds.length === 1 && Array.isArray(node["anyOf"]) && node["anyOf"].length === 2 ? kinds[0]! : node;
}

const allowsNull = (node: Json): boolean =>
  (Array.isArray(node["anyOf"]) && node["anyOf"].some((n) => obj(n)["type"] === "null")) || (Array.isArray(node["type"]) && node["type"].includes("null"));

/** A short name for what a schema node accepts. */
export function typeName(node: Json, style: Style = INPUTS): string {
  const name = typeNameOf(node, style);
  return style.nulls && allowsNull(node) ? `${name} or null` : name;
}

function typeNameOf(node: Json, style: Style): string {
  if (typeof node["$ref"] === "string") return refName(node["$ref"]);
  if ("const" in node) return `\`${JSON.stringify(node["const"])}\``;
  if (Array.isArray(node["enum"])) return node["enum"].filter((v) => v !== null).map((v) => `\`${String(v)}\``).join(" or ");
  if (Array.isArray(node["anyOf"])) {
    const kinds = node["anyOf"].map(obj).filter((n) => n["type"] !== "null");
    return kinds.map((k) => typeName(k, style)).join(" or ");
  }
  const types = (Array.isArray(node["type"]) ? node["type"] : [node["type"]]).filter((t) => t !== "null" && t !== undefined) as string[];
  const type = types[0];
  if (type === "array") return `array of: ${typeName(obj(node["items"]), style)}`;
  if (type === "object" && isObject(node["additionalProperties"])) {
    const key = isObject(node["propertyNames"]) ? typeName(node["propertyNames"], style) : "symbol";
    return `object: ${key} → ${typeName(node["additionalProperties"], style)}`;
  }
  if (type === "object") return "object";
  if (type === "integer" || type === "number") return `${type}${bound(node)}`;
  return type ?? "any";
}

export interface Row {
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
  readonly meaning: string;
}

/** The rows of one record or object: its fields, and the fields of the objects they hold. */
export function rows(node: Json, prefix = "", style: Style = INPUTS): Row[] {
  const required = new Set(Array.isArray(node["required"]) ? node["required"] : []);
  const out: Row[] = [];
  for (const [name, value] of Object.entries(obj(node["properties"]))) {
    const field = obj(value);
    out.push({ field: `${prefix}${name}`, type: typeName(field, style), required: required.has(name), meaning: String(field["description"] ?? "") });
    const inner = style.nulls ? nonNull(field) : field;
    const items = obj(inner["items"]);
    if (isObject(items["properties"])) out.push(...rows(items, `${prefix}${name}[].`, style));
    if (isObject(inner["properties"])) out.push(...rows(inner, `${prefix}${name}.`, style));
  }
  return out;
}

export function table(head: string, list: readonly Row[]): string[] {
  return [
    `| ${head} | type | required | meaning |`,
    "| --- | --- | --- | --- |",
    ...list.map((r) => `| \`${r.field}\` | ${cell(r.type)} | ${r.required ? "yes" : ""} | ${cell(r.meaning)} |`),
  ];
}

/** One section per record type of a JSON Lines format: the fields every line has, then its own. */
function recordSections(schema: Json, heading: string, file: string): string[] {
  const common = rows(schema).filter((r) => r.field !== "type");
  const out = [`## ${heading}`, "", String(schema["description"]), "", `Schema: \`schemas/${file}\`. Every line has a \`type\`, one of those below, and:`, "", ...table("field", common), ""];
  for (const def of Object.values(obj(schema["$defs"])).map(obj)) {
    out.push(`### \`${String(def["title"])}\``, "", String(def["description"]), "");
    const own = rows(def);
    out.push(...(own.length === 0 ? ["No other fields.", ""] : [...table("field", own), ""]));
  }
  return out;
}

export function renderFormatsDoc(s: FormatSchemas): string {
  const values = Object.entries(obj(s.common["$defs"])).filter(([name]) => name !== "positionLine")
    .map(([name, def]) => `| ${VALUE_NAMES[name] ?? name} | ${cell(String(obj(def)["description"]))} |`);
  const position = rows(obj(obj(s.common["$defs"])["positionLine"]));
  const lines = [
    "# Input formats",
    "",
    "<!-- Generated from schemas/*.schema.json (JSON Schema draft 2020-12) by test/schemas.test.ts;",
    "     edit the schemas, then run `UPDATE_GOLDEN=1 npx vitest run test/schemas.test.ts`. -->",
    "",
    "What `recon-proof replay` reads: the engine's journal and the broker's event log (JSON Lines,",
    "UTF-8, one object per line, snake_case) and a config (JSON). The schemas in `schemas/` state each",
    "line's shape for editors and other tools; the replay checks the same and what a schema cannot say",
    "(each file in time order, unique event ids, a date that exists, at most 10 decimal places), and",
    "stops with exit 65 naming `file:line`, the field and what was expected. `test/schemas.test.ts`",
    "validates every fixture, proof scenario and importer output against the schemas. What the tool",
    "writes (reconcile-report.json, the `--json` documents) is described the same way in [outputs.md](outputs.md).",
    "How the replay reads these files (event time, exact numbers, redeliveries, replacements) is in",
    "[rules.md](rules.md#reading-the-inputs); what a config key does, in [config.md](../config.md).",
    "",
    "## Values",
    "",
    "| value | what |",
    "| --- | --- |",
    ...values,
    "",
    "A **position** (in snapshots):",
    "",
    ...table("field", position),
    "",
    ...recordSections(s.journal, "Journal (`--journal`)", "journal.schema.json"),
    ...recordSections(s.broker, "Broker log (`--broker`)", "broker.schema.json"),
    "## Config (`--config`)",
    "",
    String(s.config["description"]),
    "",
    "Schema: `schemas/config.schema.json`; a config names it with",
    "`\"$schema\": \"<path to>/schemas/config.schema.json\"`.",
    "",
    ...table("key", rows(s.config)),
    "",
  ];
  return lines.join("\n");
}
