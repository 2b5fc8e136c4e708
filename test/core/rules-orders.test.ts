// The order rules: fillOutcome, reconcileOrder, brokerOrderSettled, judgeDecision,
// signatureCandidates (signature window at, below and above its boundary) and priceFill.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as D from "../../src/domain/decimal.js";
import { resolveConfig } from "../../src/domain/config.js";
import { parseBrokerLine } from "../../src/domain/validate.js";
import type { FillEvent } from "../../src/domain/records.js";
import { BrokerBook, type BrokerFill, type BrokerOrder } from "../../src/core/books/broker-book.js";
import type { CacheEntry } from "../../src/core/books/cache.js";
import type { EngineStatus } from "../../src/core/books/engine-view.js";
import { judgeDecision } from "../../src/core/rules/decisions.js";
import { fillOutcome } from "../../src/core/rules/fills.js";
import { matchKind, signatureCandidates } from "../../src/core/rules/matching.js";
import { reconcileOrder } from "../../src/core/rules/orders.js";
import { priceFill } from "../../src/core/rules/pricing.js";
import { brokerOrderSettled } from "../../src/core/rules/settlement.js";
import { d, dec, PARAMS, positiveQty } from "./arbitraries.js";

const STATUSES: EngineStatus[] = ["sent", "accepted", "partially_filled", "filled", "cancelled", "rejected", "closed", "unknown"];
const status = fc.constantFrom(...STATUSES);

let line = 0;
const broker = (o: Record<string, unknown>) => parseBrokerLine(JSON.stringify({ event_id: `e${++line}`, ts: "2025-10-20T08:00:00Z", ...o }), line);
const fillEv = (qty: number, bid = "B1") =>
  broker({ type: "fill", client_order_id: "C1", broker_order_id: bid, symbol: "EURUSD", side: "buy", qty, price: 1.1 }) as FillEvent;

describe("fillOutcome", () => {
  it("short of the size: part-filled, cache pending; at the size: filled, cache closed; past it: an overfill", () => {
    const o = { qty: d("1000"), filledQty: d("0"), status: "accepted" as const };
    expect(fillOutcome(o, d("999"))).toMatchObject({ status: "partially_filled", cacheStatus: "pending_fill", complete: false, overfill: false });
    expect(fillOutcome(o, d("1000"))).toMatchObject({ status: "filled", cacheStatus: "closed", complete: true, overfill: false });
    expect(fillOutcome(o, d("1001"))).toMatchObject({ status: "filled", cacheStatus: "closed", complete: true, overfill: true });
  });

  it("a cancelled order keeps its status when the rest of it fills", () => {
    expect(fillOutcome({ qty: d("10"), filledQty: d("5"), status: "cancelled" }, d("5")).status).toBe("cancelled");
  });

  it("prop_fillOutcome_never_past_size_without_overfill: a fill never moves an order past its quantity without an overfill", () => {
    fc.assert(fc.property(positiveQty, dec(0, 1_000_000, 0), positiveQty, status, (qty, filled, fill, st) => {
      const out = fillOutcome({ qty, filledQty: filled, status: st }, fill);
      expect(out.filledQty).toBe(D.add(filled, fill));
      expect(out.overfill).toBe(out.filledQty > qty);
      expect(out.complete).toBe(out.filledQty >= qty);
      expect(out.cacheStatus).toBe(out.complete ? "closed" : "pending_fill");
    }), PARAMS);
  });
});

describe("reconcileOrder (corrections only from broker evidence)", () => {
  function bookWith(events: Array<Record<string, unknown>>): { order: BrokerOrder; fills: BrokerFill[] } {
    const book = new BrokerBook();
    const fills: BrokerFill[] = [];
    for (const e of events) {
      const ev = broker(e);
      if (ev.type === "order_accepted") book.accept(ev);
      else if (ev.type === "fill") fills.push(book.fill(ev));
      else if (ev.type === "order_cancelled") book.cancel(ev);
    }
    return { order: book.orderByBrokerId("B1")!, fills };
  }
  const accepted = { type: "order_accepted", client_order_id: "C1", broker_order_id: "B1", symbol: "EURUSD", side: "buy", qty: 1000 };
  const fill = (qty: number) => ({ type: "fill", client_order_id: "C1", broker_order_id: "B1", symbol: "EURUSD", side: "buy", qty, price: 1.1 });

  it("a live order the engine counts as sent is accepted; fills it has not taken in are listed in broker order", () => {
    const { order, fills } = bookWith([accepted, fill(100), fill(200)]);
    const r = reconcileOrder({ status: "sent" }, order, (f) => f === fills[0], false);
    expect(r).toEqual({ accepted: true, fills: [fills[1]], terminal: null });
  });

  it("a cancel the engine has not seen is a correction once; no broker record is never 'cancelled'", () => {
    const { order } = bookWith([accepted, { type: "order_cancelled", broker_order_id: "B1" }]);
    expect(reconcileOrder({ status: "accepted" }, order, () => true, false).terminal).toBe("cancelled");
    expect(reconcileOrder({ status: "accepted" }, order, () => true, true).terminal).toBeNull();
  });

  it("prop_reconcileOrder_missed_fills_are_exactly_the_unknown_ones", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 8 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), status,
      (qtys, knownMask, st) => {
        const { order, fills } = bookWith([accepted, ...qtys.map(fill)]);
        const known = new Set(fills.filter((_f, i) => knownMask[i]));
        const r = reconcileOrder({ status: st }, order, (f) => known.has(f), false);
        expect(r.fills).toEqual(fills.filter((f) => !known.has(f)));
        expect(r.accepted).toBe(order.status === "live" && (st === "sent" || st === "unknown"));
      }), PARAMS);
  });
});

