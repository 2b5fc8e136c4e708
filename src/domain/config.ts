// The replay's configuration (docs/formats.md, schemas/config.schema.json): every field has a default, and `replay --help` prints the
// defaults from DEFAULT_CONFIG_JSON so the help can never drift from the code. Unknown keys are a
// config error: a misspelt `reconcile_interval_s` silently ignored would change a proof's meaning.

import { type Dec, parseDec, sign, toPlain as decToText } from "./decimal.js";
import { ConfigError, preview } from "./errors.js";
import { isObject, type Json } from "./json.js";
import { ASSET_CLASSES, type AssetClass, type Instrument, isCurrencyCode } from "./instruments.js";
import { unfilledFields } from "./instrument-entry.js";
import { decimalOfJsonNumber, safeIntegerOfJsonNumber } from "./json-text.js";
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

function checkKeys(obj: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`config: unknown key "${where}${key}" (known: ${allowed.join(", ")})`);
    }
  }
}

function wholeMs(value: unknown, field: string, minimum: number): number {
  const ms = safeIntegerOfJsonNumber(value);
  if (ms === undefined || ms < minimum) {
    throw new ConfigError(`config: "${field}" must be a whole number of milliseconds >= ${minimum}, got ${preview(value)}`);
  }
  return ms;
}

function count(value: unknown, field: string): number {
  const n = safeIntegerOfJsonNumber(value);
  if (n === undefined || n < 1) {
    throw new ConfigError(`config: "${field}" must be a whole number >= 1, got ${preview(value)}`);
  }
  return n;
}

/** A JSON number, or a decimal string as in the inputs (the effective config writes a value no
 * double holds exactly as one). */
