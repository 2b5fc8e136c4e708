// Instruments. Brokers spell one pair three ways (OANDA EUR_USD, FIX and Alpaca crypto EUR/USD, most
// engines EURUSD); they are one instrument, so every symbol is folded to the bare form at the boundary.

import { type Dec, parseDec } from "./decimal.js";

const normalized = new Map<string, string>();
const SYMBOL_CACHE_ENTRIES_MAX = 10_000;

export function normalizeSymbol(raw: string): string {
  let symbol = normalized.get(raw);
  if (symbol === undefined) {
    symbol = raw.replace(/[_/]/g, "").toUpperCase();
    if (normalized.size < SYMBOL_CACHE_ENTRIES_MAX) normalized.set(raw, symbol);
  }
  return symbol;
}

const PIP_JPY = parseDec("0.01")!;
const PIP_DEFAULT = parseDec("0.0001")!;

/** Pip size: a config override, else 0.01 for a JPY-quoted pair, else 0.0001. */
export function pipSize(symbol: string, overrides: ReadonlyMap<string, Dec>): Dec {
  const override = overrides.get(symbol);
  if (override !== undefined) return override;
  return symbol.endsWith("JPY") ? PIP_JPY : PIP_DEFAULT;
}
