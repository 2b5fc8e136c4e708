// The core's shape, as issue-13 set it: small functions a test can call alone, and an engine that is
// a facade. Measured with the TypeScript parser, so a long function fails `npm test`.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/cli.js";

const FUNCTION_LINES_MAX = 70;
const ENGINE_LINES_MAX = 350;

/** Every function, method, arrow function and accessor longer than `max` lines in `text`. */
export function longFunctions(file: string, text: string, max: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      if (end - start + 1 > max) out.push(`${file}:${start}: ${end - start + 1} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function coreFiles(): string[] {
  const dir = join(REPO, "src/core");
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => join("src/core", f));
}

describe("the core's shape", () => {
  it(`no function in src/core is over ${FUNCTION_LINES_MAX} lines`, () => {
    const long = coreFiles().flatMap((f) => longFunctions(f, readFileSync(join(REPO, f), "utf8"), FUNCTION_LINES_MAX));
    expect(long).toEqual([]);
  });

  it(`src/core/engine/engine.ts is a facade of under ${ENGINE_LINES_MAX} lines`, () => {
    expect(readFileSync(join(REPO, "src/core/engine/engine.ts"), "utf8").split("\n").length).toBeLessThan(ENGINE_LINES_MAX);
  });

  it("the measure does catch a long function (so the test above can fail)", () => {
    const body = Array.from({ length: 80 }, (_v, i) => `  const x${i} = ${i};`).join("\n");
    expect(longFunctions("x.ts", `function f() {\n${body}\n}\nclass C { m() { return 1; } }`, FUNCTION_LINES_MAX)).toEqual(["x.ts:1: 82 lines"]);
  });
});
