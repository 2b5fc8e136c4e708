// The functional core imports no I/O and reads no clock: enforced here, so a violation fails `npm test`.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script, shared with `npm run lint:purity`
import { findImpurities } from "../scripts/check-core-purity.mjs";
import { REPO, tempDir } from "./helpers/cli.js";

describe("core purity", () => {
  it("the pure folders of src/ (the core, the domain, proofs, explain) import no I/O, read no clock, use no randomness", () => {
    expect(findImpurities(REPO)).toEqual([]);
  });

  it("the check does catch a violation (so the test above can fail)", () => {
    const root = tempDir();
    for (const d of ["src/core", "src/domain"]) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, "src/core/bad.ts"), `import { readFileSync } from "node:fs";\nconst t = Date.now();\n`);
    const found = findImpurities(root);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/src\/core\/bad\.ts:1: imports I\/O/);
    expect(found[1]).toMatch(/src\/core\/bad\.ts:2: reads the wall clock/);
  });
});
