// The event-time merge of the two logs closes both of them when its consumer stops early (a bad
// line, a stop, `replay --jobs` falling back to one job): each source's own cleanup (the line
// reader closes its file) runs, instead of leaving two file descriptors open for the process's life.

import { describe, expect, it } from "vitest";
import { interleaveByEventTime } from "../src/core/interleave.js";
import type { BrokerEvent, JournalRecord } from "../src/domain/records.js";
import { parseInstant } from "../src/domain/time.js";

const at = (s: number) => parseInstant(`2025-01-06T00:00:0${s}Z`)!;

/** A source of records at the given seconds that notes when it is closed, and may fail at one. */
function source<T>(src: "journal" | "broker", seconds: readonly number[], closed: string[], failAt?: number): Iterable<T> {
  return {
    *[Symbol.iterator]() {
      try {
        for (const [i, s] of seconds.entries()) {
          if (i === failAt) throw new Error(`${src} line ${i + 1} is bad`);
          yield { src, type: src === "journal" ? "decision" : "fill", ts: at(s), line: i + 1 } as unknown as T;
        }
      } finally {
        closed.push(src);
      }
    },
  };
}

describe("interleaveByEventTime closes both logs", () => {
  it("when its consumer stops early", () => {
    const closed: string[] = [];
    for (const rec of interleaveByEventTime(source<JournalRecord>("journal", [1, 3, 5], closed), source<BrokerEvent>("broker", [2, 4, 6], closed))) {
      if (rec.line === 2) break;
    }
    expect(closed.sort()).toEqual(["broker", "journal"]);
  });

  it("when one log fails: the other is closed too", () => {
    const closed: string[] = [];
    const merged = interleaveByEventTime(source<JournalRecord>("journal", [1, 3, 5], closed, 2), source<BrokerEvent>("broker", [2, 4, 6], closed));
    expect(() => [...merged]).toThrow(/journal line 3 is bad/);
    expect(closed.sort()).toEqual(["broker", "journal"]);
  });

  it("when both run to their end, once each", () => {
    const closed: string[] = [];
    const lines = [...interleaveByEventTime(source<JournalRecord>("journal", [1, 3], closed), source<BrokerEvent>("broker", [2], closed))].map((r) => r.src);
    expect(lines).toEqual(["journal", "broker", "journal"]);
    expect(closed.sort()).toEqual(["broker", "journal"]);
  });
});
