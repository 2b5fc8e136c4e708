// recon-proof/testing is the only entry point that needs fast-check, and it needs no test framework:
// the command line installs and runs without fast-check, and the checks run under vitest or jest.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/cli.js";

const IMPORT = /(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g;

/** Each src/ file with the modules it imports. */
function importsBySourceFile(): Array<{ file: string; imports: string[] }> {
  return readdirSync(join(REPO, "src"), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => ({
    file: f.split("\\").join("/"),
    imports: [...readFileSync(join(REPO, "src", f), "utf8").matchAll(IMPORT)].map((m) => m[1]!),
  }));
}

describe("the testing entry point's dependencies", () => {
  const files = importsBySourceFile();
  const inTesting = (f: string) => f.startsWith("testing/");

  it("fast-check is imported from src/testing only, and nothing else imports src/testing", () => {
    expect(files.filter((f) => inTesting(f.file) && f.imports.includes("fast-check")).length).toBeGreaterThan(0);
    expect(files.filter((f) => !inTesting(f.file) && f.imports.includes("fast-check")).map((f) => f.file)).toEqual([]);
    expect(files.filter((f) => !inTesting(f.file) && f.imports.some((i) => /(^|\/)testing\//.test(i))).map((f) => f.file)).toEqual([]);
  });

  it("src/testing imports no test framework", () => {
    expect(files.filter((f) => inTesting(f.file) && f.imports.some((i) => /^(vitest|jest|@jest\/)/.test(i))).map((f) => f.file)).toEqual([]);
  });
});

describe("the testing entry point's documentation", () => {
  it("every name src/testing/index.ts exports is named in docs/property-tests.md", () => {
    const index = readFileSync(join(REPO, "src/testing/index.ts"), "utf8");
    const names = [...index.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(",")).map((n) => n.replace(/^\s*type\s+/, "").trim())
      .filter((n) => n !== "");
    expect(names.length).toBeGreaterThan(20);
    const docs = readFileSync(join(REPO, "docs/property-tests.md"), "utf8");
    // Named as code (`name`, `name(...)`), in bold, or called in an example.
    const named = (n: string) => new RegExp(`(?:\`|\\*\\*)${n}(?:\`|\\*\\*|\\()|\\b${n}\\(`).test(docs);
    expect(names.filter((n) => !named(n))).toEqual([]);
  });
});
