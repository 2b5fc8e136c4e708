// A tiny structural validator for the JSON the tool reads back (reconcile-report.json, a shard's
// shard.json and groups.jsonl). Each checker returns the value typed or throws a DataError naming
// the field path and what was expected, so a hand-edited or truncated file is refused with a
// message rather than half-rendered or crashed on.
//
// Each checker also carries its JSON Schema (draft 2020-12): what the writer writes there. The
// schemas in schemas/ for what the tool writes are rendered from these checkers (output-schemas.ts),
// so the published schema, the TypeScript type and the reader's checks are one statement. Where the
// reader is more lenient than the writer (a field an older file may lack, a field a newer writer may
// add, a name a newer engine may use), the schema states what this writer writes.

import { assert, DataError, preview } from "../domain/errors.js";
import { isObject } from "../domain/json.js";
import { parseInstant } from "../domain/time.js";

export interface Where {
  readonly source: string;
  /** Best-effort line of a field path in the source text (1 when unknown). */
  readonly lineOf: (path: string) => number;
}

/** A JSON Schema (draft 2020-12) node. */
export type SchemaNode = Readonly<Record<string, unknown>>;

export interface Check<T> {
  (value: unknown, path: string, where: Where): T;
  /** What the writer writes here, as JSON Schema (a `named` part is a `$ref` into the document's `$defs`). */
  readonly schema: SchemaNode;
  /** The writer may leave this field out (absentOr): an object's schema does not require it. */
  readonly omittable?: true;
}
export type Checked<C> = C extends Check<infer T> ? T : never;

/** Read-only throughout: what a writer hands over needs no copying to match a checked type. */
export type Frozen<T> = T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;
/** The document a writer builds for a checker: its checked type, read-only. */
export type Written<C> = Frozen<Checked<C>>;

type CheckFn<T> = (value: unknown, path: string, where: Where) => T;

/** A checker from its check and its schema (a check that is already a checker is wrapped, not changed). */
export function checker<T>(schema: SchemaNode, check: CheckFn<T>, extra: { omittable?: true } = {}): Check<T> {
  const fn: CheckFn<T> = "schema" in check ? (v, p, w) => check(v, p, w) : check;
  return Object.assign(fn, { schema }, extra);
}

/** The same check, with a sentence for the schema (and the docs rendered from it). */
export function described<T>(check: Check<T>, description: string): Check<T> {
  return checker({ description, ...check.schema }, check, check.omittable === true ? { omittable: true } : {});
}

/** A reader that checks only part of what the writer writes (the schema states the whole). */
export function writtenAs<T>(check: Check<T>, schema: SchemaNode): Check<T> {
  return checker(schema, check);
}

/**
 * The definition a `$ref` node stands for, carried on the node under a symbol: JSON leaves it out,
 * and documentSchema gathers every one a document reaches into its `$defs`.
 */
const DEFINITION = Symbol("definition");
interface Definition {
  readonly name: string;
  readonly schema: SchemaNode;
}

/** A part with a name: the document's schema defines it once (`$defs/<name>`) and refers to it. */
export function named<T>(name: string, check: Check<T>): Check<T> {
  const definition: Definition = { name, schema: check.schema };
  return checker({ $ref: `#/$defs/${name}`, [DEFINITION]: definition }, check);
}

function gatherDefinitions(node: unknown, into: Map<string, SchemaNode>): void {
  if (typeof node !== "object" || node === null) return;
  const definition = (node as { [DEFINITION]?: Definition })[DEFINITION];
  if (definition !== undefined && !into.has(definition.name)) {
    into.set(definition.name, definition.schema);
    gatherDefinitions(definition.schema, into);
  }
  assert(definition === undefined || into.get(definition.name) === definition.schema, `one definition named ${definition?.name}`);
  for (const value of Object.values(node)) gatherDefinitions(value, into);
}

