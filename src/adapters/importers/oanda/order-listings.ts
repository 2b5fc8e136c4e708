// Order listings (pending orders, or all orders) are state: what the broker holds. They are settled
// at the end against the transactions in the input, which say more than a listing can.

import { isZero, sign } from "../../../domain/decimal.js";
import { absDec, decOf, decText, type ImportReport, isObject, type Json, type OutRecord, type Pos, str, toUtc } from "../common.js";
import type { InstrumentFacts } from "../instruments.js";
import { EXIT_ORDER_TYPES, oandaSymbol, orderNamed, type OrderLinks } from "./identity.js";
import type { TransactionIds } from "./sequence.js";

interface ListedOrder {
  readonly order: Json;
  readonly pos: Pos;
}

export class OrderListings {
  /** Orders seen only in listings, settled at the end against the transactions seen. */
  private readonly listed: ListedOrder[] = [];

  constructor(
    private readonly report: ImportReport,
    private readonly out: OutRecord[],
    private readonly instruments: InstrumentFacts,
    private readonly links: OrderLinks,
    private readonly ids: TransactionIds,
  ) {}

  /**
   * An order listing (pending orders, or all orders) is state: what the broker holds. A pending entry
   * order the input has no creating transaction for becomes an order_accepted at its createTime; a
   * cancelled one whose cancel is not in the input an order_cancelled; a filled one cannot give a
   * fill (a listing carries no fill price), so it is reported unless its fill is in the input.
   */
  add(list: unknown[], pos: Pos): void {
    if (list.length === 0) this.report.ignore("empty order listing");
    list.forEach((o, i) => {
      const at: Pos = list.length === 1 ? pos : { file: pos.file, line: pos.line, item: i };
      if (!isObject(o) || str(o["id"]) === undefined || str(o["type"]) === undefined) {
        this.report.problem(at, "order listing: expected an order with \"id\" and \"type\"");
        return;
      }
      const type = str(o["type"])!;
      if (EXIT_ORDER_TYPES.has(`${type}_ORDER`)) {
        this.links.exitOrderIds.add(str(o["id"])!);
        this.report.ignore(`${type} order in a listing (exit order attached to a trade)`);
        return;
      }
      this.listed.push({ order: o, pos: at });
    });
  }

  /** Orders seen only in listings: what the transactions in the input do not already say. */
  settle(): void {
    const txIds = this.ids.allIds();
    for (const listed of this.listed) {
      const state = str(listed.order["state"]) ?? "PENDING";
      if (state === "FILLED") this.filled(listed, txIds);
      else if (state === "CANCELLED") this.cancelled(listed, txIds);
      else if (state !== "PENDING") this.report.ignore(`${state} order in a listing`);
      else this.pending(listed, txIds);
    }
  }

  private filled({ order, pos }: ListedOrder, txIds: ReadonlySet<string>): void {
    const by = str(order["fillingTransactionID"]);
    if (by === undefined || !txIds.has(by)) {
      this.report.problem(pos, `order ${str(order["id"])!} FILLED${by === undefined ? "" : ` by transaction ${by}`}: an order listing carries no fill price, so its fill is not imported (import the transaction)`);
    }
  }

  private cancelled({ order, pos }: ListedOrder, txIds: ReadonlySet<string>): void {
    const id = str(order["id"])!;
    const by = str(order["cancellingTransactionID"]);
    const ts = toUtc(str(order["cancelledTime"]) ?? "");
    if (by !== undefined && txIds.has(by)) return;
    if (ts === undefined) {
      this.report.problem(pos, `order ${id} CANCELLED: field "cancelledTime": expected an RFC 3339 timestamp`);
      return;
    }
    const out: OutRecord = { ts, pos, fields: { type: "order_cancelled", ts, event_id: `oanda:order:${id}:cancelled`, broker_order_id: id, reason: "CANCELLED (order listing)" } };
    this.out.push(out);
    this.links.cancelWritten(out, id);
  }

  /** A pending order without its creating transaction in the input: accepted at its createTime. */
  private pending({ order, pos }: ListedOrder, txIds: ReadonlySet<string>): void {
    const id = str(order["id"])!;
    const type = str(order["type"])!;
    if (txIds.has(id) || this.links.orders.get(id)?.created === true) return; // its creating transaction says it all
    const ts = toUtc(str(order["createTime"]) ?? "");
    const instrument = str(order["instrument"]);
    const units = decOf(order["units"]);
    if (ts === undefined || instrument === undefined || units === undefined || isZero(units)) {
      this.report.problem(pos, `pending ${type} order ${id}: expected "createTime", "instrument" and non-zero "units"`);
      return;
    }
    const ext = isObject(order["clientExtensions"]) ? str(order["clientExtensions"]["id"]) : undefined;
    const info = this.links.orders.get(id) ?? orderNamed(id, `${type}_ORDER`);
    info.ownCoid = ext ?? info.ownCoid;
    info.replaces = str(order["replacesOrderID"]) ?? info.replaces;
    this.links.orders.set(id, info);
    const fields: Record<string, unknown> = {
      type: "order_accepted", ts, event_id: `oanda:order:${id}:accepted`, client_order_id: "", broker_order_id: id,
      symbol: oandaSymbol(this.instruments, instrument, pos), side: sign(units) > 0 ? "buy" : "sell", qty: decText(absDec(units)),
    };
    const price = str(order["price"]);
    if (type === "LIMIT" && price !== undefined) fields["limit_price"] = price;
    if (info.replaces !== undefined) fields["replaces_broker_order_id"] = info.replaces;
    fields["oanda_type"] = `${type}_ORDER`;
    fields["from_order_listing"] = true;
    this.links.defer({ fields, pos, orderId: id, txCoid: undefined, required: true });
    this.out[this.out.length - 1]!.seq = this.ids.seqAt(BigInt(id) * 2n, BigInt(id));
  }
}
