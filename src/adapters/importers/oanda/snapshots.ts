// Open-position and open-trade listings → one position_snapshot each. A listing is the book right
// after its lastTransactionID, so it is placed in time at the end, once every transaction is known.

import { add, type Dec, div as divDec, isZero, mul as mulDec, sign, ZERO } from "../../../domain/decimal.js";
import { compareInstants } from "../../../domain/time.js";
import {
  absDec, decOf, decText, type ImportReport, instantOf, isObject, type OutRecord, type Pos, snapshotEventId, str, toUtc, where,
} from "../common.js";
import type { InstrumentFacts } from "../instruments.js";
import { oandaSymbol } from "./identity.js";
import type { TransactionIds } from "./sequence.js";

interface PendingSnapshot {
  readonly kind: "positions" | "trades";
  readonly lines: Record<string, unknown>[];
  readonly lastTx: string | undefined;
  readonly pos: Pos;
}

type Named = (instrument: string) => string;

export class PositionListings {
  /** Position / trade listings, placed in time at the end (see place). */
  private readonly snapshots: PendingSnapshot[] = [];

  constructor(
    private readonly report: ImportReport,
    private readonly instruments: InstrumentFacts,
    private readonly ids: TransactionIds,
    /** --as-of: when the listings were taken, where they do not say. */
    private readonly asOf: string | undefined,
  ) {}

  /** A listing of positions (long and short sides) or of open trades, kept whole or not at all. */
  add(list: unknown[], kind: "positions" | "trades", lastTx: string | undefined, pos: Pos): void {
    const name = (instrument: string) => oandaSymbol(this.instruments, instrument, pos);
    const lines = kind === "positions" ? positionsFromPositions(list, pos, this.report, name) : positionsFromTrades(list, pos, this.report, name);
    if (lines !== undefined) this.snapshots.push({ kind, lines, lastTx, pos });
  }

  /** Every listing placed in time, as a position_snapshot right after its lastTransactionID. */
  settle(out: OutRecord[]): void {
    for (const snap of this.snapshots) {
      const ts = this.place(snap);
      if (ts === undefined) continue;
      const last = snap.lastTx !== undefined && /^\d+$/.test(snap.lastTx) ? BigInt(snap.lastTx) : undefined;
      out.push({
        ts, pos: snap.pos, seq: last === undefined ? undefined : this.ids.seqAt(last * 2n + 1n, last), // right after lastTransactionID
        fields: {
          type: "position_snapshot", ts, event_id: snapshotEventId(`oanda:${snap.kind}`, snap.lines, ts), positions: snap.lines,
          ...(snap.lastTx === undefined ? {} : { last_transaction_id: snap.lastTx }),
        },
      });
    }
  }

  /**
   * A listing is the book right after transaction lastTransactionID, so it belongs between that
   * transaction and the next. Placed by --as-of, it must not come before a fill it includes nor
   * after a fill it does not (either would count that fill twice or not at all): that is refused.
   * Without --as-of it is placed at the time of lastTransactionID when the input holds it.
   */
  private place(snap: PendingSnapshot): string | undefined {
    const what = `open ${snap.kind} listing not imported`;
    const last = snap.lastTx !== undefined && /^\d+$/.test(snap.lastTx) ? BigInt(snap.lastTx) : undefined;
    // The listing's account: that of its lastTransactionID, else the only one seen. Unknown among
    // several, every account's fills are weighed (a refusal then names the account).
    const own = this.ids.accountOf(last);
    const seen = [...this.ids.seen].filter(([account]) => own === undefined || account === own)
      .flatMap(([account, byId]) => [...byId].map(([id, tx]) => [id, { ...tx, account }] as const));
    if (this.asOf === undefined) {
      const anchor = last === undefined ? undefined : seen.find(([id]) => id === last)?.[1];
      if (anchor === undefined) {
        this.report.problem(snap.pos, `${what}: it carries no time${last === undefined ? "" : ` and transaction ${last} (its lastTransactionID) is not in the input`}; pass --as-of with the time it was taken`);
        return undefined;
      }
      this.report.note(`${where(snap.pos)}: open ${snap.kind} listing placed right after transaction ${last} (its lastTransactionID), at ${anchor.ts}`);
      return anchor.ts;
    }
    const asOf = toUtc(this.asOf)!;
    if (last === undefined) return asOf;
    const at = instantOf(asOf);
    for (const [id, tx] of seen.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (tx.type !== "ORDER_FILL") continue;
      const order = compareInstants(instantOf(tx.ts), at);
      if (id <= last && order > 0) {
        this.report.problem(snap.pos, `${what}: --as-of ${asOf} is before fill ${id}${ofAccount(tx.account, own)} (${tx.ts}), which the listing includes (lastTransactionID ${last}); take --as-of from when the listing was fetched`);
        return undefined;
      }
      if (id > last && order < 0) {
        this.report.problem(snap.pos, `${what}: --as-of ${asOf} is after fill ${id}${ofAccount(tx.account, own)} (${tx.ts}), which the listing does not include (lastTransactionID ${last}); take --as-of from when the listing was fetched`);
        return undefined;
      }
    }
    return asOf;
  }
}

