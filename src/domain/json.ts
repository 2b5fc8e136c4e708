// The one definition of "a JSON object" for every boundary that reads JSON (inputs, config,
// importers), so each checks objects the same way.

export type Json = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
