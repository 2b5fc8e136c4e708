// Which order and which instrument a message names: the client order id at the root of the
// OrigClOrdID (41) chain (a replacement keeps the engine's key), a stable event id per execution,
// and what a message states of its instrument for --instruments.

import type { AssetClass } from "../../../domain/instruments.js";
import { createHash } from "node:crypto";
import { type Pos, symbolOf } from "../common.js";
import { sizeText } from "../instruments.js";
import type { FixImport } from "./context.js";
import { type FixMessage, sessionOf } from "./messages.js";

/** SecurityType (167) in our asset classes; other values have no counterpart. */
const FIX_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = {
  CS: "equity", PS: "equity", FUT: "future", OPT: "option", OOF: "option", OOP: "option", FOR: "fx", FXSPOT: "fx",
  CORP: "bond", GO: "bond", TBOND: "bond", TNOTE: "bond", TBILL: "bond",
};

/** The first ClOrdID of the chain `clOrdId` replaced its way down from. */
export function rootClOrdId(p: FixImport, clOrdId: string): string {
  let id = clOrdId;
  const seen = new Set<string>();
  while (p.replaces.has(id) && !seen.has(id)) {
    seen.add(id);
    id = p.replaces.get(id)!;
  }
  return id;
}

/** ExecID (17) scoped by the session; FXCM sends 17=0 on rejects, so then the message's own hash. */
export function eventIdOf(msg: FixMessage): string {
  const execId = msg.fields.get("17");
  const session = sessionOf(msg.fields);
  if (execId !== undefined && execId !== "0" && execId !== "") return `fix:${session}:${execId}`;
  return `fix:${session}:msg-${createHash("sha256").update(msg.soh).digest("hex").slice(0, 16)}`;
}

/**
 * What a message states of its instrument: SecurityType (167), MinPriceIncrement (969), and the
 * currency of its prices. A pair written BASE/QUOTE names both; on an FX instrument Currency (15)
 * is the dealt currency (FXCM sends 15=EUR on EUR/USD), so it is the price currency only elsewhere.
 */
export function describeInstrument(p: FixImport, f: ReadonlyMap<string, string>, pos: Pos): void {
  const raw = f.get("55");
  if (raw === undefined) return;
  const type = f.get("167") ?? "";
  const asset = FIX_ASSET_CLASSES[type];
  const symbol = symbolOf(raw);
  if (asset === undefined && type !== "") p.instruments.hint(symbol, "asset_class", `SecurityType (167) ${JSON.stringify(type)} is none of them`);
  const pair = /^([A-Za-z0-9]+)\/([A-Za-z]{3,5})$/.exec(raw.trim());
  const quote = pair !== null ? pair[2]!.toUpperCase() : asset !== "fx" ? f.get("15") : undefined;
  p.instruments.state(symbol, { asset_class: asset, quote_currency: quote, base_currency: pair?.[1]?.toUpperCase(), tick_size: sizeText(f.get("969")) }, pos);
}
