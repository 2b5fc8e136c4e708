// Which instrument and whose order: ccxt's unified symbols (crypto-symbols.ts), what a market
// states of its instrument for --instruments, ccxt's times, and the engine's key of each order: its
// clientOrderId (the id the bot sent), or with --order-key id the exchange's order id (for bots that
// send none, such as freqtrade, which journals the exchange's id). A clientOrderId that several
// orders share is no order's key: reported, and those orders are keyed ccxt:order:<id>, as are
// orders without one.

import { type Dec, decFromInt, sign } from "../../../domain/decimal.js";
import { safeIntegerOfJsonNumber } from "../../../domain/json-text.js";
import { instantFromMs } from "../../../domain/time.js";
import { decOf, decText, isObject, type Json, type Pos, str, toUtc } from "../common.js";
import { type CryptoSymbol, parseCcxtSymbol, stateCryptoInstrument } from "../crypto-symbols.js";
import { sizeText } from "../instruments.js";
import { type CcxtImport, problem } from "./context.js";

export const ONE = decFromInt(1);

/** A positive decimal, else undefined. */
export function positive(d: Dec | undefined): Dec | undefined {
  return d === undefined || sign(d) <= 0 ? undefined : d;
}

/** A ccxt time: `timestamp` (epoch ms), else `datetime` (ISO 8601); undefined when neither is there. */
export function timeOf(v: Json, msKey = "timestamp", isoKey = "datetime"): string | undefined {
  const ms = safeIntegerOfJsonNumber(v[msKey]);
  if (ms !== undefined && ms > 0) return instantFromMs(ms).text;
  const iso = str(v[isoKey]);
  return iso === undefined ? undefined : toUtc(iso);
}

export function sideOf(value: unknown): "buy" | "sell" | undefined {
  const s = str(value)?.toLowerCase();
  return s === "buy" || s === "sell" ? s : undefined;
}

/** The instrument a record names by its ccxt symbol, stated for --instruments; undefined (reported) when the symbol is not ccxt's. */
export function instrumentOf(p: CcxtImport, v: Json, pos: Pos): CryptoSymbol | undefined {
  const raw = str(v["symbol"]);
  const s = raw === undefined ? undefined : parseCcxtSymbol(raw);
  if (s === undefined) {
    problem(p, pos, `symbol ${JSON.stringify(v["symbol"] ?? null)}: expected a ccxt unified symbol (BTC/USDT, ETH/USDT:USDT); not imported`);
    return undefined;
  }
  stateCryptoInstrument(p.instruments, s, pos);
  if (s.market === "spot") p.spotSymbols.add(s.symbol);
  return s;
}

/** A market: no record, but its tick size and contract size for --instruments. */
export function market(p: CcxtImport, m: Json, pos: Pos): void {
  p.report.ignore("market (read for --instruments)");
  const s = instrumentOf(p, m, pos);
  if (s === undefined) return;
  const precision = isObject(m["precision"]) ? decOf(m["precision"]["price"]) : undefined;
  if (precision !== undefined && sign(precision) > 0) {
    if (precision < ONE) p.instruments.state(s.symbol, { tick_size: sizeText(decText(precision)) }, pos);
    else {
      p.instruments.hint(s.symbol, "tick_size", `the market's precision.price is ${decText(precision)}: a tick size or a number of decimal places, ` +
        "as the exchange's precisionMode says, which a market does not state");
    }
  }
  noteContractSize(p, s, m["contractSize"]);
}

/** A contract of another size than 1: its quantities count contracts, not units of its base. */
export function noteContractSize(p: CcxtImport, s: CryptoSymbol, value: unknown): void {
  const size = decOf(value);
  if (size !== undefined && size !== ONE) {
    p.report.note(`${s.symbol}: a contract is ${decText(size)} of ${s.base} (contractSize): quantities of it are in contracts, as ccxt gives them`);
  }
}

/** The engine's key of each order: --order-key, and a clientOrderId only when no other order shares it. */
function keys(p: CcxtImport): Map<string, string> {
  const owners = new Map<string, string[]>();
  for (const f of p.orders.values()) {
    if (f.clientOrderId !== undefined) owners.set(f.clientOrderId, [...(owners.get(f.clientOrderId) ?? []), f.id]);
  }
  const byOrder = new Map<string, string>();
  for (const f of p.orders.values()) {
    const shared = f.clientOrderId !== undefined && owners.get(f.clientOrderId)!.length > 1;
    if (p.opts.orderKey === "id") byOrder.set(f.id, f.id);
    else byOrder.set(f.id, f.clientOrderId !== undefined && !shared ? f.clientOrderId : `ccxt:order:${f.id}`);
  }
  if (p.opts.orderKey !== "id") {
    for (const [coid, ids] of [...owners].filter(([, ids]) => ids.length > 1)) {
      p.context = p.orders.get(ids[0]!)!.context;
      problem(p, p.orders.get(ids[0]!)!.pos, `clientOrderId ${JSON.stringify(coid)} is shared by orders ${ids.join(", ")}: no one order's key; they are keyed ccxt:order:<id>`);
    }
  }
  return byOrder;
}

/** Every record that names a client order id gets its order's key (or none, when the order is not in the input). */
export function assignKeys(p: CcxtImport): void {
  const byOrder = keys(p);
  p.context = "";
  for (const r of p.out) {
    if (!("client_order_id" in r.fields)) continue;
    const id = String(r.fields["broker_order_id"]);
    const key = byOrder.get(id) ?? (p.opts.orderKey === "id" ? id : undefined);
    if (key !== undefined) r.fields["client_order_id"] = key;
    else delete r.fields["client_order_id"];
  }
}
