// The code's shape: small functions a test can call alone, files that each hold one idea, functions
// that take one named object rather than a long row of positional arguments, one style of constant
// names, and an engine that is a facade. Measured with the TypeScript parser, so a breach fails
// `npm test`.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/cli.js";

const FUNCTION_LINES_MAX = 70;
const FILE_LINES_MAX = 400;
/** A function with this many positional parameters takes one named object instead. */
const POSITIONAL_PARAMS_MIN = 6;
const ENGINE_LINES_MAX = 350;

const lineOf = (source: ts.SourceFile, pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;

/** Every function, method, arrow function and accessor with a body, in `text`. */
function functionsWithBodies(file: string, text: string): Array<{ node: ts.SignatureDeclaration; source: ts.SourceFile }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: Array<{ node: ts.SignatureDeclaration; source: ts.SourceFile }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) out.push({ node, source });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every function, method, arrow function and accessor longer than `max` lines in `text`. */
export function longFunctions(file: string, text: string, max: number): string[] {
  return functionsWithBodies(file, text).flatMap(({ node, source }) => {
    const start = lineOf(source, node.getStart(source));
    const lines = lineOf(source, node.getEnd()) - start + 1;
    return lines > max ? [`${file}:${start}: ${lines} lines`] : [];
  });
}

/** Every function in `text` that takes `min` or more positional parameters. */
export function longParameterLists(file: string, text: string, min: number): string[] {
  return functionsWithBodies(file, text).flatMap(({ node, source }) =>
    node.parameters.length >= min ? [`${file}:${lineOf(source, node.getStart(source))}: ${node.parameters.length} parameters`] : []);
}

const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** A plain value a module names once: a number, a string, or arithmetic on numbers. */
function isPlainValue(e: ts.Expression): boolean {
  if (ts.isNumericLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
  if (ts.isPrefixUnaryExpression(e) || ts.isParenthesizedExpression(e)) return isPlainValue(ts.isParenthesizedExpression(e) ? e.expression : e.operand);
  return ts.isBinaryExpression(e) && isPlainValue(e.left) && isPlainValue(e.right);
}

/**
 * Module-level constants not written SCREAMING_SNAKE_CASE: a name with an underscore in another
 * case (`table_rows_max`), or a plain value (number, string) named in camelCase.
 */
export function constantsOutOfStyle(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  return source.statements.filter(ts.isVariableStatement)
    .filter((s) => (s.declarationList.flags & ts.NodeFlags.Const) !== 0)
    .flatMap((s) => s.declarationList.declarations)
    .filter((d) => ts.isIdentifier(d.name) && !SCREAMING_SNAKE.test(d.name.text)
      && (d.name.text.includes("_") || (d.initializer !== undefined && isPlainValue(d.initializer))))
    .map((d) => `${file}:${lineOf(source, d.getStart(source))}: ${d.name.getText(source)}`);
}

/** Every src/**.ts file: every limit holds all of src/, and every folder added later. */
function sourceFiles(): string[] {
  return readdirSync(join(REPO, "src"), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => join("src", f));
}

const breaches = (measure: (file: string, text: string) => string[]): string[] =>
  sourceFiles().flatMap((f) => measure(f, readFileSync(join(REPO, f), "utf8")));

describe("the code's shape", () => {
  it(`no function is over ${FUNCTION_LINES_MAX} lines`, () => {
    expect(breaches((f, t) => longFunctions(f, t, FUNCTION_LINES_MAX))).toEqual([]);
  });

  it(`no file is over ${FILE_LINES_MAX} lines`, () => {
    expect(breaches((f, t) => (t.split("\n").length > FILE_LINES_MAX ? [`${f}: ${t.split("\n").length} lines`] : []))).toEqual([]);
  });

  it(`no function takes ${POSITIONAL_PARAMS_MIN} or more positional parameters (it takes one named object instead)`, () => {
    expect(breaches((f, t) => longParameterLists(f, t, POSITIONAL_PARAMS_MIN))).toEqual([]);
  });

  it("module-level constants are named in SCREAMING_SNAKE_CASE", () => {
    expect(breaches(constantsOutOfStyle)).toEqual([]);
  });

  it(`src/core/engine/engine.ts is a facade of under ${ENGINE_LINES_MAX} lines`, () => {
    expect(readFileSync(join(REPO, "src/core/engine/engine.ts"), "utf8").split("\n").length).toBeLessThan(ENGINE_LINES_MAX);
  });

  it("the measures do catch a breach (so the tests above can fail)", () => {
    const body = Array.from({ length: 80 }, (_v, i) => `  const x${i} = ${i};`).join("\n");
    expect(longFunctions("x.ts", `function f() {\n${body}\n}\nclass C { m() { return 1; } }`, FUNCTION_LINES_MAX)).toEqual(["x.ts:1: 82 lines"]);
    expect(longParameterLists("x.ts", "function f(a, b, c, d, e, g) {}\nconst h = (a, b, c, d, e) => a;\n", POSITIONAL_PARAMS_MIN))
      .toEqual(["x.ts:1: 6 parameters"]);
    const constants = "export const table_rows_max = 500;\nconst pageRows = 25;\nconst SIGNAL_POLL_MS = 100;\nconst merged = new Map();\nconst label = `a${1}`;\n";
    expect(constantsOutOfStyle("x.ts", constants)).toEqual(["x.ts:1: table_rows_max", "x.ts:2: pageRows"]);
  });
});
