// Every real payload copied into fixtures/brokers imports without crashing, every line it writes
// passes the canonical validator in time order, and the result replays.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BROKERS, dailyConfig, emptyJournalFor, importChecked, replayImported, tmp } from "./helpers.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** hootnot's test fixtures wrap each real response as {endpoint: {url, params, response}}: unwrap. */
function unwrapHootnot(): string[] {
  const dir = tmp();
  const out: string[] = [];
  for (const f of filesUnder(join(BROKERS, "oanda", "hootnot-responses"))) {
    const doc = JSON.parse(readFileSync(f, "utf8")) as Record<string, { response?: unknown }>;
    for (const [key, v] of Object.entries(doc)) {
      if (v.response === undefined) continue;
      const p = join(dir, `${key}.json`);
      // The stream endpoint's response is the list of lines it sent: keep it as JSON Lines.
      writeFileSync(p, Array.isArray(v.response) ? v.response.map((x) => JSON.stringify(x)).join("\n") + "\n" : JSON.stringify(v.response, null, 2));
      out.push(p);
    }
  }
  return out;
}

const cases: { broker: string; files: string[]; opts: { tz?: string; asOf?: string } }[] = [
  { broker: "oanda", files: filesUnder(join(BROKERS, "oanda", "hootnot-jupyter")), opts: { asOf: "2018-06-10T13:00:00Z" } },
  { broker: "oanda", files: unwrapHootnot(), opts: { asOf: "2016-10-28T21:00:00Z" } },
  { broker: "alpaca", files: filesUnder(join(BROKERS, "alpaca")), opts: { asOf: "2022-08-04T20:00:00Z" } },
  { broker: "fix", files: filesUnder(join(BROKERS, "fix")), opts: {} },
  { broker: "ib", files: filesUnder(join(BROKERS, "ib")), opts: { tz: "America/New_York", asOf: "2025-07-15T19:05:13Z" } },
];

describe("every real broker payload imports, validates and replays", () => {
  for (const c of cases) {
    for (const file of c.files) {
      it(`${c.broker}: ${file.split("/").slice(-2).join("/")}`, () => {
        const o = importChecked(c.broker, [file], c.opts);
        // Nothing is silently lost: every source record is imported, ignored (counted) or reported.
        expect(o.finished.lines.length + o.report.problems.length + o.report.ignoredTotal).toBeGreaterThan(0);
        if (o.finished.lines.length > 0) {
          const r = replayImported(o, emptyJournalFor(o), dailyConfig());
          expect([0, 3]).toContain(r.exitCode);
          expect(r.summary).toMatch(/^reconcile_summary stale=\d+ orphan=\d+ drift=/);
        }
      });
    }
    it(`${c.broker}: all ${c.files.length} files together replay as one broker log`, () => {
      const o = importChecked(c.broker, c.files, c.opts);
      expect(o.finished.lines.length).toBeGreaterThan(0);
      const r = replayImported(o, emptyJournalFor(o), dailyConfig());
      expect([0, 3]).toContain(r.exitCode);
    });
  }

  it("the samples directory has every broker the importers serve", () => {
    mkdirSync(BROKERS, { recursive: true });
    expect(readdirSync(BROKERS).filter((n) => !n.endsWith(".md")).sort()).toEqual(["alpaca", "fix", "ib", "oanda"]);
  });
});