/** `positions`: long and short sides per instrument; the net is what the replay compares. */
function positionsFromPositions(list: unknown[], pos: Pos, report: ImportReport, named: Named): Record<string, unknown>[] | undefined {
  const lines: Record<string, unknown>[] = [];
  for (const [i, p] of list.entries()) {
    const instrument = isObject(p) ? str(p["instrument"]) : undefined;
    const long = isObject(p) && isObject(p["long"]) ? p["long"] : {};
    const short = isObject(p) && isObject(p["short"]) ? p["short"] : {};
    const lu = decOf(long["units"] ?? "0");
    const su = decOf(short["units"] ?? "0");
    if (instrument === undefined || lu === undefined || su === undefined) {
      report.problem({ ...pos, item: i }, `position: expected "instrument" and decimal long/short "units"; snapshot not imported`);
      return undefined;
    }
    const net = add(lu, su);
    if (isZero(net)) continue;
    const avg = str((sign(net) > 0 ? long : short)["averagePrice"]);
    if (avg === undefined) {
      report.problem({ ...pos, item: i }, `position ${instrument}: no averagePrice on its ${sign(net) > 0 ? "long" : "short"} side; snapshot not imported`);
      return undefined;
    }
    lines.push({ symbol: named(instrument), qty: decText(net), avg_price: avg });
  }
  return lines;
}

/** `trades`: open trades aggregated per instrument, average price weighted by units. */
function positionsFromTrades(list: unknown[], pos: Pos, report: ImportReport, named: Named): Record<string, unknown>[] | undefined {
  const byInstrument = new Map<string, { units: Dec; cost: Dec }>();
  for (const [i, t] of list.entries()) {
    if (isObject(t) && str(t["state"]) !== undefined && str(t["state"]) !== "OPEN") continue;
    const instrument = isObject(t) ? str(t["instrument"]) : undefined;
    const units = isObject(t) ? decOf(t["currentUnits"]) : undefined;
    const price = isObject(t) ? decOf(t["price"]) : undefined;
    if (instrument === undefined || units === undefined || price === undefined) {
      report.problem({ ...pos, item: i }, `trade: expected "instrument", "currentUnits" and "price"; snapshot not imported`);
      return undefined;
    }
    const symbol = named(instrument);
    const acc = byInstrument.get(symbol) ?? { units: ZERO, cost: ZERO };
    byInstrument.set(symbol, { units: add(acc.units, units), cost: add(acc.cost, mulDec(units, price)) });
  }
  return [...byInstrument].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, v]) => !isZero(v.units))
    .map(([symbol, v]) => ({ symbol, qty: decText(v.units), avg_price: decText(absDec(divDec(v.cost, v.units))) }));
}

/** " of account X" when the listing's account could not be told (the fill may be another account's). */
function ofAccount(account: string, own: string | undefined): string {
  return own === undefined && account !== "" ? ` of account ${account}` : "";
}
