// Instruments. Brokers spell one pair three ways (OANDA EUR_USD, FIX and Alpaca crypto EUR/USD, most
// engines EURUSD); they are one instrument, so every symbol is folded to the bare form at the boundary.

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

/** An instrument name as written: ASCII letters, digits and . _ / - (toUpperCase would fold a
 * non-ASCII letter into another symbol: "EURUSDı" into "EURUSDI"). */
const SYMBOL_TEXT = /^[A-Za-z0-9._\/-]+$/;

/** The normalized symbol, or undefined for a name that is not one (empty, or not ASCII). */
export function parseSymbol(raw: string): string | undefined {
  return SYMBOL_TEXT.test(raw) ? normalizeSymbol(raw) : undefined;
}
