// The replay's configuration (docs/reference/formats.md, schemas/config.schema.json): every field has a
// default, and `replay --help` prints the defaults from DEFAULT_CONFIG_JSON so the help can never drift from
// the code. Unknown keys are a config error: a misspelt `reconcile_interval_s` silently ignored would change
// a proof's meaning.

import { type Dec, decimalRuleFor, parseDec, sign, toPlain as decToText } from "./decimal.js";
import { ConfigError, preview } from "./errors.js";
import { nearestNames } from "./nearest.js";
import { isObject, type Json } from "./json.js";
import { ASSET_CLASSES, type AssetClass, baseFromSymbol, CURRENCY_CODE_EXPECTED, holdsBaseAsset, type Instrument, isCurrencyCode } from "./instruments.js";
import { unfilledFields } from "./instrument-entry.js";
import { decimalOfValue, safeIntegerOfJsonNumber } from "./json-text.js";
import { parseSymbol } from "./symbol.js";

export type OrphanPolicy = "alert" | "flatten";
export type OpenPositionsPolicy = "RESUME" | "CLOSE_ALL" | "EMERGENCY_EXIT";

export interface SessionDef {
  readonly name: string;
  /** Inclusive UTC hour. */
  readonly startHour: number;
  /** Exclusive UTC hour (24 closes the day). */
  readonly endHour: number;
}

export interface SlippagePreset {
  readonly symbol: string;
  readonly session: string;
  readonly maxSlippagePips: Dec;
}

export interface Config {
  readonly idempotencyTtlMs: number;
  /** Per-symbol TTL overrides (venues differ in how long a client order id stays reserved). */
  readonly idempotencyTtlMsBySymbol: ReadonlyMap<string, number>;
  readonly reconcileIntervalMs: number;
  readonly inFlightGraceMs: number;
  /** How close in time an unmatched broker order must be to an engine order to be named a candidate. */
  readonly signatureMatchWindowMs: number;
  readonly driftToleranceUnits: Dec;
  readonly driftTolerancePips: Dec;
  readonly pipSizes: ReadonlyMap<string, Dec>;
  /** Instruments by symbol (FX pairs need no entry: see instruments.ts). */
  readonly instruments: ReadonlyMap<string, Instrument>;
  /** sessionOfHour[h] is the session name of UTC hour h. */
  readonly sessions: readonly SessionDef[];
  readonly sessionOfHour: readonly string[];
  readonly slippagePresets: readonly SlippagePreset[];
  readonly dailyLossCap: Dec | undefined;
  /** Sorted by symbol. */
  readonly symbolCaps: ReadonlyArray<readonly [string, Dec]>;
  readonly orphanPolicy: OrphanPolicy;
  readonly openPositionsPolicy: OpenPositionsPolicy;
  readonly emergencyExitLossThreshold: Dec | undefined;
  readonly lineBytesMax: number;
  readonly eventsMax: number;
  readonly cacheEntriesMax: number;
  readonly reportListItemsMax: number;
}

/** The defaults, in the JSON shape a config file uses. */
export const DEFAULT_CONFIG_JSON = {
  idempotency_ttl_ms: 172_800_000,
  idempotency_ttl_ms_by_symbol: {},
  reconcile_interval_ms: 300_000,
  in_flight_grace_ms: 10_000,
  signature_match_window_ms: 300_000,
  drift_tolerance_units: 0,
  drift_tolerance_pips: 0.5,
  pip_sizes: {},
  instruments: {},
  sessions: [
    { name: "asia", start_hour: 0, end_hour: 7 },
    { name: "eu", start_hour: 7, end_hour: 13 },
    { name: "us", start_hour: 13, end_hour: 21 },
    { name: "overnight", start_hour: 21, end_hour: 24 },
  ],
  slippage_presets: [],
  limits: { daily_loss_cap: null, symbol_caps: {} },
  recovery: { orphan_policy: "alert", open_positions_policy: "RESUME", emergency_exit_loss_threshold: null },
  line_bytes_max: 1_048_576,
  events_max: 100_000_000,
  cache_entries_max: 1_000_000,
  report_list_items_max: 10_000,
} as const;

