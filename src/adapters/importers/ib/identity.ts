// Which order and which instrument a message names: the engine's key of an order (its orderRef,
// else `ib:<clientId>:<orderId>`), and a contract's symbol with what its fields state of the
// instrument (secType, currency, and minTick from contract details) for --instruments.

import type { AssetClass } from "../../../domain/instruments.js";
import { parseDec } from "../../../domain/decimal.js";
import { type Pos, symbolOf, where } from "../common.js";
import { sizeText } from "../instruments.js";
import type { IbImport } from "./context.js";
import { ibNumber } from "./wire.js";

/** IB's secType in our asset classes; the other secTypes (WAR, BAG, FUND, ...) have no counterpart. */
const IB_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = {
  STK: "equity", CASH: "fx", FUT: "future", CONTFUT: "future", OPT: "option", FOP: "option", CRYPTO: "crypto", CFD: "cfd",
  IND: "index", CMDTY: "commodity", BOND: "bond",
};
const IB_SEC_TYPES = new Set([...Object.keys(IB_ASSET_CLASSES), "WAR", "IOPT", "FWD", "BAG", "BILL", "FUND", "FIXED", "SLB", "NEWS", "BSK", "ICU", "ICS"]);
/**
 * Where contractData (10) holds the fields read, by layout: with a version field (older servers),
 * without it, and without it but with lastTradeDate after lastTradeDateOrContractMonth.
 */
const MESSAGE_10_LAYOUTS = [
  { symbol: 3, secType: 4, strike: 6, currency: 9, localSymbol: 10, conId: 13, minTick: 14 },
  { symbol: 2, secType: 3, strike: 5, currency: 8, localSymbol: 9, conId: 12, minTick: 13 },
  { symbol: 2, secType: 3, strike: 6, currency: 9, localSymbol: 10, conId: 13, minTick: 14 },
] as const;

/** A contract as a message names it (fields missing from the message are empty). */
export interface Contract {
  readonly secType: string | undefined;
  readonly symbol: string;
  readonly currency: string | undefined;
  readonly localSymbol: string | undefined;
}

/** The engine's key of an order: its orderRef, else the client's own numbering. */
export function coidOf(orderRef: string | undefined, clientId: string | undefined, orderId: string | undefined): string {
  if (orderRef !== undefined && orderRef !== "") return orderRef;
  return `ib:${clientId ?? "?"}:${orderId ?? "?"}`;
}

/** The symbol of a contract; what its fields say of the instrument is kept for --instruments. */
export function contractSymbol(p: IbImport, c: Contract, pos: Pos): string {
  const [secType, symbol, currency, localSymbol] = [c.secType ?? "", c.symbol, c.currency ?? "", c.localSymbol ?? ""];
  const sym = secType === "CASH" ? symbolOf(symbol + currency)
    : secType === "STK" || localSymbol === "" ? symbolOf(symbol) : symbolOf(localSymbol.replace(/\s+/g, ""));
  const asset = IB_ASSET_CLASSES[secType];
  if (asset === undefined && secType !== "") p.instruments.hint(sym, "asset_class", `IB's secType ${JSON.stringify(secType)} is none of them`);
  p.instruments.state(sym, { asset_class: asset, quote_currency: currency, base_currency: secType === "CRYPTO" ? symbol : undefined }, pos);
  return sym;
}

/**
 * contractData (10), the answer to reqContractDetails: no record, but the contract's minTick is
 * its tick size. Its layout depends on the server version; the one layout whose fields read as a
 * contract is used, and a message no single layout fits is noted and left out.
 */
export function contractData(p: IbImport, f: string[], pos: Pos): void {
  p.report.ignore("message 10 contractData (read for --instruments)");
  const minTick = (text: string | undefined) => (ibNumber(text) === undefined ? undefined : sizeText(text));
  const fits = MESSAGE_10_LAYOUTS.filter((at) => IB_SEC_TYPES.has(f[at.secType] ?? "") && /^[A-Z]{3}$/.test(f[at.currency] ?? "") &&
    /^\d+$/.test(f[at.conId] ?? "") && (f[at.strike] === "" || parseDec(f[at.strike] ?? "") !== undefined) && minTick(f[at.minTick]) !== undefined);
  if (fits.length !== 1) {
    p.report.note(`${where(pos)}: contractData: ${fits.length === 0 ? "no" : "more than one"} known layout fits; its minTick is not read`);
    return;
  }
  const at = fits[0]!;
  const symbol = contractSymbol(p, { secType: f[at.secType]!, symbol: f[at.symbol] ?? "", currency: f[at.currency]!, localSymbol: f[at.localSymbol] ?? "" }, pos);
  p.instruments.state(symbol, { tick_size: minTick(f[at.minTick]) }, pos);
}
