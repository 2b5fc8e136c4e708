// The two books and their helpers, called directly: BrokerBook (the truth), EngineView (what the
// engine knows; its lookups never change it), Redelivery and the KillSwitch.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as D from "../../src/domain/decimal.js";
import { parseBrokerLine } from "../../src/domain/validate.js";
import type { BrokerEvent, FillEvent } from "../../src/domain/records.js";
import { BrokerBook } from "../../src/core/books/broker-book.js";
import { EngineView, newEngineOrder } from "../../src/core/books/engine-view.js";
import { KillSwitch } from "../../src/core/engine/kill-switch.js";
import { Redelivery } from "../../src/core/engine/redelivery.js";
import { d, PARAMS } from "./arbitraries.js";

let n = 0;
const ev = (o: Record<string, unknown>, id = `e${++n}`): BrokerEvent =>
  parseBrokerLine(JSON.stringify({ event_id: id, ts: "2025-10-20T08:00:00Z", ...o }), ++n);

describe("BrokerBook", () => {
  it("prop_BrokerBook_fill_conserves_quantity: an order's filled quantity and the position are the sums of its fills", () => {
    const fills = fc.array(fc.record({ side: fc.constantFrom("buy", "sell"), qty: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(fills, (fs) => {
      const book = new BrokerBook();
      // One broker order per side (a fill of the other side under the same broker id is a conflict).
      for (const f of fs) book.fill(ev({ type: "fill", broker_order_id: `B-${f.side}`, symbol: "EURUSD", side: f.side, qty: f.qty, price: 1.1 }) as FillEvent);
      for (const side of ["buy", "sell"]) {
        const mine = fs.filter((f) => f.side === side);
        expect(book.orderByBrokerId(`B-${side}`)?.cumFilled ?? 0n).toBe(D.decFromInt(mine.reduce((s, f) => s + f.qty, 0)));
      }
      expect(book.position("EURUSD").qty).toBe(D.decFromInt(fs.reduce((s, f) => s + (f.side === "buy" ? f.qty : -f.qty), 0)));
      expect(book.fillCount).toBe(fs.length);
    }), PARAMS);
  });

  it("a reject keyed by client id and a later accept with a broker id are one order", () => {
    const book = new BrokerBook();
    book.reject(ev({ type: "order_rejected", client_order_id: "C1", reason: "X" }) as never);
    const b = book.accept(ev({ type: "order_accepted", client_order_id: "C1", broker_order_id: "B1", symbol: "EURUSD", side: "buy", qty: 5 }) as never);
    expect(book.orderByClientId("C1")).toBe(b);
    expect(b.status).toBe("rejected");
  });

  it("lookups change nothing; a forgotten order is gone from every index", () => {
    const book = new BrokerBook();
    const b = book.accept(ev({ type: "order_accepted", client_order_id: "C1", broker_order_id: "B1", symbol: "EURUSD", side: "buy", qty: 5 }) as never);
    const before = JSON.stringify(book.unsettledOrders().map((o) => o.key));
    book.orderByBrokerId("B1"); book.orderByClientId("C1"); book.position("EURUSD"); book.unsettledOrders();
    expect(JSON.stringify(book.unsettledOrders().map((o) => o.key))).toBe(before);
    book.forget(b);
    expect([book.orderByBrokerId("B1"), book.orderByClientId("C1"), book.unsettledOrders().length]).toEqual([undefined, undefined, 0]);
  });
});

describe("idMatchContradictions and conflicting records", () => {
  it("a known id with another client id, symbol or side is a conflict; unknown fields never contradict", async () => {
    const { idMatchContradictions } = await import("../../src/core/rules/identity.js");
    const known = { clientOrderId: "C1", symbol: "EURUSD", side: "buy" as const };
    expect(idMatchContradictions(known, known)).toEqual([]);
    expect(idMatchContradictions(known, { clientOrderId: "X", symbol: "EURUSD", side: "sell" })).toEqual(["client_order_id", "side"]);
    expect(idMatchContradictions(known, { clientOrderId: undefined, symbol: "USDJPY", side: "buy" })).toEqual(["symbol"]);
    expect(idMatchContradictions({ clientOrderId: undefined, symbol: "", side: "buy" }, { clientOrderId: "X", symbol: "USDJPY", side: "sell" })).toEqual([]);
  });

  it("prop_BrokerBook_conflict_never_books_on_the_named_order: a contradicting fill leaves the named order's quantity alone", () => {
    fc.assert(fc.property(fc.constantFrom("C1", "X", undefined), fc.constantFrom("buy", "sell"), fc.integer({ min: 1, max: 500 }), (coid, side, qty) => {
      const book = new BrokerBook();
      const named = book.accept(ev({ type: "order_accepted", client_order_id: "C1", broker_order_id: "V-1", symbol: "EURUSD", side: "buy", qty: 1000 }) as never);
      const f = book.fill(ev({ type: "fill", ...(coid === undefined ? {} : { client_order_id: coid }), broker_order_id: "V-1", symbol: "EURUSD", side, qty, price: 1.1 }) as FillEvent);
      const contradicts = (coid !== undefined && coid !== "C1") || side !== "buy";
      expect(f.order === named).toBe(!contradicts);
      expect(named.cumFilled).toBe(contradicts ? 0n : D.decFromInt(qty));
      expect(book.orderByBrokerId("V-1")).toBe(named);
      if (contradicts) expect(f.order.conflict?.withClientOrderId).toBe("C1");
    }), PARAMS);
  });
});

describe("EngineView", () => {
  function viewWith(ids: string[]): EngineView {
    const view = new EngineView([], 100);
    for (const id of ids) view.hold(newEngineOrder({ clientOrderId: id, symbol: "EURUSD", side: "buy", qty: d("1") }));
    return view;
  }

  it("resolve: by the client id the broker names; else by the broker id the engine linked; never guessed", () => {
    const view = viewWith(["C1"]);
    const book = new BrokerBook();
    const b = book.accept(ev({ type: "order_accepted", client_order_id: "C1", broker_order_id: "B1", symbol: "EURUSD", side: "buy", qty: 1 }) as never);
    expect(view.resolve({ clientOrderId: undefined, brokerOrderId: "B1" })).toBeUndefined();
    view.link(view.order("C1")!, b);
    expect(view.resolve({ clientOrderId: undefined, brokerOrderId: "B1" })?.clientOrderId).toBe("C1");
    expect(view.resolve({ clientOrderId: "C9", brokerOrderId: "B1" })).toBeUndefined();
  });

  it("prop_EngineView_resolve_is_a_lookup: asking never changes the view", () => {
    fc.assert(fc.property(fc.array(fc.constantFrom("C1", "C2", "C3", undefined), { maxLength: 20 }), fc.array(fc.constantFrom("B1", "B2", undefined), { maxLength: 20 }), (coids, bids) => {
      const view = viewWith(["C1", "C2"]);
      const snapshot = () => JSON.stringify([...view.orders()].map((o) => [o.clientOrderId, o.status, o.brokerOrderId, String(o.filledQty)]));
      const before = snapshot();
      for (let i = 0; i < coids.length; i += 1) {
        view.resolve({ clientOrderId: coids[i], brokerOrderId: bids[i] });
        view.forgottenInCache(coids[i] ?? "C9");
      }
      expect(snapshot()).toBe(before);
      expect(view.cache.size).toBe(0);
    }), PARAMS);
  });

  it("a fill is taken into the view at most once per engine run (an invariant, not bad input)", () => {
    const view = viewWith(["C1"]);
    const fill = new BrokerBook().fill(ev({ type: "fill", client_order_id: "C1", broker_order_id: "B1", symbol: "EURUSD", side: "buy", qty: 1, price: 1.1 }) as FillEvent);
    view.takeFill(view.order("C1")!, fill);
    expect(() => view.takeFill(view.order("C1")!, fill)).toThrow(/at most once/);
  });
});

describe("Redelivery", () => {
  it("prop_Redelivery_deliver_counts_every_repeat_once: n deliveries of one event are 1 first + n-1 duplicates", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), (times) => {
      const r = new Redelivery(undefined);
      const e = ev({ type: "disconnect" }, "same");
      const firsts = Array.from({ length: times }, () => r.deliver(e)).filter(Boolean).length;
      expect([firsts, r.duplicates]).toEqual([1, times - 1]);
    }), PARAMS);
  });

  it("the lookup only looks; the same id with other content is bad input", () => {
    const r = new Redelivery(undefined);
    const a = ev({ type: "disconnect" }, "x");
    expect(r.firstDeliveryOf(a)).toBeUndefined();
    expect(r.firstDeliveryOf(a)).toBeUndefined();
    r.remember(a);
    expect(r.firstDeliveryOf(a)?.text).toBe(a.fingerprint);
    expect(() => r.deliver(ev({ type: "reconnect" }, "x"))).toThrow(/unique event_id/);
  });
});

