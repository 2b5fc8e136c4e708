// rules/local-orders.ts and schedule.ts: the time thresholds (in-flight grace, TTL, cadence), each
// at the boundary, just below and just above, plus their laws.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ttlExpired, unseenOrderState } from "../../src/core/rules/local-orders.js";
import { dueRuns } from "../../src/core/engine/schedule.js";
import { PARAMS } from "./arbitraries.js";

const GRACE = 10_000;

describe("unseenOrderState (in-flight grace: exclusive, stale only strictly past it)", () => {
  it("just below, at, and just above the grace", () => {
    expect(unseenOrderState(0, GRACE - 1, GRACE)).toBe("in_flight");
    expect(unseenOrderState(0, GRACE, GRACE)).toBe("in_flight");
    expect(unseenOrderState(0, GRACE + 1, GRACE)).toBe("stale");
  });

  it("an order with no send time (snapshot or cache) has no grace left", () => {
    expect(unseenOrderState(undefined, 0, GRACE)).toBe("stale");
  });

  it("prop_unseenOrderState_monotone_in_time: once stale, an order stays stale as time passes", () => {
    fc.assert(fc.property(fc.nat(1e9), fc.nat(1e9), fc.nat(1e6), fc.nat(1e6), (sent, age, later, grace) => {
      if (unseenOrderState(sent, sent + age, grace) === "stale") expect(unseenOrderState(sent, sent + age + later, grace)).toBe("stale");
    }), PARAMS);
  });

  it("prop_unseenOrderState_stale_iff_age_exceeds_grace", () => {
    fc.assert(fc.property(fc.nat(1e9), fc.nat(1e7), fc.nat(1e7), (sent, age, grace) => {
      expect(unseenOrderState(sent, sent + age, grace) === "stale").toBe(age > grace);
    }), PARAMS);
  });
});

describe("ttlExpired (TTL cancel: inclusive, due at the expiry instant)", () => {
  it("just below, at, and just above the expiry", () => {
    expect(ttlExpired(1000, 999)).toBe(false);
    expect(ttlExpired(1000, 1000)).toBe(true);
    expect(ttlExpired(1000, 1001)).toBe(true);
    expect(ttlExpired(undefined, 1e15)).toBe(false);
  });

  it("prop_ttlExpired_never_before_expiry_always_after", () => {
    fc.assert(fc.property(fc.nat(1e12), fc.integer({ min: -1e9, max: 1e9 }), (ttl, offset) => {
      expect(ttlExpired(ttl, ttl + offset)).toBe(offset >= 0);
    }), PARAMS);
  });
});

describe("dueRuns (reconcile cadence: a run is due at its time, inclusive)", () => {
  const I = 300_000;
  it("not due just below the due time; one run at it; two (first and last) past the next one", () => {
    expect(dueRuns(I, I - 1, I)).toEqual({ atMs: [], coalesced: 0 });
    expect(dueRuns(I, I, I)).toEqual({ atMs: [I], coalesced: 0 });
    expect(dueRuns(I, 2 * I - 1, I)).toEqual({ atMs: [I], coalesced: 0 });
    expect(dueRuns(I, 2 * I, I)).toEqual({ atMs: [I, 2 * I], coalesced: 0 });
    expect(dueRuns(I, 5 * I + 1, I)).toEqual({ atMs: [I, 5 * I], coalesced: 3 });
    expect(dueRuns(undefined, 1e12, I)).toEqual({ atMs: [], coalesced: 0 });
  });

  it("prop_dueRuns_accounts_for_every_interval: runs made plus coalesced equal the due times up to now", () => {
    fc.assert(fc.property(fc.nat(1e9), fc.integer({ min: 1, max: 1e6 }), fc.nat(1e8), (next, interval, ahead) => {
      const now = next + ahead;
      const due = dueRuns(next, now, interval);
      expect(due.atMs.length + due.coalesced).toBe(Math.floor(ahead / interval) + 1);
      for (const t of due.atMs) expect(t).toBeLessThanOrEqual(now);
      const last = due.atMs[due.atMs.length - 1]!;
      expect(now - last).toBeLessThan(interval); // the last run is the latest one due
    }), PARAMS);
  });
});
