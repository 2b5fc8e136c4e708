// A tiny structural validator for the JSON the tool reads back (reconcile-report.json, a shard's
// shard.json and groups.jsonl). Each checker returns the value typed or throws a DataError naming
// the field path and what was expected, so a hand-edited or truncated file is refused with a
// message rather than half-rendered or crashed on.

import { DataError, preview } from "../domain/errors.js";
import { isObject } from "../domain/json.js";
import { parseInstant } from "../domain/time.js";

export interface Where {
  readonly source: string;
  /** Best-effort line of a field path in the source text (1 when unknown). */
  readonly lineOf: (path: string) => number;
}

export type Check<T> = (value: unknown, path: string, where: Where) => T;
export type Checked<C> = C extends Check<infer T> ? T : never;

export function fail(where: Where, path: string, expected: string, value: unknown): never {
  throw new DataError(where.source, where.lineOf(path), path, expected, preview(value));
}

export const str: Check<string> = (v, p, w) => (typeof v === "string" ? v : fail(w, p, "a string", v));
export const bool: Check<boolean> = (v, p, w) => (typeof v === "boolean" ? v : fail(w, p, "true or false", v));
export const num: Check<number> = (v, p, w) => (typeof v === "number" && Number.isFinite(v) ? v : fail(w, p, "a number", v));
export const int: Check<number> = (v, p, w) =>
  (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : fail(w, p, "a non-negative integer", v));

/** An RFC 3339 UTC timestamp, as every event time in the artifacts is. */
export const timestamp: Check<string> = (v, p, w) =>
  (typeof v === "string" && parseInstant(v) !== undefined ? v : fail(w, p, "an RFC 3339 UTC timestamp", v));

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;
/** Decimals are strings in the artifact so no reader re-rounds them; we keep them as text. */
export const decText: Check<string> = (v, p, w) =>
  (typeof v === "string" && DECIMAL_TEXT.test(v) ? v : fail(w, p, "a decimal string such as \"-12.50\"", v));

/** A number that may also arrive as a decimal string (config values are written as JSON numbers). */
export const numOrDec: Check<string> = (v, p, w) =>
  (typeof v === "number" && Number.isFinite(v) ? String(v) : decText(v, p, w));

export function literal<const T extends string | number>(...allowed: T[]): Check<T> {
  return (v, p, w) => ((allowed as unknown[]).includes(v) ? (v as T) : fail(w, p, allowed.map((a) => JSON.stringify(a)).join(" or "), v));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, p, w) => (v === null ? null : check(v, p, w));
}

/** A field that older or hand-made artifacts may leave out. */
export function optional<T>(check: Check<T>, fallback: T): Check<T> {
  return (v, p, w) => (v === undefined ? fallback : check(v, p, w));
}

export function arr<T>(check: Check<T>): Check<T[]> {
  return (v, p, w) => {
    if (!Array.isArray(v)) fail(w, p, "an array", v);
    return v.map((item, i) => check(item, `${p}[${i}]`, w));
  };
}

export function record<T>(check: Check<T>): Check<Record<string, T>> {
  return (v, p, w) => {
    if (!isObject(v)) fail(w, p, "an object", v);
    const out: Record<string, T> = {};
    for (const [k, item] of Object.entries(v)) out[k] = check(item, `${p}.${k}`, w);
    return out;
  };
}

/** A two-place array (a keyed list's entry, such as [symbol, amount]). */
export function pair<A, B>(first: Check<A>, second: Check<B>): Check<[A, B]> {
  return (v, p, w) => {
    if (!Array.isArray(v) || v.length !== 2) fail(w, p, "a pair [key, value]", v);
    return [first(v[0], `${p}[0]`, w), second(v[1], `${p}[1]`, w)];
  };
}

/**
 * Every member of a union of string literals, listed at run time: a member added to the union and
 * not to the list does not compile, so the check cannot fall behind the type.
 */
export function members<U extends string>() {
  return <const L extends readonly U[]>(list: L & ([Exclude<U, L[number]>] extends [never] ? unknown : { missing: Exclude<U, L[number]> })): Check<U> =>
    literal<U>(...list);
}

type Shape = Record<string, Check<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S]: Checked<S[K]> };

/** An object with at least these fields; other fields are ignored (a newer writer may add some). */
export function obj<S extends Shape>(shape: S): Check<FromShape<S>> {
  const fields = Object.entries(shape); // once: `merge` checks every group line with these
  return (v, p, w) => {
    if (!isObject(v)) fail(w, p, "an object", v);
    const src = v;
    const out: Record<string, unknown> = {};
    for (const [k, check] of fields) out[k] = check(src[k], p === "" ? k : `${p}.${k}`, w);
    return out as FromShape<S>;
  };
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
  return (v, p, w) => (v === undefined ? undefined : check(v, p, w));
}

/** A scalar or list of strings, as finding and alert details carry. */
export type DetailValue = string | number | boolean | null | string[];
export const detailValue: Check<DetailValue> = (v, p, w) => {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (Array.isArray(v)) return v.map((s, i) => str(s, `${p}[${i}]`, w));
  return fail(w, p, "a string, number, boolean, null or list of strings", v);
};
