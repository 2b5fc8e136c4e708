// An `instruments` entry still to be finished. `import ... --instruments` writes what a broker's
// records state and a placeholder for the rest, and the replay's unknown-instrument error offers an
// entry made only of placeholders. A placeholder is a string in angle brackets ("<to fill: ...>"):
// valid JSON that no asset class, currency code or size can be, so the config loader refuses the
// unfinished entry and names the fields still to fill instead of reading a guess.

import { ASSET_CLASSES } from "./instruments.js";

/** A value still to fill: text in angle brackets saying what belongs there. */
export function placeholder(what: string): string {
  return `<to fill: ${what}>`;
}

export function isPlaceholder(value: unknown): boolean {
  return typeof value === "string" && value.startsWith("<") && value.endsWith(">");
}

/** The keys of an entry whose values are still placeholders, in the entry's own order. */
export function unfilledFields(entry: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(entry).filter((key) => isPlaceholder(entry[key]));
}

/** What each field of an entry holds, as the placeholders say it. */
export const FIELD_MEANING = {
  asset_class: `one of ${ASSET_CLASSES.join(", ")}`,
  quote_currency: "the currency code its prices are in, e.g. USD",
  tick_size: "its smallest price step (pip_size instead, for fx)",
} as const;

/** An entry made of placeholders only, ready to paste into "instruments" (one line). */
export function entryTemplate(symbol: string): string {
  const fields = Object.entries(FIELD_MEANING).map(([key, what]) => `${JSON.stringify(key)}: ${JSON.stringify(placeholder(what))}`);
  return `${JSON.stringify(symbol)}: {${fields.join(", ")}}`;
}
