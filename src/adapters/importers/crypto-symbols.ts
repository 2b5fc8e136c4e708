// Crypto instruments as ccxt names them, and as freqtrade (which trades through ccxt) writes them:
//
//   BTC/USDT                     spot: BASE/QUOTE                                  -> BTCUSDT
//   ETH/USDT:USDT                perpetual swap settled in USDT (linear)           -> ETHUSDT.USDT
//   BTC/USD:BTC                  perpetual swap settled in BTC (inverse)           -> BTCUSD.BTC
//   BTC/USDT:USDT-240329         future delivering on 2024-03-29                   -> BTCUSDT.USDT-240329
//   BTC/USDT:USDT-250530-70000-C option (expiry, strike, C/P)                      -> BTCUSDT.USDT-250530-70000-C
//
// A contract is a different instrument from the spot pair of the same two currencies (other
// prices, other positions), so its symbol keeps the settlement suffix: ":" becomes "." (a symbol
// is letters, digits and . _ / -), "/" goes as it does for every pair. The mapping is mechanical
// and reversible; nothing about the instrument is inferred from the name beyond what ccxt's
// naming rule states (a suffix means a contract; no suffix means the spot market).
//
// Pure: no I/O.

import { symbolOf } from "./common.js";
import type { InstrumentFacts } from "./instruments.js";
import type { Pos } from "./common.js";

export type CryptoMarket = "spot" | "swap" | "future" | "option";

export interface CryptoSymbol {
  /** The replay's symbol (BTCUSDT, ETHUSDT.USDT). */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** The currency a contract settles in; undefined for spot. */
  readonly settle: string | undefined;
  readonly market: CryptoMarket;
}

const CODE = "[A-Za-z0-9]+";
const CCXT_SYMBOL = new RegExp(`^(${CODE})/(${CODE})(?::(${CODE})(?:-(\\d{6})(?:-([0-9.]+)-([CP]))?)?)?$`);

/** A ccxt unified symbol read by ccxt's naming rule, or undefined when the text does not follow it. */
export function parseCcxtSymbol(raw: string): CryptoSymbol | undefined {
  const m = CCXT_SYMBOL.exec(raw.trim());
  if (m === null) return undefined;
  const [base, quote, settle, expiry, strike] = [m[1]!.toUpperCase(), m[2]!.toUpperCase(), m[3]?.toUpperCase(), m[4], m[5]];
  const market: CryptoMarket = settle === undefined ? "spot" : expiry === undefined ? "swap" : strike === undefined ? "future" : "option";
  const contract = settle === undefined ? "" : `.${settle}` + (expiry === undefined ? "" : `-${expiry}`) + (strike === undefined ? "" : `-${strike}-${m[6]}`);
  return { symbol: symbolOf(`${base}/${quote}`) + contract, base, quote, settle, market };
}

/** The replay's symbol for a spot pair given as its two currencies (Hummingbot's base_asset, quote_asset). */
export function spotSymbol(base: string, quote: string): CryptoSymbol {
  const [b, q] = [base.trim().toUpperCase(), quote.trim().toUpperCase()];
  return { symbol: symbolOf(`${b}/${q}`), base: b, quote: q, settle: undefined, market: "spot" };
}

/**
 * What a crypto symbol states about its instrument. Spot: a balance of its base asset, priced in its
 * quote currency (asset class crypto). A contract (future, perpetual swap, option): priced in its
 * quote currency; when it settles in that same currency (linear) its P&L is too, so the quote
 * currency is stated; an inverse or quanto contract (settled in another currency) pays its P&L in
 * the settlement currency, which the replay's average-cost P&L in the price's currency does not
 * describe, so its quote currency is left for a person to decide, with the reason.
 */
export function stateCryptoInstrument(facts: InstrumentFacts, s: CryptoSymbol, pos: Pos): void {
  if (s.market === "spot") {
    facts.state(s.symbol, { asset_class: "crypto", quote_currency: s.quote, base_currency: s.base }, pos);
    return;
  }
  facts.state(s.symbol, { asset_class: s.market === "option" ? "option" : "future" }, pos);
  if (s.settle === s.quote) facts.state(s.symbol, { quote_currency: s.quote }, pos);
  else {
    facts.hint(s.symbol, "quote_currency", `priced in ${s.quote} but settled in ${s.settle} (an inverse contract): its P&L is in ${s.settle}, ` +
      `not in the currency of its prices, which the replay's P&L does not describe`);
  }
}
