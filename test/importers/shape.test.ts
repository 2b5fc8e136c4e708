// The importers and the scenario generator stay readable: files that each hold one idea (none over
// FILE_LINES_MAX lines), functions a reader takes in at once (none over FUNCTION_LINES_MAX), and a
// function with many inputs takes one named object rather than a row of positional arguments.
// Measured with the TypeScript parser, as test/core/shape.test.ts measures the core.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/cli.js";

const FILE_LINES_MAX = 400;
const FUNCTION_LINES_MAX = 70;
const POSITIONAL_PARAMETERS_MAX = 5;
const AREAS = ["src/adapters/importers", "src/gen"];

/** What breaks the shape in one file: its length, long functions, functions with too many positional parameters. */
export function shapeProblems(file: string, text: string): string[] {
  const out: string[] = [];
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines > FILE_LINES_MAX) out.push(`${file}: ${lines} lines`);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      if (end - start + 1 > FUNCTION_LINES_MAX) out.push(`${file}:${start}: a function of ${end - start + 1} lines`);
      if (node.parameters.length > POSITIONAL_PARAMETERS_MAX) out.push(`${file}:${start}: a function of ${node.parameters.length} positional parameters`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function filesOf(area: string): string[] {
  return readdirSync(join(REPO, area), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).sort().map((f) => join(area, f));
}

describe("the importers and the scenario generator keep small files and functions", () => {
  for (const area of AREAS) {
    it(`no file in ${area} over ${FILE_LINES_MAX} lines, no function over ${FUNCTION_LINES_MAX} lines or ${POSITIONAL_PARAMETERS_MAX} positional parameters`, () => {
      expect(filesOf(area).flatMap((f) => shapeProblems(f, readFileSync(join(REPO, f), "utf8")))).toEqual([]);
    });
  }

  it("the measure does catch a long file, a long function and a long row of parameters (so the tests above can fail)", () => {
    const body = Array.from({ length: 80 }, (_v, i) => `  const x${i} = ${i};`).join("\n");
    const filler = Array.from({ length: 330 }, (_v, i) => `const y${i} = ${i};`).join("\n");
    const text = `function f() {\n${body}\n}\nfunction g(a: 1, b: 2, c: 3, d: 4, e: 5, h: 6) { return a; }\n${filler}\n`;
    expect(shapeProblems("x.ts", text)).toEqual(["x.ts: 413 lines", "x.ts:1: a function of 82 lines", "x.ts:83: a function of 6 positional parameters"]);
  });
});