describe("Redelivery and time order", () => {
  const at = (id: string, ts: string) => parseBrokerLine(JSON.stringify({ type: "disconnect", event_id: id, ts }), ++n);
  it("prop_Redelivery_deliver_late_only_as_a_redelivery: a repeat may come after later events; a new id may not", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), (later) => {
      const r = new Redelivery(undefined);
      const first = at("a", "2025-10-20T08:00:00Z");
      expect(r.deliver(first)).toBe(true);
      for (let i = 0; i < later; i += 1) expect(r.deliver(at(`x${i}`, `2025-10-20T09:0${i}:00Z`))).toBe(true);
      expect(r.deliver(first)).toBe(false);
      expect(() => r.deliver(at("new", "2025-10-20T08:30:00Z"))).toThrow(/time order/);
    }), PARAMS);
  });
});

describe("KillSwitch", () => {
  it("prop_KillSwitch_engage_first_time_wins_and_reasons_are_unique", () => {
    const reasons = fc.array(fc.constantFrom("stale_local_order" as const, "position_drift" as const, "broker_unreachable" as const), { minLength: 1, maxLength: 10 });
    fc.assert(fc.property(reasons, (rs) => {
      const k = new KillSwitch();
      const fresh = rs.map((r, i) => k.engage(r, `t${i}`));
      const v = k.view();
      expect(v.engaged).toBe(true);
      expect(v.engagedAt).toBe("t0");
      expect(v.reasons).toEqual([...new Set(rs)]);
      expect(fresh.filter(Boolean).length).toBe(new Set(rs).size);
    }), PARAMS);
  });
});

describe("report(): every critical finding engages the kill switch, and nothing else does", () => {
  it("enumerates every kind: its severity decides it's severity decides it, with the kind as the reason", async () => {
    const { report } = await import("../../src/core/engine/context.js");
    const { GroupEmitter } = await import("../../src/core/output/emit.js");
    const { SEVERITY } = await import("../../src/core/output/findings.js");
    for (const [kind, severity] of Object.entries(SEVERITY)) {
      const kill = new KillSwitch();
      const core = { kill, out: new GroupEmitter(() => {}) } as unknown as Parameters<typeof report>[0];
      report(core, { kind: kind as never, severity, ts: "t", reconcileId: null, clientOrderId: null, brokerOrderId: null, symbol: null,
        detail: {}, evidence: [], global: false });
      expect({ kind, engaged: kill.view().engaged, reasons: kill.view().reasons }).toEqual(
        { kind, engaged: severity === "critical", reasons: severity === "critical" ? [kind] : [] });
    }
  });
});