/** A whole document's JSON Schema: its head, its checker's schema, and the definitions it refers to. */
export function documentSchema(head: { readonly id: string; readonly title: string; readonly description: string }, body: SchemaNode): SchemaNode {
  const defs = new Map<string, SchemaNode>();
  gatherDefinitions(body, defs);
  const doc = { $schema: "https://json-schema.org/draft/2020-12/schema", $id: head.id, title: head.title, description: head.description, ...body, $defs: Object.fromEntries(defs) };
  return JSON.parse(JSON.stringify(doc)) as SchemaNode; // plain JSON: no definitions riding along
}

/** RFC 3339 in UTC, as common.schema.json's timestamp without the offset form (the artifacts write UTC). */
export const TIMESTAMP_UTC_PATTERN = "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?Z$";
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

export function fail(where: Where, path: string, expected: string, value: unknown): never {
  throw new DataError(where.source, where.lineOf(path), path, expected, preview(value));
}

export const str: Check<string> = checker({ type: "string" }, (v, p, w) => (typeof v === "string" ? v : fail(w, p, "a string", v)));
export const bool: Check<boolean> = checker({ type: "boolean" }, (v, p, w) => (typeof v === "boolean" ? v : fail(w, p, "true or false", v)));
export const num: Check<number> = checker({ type: "number" }, (v, p, w) => (typeof v === "number" && Number.isFinite(v) ? v : fail(w, p, "a number", v)));
export const int: Check<number> = checker({ type: "integer", minimum: 0 }, (v, p, w) =>
  (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : fail(w, p, "a non-negative integer", v)));

/** An RFC 3339 UTC timestamp, as every event time in the artifacts is. */
export const timestamp: Check<string> = named("timestamp", checker({
  description: "RFC 3339 in UTC with up to nine fractional digits (`2025-10-20T14:30:22.123456789Z`): an event time as the input wrote it, or in UTC when it carried an offset.",
  type: "string",
  pattern: TIMESTAMP_UTC_PATTERN,
}, (v, p, w) => (typeof v === "string" && parseInstant(v) !== undefined ? v : fail(w, p, "an RFC 3339 UTC timestamp", v))));

/** Decimals are strings in the artifact so no reader re-rounds them; we keep them as text. */
export const decText: Check<string> = named("decimalText", checker({
  description: "An exact decimal as a string (`\"-12.50\"`, `\"1.0851\"`): plain digits, never an exponent, so no reader re-rounds it.",
  type: "string",
  pattern: DECIMAL_TEXT.source,
}, (v, p, w) => (typeof v === "string" && DECIMAL_TEXT.test(v) ? v : fail(w, p, "a decimal string such as \"-12.50\"", v))));

/** A number that may also arrive as a decimal string (config values are written as JSON numbers). */
export const numOrDec: Check<string> = checker({ anyOf: [{ type: "number" }, decText.schema] }, (v, p, w) =>
  (typeof v === "number" && Number.isFinite(v) ? String(v) : decText(v, p, w)));

export function literal<const T extends string | number | boolean>(...allowed: T[]): Check<T> {
  return checker(allowed.length === 1 ? { const: allowed[0] } : { enum: allowed }, (v, p, w) =>
    ((allowed as unknown[]).includes(v) ? (v as T) : fail(w, p, allowed.map((a) => JSON.stringify(a)).join(" or "), v)));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return checker({ anyOf: [check.schema, { type: "null" }] }, (v, p, w) => (v === null ? null : check(v, p, w)));
}

/** A field that older or hand-made artifacts may leave out (this writer writes it). */
export function optional<T>(check: Check<T>, fallback: T): Check<T> {
  return checker(check.schema, (v, p, w) => (v === undefined ? fallback : check(v, p, w)));
}

export function arr<T>(check: Check<T>): Check<T[]> {
  return checker({ type: "array", items: check.schema }, (v, p, w) => {
    if (!Array.isArray(v)) fail(w, p, "an array", v);
    return v.map((item, i) => check(item, `${p}[${i}]`, w));
  });
}

