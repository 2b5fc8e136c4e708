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