/**
 * Every key a config may hold, table by table: the one list the loader checks keys against (and
 * suggests the nearest of, for a misspelt one). The top level and `limits` and `recovery` are the
 * keys of DEFAULT_CONFIG_JSON; a table's entries (an instrument, a session, a slippage preset) have
 * no default, so their keys are listed here. A new setting is added here (or to the defaults),
 * to resolveConfig and configToJson, and to schemas/config.schema.json (a test holds the schema to
 * this table).
 */
export const CONFIG_KEYS = {
  top: [...Object.keys(DEFAULT_CONFIG_JSON), "$schema"],
  limits: Object.keys(DEFAULT_CONFIG_JSON.limits),
  recovery: Object.keys(DEFAULT_CONFIG_JSON.recovery),
  instrument: ["asset_class", "quote_currency", "pip_size", "tick_size", "base_currency"],
  session: ["name", "start_hour", "end_hour"],
  slippage_preset: ["symbol", "session", "max_slippage_pips"],
} as const satisfies Record<string, readonly string[]>;

/** A config error about one setting; `field` is its path (`limits.daily_loss_cap`), which the
 * loader turns into the line and column of the file that hold it. */
function settingError(field: string, text: string): ConfigError {
  return new ConfigError(`config: "${field}" ${text}`, field);
}

function checkKeys(obj: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const near = nearestNames(key, allowed);
    const hint = near.length === 0 ? ` (the keys here: ${allowed.join(", ")})` : `: did you mean ${near.map((k) => JSON.stringify(k)).join(" or ")}?`;
    throw new ConfigError(`config: unknown key "${where}${key}"${hint}`, `${where}${key}`);
  }
}

/** A C0 or C1 control character, or DEL: never meant in a setting, and unsafe to print. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Refuses a config string (a value or a key, at any depth) that holds a control character: a
 * session name holding NUL would be written into the report and the metrics as it is.
 */
function refuseControlCharacters(value: unknown, path: string): void {
  const refuse = (text: string, what: string, at: string = path) => {
    const c = CONTROL_CHARACTER.exec(text);
    if (c === null) return;
    const code = c[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new ConfigError(`config: ${what} holds the control character U+${code}: a setting is printable text`, at);
  };
  if (typeof value === "string") refuse(value, `"${path}"`);
  else if (Array.isArray(value)) value.forEach((item, i) => refuseControlCharacters(item, `${path}[${i}]`));
  else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const keyPath = path === "" ? key : `${path}.${key}`;
      refuse(key, `the key ${preview(key)}${path === "" ? "" : ` in "${path}"`}`, keyPath);
      refuseControlCharacters(value[key], keyPath);
    }
  }
}

function wholeMs(value: unknown, field: string, minimum: number): number {
  const ms = safeIntegerOfJsonNumber(value);
  if (ms === undefined || ms < minimum) {
    throw settingError(field, `must be a whole number of milliseconds >= ${minimum}, got ${preview(value)}`);
  }
  return ms;
}

function count(value: unknown, field: string): number {
  const n = safeIntegerOfJsonNumber(value);
  if (n === undefined || n < 1) {
    throw settingError(field, `must be a whole number >= 1, got ${preview(value)}`);
  }
  return n;
}

/** A JSON number, or a decimal string as in the inputs, nothing around it (the effective config
 * writes a value no double holds exactly as one). */
function decimal(value: unknown, field: string, allowZero: boolean): Dec {
  const dec = decimalOfValue(value);
  if (dec === undefined || sign(dec) < 0 || (!allowZero && sign(dec) === 0)) {
    const rule = dec === undefined ? ` (${decimalRuleFor(value)})` : "";
    throw settingError(field, `must be a number ${allowZero ? ">= 0" : "> 0"}${rule}, got ${preview(value)}`);
  }
  return dec;
}

/**
 * Refuses two entries of one config table that mean one thing once symbols are normalized
 * (EUR_USD, EUR/USD and EURUSD are one instrument): a silent "last wins" would pick one of two
 * settings. `entries` are [normalized key, where it is written]. For every per-symbol table.
 */
export function refuseDuplicateKeys(table: string, entries: Iterable<readonly [string, string]>): void {
  const first = new Map<string, string>();
  for (const [key, where] of entries) {
    const earlier = first.get(key);
    if (earlier !== undefined) throw new ConfigError(`config: "${table}" names ${key} twice (${earlier} and ${where}); give it once`);
    first.set(key, where);
  }
}