/** An object of any keys (strings), each holding what `check` accepts. */
export function record<T>(check: Check<T>): Check<Record<string, T>> {
  return checker({ type: "object", propertyNames: str.schema, additionalProperties: check.schema }, (v, p, w) => {
    if (!isObject(v)) fail(w, p, "an object", v);
    const out: Record<string, T> = {};
    for (const [k, item] of Object.entries(v)) out[k] = check(item, `${p}.${k}`, w);
    return out;
  });
}

/** A two-place array (a keyed list's entry, such as [symbol, amount]). */
export function pair<A, B>(first: Check<A>, second: Check<B>): Check<[A, B]> {
  return checker({ type: "array", prefixItems: [first.schema, second.schema], minItems: 2, items: false }, (v, p, w) => {
    if (!Array.isArray(v) || v.length !== 2) fail(w, p, "a pair [key, value]", v);
    return [first(v[0], `${p}[0]`, w), second(v[1], `${p}[1]`, w)];
  });
}

/** Every member of a union of string literals, or a type error naming those missing. */
type AllOf<U extends string, L extends readonly U[]> = L & ([Exclude<U, L[number]>] extends [never] ? unknown : { missing: Exclude<U, L[number]> });

/**
 * Every member of a union of string literals, listed at run time: a member added to the union and
 * not to the list does not compile, so the check cannot fall behind the type.
 */
export function members<U extends string>() {
  return <const L extends readonly U[]>(list: AllOf<U, L>): Check<U> => literal<U>(...list);
}

/**
 * A name this writer writes from a closed list (the union `U`, every member listed as `members`
 * lists them), which a reader accepts as any string: a newer engine may write names this one
 * does not know, and the reader shows them as they are.
 */
export function names<U extends string>() {
  return <const L extends readonly U[]>(list: AllOf<U, L>): Check<string> => checker({ enum: [...list] }, str);
}

type Shape = Record<string, Check<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S]: Checked<S[K]> };

/**
 * An object with at least these fields; other fields are ignored (a newer writer may add some).
 * Its schema is the writer's: exactly these fields, each required unless `absentOr`.
 */
export function obj<S extends Shape>(shape: S): Check<FromShape<S>> {
  const fields = Object.entries(shape); // once: `merge` checks every group line with these
  const schema = {
    type: "object",
    required: fields.filter(([, check]) => check.omittable !== true).map(([k]) => k),
    properties: Object.fromEntries(fields.map(([k, check]) => [k, check.schema])),
    additionalProperties: false,
  };
  return checker(schema, (v, p, w) => {
    if (!isObject(v)) fail(w, p, "an object", v);
    const src = v;
    const out: Record<string, unknown> = {};
    for (const [k, check] of fields) out[k] = check(src[k], p === "" ? k : `${p}.${k}`, w);
    return out as FromShape<S>;
  });
}

/**
 * An object checked as the type `T` it must be: the shape names every field of `T` (and no other),
 * so a field added to `T` and not here does not compile; the checker and the type stay one.
 */
export function objOf<T>() {
  return <S extends { readonly [K in keyof T]-?: Check<T[K]> }>(shape: S & { readonly [K in Exclude<keyof S, keyof T>]: never }): Check<T> =>
    obj(shape) as unknown as Check<T>;
}

/** A field the type allows to be absent (`undefined`); JSON leaves such a field out. */
export function absentOr<T>(check: Check<T>): Check<T | undefined> {
  return checker(check.schema, (v, p, w) => (v === undefined ? undefined : check(v, p, w)), { omittable: true });
}

/** A scalar or list of strings, as finding and alert details carry. */
export type DetailValue = string | number | boolean | null | string[];
export const detailValue: Check<DetailValue> = named("detailValue", checker({
  description: "A string, number, `true`/`false`, `null` or a list of strings.",
  anyOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "array", items: { type: "string" } }],
}, (v, p, w) => {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (Array.isArray(v)) return v.map((s, i) => str(s, `${p}[${i}]`, w));
  return fail(w, p, "a string, number, boolean, null or list of strings", v);
}));