describe("brokerOrderSettled", () => {
  const book = new BrokerBook();
  const f1 = book.fill(fillEv(1000, "S1"));
  it("a fill-only order is settled once its fill has a row and (for the engine's order) is known", () => {
    expect(brokerOrderSettled(f1.order, undefined, () => true, () => false)).toBe(true);
    expect(brokerOrderSettled(f1.order, "filled", () => true, () => false)).toBe(false);
    expect(brokerOrderSettled(f1.order, "filled", () => true, () => true)).toBe(true);
    expect(brokerOrderSettled(f1.order, "accepted", () => true, () => true)).toBe(false);
    expect(brokerOrderSettled(f1.order, undefined, () => false, () => true)).toBe(false);
  });

  it("prop_brokerOrderSettled_never_while_the_engine_holds_it_open", () => {
    fc.assert(fc.property(status, fc.boolean(), fc.boolean(), (st, row, known) => {
      if (["sent", "accepted", "partially_filled", "unknown"].includes(st)) {
        expect(brokerOrderSettled(f1.order, st, () => row, () => known)).toBe(false);
      }
    }), PARAMS);
  });
});

describe("judgeDecision", () => {
  const entry = (s: CacheEntry["status"]): CacheEntry => ({
    clientOrderId: "C1", decisionId: "D1", symbol: "EURUSD", side: "buy", size: d("1"), refPrice: d("1"), filledQty: d("0"), ttlUtcMs: 1, status: s,
  });
  it("the kill switch blocks; a live cache entry (any status) or an open order is a duplicate; otherwise sent", () => {
    expect(judgeDecision(true, undefined, undefined)).toEqual({ kind: "blocked", reason: "kill_switch" });
    expect(judgeDecision(false, entry("closed"), undefined)).toEqual({ kind: "duplicate", reason: "cache_closed" });
    expect(judgeDecision(false, undefined, "partially_filled")).toEqual({ kind: "duplicate", reason: "open_order" });
    expect(judgeDecision(false, undefined, "filled")).toEqual({ kind: "send" });
  });

  it("prop_judgeDecision_blocked_iff_kill_switch_and_never_sends_a_live_id", () => {
    const cached = fc.option(fc.constantFrom("sent" as const, "pending_fill" as const, "closed" as const), { nil: undefined });
    fc.assert(fc.property(fc.boolean(), cached, fc.option(status, { nil: undefined }), (kill, c, held) => {
      const v = judgeDecision(kill, c === undefined ? undefined : entry(c), held);
      expect(v.kind === "blocked").toBe(kill);
      if (!kill && c !== undefined) expect(v.kind).toBe("duplicate");
    }), PARAMS);
  });
});

