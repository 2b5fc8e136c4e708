// The JSON Schemas of what the tool writes, as the files in schemas/ hold them: rendered from the
// checkers the CLI builds its documents with and the reader checks them with, so they are one
// statement. test/output-schemas.test.ts keeps the files equal to this rendering
// (UPDATE_GOLDEN=1 rewrites them).

import { cliJsonSchema } from "../cli/json-docs.js";
import type { SchemaNode } from "../artifacts/json-check.js";
import { reportJsonSchema } from "../artifacts/report-schema.js";

/** Each schema file of schemas/ that describes an output, by its name there (its `$id`). */
export function outputSchemas(): Readonly<Record<string, SchemaNode>> {
  const schemas = [reportJsonSchema(), cliJsonSchema()];
  return Object.fromEntries(schemas.map((s) => [String(s["$id"]), s]));
}

/** A node that fits on one line of this width stays on one line, as in the hand-written schemas. */
const LINE_CHARS_MAX = 120;

/** JSON with a 2-space indent (short nodes and lists of plain values on one line), LF, a trailing newline. */
export function schemaFileText(schema: SchemaNode): string {
  return jsonText(schema, "") + "\n";
}

const isPlain = (v: unknown): boolean => v === null || typeof v !== "object";

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(", ")} }`;
  }
  return JSON.stringify(value);
}

function jsonText(value: unknown, indent: string): string {
  const flat = oneLine(value);
  if (isPlain(value) || indent.length + flat.length <= LINE_CHARS_MAX || (Array.isArray(value) && value.every(isPlain))) return flat;
  const inner = indent + "  ";
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + jsonText(v, inner)).join(",\n")}\n${indent}]`;
  const entries = Object.entries(value as object);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonText(v, inner)}`).join(",\n")}\n${indent}}`;
}
