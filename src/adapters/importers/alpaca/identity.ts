// Which order a record belongs to, and whose: Alpaca's order ids, the client order id (the engine's
// key) found along `replaces` links (a replacement carries the client order id of the order it
// replaces), and symbols with what they state of their instrument. Crypto pairs are `BTC/USD` in
// orders and `BTCUSD` in streams and positions: folded to one symbol.

import { type Dec, ZERO } from "../../../domain/decimal.js";
import type { AssetClass } from "../../../domain/instruments.js";
import { decOf, type ImportReport, type Json, type OutRecord, type Pos, rootClientId, str, symbolOf } from "../common.js";
import type { InstrumentFacts } from "../instruments.js";

const DONE_STATUSES = new Set(["filled", "canceled", "expired", "done_for_day", "replaced", "rejected"]);
/** Alpaca's asset classes in ours. A US equity or option is priced in USD: its class says so. */
const ALPACA_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = { us_equity: "equity", us_option: "option", crypto: "crypto" };
const PRICED_IN_USD = new Set(["us_equity", "us_option"]);

export interface OrderFacts {
  coid: string | undefined;
  replaces: string | undefined;
  /** Cumulative filled quantity seen in trade updates (to derive an execution's qty when absent). */
  cum: Dec | undefined;
  /** The order's commission (cumulative, as the order object carries it) already given to its fills. */
  commissionBooked: Dec;
}

function noFacts(): OrderFacts {
  return { coid: undefined, replaces: undefined, cum: undefined, commissionBooked: ZERO };
}

export class OrderIdentity {
  readonly facts = new Map<string, OrderFacts>();
  /** Records whose client order id is resolved at the end (replace chains, activities). */
  private readonly needsCoid: { out: OutRecord; orderId: string; required: boolean }[] = [];
  /** Per order: the largest filled_qty any of its frames or objects showed, and whether one showed it done. */
  readonly filledSoFar = new Map<string, Dec>();
  readonly done = new Set<string>();

  constructor(private readonly out: OutRecord[]) {}

  /** What an order object or frame says of its order: client id, replace links, how much filled, whether done. */
  learn(order: Json): OrderFacts {
    const id = str(order["id"])!;
    const f = this.facts.get(id) ?? noFacts();
    f.coid = str(order["client_order_id"]) ?? f.coid;
    f.replaces = str(order["replaces"]) ?? f.replaces;
    this.facts.set(id, f);
    // The replaced order names its replacement: the link holds even when the replacement's frames
    // do not say what they replace.
    const by = str(order["replaced_by"]);
    if (by !== undefined) {
      const next = this.facts.get(by) ?? noFacts();
      next.replaces ??= id;
      this.facts.set(by, next);
    }
    const filled = decOf(order["filled_qty"]);
    if (filled !== undefined && filled > (this.filledSoFar.get(id) ?? ZERO)) this.filledSoFar.set(id, filled);
    if (DONE_STATUSES.has(str(order["status"]) ?? "")) this.done.add(id);
    return f;
  }

  /** Writes a record; one that names a client order id gets it at the end (`required`: always one). */
  push(fields: Record<string, unknown>, pos: Pos, orderId: string, required: boolean): OutRecord {
    const out: OutRecord = { ts: fields["ts"] as string, fields, pos };
    this.out.push(out);
    if ("client_order_id" in fields) this.needsCoid.push({ out, orderId, required });
    return out;
  }

  /**
   * Every record's client order id, and an acknowledged replacement's link to what it replaced. A
   * FILL activity whose order names no client id (`orphanActivity`) is counted: a note says the
   * replay will report it as an orphan.
   */
  resolveClientIds(report: ImportReport, orphanActivity: (out: OutRecord) => boolean): void {
    const orphans = new Set<string>();
    let orphanActivities = 0;
    for (const n of this.needsCoid) {
      const replaces = this.facts.get(n.orderId)?.replaces;
      if (n.out.fields["type"] === "order_accepted" && replaces !== undefined) n.out.fields["replaces_broker_order_id"] = replaces;
      const coid = this.resolveCoid(n.orderId);
      if (coid !== undefined) n.out.fields["client_order_id"] = coid;
      else if (n.required) n.out.fields["client_order_id"] = `alpaca:order:${n.orderId}`;
      else delete n.out.fields["client_order_id"];
      if (coid === undefined && orphanActivity(n.out)) {
        orphanActivities += 1;
        orphans.add(n.orderId);
      }
    }
    if (orphanActivities > 0) {
      report.note(`${orphanActivities} FILL activit${orphanActivities === 1 ? "y" : "ies"} of ${orphans.size} order${orphans.size === 1 ? "" : "s"} carry no client_order_id ` +
        "and no order or trade update for them is in the input: the replay will report them as orphans (import the orders with them, e.g. GET /v2/orders?status=all)");
    }
  }

  /** The engine's key: the client order id at the root of the order's replace chain. */
  private resolveCoid(orderId: string): string | undefined {
    return rootClientId(orderId, (id) => {
      const f = this.facts.get(id);
      return f === undefined ? undefined : { coid: f.coid, parent: f.replaces };
    });
  }
}

/**
 * What an order, position or asset states of its instrument: Alpaca's asset class (us_equity,
 * us_option: priced in USD), and a crypto pair written BASE/QUOTE.
 */
export function describeInstrument(instruments: InstrumentFacts, v: Json, pos: Pos, classKey: "asset_class" | "class" = "asset_class"): void {
  const raw = str(v["symbol"]);
  if (raw === undefined) return;
  const symbol = symbolOf(raw);
  const cls = str(v[classKey]);
  const asset = cls === undefined ? undefined : ALPACA_ASSET_CLASSES[cls];
  if (cls !== undefined && asset === undefined) instruments.hint(symbol, "asset_class", `Alpaca's asset class ${JSON.stringify(cls)} is none of them`);
  const pair = /^([A-Z0-9]+)\/([A-Z0-9]+)$/.exec(raw.trim());
  const quote = pair?.[2] ?? (cls !== undefined && PRICED_IN_USD.has(cls) ? "USD" : undefined);
  instruments.state(symbol, { asset_class: asset, quote_currency: quote, base_currency: pair?.[1] }, pos);
}

export function sideOf(value: unknown): "buy" | "sell" | undefined {
  const s = str(value)?.toLowerCase();
  if (s === "buy") return "buy";
  if (s === "sell" || s === "sell_short") return "sell";
  return undefined;
}