describe("signatureCandidates (signature window inclusive)", () => {
  const b = { symbol: "EURUSD", side: "buy" as const, qty: d("500"), firstMs: 1_000_000 };
  const cand = (id: string, sentAtMs: number | undefined, over: Partial<{ symbol: string; qty: D.Dec }> = {}) =>
    ({ clientOrderId: id, symbol: "EURUSD", side: "buy" as const, qty: d("500"), sentAtMs, ...over });
  it("just inside, at and just outside the window, either side; no send time is always near", () => {
    const W = 300_000;
    expect(signatureCandidates(b, [cand("A", b.firstMs - W + 1), cand("B", b.firstMs + W), cand("C", b.firstMs - W - 1), cand("D", undefined)], W))
      .toEqual(["A", "B", "D"]);
  });

  it("a different symbol or size is never a candidate; several are ambiguous", () => {
    expect(signatureCandidates(b, [cand("A", b.firstMs, { symbol: "USDJPY" }), cand("B", b.firstMs, { qty: d("501") })], 10)).toEqual([]);
    expect(matchKind([])).toBe("none");
    expect(matchKind(["A"])).toBe("signature");
    expect(matchKind(["A", "B"])).toBe("ambiguous");
  });

  it("prop_signatureCandidates_sorted_and_same_signature_only", () => {
    const c = fc.record({ clientOrderId: fc.string({ minLength: 1, maxLength: 4 }), symbol: fc.constantFrom("EURUSD", "USDJPY"),
      side: fc.constantFrom("buy" as const, "sell" as const), qty: fc.constantFrom(d("500"), d("600")), sentAtMs: fc.option(fc.nat(2_000_000), { nil: undefined }) });
    fc.assert(fc.property(fc.array(c, { maxLength: 10 }), fc.nat(1_000_000), (cands, window) => {
      const out = signatureCandidates(b, cands, window);
      expect(out).toEqual([...out].sort());
      for (const id of out) {
        expect(cands.some((x) => x.clientOrderId === id && x.symbol === b.symbol && x.side === b.side && x.qty === b.qty)).toBe(true);
      }
    }), PARAMS);
  });
});

describe("priceFill (slippage preset: a breach is strictly over it)", () => {
  const config = resolveConfig({ slippage_presets: [{ symbol: "EURUSD", session: "eu", max_slippage_pips: 1 }] });
  const at = (price: string) => priceFill(config, { symbol: "EURUSD", side: "buy", price: d(price) }, { session: "eu", refPrice: d("1.1"), limitPrice: undefined, unitSize: d("0.0001") });
  it("at the preset is no breach, above it is; a cell without a preset always breaches", () => {
    expect(at("1.1001")).toMatchObject({ slippagePips: d("1"), breach: false });
    expect(at("1.10009")).toMatchObject({ breach: false });
    expect(at("1.10011")).toMatchObject({ breach: true });
    expect(priceFill(config, { symbol: "EURUSD", side: "buy", price: d("1.1") }, { session: "asia", refPrice: d("1.1"), limitPrice: undefined, unitSize: d("0.0001") }).breach).toBe(true);
  });

  it("prop_priceFill_sign_is_worse_for_the_engine: paying more on a buy or getting less on a sell is positive", () => {
    fc.assert(fc.property(dec(1, 2, 5), dec(1, 2, 5), fc.constantFrom("buy" as const, "sell" as const), (price, ref, side) => {
      const p = priceFill(config, { symbol: "EURUSD", side, price }, { session: "eu", refPrice: ref, limitPrice: undefined, unitSize: d("0.0001") });
      const worse = side === "buy" ? price > ref : price < ref;
      expect(D.sign(p.slippagePips) > 0).toBe(worse);
    }), PARAMS);
  });
});

describe("orderMismatches (the broker's live order against the decision)", () => {
  const decided = { symbol: "EURUSD", side: "sell" as const, qty: d("100"), limitPrice: d("1.1") };
  it("names each differing field with both values; a field the broker does not state is not compared", async () => {
    const { orderMismatches } = await import("../../src/core/rules/mismatch.js");
    expect(orderMismatches(decided, decided)).toEqual([]);
    expect(orderMismatches(decided, { ...decided, qty: d("500000") })).toEqual(["qty: engine=100 broker=500000"]);
    expect(orderMismatches(decided, { symbol: "USDJPY", side: "buy", qty: undefined, limitPrice: undefined }))
      .toEqual(["symbol: engine=EURUSD broker=USDJPY", "side: engine=sell broker=buy"]);
    expect(orderMismatches({ ...decided, limitPrice: undefined }, { ...decided, limitPrice: d("1.2") })).toEqual([]);
  });

  it("prop_orderMismatches_empty_iff_the_terms_agree", async () => {
    const { orderMismatches } = await import("../../src/core/rules/mismatch.js");
    const terms = fc.record({ symbol: fc.constantFrom("EURUSD", "USDJPY"), side: fc.constantFrom("buy" as const, "sell" as const),
      qty: fc.constantFrom(d("100"), d("200")), limitPrice: fc.option(fc.constantFrom(d("1.1"), d("1.2")), { nil: undefined }) });
    fc.assert(fc.property(terms, terms, (a, b) => {
      const agree = a.symbol === b.symbol && a.side === b.side && a.qty === b.qty &&
        (a.limitPrice === undefined || b.limitPrice === undefined || a.limitPrice === b.limitPrice);
      expect(orderMismatches(a, b).length === 0).toBe(agree);
    }), PARAMS);
  });
});
