// Every saved counterexample (fixtures/regressions/<name>/: the literal journal.jsonl and
// broker.jsonl that once failed, with config.json, truth.json and law.json) must now satisfy its law.
// The logs are kept literally because the generator changes: a seed alone stops reproducing a bug.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LAWS, REGRESSIONS_DIR, type SavedCounterexample, type Scenario } from "./helpers/laws.js";

const dirs = readdirSync(REGRESSIONS_DIR).filter((f) => statSync(join(REGRESSIONS_DIR, f)).isDirectory()).sort();

function load(dir: string): { scenario: Scenario; saved: SavedCounterexample } {
  const read = (f: string) => readFileSync(join(REGRESSIONS_DIR, dir, f), "utf8");
  const lines = (f: string) => read(f).split("\n").filter((l) => l.trim() !== "");
  return {
    scenario: { journal: lines("journal.jsonl"), broker: lines("broker.jsonl"), config: JSON.parse(read("config.json")), truth: JSON.parse(read("truth.json")) },
    saved: JSON.parse(read("law.json")) as SavedCounterexample,
  };
}

describe("counterexample corpus (literal files)", () => {
  it("holds saved counterexamples, each a folder of literal files (not a generator seed)", () => {
    expect(dirs.length).toBeGreaterThan(0);
    expect(readdirSync(REGRESSIONS_DIR).filter((f) => f.endsWith(".json"))).toEqual([]);
  });
  for (const dir of dirs) {
    it(`${dir}: its law holds`, () => {
      const { scenario, saved } = load(dir);
      expect(Object.keys(LAWS)).toContain(saved.law);
      LAWS[saved.law].check(scenario, saved.pick);
    }, 300_000);
  }
});