/** A symbol written in the config, normalized; a name that is not one is a config error. */
function configSymbol(raw: unknown, where: string, field: string): string {
  const symbol = typeof raw === "string" ? parseSymbol(raw) : undefined;
  if (symbol === undefined) throw new ConfigError(`config: ${where} must be an instrument name in ASCII such as EURUSD, EUR_USD or EUR/USD, got ${preview(raw)}`, field);
  return symbol;
}

function symbolMap<T>(value: unknown, field: string, read: (v: unknown, f: string, symbol: string) => T): Map<string, T> {
  if (!isObject(value)) throw settingError(field, "must be an object keyed by symbol");
  const keys = Object.keys(value).sort();
  const symbols = keys.map((key) => configSymbol(key, `the key ${JSON.stringify(key)} of "${field}"`, `${field}.${key}`));
  refuseDuplicateKeys(field, symbols.map((s, i) => [s, JSON.stringify(keys[i])] as const));
  return new Map(keys.map((key, i) => [symbols[i]!, read(value[key], `${field}.${key}`, symbols[i]!)]));
}

const instrumentTable = (value: unknown): Map<string, Instrument> => symbolMap(value, "instruments", instrumentEntry);

/**
 * One `instruments` entry: {asset_class, quote_currency, pip_size (fx) | tick_size (others),
 * base_currency (crypto spot, optional)}. The symbol is filled in by the caller.
 */
function instrumentEntry(value: unknown, field: string, symbol: string): Instrument {
  if (!isObject(value)) throw settingError(field, "must be an object with asset_class, quote_currency and a tick_size (or pip_size for fx)");
  const unfilled = unfilledFields(value);
  if (unfilled.length > 0) {
    throw settingError(field, `is not finished: ${unfilled.map((k) => `"${k}"`).join(", ")} still ${unfilled.length === 1 ? "holds a placeholder" : "hold placeholders"} ` +
      `(${unfilled.map((k) => String(value[k])).join("; ")}): replace ${unfilled.length === 1 ? "it" : "each"} with the instrument's value`);
  }
  checkKeys(value, CONFIG_KEYS.instrument, `${field}.`);
  const assetClass = value["asset_class"];
  if (typeof assetClass !== "string" || !(ASSET_CLASSES as readonly string[]).includes(assetClass)) {
    throw settingError(`${field}.asset_class`, `must be one of ${ASSET_CLASSES.join(", ")}, got ${preview(assetClass)}`);
  }
  const quote = currencyField(value, "quote_currency", field);
  if (quote === undefined) throw settingError(`${field}.quote_currency`, `is required: ${CURRENCY_CODE_EXPECTED}`);
  const fx = assetClass === "fx";
  const sizeKey = fx ? "pip_size" : "tick_size";
  const other = fx ? "tick_size" : "pip_size";
  if (value[other] !== undefined) throw settingError(`${field}.${other}`, `does not apply to asset_class ${assetClass}: use ${sizeKey}`);
  if (value[sizeKey] === undefined) throw settingError(`${field}.${sizeKey}`, `is required for asset_class ${assetClass}`);
  return {
    symbol, assetClass: assetClass as AssetClass, quoteCurrency: quote, unit: fx ? "pips" : "ticks",
    unitSize: decimal(value[sizeKey], `${field}.${sizeKey}`, false), baseCurrency: baseCurrencyOf(value, field, symbol, assetClass as AssetClass, quote),
  };
}

function currencyField(value: Record<string, unknown>, key: string, field: string): string | undefined {
  const code = value[key];
  if (code === undefined) return undefined;
  if (typeof code !== "string" || !isCurrencyCode(code)) throw settingError(`${field}.${key}`, `must be ${CURRENCY_CODE_EXPECTED}, got ${preview(code)}`);
  return code;
}

/**
 * The asset a crypto spot position is a balance of: as the entry states it, else the symbol's
 * letters before its quote currency (ETHUSDT: ETH). Other asset classes hold contracts, not balances.
 */
