// Instruments (docs/config.md, "Instruments"): what a symbol is, so that slippage and drift are measured in
// its own unit and P&L is kept in its own currency. FX pairs need no entry: a six-letter symbol of two
// currency codes is a pair quoted in its second currency, with a pip of 0.01 when that is JPY and 0.0001
// otherwise (`pip_sizes` overrides). Anything else must be described in the config's `instruments` table; an
// unknown non-FX symbol is an error, never a guess.

import { type Dec, parseDec } from "./decimal.js";

export const ASSET_CLASSES = ["fx", "equity", "future", "option", "crypto", "cfd", "index", "commodity", "bond"] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export interface Instrument {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  /** Code of the currency prices and P&L are in (see CURRENCY_CODE). */
  readonly quoteCurrency: string;
  /** Slippage and drift in price are counted in this unit: pips for FX, ticks for everything else. */
  readonly unit: "pips" | "ticks";
  readonly unitSize: Dec;
  /**
   * The asset a position in this instrument is a balance of (crypto spot: BTC for BTCUSDT), or
   * undefined where a position is a contract, not a holding. A fee charged in it changes the
   * quantity held rather than the P&L.
   */
  readonly baseCurrency: string | undefined;
}

/** Fiat currency codes (ISO 4217) that make a six-letter symbol an FX pair by default. */
const FIAT = new Set([
  "AED", "AUD", "BRL", "CAD", "CHF", "CLP", "CNH", "CNY", "COP", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS",
  "INR", "ISK", "JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PEN", "PHP", "PLN", "RON", "RUB", "SAR", "SEK", "SGD", "THB",
  "TRY", "TWD", "USD", "ZAR",
]);

const PIP_JPY = parseDec("0.01")!;
const PIP_DEFAULT = parseDec("0.0001")!;

/**
 * A symbol read as an FX pair with today's defaults, or undefined when it is not one: six letters,
 * quoted in a fiat currency, with a fiat base (or any base when `pip_sizes` names it, as metals were
 * configured before the instrument table existed: XAUUSD with its pip).
 */
export function fxPair(symbol: string, pipSizes: ReadonlyMap<string, Dec>): Instrument | undefined {
  if (!/^[A-Z]{6}$/.test(symbol)) return undefined;
  const base = symbol.slice(0, 3);
  const quote = symbol.slice(3);
  const pip = pipSizes.get(symbol);
  if (!FIAT.has(quote) || (!FIAT.has(base) && pip === undefined)) return undefined;
  return {
    symbol, assetClass: "fx", quoteCurrency: quote, unit: "pips", unitSize: pip ?? (quote === "JPY" ? PIP_JPY : PIP_DEFAULT),
    baseCurrency: undefined,
  };
}

/** The instrument a symbol is: the config's entry, else an FX pair by default, else undefined. */
export function lookUpInstrument(
  symbol: string, table: ReadonlyMap<string, Instrument>, pipSizes: ReadonlyMap<string, Dec>,
): Instrument | undefined {
  return table.get(symbol) ?? fxPair(symbol, pipSizes);
}

/** Asset classes whose positions are balances of a base asset (spot holdings, not contracts). */
export function holdsBaseAsset(assetClass: AssetClass): boolean {
  return assetClass === "crypto";
}

/**
 * The base asset a symbol names before its quote currency (BTCUSDT quoted in USDT: BTC), or
 * undefined when the symbol does not end with the quote currency or names nothing before it.
 */
export function baseFromSymbol(symbol: string, quoteCurrency: string): string | undefined {
  if (!symbol.endsWith(quoteCurrency) || symbol.length === quoteCurrency.length) return undefined;
  return symbol.slice(0, symbol.length - quoteCurrency.length);
}

/**
 * A currency code, one definition for every place that reads one (the broker log's fee and
 * financing currencies, the config's quote currencies; schemas/common.schema.json states the same
 * pattern): ISO 4217 (USD) or a crypto asset (USDT, BTC), upper case.
 */
export const CURRENCY_CODE = /^[A-Z][A-Z0-9]{2,9}$/;

/** What a currency code looks like, for error messages. */
export const CURRENCY_CODE_EXPECTED = "a currency code such as USD, EUR or USDT (3 to 10 capital letters or digits, starting with a letter)";

/** Whether a text is a currency code (CURRENCY_CODE). */
export function isCurrencyCode(text: string): boolean {
  return CURRENCY_CODE.test(text);
}
