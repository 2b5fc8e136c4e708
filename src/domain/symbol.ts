// Instruments. Brokers spell one pair three ways (OANDA EUR_USD, FIX and Alpaca crypto EUR/USD, most
// engines EURUSD); they are one instrument, so every symbol is folded to the bare form at the boundary.

import { type Dec, parseDec } from "./decimal.js";

export function normalizeSymbol(raw: string): string {
  return raw.replace(/[_/]/g, "").toUpperCase();
}

const PIP_JPY = parseDec("0.01")!;
const PIP_DEFAULT = parseDec("0.0001")!;

/** Pip size: a config override, else 0.01 for a JPY-quoted pair, else 0.0001. */
export function pipSize(symbol: string, overrides: ReadonlyMap<string, Dec>): Dec {
  const override = overrides.get(symbol);
  if (override !== undefined) return override;
  return symbol.endsWith("JPY") ? PIP_JPY : PIP_DEFAULT;
}
