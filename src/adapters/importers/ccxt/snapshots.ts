// ccxt position listings (fetchPositions) → position_snapshot, at --as-of: a listing carries no
// time of its own. The contracts held, signed by side, at their entry price.

import { isZero, neg, sign } from "../../../domain/decimal.js";
import { compareInstants } from "../../../domain/time.js";
import { decOf, decOfRounded, decText, instantOf, type Json, type Pos, snapshotEventId, str, toUtc } from "../common.js";
import { type CcxtImport, problem } from "./context.js";
import { instrumentOf, noteContractSize, timeOf } from "./identity.js";

/** Every listing, position objects given one by one included (each array as one listing). */
export function positionSnapshots(p: CcxtImport): void {
  for (const g of p.positionGroups.values()) p.positionLists.push({ pos: g.pos, list: g.list, prefix: "" });
  for (const l of p.positionLists) positions(p, l.list, l.pos, l.prefix);
  p.context = "";
}

/** A positions listing at --as-of: the contracts held, signed by side, at their entry price. */
function positions(p: CcxtImport, list: readonly Json[], pos: Pos, prefix: string): void {
  p.context = prefix;
  const raw = p.opts.asOf;
  if (raw === undefined) return problem(p, pos, "position listing not imported: it carries no time of its own; pass --as-of with the time it was fetched");
  const ts = toUtc(raw)!;
  const lines: Record<string, unknown>[] = [];
  for (const held of list) {
    const instrument = instrumentOf(p, held, pos);
    if (instrument === undefined) return;
    noteContractSize(p, instrument, held["contractSize"]);
    const contracts = decOf(held["contracts"]);
    if (contracts === undefined || isZero(contracts)) continue;
    const entry = decOfRounded(held["entryPrice"]);
    const side = str(held["side"]);
    if (entry === undefined || sign(entry.dec) <= 0 || (side !== "long" && side !== "short")) {
      return problem(p, pos, `position in ${instrument.symbol}: expected side long/short and an entryPrice, got ${JSON.stringify(held["side"] ?? null)} / ${JSON.stringify(held["entryPrice"] ?? null)}; snapshot not imported`);
    }
    const at = timeOf(held);
    if (at !== undefined && compareInstants(instantOf(at), instantOf(ts)) > 0) {
      return problem(p, pos, `position listing not imported: --as-of ${raw} is before the ${instrument.symbol} position's own time ${at}`);
    }
    lines.push({ symbol: instrument.symbol, qty: decText(side === "short" ? neg(contracts) : contracts), avg_price: decText(entry.dec) });
  }
  const spot = [...p.spotSymbols].sort();
  if (spot.length > 0) {
    return problem(p, pos, `position listing not imported: it states contracts, not spot balances, and the input also trades ${spot.join(", ")}, ` +
      "which a snapshot of the whole book would say are flat");
  }
  lines.sort((a, b) => (String(a["symbol"]) < String(b["symbol"]) ? -1 : 1));
  p.out.push({ ts, pos, fields: { type: "position_snapshot", ts, event_id: snapshotEventId("ccxt:positions", lines, ts), positions: lines } });
}