function baseCurrencyOf(value: Record<string, unknown>, field: string, symbol: string, assetClass: AssetClass, quote: string): string | undefined {
  const stated = currencyField(value, "base_currency", field);
  if (!holdsBaseAsset(assetClass)) {
    if (stated !== undefined) throw settingError(`${field}.base_currency`, `applies to crypto spot instruments only (a position that is a balance of that asset), not to asset_class ${assetClass}`);
    return undefined;
  }
  return stated ?? baseFromSymbol(symbol, quote);
}

/** Checks that the sessions cover every UTC hour exactly once, naming the hours that do not. */
function sessionTable(value: unknown): { sessions: SessionDef[]; byHour: string[] } {
  if (!Array.isArray(value) || value.length === 0) throw settingError("sessions", "must be a non-empty array");
  const owners: string[][] = Array.from({ length: 24 }, () => []);
  const sessions = value.map((s, i): SessionDef => {
    if (!isObject(s)) throw settingError(`sessions[${i}]`, "must be an object");
    checkKeys(s, CONFIG_KEYS.session, `sessions[${i}].`);
    const { name, start_hour: start, end_hour: end } = s;
    if (typeof name !== "string" || name === "") throw settingError(`sessions[${i}].name`, "must be a non-empty string");
    const ok = (h: unknown, lo: number, hi: number) => typeof h === "number" && Number.isInteger(h) && h >= lo && h <= hi;
    if (!ok(start, 0, 23) || !ok(end, 1, 24) || (end as number) <= (start as number)) {
      throw new ConfigError(`config: session "${name}" needs 0 <= start_hour < end_hour <= 24, got ${JSON.stringify(start)}..${JSON.stringify(end)}`, `sessions[${i}]`);
    }
    for (let h = start as number; h < (end as number); h++) owners[h]!.push(name);
    return { name, startHour: start as number, endHour: end as number };
  });
  const gaps = owners.flatMap((o, h) => (o.length === 0 ? [h] : []));
  const overlaps = owners.flatMap((o, h) => (o.length > 1 ? [`${h} (${o.join(", ")})`] : []));
  if (gaps.length > 0) throw new ConfigError(`config: sessions leave UTC hours ${gaps.join(", ")} in no session`);
  if (overlaps.length > 0) throw new ConfigError(`config: sessions overlap at UTC hours ${overlaps.join("; ")}`);
  return { sessions, byHour: owners.map((o) => o[0]!) };
}

/** The recovery policies, each checked against what it may be. */
function recoverySettings(recovery: unknown): { orphanPolicy: OrphanPolicy; openPolicy: OpenPositionsPolicy; threshold: unknown } {
  const d = DEFAULT_CONFIG_JSON;
  if (!isObject(recovery)) throw settingError("recovery", "must be an object");
  checkKeys(recovery, CONFIG_KEYS.recovery, "recovery.");
  const orphanPolicy = recovery["orphan_policy"] ?? d.recovery.orphan_policy;
  if (orphanPolicy !== "alert" && orphanPolicy !== "flatten") {
    throw settingError("recovery.orphan_policy", `must be "alert" or "flatten", got ${preview(orphanPolicy)}`);
  }
  const openPolicy = recovery["open_positions_policy"] ?? d.recovery.open_positions_policy;
  if (openPolicy !== "RESUME" && openPolicy !== "CLOSE_ALL" && openPolicy !== "EMERGENCY_EXIT") {
    throw settingError("recovery.open_positions_policy", `must be CLOSE_ALL, RESUME or EMERGENCY_EXIT, got ${preview(openPolicy)}`);
  }
  const threshold = recovery["emergency_exit_loss_threshold"];
  if (openPolicy === "EMERGENCY_EXIT" && (threshold === undefined || threshold === null)) {
    throw new ConfigError(`config: EMERGENCY_EXIT needs "recovery.emergency_exit_loss_threshold" (a loss in quote currency)`, "recovery.open_positions_policy");
  }
  return { orphanPolicy, openPolicy, threshold };
}

