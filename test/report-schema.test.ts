// reconcile-report.json has one schema for its writer and its reader (src/artifacts/report-schema.ts).
// The writer is typed by it, so a field renamed on one side fails to compile; this test proves the
// reader's checks cover every field the writer writes: reading a golden report back loses nothing.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkReportDoc } from "../src/artifacts/report-schema.js";
import { SCENARIOS, scenarioNames } from "./helpers/cli.js";

/** The document without `config`, which the reader checks only in part (its shape is config.ts's). */
function withoutConfig(doc: object): object {
  const { config: _config, ...rest } = doc as Record<string, unknown>;
  return rest;
}

describe("reconcile-report.json: one schema for writer and reader", () => {
  for (const name of scenarioNames()) {
    it(`${name}: the reader's typed document holds every field the writer wrote`, () => {
      const raw = JSON.parse(readFileSync(join(SCENARIOS, name, "golden", "reconcile-report.json"), "utf8")) as object;
      expect(withoutConfig(checkReportDoc(raw))).toEqual(withoutConfig(raw));
    });
  }

  it("a report missing a field the reader needs is refused, naming the field", () => {
    const raw = JSON.parse(readFileSync(join(SCENARIOS, "healthy", "golden", "reconcile-report.json"), "utf8")) as { totals: Record<string, unknown> };
    delete raw.totals["orphan"];
    expect(() => checkReportDoc(raw)).toThrow(/totals\.orphan/);
  });
});
