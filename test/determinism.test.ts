// Same inputs, same bytes out: across runs, time zones and locales (docs/reference/artifacts.md, "Same
// inputs, same bytes").

import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULTS, generateScenario } from "../src/gen/generate.js";
import { readArtifacts, replayScenario, runCli, scenarioNames, tempDir } from "./helpers/cli.js";

const ENVIRONMENTS: ReadonlyArray<Record<string, string>> = [
  { TZ: "UTC", LANG: "C", LC_ALL: "C" },
  { TZ: "Pacific/Chatham", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" }, // UTC+13:45, comma decimals
  { TZ: "America/St_Johns", LANG: "ar_EG.UTF-8", LC_ALL: "ar_EG.UTF-8" }, // UTC-3:30, Arabic digits
];

describe("determinism", () => {
  for (const name of scenarioNames()) {
    it(`${name}: byte-identical artifacts across two runs and three time zones/locales`, () => {
      const runs = ENVIRONMENTS.map((env, i) => {
        const out = join(tempDir(), `out-${i}`);
        replayScenario(name, out, env);
        return readArtifacts(out);
      });
      const again = join(tempDir(), "again");
      replayScenario(name, again, ENVIRONMENTS[0]!);
      runs.push(readArtifacts(again));
      for (const r of runs.slice(1)) expect(r).toEqual(runs[0]);
    });
  }

  it("law: a generated scenario gives the same bytes in two processes with another time zone, locale and working folder", () => {
    const faults = fc.subarray([...FAULTS].filter((f) => f !== "corrupt-cache"));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 60, max: 1500 }), faults, (seed, events, fs) => {
      const s = generateScenario({ seed, events, faults: fs });
      const root = tempDir();
      for (const [name, lines] of [["journal.jsonl", s.journal], ["broker.jsonl", s.broker]] as const) writeFileSync(join(root, name), lines.join("\n") + "\n");
      writeFileSync(join(root, "config.json"), JSON.stringify(s.config));
      // Each process runs from its own working folder, with paths relative to it.
      const results = ENVIRONMENTS.slice(0, 2).map((env, i) => {
        const cwd = join(root, `cwd-${i}`, "deeper");
        mkdirSync(cwd, { recursive: true });
        const r = runCli(["replay", "--journal", "../../journal.jsonl", "--broker", "../../broker.jsonl", "--config", "../../config.json", "--out", "out"], env, cwd);
        expect([0, 3]).toContain(r.status);
        return readArtifacts(join(cwd, "out"));
      });
      expect(results[1]).toEqual(results[0]);
    }), { numRuns: Number(process.env["NUM_RUNS"] ?? 3) });
  }, 300_000);

  it("artifacts use LF line endings only, end with a newline, and hold no absolute path", () => {
    const out = join(tempDir(), "out");
    replayScenario("healthy", out);
    for (const [name, text] of Object.entries(readArtifacts(out))) {
      expect(text.includes("\r"), name).toBe(false);
      expect(text.endsWith("\n"), name).toBe(true);
      expect(text.includes(out), name).toBe(false);
      expect(/\/(tmp|home|root|work|Users)\//.test(text), name).toBe(false);
    }
  });
});