function decimal(value: unknown, field: string, allowZero: boolean): Dec {
  const dec = typeof value === "string" ? parseDec(value.trim()) : decimalOfJsonNumber(value);
  if (dec === undefined || sign(dec) < 0 || (!allowZero && sign(dec) === 0)) {
    throw new ConfigError(`config: "${field}" must be a number ${allowZero ? ">= 0" : "> 0"}, got ${preview(value)}`);
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
function configSymbol(raw: unknown, where: string): string {
  const symbol = typeof raw === "string" ? parseSymbol(raw) : undefined;
  if (symbol === undefined) throw new ConfigError(`config: ${where} must be an instrument name in ASCII such as EURUSD, EUR_USD or EUR/USD, got ${preview(raw)}`);
  return symbol;
}

function symbolMap<T>(value: unknown, field: string, read: (v: unknown, f: string) => T): Map<string, T> {
  if (!isObject(value)) throw new ConfigError(`config: "${field}" must be an object keyed by symbol`);
  const keys = Object.keys(value).sort();
  const symbols = keys.map((key) => configSymbol(key, `the key ${JSON.stringify(key)} of "${field}"`));
  refuseDuplicateKeys(field, symbols.map((s, i) => [s, JSON.stringify(keys[i])] as const));
  return new Map(keys.map((key, i) => [symbols[i]!, read(value[key], `${field}.${key}`)]));
}

/**
 * One `instruments` entry: {asset_class, quote_currency, pip_size (fx) | tick_size (others)}. The
 * symbol is filled in by the caller.
 */
function instrumentEntry(value: unknown, field: string): Instrument {
  if (!isObject(value)) throw new ConfigError(`config: "${field}" must be an object with asset_class, quote_currency and a tick_size (or pip_size for fx)`);
  const unfilled = unfilledFields(value);
  if (unfilled.length > 0) {
    throw new ConfigError(`config: "${field}" is not finished: ${unfilled.map((k) => `"${k}"`).join(", ")} still ${unfilled.length === 1 ? "holds a placeholder" : "hold placeholders"} ` +
      `(${unfilled.map((k) => String(value[k])).join("; ")}): replace ${unfilled.length === 1 ? "it" : "each"} with the instrument's value`);
  }
  checkKeys(value, ["asset_class", "quote_currency", "pip_size", "tick_size"], `${field}.`);
  const assetClass = value["asset_class"];
  if (typeof assetClass !== "string" || !(ASSET_CLASSES as readonly string[]).includes(assetClass)) {
    throw new ConfigError(`config: "${field}.asset_class" must be one of ${ASSET_CLASSES.join(", ")}, got ${preview(assetClass)}`);
  }
  const quote = value["quote_currency"];
  if (typeof quote !== "string" || !isCurrencyCode(quote)) {
    throw new ConfigError(`config: "${field}.quote_currency" must be a currency code such as "USD", got ${preview(quote)}`);
  }
  const fx = assetClass === "fx";
  const sizeKey = fx ? "pip_size" : "tick_size";
  const other = fx ? "tick_size" : "pip_size";
  if (value[other] !== undefined) throw new ConfigError(`config: "${field}.${other}" does not apply to asset_class ${assetClass}: use ${sizeKey}`);
  if (value[sizeKey] === undefined) throw new ConfigError(`config: "${field}.${sizeKey}" is required for asset_class ${assetClass}`);
  return { symbol: "", assetClass: assetClass as AssetClass, quoteCurrency: quote, unit: fx ? "pips" : "ticks", unitSize: decimal(value[sizeKey], `${field}.${sizeKey}`, false) };
}

/** Checks that the sessions cover every UTC hour exactly once, naming the hours that do not. */
function sessionTable(value: unknown): { sessions: SessionDef[]; byHour: string[] } {
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(`config: "sessions" must be a non-empty array`);
  const owners: string[][] = Array.from({ length: 24 }, () => []);
  const sessions = value.map((s, i): SessionDef => {
    if (!isObject(s)) throw new ConfigError(`config: "sessions[${i}]" must be an object`);
    checkKeys(s, ["name", "start_hour", "end_hour"], `sessions[${i}].`);
    const { name, start_hour: start, end_hour: end } = s;
    if (typeof name !== "string" || name === "") throw new ConfigError(`config: "sessions[${i}].name" must be a non-empty string`);
    const ok = (h: unknown, lo: number, hi: number) => typeof h === "number" && Number.isInteger(h) && h >= lo && h <= hi;
    if (!ok(start, 0, 23) || !ok(end, 1, 24) || (end as number) <= (start as number)) {
      throw new ConfigError(`config: session "${name}" needs 0 <= start_hour < end_hour <= 24, got ${JSON.stringify(start)}..${JSON.stringify(end)}`);
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

/** Builds the effective config from a parsed config file (or {} for all defaults). */
export function resolveConfig(input: unknown): Config {
  if (!isObject(input)) throw new ConfigError("config: the file must hold one JSON object");
  const d = DEFAULT_CONFIG_JSON;
  // "$schema" lets an editor find schemas/config.schema.json; it is not a setting.
  if (input["$schema"] !== undefined && typeof input["$schema"] !== "string") {
    throw new ConfigError(`config: "$schema" must be a string (the path or URL of the config's JSON Schema)`);
  }
  checkKeys(input, [...Object.keys(d), "$schema"], "");
  const get = <K extends keyof typeof d>(k: K): unknown => (input[k] === undefined ? d[k] : input[k]);

  const limits = get("limits");
  if (!isObject(limits)) throw new ConfigError(`config: "limits" must be an object`);
  checkKeys(limits, ["daily_loss_cap", "symbol_caps"], "limits.");
  const recovery = get("recovery");
  if (!isObject(recovery)) throw new ConfigError(`config: "recovery" must be an object`);
  checkKeys(recovery, ["orphan_policy", "open_positions_policy", "emergency_exit_loss_threshold"], "recovery.");
  const orphanPolicy = recovery["orphan_policy"] ?? d.recovery.orphan_policy;
  if (orphanPolicy !== "alert" && orphanPolicy !== "flatten") {
    throw new ConfigError(`config: "recovery.orphan_policy" must be "alert" or "flatten", got ${JSON.stringify(orphanPolicy)}`);
  }
  const openPolicy = recovery["open_positions_policy"] ?? d.recovery.open_positions_policy;
  if (openPolicy !== "RESUME" && openPolicy !== "CLOSE_ALL" && openPolicy !== "EMERGENCY_EXIT") {
    throw new ConfigError(`config: "recovery.open_positions_policy" must be CLOSE_ALL, RESUME or EMERGENCY_EXIT, got ${JSON.stringify(openPolicy)}`);
  }
  const threshold = recovery["emergency_exit_loss_threshold"];
  if (openPolicy === "EMERGENCY_EXIT" && (threshold === undefined || threshold === null)) {
    throw new ConfigError(`config: EMERGENCY_EXIT needs "recovery.emergency_exit_loss_threshold" (a loss in quote currency)`);
  }

  const { sessions, byHour } = sessionTable(get("sessions"));
  const presetsRaw = get("slippage_presets");
  if (!Array.isArray(presetsRaw)) throw new ConfigError(`config: "slippage_presets" must be an array`);
  const sessionNames = new Set(sessions.map((s) => s.name));
  const slippagePresets = presetsRaw.map((p, i): SlippagePreset => {
    if (!isObject(p)) throw new ConfigError(`config: "slippage_presets[${i}]" must be an object`);
    checkKeys(p, ["symbol", "session", "max_slippage_pips"], `slippage_presets[${i}].`);
    if (typeof p["symbol"] !== "string" || typeof p["session"] !== "string" || !sessionNames.has(p["session"])) {
      throw new ConfigError(`config: "slippage_presets[${i}]" needs a symbol and a session among ${[...sessionNames].join(", ")}`);
    }
    const symbol = configSymbol(p["symbol"], `"slippage_presets[${i}].symbol"`);
    return { symbol, session: p["session"], maxSlippagePips: decimal(p["max_slippage_pips"], `slippage_presets[${i}].max_slippage_pips`, true) };
  });
  refuseDuplicateKeys("slippage_presets", slippagePresets.map((p, i) => [`${p.symbol} in session ${p.session}`, `slippage_presets[${i}]`] as const));

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
    instruments: new Map([...symbolMap(get("instruments"), "instruments", instrumentEntry)].map(([symbol, i]) => [symbol, { ...i, symbol }])),
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

/** The effective config in file shape, keys in a fixed order: what the config hash is taken over. */
export function configToJson(c: Config): Record<string, unknown> {
  // A number when a double holds the value exactly (every usual config), else its exact decimal
  // string: the config hash and the report must not round a setting.
  const num = (d: Dec): number | string => {
    const text = decToText(d);
    return parseDec(String(Number(text))) === d ? Number(text) : text;
  };
  return {
    idempotency_ttl_ms: c.idempotencyTtlMs,
    idempotency_ttl_ms_by_symbol: Object.fromEntries(c.idempotencyTtlMsBySymbol),
    reconcile_interval_ms: c.reconcileIntervalMs,
    in_flight_grace_ms: c.inFlightGraceMs,
    signature_match_window_ms: c.signatureMatchWindowMs,
    drift_tolerance_units: num(c.driftToleranceUnits),
    drift_tolerance_pips: num(c.driftTolerancePips),
    pip_sizes: Object.fromEntries([...c.pipSizes].map(([k, v]) => [k, num(v)])),
    instruments: Object.fromEntries([...c.instruments].map(([k, i]) => [k, {
      asset_class: i.assetClass, quote_currency: i.quoteCurrency, [i.unit === "pips" ? "pip_size" : "tick_size"]: num(i.unitSize),
    }])),
    sessions: c.sessions.map((s) => ({ name: s.name, start_hour: s.startHour, end_hour: s.endHour })),
    slippage_presets: c.slippagePresets.map((p) => ({ symbol: p.symbol, session: p.session, max_slippage_pips: num(p.maxSlippagePips) })),
    limits: {
      daily_loss_cap: c.dailyLossCap === undefined ? null : num(c.dailyLossCap),
      symbol_caps: Object.fromEntries(c.symbolCaps.map(([k, v]) => [k, num(v)])),
    },
    recovery: {
      orphan_policy: c.orphanPolicy,
      open_positions_policy: c.openPositionsPolicy,
      emergency_exit_loss_threshold: c.emergencyExitLossThreshold === undefined ? null : num(c.emergencyExitLossThreshold),
    },
    line_bytes_max: c.lineBytesMax,
    events_max: c.eventsMax,
    cache_entries_max: c.cacheEntriesMax,
    report_list_items_max: c.reportListItemsMax,
  };
}


export function ttlMsFor(c: Config, symbol: string): number {
  return c.idempotencyTtlMsBySymbol.get(symbol) ?? c.idempotencyTtlMs;
}
