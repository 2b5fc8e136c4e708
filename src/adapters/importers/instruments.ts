// `import ... --instruments FILE`: an `instruments` table for the symbols the imported records name,
// with what the source states about each (its asset class, the currency of its prices, its tick
// size, the base asset of a crypto pair) and a placeholder for the rest (domain/instrument-entry.ts),
// so the replay refuses an entry until a person has filled it. Nothing is inferred: a field the
// source does not state, or states two ways, is a placeholder that says so.
//
// FX pairs the replay already knows (six letters of two fiat codes, domain/instruments.ts) need no
// entry and get none, unless the source states something the default does not say; the CLI names
// them on stderr. Pure: the importers state facts while they read, the shell writes the file.

import { type Dec, parseDec, sign, toPlain } from "../../domain/decimal.js";
import { FIELD_MEANING, placeholder } from "../../domain/instrument-entry.js";
import { fxPair } from "../../domain/instruments.js";
import { type Pos, where } from "./common.js";

export type InstrumentField = "asset_class" | "quote_currency" | "base_currency" | "tick_size" | "pip_size";
export type InstrumentStatement = Partial<Record<InstrumentField, string | undefined>>;

interface Statement {
  readonly value: string;
  readonly at: string;
}

/** Why a field is not stated, per field, as a source says it (where the source could state it). */
export type MissingReasons = Partial<Record<InstrumentField, string>>;

/** What a source states about the instruments it names, gathered while its records are read. */
export class InstrumentFacts {
  private readonly stated = new Map<string, Map<InstrumentField, Statement[]>>();
  private readonly hints = new Map<string, Map<InstrumentField, string>>();

  constructor(private readonly missing: MissingReasons = {}) {}

  /** Records what a record at `pos` states about `symbol` (undefined fields state nothing). */
  state(symbol: string, fields: InstrumentStatement, pos: Pos): void {
    for (const [field, value] of Object.entries(fields) as [InstrumentField, string | undefined][]) {
      if (value === undefined || value === "") continue;
      const byField = this.stated.get(symbol) ?? new Map<InstrumentField, Statement[]>();
      this.stated.set(symbol, byField);
      const list = byField.get(field) ?? [];
      if (!list.some((s) => s.value === value)) list.push({ value, at: where(pos) });
      byField.set(field, list);
    }
  }

  /** Says why a field of `symbol` is missing, or what the source states near it (the first hint stands). */
  hint(symbol: string, field: InstrumentField, text: string): void {
    const byField = this.hints.get(symbol) ?? new Map<InstrumentField, string>();
    this.hints.set(symbol, byField);
    if (!byField.has(field)) byField.set(field, text);
  }

  /** A field's value when the source states exactly one, else why it is missing. */
  resolve(symbol: string, field: InstrumentField): { value: string } | { missing: string } {
    const list = this.stated.get(symbol)?.get(field) ?? [];
    if (list.length === 1) return { value: list[0]!.value };
    if (list.length > 1) return { missing: `the source states ${list.map((s) => `${s.value} (${s.at})`).join(" and ")}` };
    return { missing: this.hints.get(symbol)?.get(field) ?? this.missing[field] ?? "not stated by the source" };
  }
}

/** A size as the config takes it: a positive decimal, written plainly; undefined when the text is not one. */
export function sizeText(raw: string | undefined): string | undefined {
  const dec: Dec | undefined = raw === undefined ? undefined : parseDec(raw.trim());
  return dec === undefined || sign(dec) <= 0 ? undefined : toPlain(dec);
}

export interface InstrumentFragment {
  /** The file: {"instruments": {...}}, symbols sorted, 2-space indent, trailing newline. */
  readonly text: string;
  readonly entries: number;
  /** Entries with placeholders, and the fields still to fill. */
  readonly unfinished: ReadonlyArray<{ readonly symbol: string; readonly fields: readonly string[] }>;
  /** FX pairs the replay knows by default: no entry written. */
  readonly defaultFx: readonly string[];
}

/** The fragment for `symbols`, from what `facts` say (no facts: every field is a placeholder). */
export function instrumentFragment(symbols: Iterable<string>, facts: InstrumentFacts = new InstrumentFacts()): InstrumentFragment {
  const instruments: Record<string, Record<string, unknown>> = {};
  const unfinished: { symbol: string; fields: string[] }[] = [];
  const defaultFx: string[] = [];
  for (const symbol of [...new Set(symbols)].sort()) {
    if (isDefaultFxAsStated(symbol, facts)) {
      defaultFx.push(symbol);
      continue;
    }
    const { entry, missing } = entryOf(symbol, facts);
    instruments[symbol] = entry;
    if (missing.length > 0) unfinished.push({ symbol, fields: missing });
  }
  const text = JSON.stringify({ instruments }, null, 2) + "\n";
  return { text, entries: Object.keys(instruments).length, unfinished, defaultFx };
}

/** An FX pair by default, and nothing the source states says otherwise. */
function isDefaultFxAsStated(symbol: string, facts: InstrumentFacts): boolean {
  const pair = fxPair(symbol, new Map());
  if (pair === undefined) return false;
  const agrees = (field: InstrumentField, expected: string) => {
    const r = facts.resolve(symbol, field);
    return "missing" in r || r.value === expected;
  };
  return agrees("asset_class", "fx") && agrees("quote_currency", pair.quoteCurrency) && agrees("pip_size", toPlain(pair.unitSize));
}

function entryOf(symbol: string, facts: InstrumentFacts): { entry: Record<string, unknown>; missing: string[] } {
  const entry: Record<string, unknown> = {};
  const missing: string[] = [];
  const put = (field: InstrumentField, meaning: string, asNumber = false) => {
    const r = facts.resolve(symbol, field);
    if ("value" in r) entry[field] = asNumber ? jsonSize(r.value) : r.value;
    else {
      entry[field] = placeholder(`${meaning}; ${r.missing}`);
      missing.push(field);
    }
  };
  put("asset_class", FIELD_MEANING.asset_class);
  put("quote_currency", FIELD_MEANING.quote_currency);
  const asset = missing.includes("asset_class") ? undefined : entry["asset_class"];
  if (asset === "crypto" && "value" in facts.resolve(symbol, "base_currency")) put("base_currency", "");
  if (asset === "fx") put("pip_size", "its pip size", true);
  else put("tick_size", asset === undefined ? FIELD_MEANING.tick_size : "its smallest price step", true);
  return { entry, missing };
}

/** A size as a JSON number when a double holds it exactly (0.01), else as its decimal string. */
function jsonSize(text: string): number | string {
  const n = Number(text);
  return sizeText(String(n)) === text && !/e/i.test(String(n)) ? n : text;
}
