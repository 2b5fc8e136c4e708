// Same inputs, same bytes out: across runs, time zones and locales (CONTRACT §1).

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readArtifacts, replayScenario, scenarioNames, tempDir } from "./helpers/cli.js";

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
