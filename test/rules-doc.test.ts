// docs/reference/rules.md's findings table and its list of kill-switch reasons are the code's, read from both:
// every finding kind has a row with its severity, "kill switch: yes" exactly for the critical ones,
// and the reasons listed are exactly KILL_REASONS.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SEVERITY } from "../src/core/output/findings.js";
import { KILL_REASONS } from "../src/domain/report.js";
import { REPO } from "./helpers/cli.js";

const rules = readFileSync(join(REPO, "docs", "reference", "rules.md"), "utf8");

function findingsTable(): Map<string, { severity: string; kill: string }> {
  const start = rules.indexOf("| finding | severity | what it means | kill switch |");
  expect(start, "the rules page has the findings table").toBeGreaterThan(0);
  const lines = rules.slice(start).split("\n").slice(2);
  const rows = lines.slice(0, lines.findIndex((l) => !l.startsWith("|")));
  const out = new Map<string, { severity: string; kill: string }>();
  for (const row of rows) {
    const cells = row.split(" | ").map((c) => c.replace(/^\| /, "").replace(/ \|$/, "").trim());
    out.set(cells[0]!.replace(/`/g, ""), { severity: cells[1]!, kill: cells[cells.length - 1]! });
  }
  return out;
}

describe("the rules page's findings table and kill-switch list match the code", () => {
  it("one row per finding kind, with its severity; the kill switch column says yes exactly for critical kinds", () => {
    const table = findingsTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(SEVERITY).sort());
    for (const [kind, severity] of Object.entries(SEVERITY)) {
      expect(table.get(kind), kind).toEqual({ severity, kill: severity === "critical" ? "yes" : "no" });
    }
  });

  it("every critical kind is a kill-switch reason, and the rules page lists exactly the reasons", () => {
    for (const [kind, severity] of Object.entries(SEVERITY)) if (severity === "critical") expect(KILL_REASONS, kind).toContain(kind);
    const para = rules.slice(rules.indexOf("**The kill switch**"), rules.indexOf("It stays engaged for the rest of the replay"));
    const listed = [...para.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).filter((r) => r !== "kill_switch_reasons");
    expect(listed.sort()).toEqual([...KILL_REASONS].sort());
  });
});
