// The one definition of "a JSON object" for every boundary that reads JSON (inputs, config,
// importers), so each checks objects the same way.

import { JsonNumber } from "./json-text.js";

export type Json = Record<string, unknown>;

/** A JSON object: not null, not an array, not a number read exactly (JsonNumber). */
export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}
