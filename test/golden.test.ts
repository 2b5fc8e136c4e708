// Golden files: every scenario's four artifacts are checked in under fixtures/scenarios/<name>/golden/.
// A change in any byte fails here. After an intended change, regenerate with
//   UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
// and review the diff like code.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, expectedExit, readArtifacts, replayScenario, SCENARIOS, scenarioNames, tempDir } from "./helpers/cli.js";

const update = process.env["UPDATE_GOLDEN"] === "1";

describe("golden artifacts for every fixture scenario", () => {
  for (const name of scenarioNames()) {
    it(`${name}: artifacts equal the checked-in golden files byte for byte`, () => {
      const out = join(tempDir(), "out");
      const r = replayScenario(name, out);
      expect(r.status, r.stderr).toBe(expectedExit(name));
      const got = readArtifacts(out);
      const goldenDir = join(SCENARIOS, name, "golden");
      if (update) {
        mkdirSync(goldenDir, { recursive: true });
        for (const n of ARTIFACTS) writeFileSync(join(goldenDir, n), got[n]!);
      }
      for (const n of ARTIFACTS) {
        expect(got[n], `${name}/${n}`).toBe(readFileSync(join(goldenDir, n), "utf8"));
      }
    });
  }
});
