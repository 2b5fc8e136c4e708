// Every saved counterexample (fixtures/regressions/*.json) must now satisfy its law.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type LawInput, type LawName, LAWS, REGRESSIONS_DIR } from "./helpers/laws.js";

const files = readdirSync(REGRESSIONS_DIR).filter((f) => f.endsWith(".json")).sort();

describe("counterexample corpus", () => {
  it("holds saved counterexamples (the corpus is not silently empty)", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const saved = JSON.parse(readFileSync(join(REGRESSIONS_DIR, file), "utf8")) as { law: LawName; input: LawInput };
    it(`${file}: ${saved.law} holds`, () => {
      expect(Object.keys(LAWS)).toContain(saved.law);
      LAWS[saved.law].check(saved.input);
    }, 300_000);
  }
});
