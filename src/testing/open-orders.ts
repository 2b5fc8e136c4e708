// The orders the engine held open just before a broker line, read off the two logs: what a snapshot
// written by an engine restarting there would list. Decisions (and orders listed open by an earlier
// snapshot) less what the broker had finished by then; an order is part-filled by the fills before.

import * as D from "../domain/decimal.js";
import { type Obj, type ParsedLogs, timeOrder } from "./logs.js";

interface Held {
  readonly order: Obj;
  filled: D.Dec;
  seen: boolean;
  closed: boolean;
}

const dec = (v: unknown): D.Dec => D.parseDec(String(v ?? "0")) ?? D.ZERO;

/** The engine's orders known at a broker event's instant (journal first): from its decisions and snapshots, in order. */
function knownOrders(p: ParsedLogs, fill: Obj): Map<string, Held> {
  const held = new Map<string, Held>();
  for (const o of p.journal) {
    if (timeOrder(o, fill) > 0) break;
    if (o["type"] === "snapshot") {
      for (const open of (o["open_orders"] as Obj[] | undefined) ?? []) {
        held.set(String(open["client_order_id"]), { order: open, filled: dec(open["filled_qty"]), seen: true, closed: false });
      }
    } else if (o["type"] === "decision" && !held.has(String(o["client_order_id"]))) {
      held.set(String(o["client_order_id"]), { order: o, filled: D.ZERO, seen: false, closed: false });
    }
  }
  return held;
}

/**
 * The open orders (snapshot lines) just before broker line `i`, or null when one of them has no
 * broker record yet: a snapshot naming an order the broker has shown nothing of would call it stale.
 */
export function openOrdersBefore(p: ParsedLogs, i: number): Obj[] | null {
  const held = knownOrders(p, p.broker[i]!);
  p.broker.slice(0, i).forEach((b, k) => {
    const h = held.get(p.coidOf(b) ?? "");
    const redelivered = !p.deliveredOnce(k) && p.broker.findIndex((x) => x["event_id"] === b["event_id"]) !== k;
    if (h === undefined || redelivered) return;
    h.seen = true;
    if (b["type"] === "fill") h.filled = D.add(h.filled, dec(b["qty"]));
    // A cancel that names its replacement does not end the order: it lives on as the replacement.
    const cancelled = b["type"] === "order_cancelled" && b["replaced_by_broker_order_id"] === undefined;
    if (cancelled || b["type"] === "order_rejected" || h.filled >= dec(h.order["qty"])) h.closed = true;
  });
  const open = [...held.entries()].filter(([, h]) => !h.closed);
  if (open.some(([, h]) => !h.seen)) return null;
  return open.map(([coid, h]) => ({ client_order_id: coid, symbol: h.order["symbol"], side: h.order["side"], qty: h.order["qty"],
    filled_qty: D.toPlain(h.filled), ref_price: h.order["ref_price"] }));
}
