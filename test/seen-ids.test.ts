// The redelivery index keeps a 32-bit hash and a position per event id, not the id: a hash match
// must be confirmed by the caller (which reads the first delivery back), so two ids with one hash
// stay two ids.

import { describe, expect, it } from "vitest";
import { fnv1a, SeenIdTable } from "../src/core/engine/seen-ids.js";

/** Two different ids with the same FNV-1a hash (a birthday search: about 80 000 tries). */
function collidingPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i += 1) {
    const id = `EV-${i}`;
    const other = seen.get(fnv1a(id));
    if (other !== undefined) return [other, id];
    seen.set(fnv1a(id), id);
  }
}

describe("SeenIdTable", () => {
  it("finds every id it was given at its position, across growth, and nothing else", () => {
    const table = new SeenIdTable();
    const ids = Array.from({ length: 50_000 }, (_v, i) => `E-${i * 7}`);
    const byPos = new Map<number, string>();
    ids.forEach((id, i) => {
      const confirm = (p: number) => byPos.get(p) === id;
      expect(table.find(id, confirm)).toBeUndefined();
      table.add(id, i * 100);
      byPos.set(i * 100, id);
    });
    expect(table.size).toBe(ids.length);
    ids.forEach((id, i) => expect(table.find(id, (p) => byPos.get(p) === id)).toBe(i * 100));
    expect(table.find("E-1", (p) => byPos.get(p) === "E-1")).toBeUndefined();
  });

  it("two ids with the same hash are told apart by the confirmation, never confused", () => {
    const [a, b] = collidingPair();
    expect(a).not.toBe(b);
    expect(fnv1a(a)).toBe(fnv1a(b));
    const table = new SeenIdTable();
    const lines = new Map([[10, a], [20, b]]);
    const confirm = (id: string) => (p: number) => lines.get(p) === id;
    table.add(a, 10);
    expect(table.find(b, confirm(b))).toBeUndefined();
    table.add(b, 20);
    expect(table.find(a, confirm(a))).toBe(10);
    expect(table.find(b, confirm(b))).toBe(20);
  });
});