/** The slippage presets: each names a symbol and one of the sessions, once per (symbol, session). */
function presetTable(raw: unknown, sessions: readonly SessionDef[]): SlippagePreset[] {
  if (!Array.isArray(raw)) throw settingError("slippage_presets", "must be an array");
  const sessionNames = new Set(sessions.map((s) => s.name));
  const presets = raw.map((p, i): SlippagePreset => {
    if (!isObject(p)) throw settingError(`slippage_presets[${i}]`, "must be an object");
    checkKeys(p, CONFIG_KEYS.slippage_preset, `slippage_presets[${i}].`);
    if (typeof p["symbol"] !== "string" || typeof p["session"] !== "string" || !sessionNames.has(p["session"])) {
      throw settingError(`slippage_presets[${i}]`, `needs a symbol and a session among ${[...sessionNames].join(", ")}`);
    }
    const symbol = configSymbol(p["symbol"], `"slippage_presets[${i}].symbol"`, `slippage_presets[${i}].symbol`);
    return { symbol, session: p["session"], maxSlippagePips: decimal(p["max_slippage_pips"], `slippage_presets[${i}].max_slippage_pips`, true) };
  });
  refuseDuplicateKeys("slippage_presets", presets.map((p, i) => [`${p.symbol} in session ${p.session}`, `slippage_presets[${i}]`] as const));
  return presets;
}

/** Builds the effective config from a parsed config file (or {} for all defaults). */
export function resolveConfig(input: unknown): Config {
  if (!isObject(input)) throw new ConfigError("config: the file must hold one JSON object");
  refuseControlCharacters(input, "");
  const d = DEFAULT_CONFIG_JSON;
  // "$schema" lets an editor find schemas/config.schema.json; it is not a setting.
  if (input["$schema"] !== undefined && typeof input["$schema"] !== "string") {
    throw settingError("$schema", "must be a string (the path or URL of the config's JSON Schema)");
  }
  checkKeys(input, CONFIG_KEYS.top, "");
  const get = <K extends keyof typeof d>(k: K): unknown => (input[k] === undefined ? d[k] : input[k]);

  const limits = get("limits");
  if (!isObject(limits)) throw settingError("limits", "must be an object");
  checkKeys(limits, CONFIG_KEYS.limits, "limits.");
  const { orphanPolicy, openPolicy, threshold } = recoverySettings(get("recovery"));
  const { sessions, byHour } = sessionTable(get("sessions"));
  const slippagePresets = presetTable(get("slippage_presets"), sessions);

  const lossCap = limits["daily_loss_cap"];
  return {
    idempotencyTtlMs: wholeMs(get("idempotency_ttl_ms"), "idempotency_ttl_ms", 1),
    idempotencyTtlMsBySymbol: symbolMap(get("idempotency_ttl_ms_by_symbol"), "idempotency_ttl_ms_by_symbol", (v, f) => wholeMs(v, f, 1)),
    reconcileIntervalMs: wholeMs(get("reconcile_interval_ms"), "reconcile_interval_ms", 1000),
    inFlightGraceMs: wholeMs(get("in_flight_grace_ms"), "in_flight_grace_ms", 0),
    signatureMatchWindowMs: wholeMs(get("signature_match_window_ms"), "signature_match_window_ms", 0),
    driftToleranceUnits: decimal(get("drift_tolerance_units"), "drift_tolerance_units", true),
    driftTolerancePips: decimal(get("drift_tolerance_pips"), "drift_tolerance_pips", true),
    pipSizes: symbolMap(get("pip_sizes"), "pip_sizes", (v, f) => decimal(v, f, false)),
    instruments: instrumentTable(get("instruments")),
    sessions,
    sessionOfHour: byHour,
    slippagePresets,
    dailyLossCap: lossCap === undefined || lossCap === null ? undefined : decimal(lossCap, "limits.daily_loss_cap", true),
    symbolCaps: [...symbolMap(limits["symbol_caps"] ?? {}, "limits.symbol_caps", (v, f) => decimal(v, f, true))],
    orphanPolicy,
    openPositionsPolicy: openPolicy,
    emergencyExitLossThreshold: threshold === undefined || threshold === null ? undefined
      : decimal(threshold, "recovery.emergency_exit_loss_threshold", true),
    lineBytesMax: count(get("line_bytes_max"), "line_bytes_max"),
    eventsMax: count(get("events_max"), "events_max"),
    cacheEntriesMax: count(get("cache_entries_max"), "cache_entries_max"),
    reportListItemsMax: count(get("report_list_items_max"), "report_list_items_max"),
  };
}

export function ttlMsFor(c: Config, symbol: string): number {
  return c.idempotencyTtlMsBySymbol.get(symbol) ?? c.idempotencyTtlMs;
}
