#!/usr/bin/env node
// Boundary mutation check of the core (issue 14): flips one comparison at a time in src/core
// (`>` <-> `>=`, `<` <-> `<=`), runs the given test command, and records whether a test caught it.
// Usage: node scripts/mutation/mutants.mjs [--list] [--only FILE] [--at FILE:LINE:COL,...] [--skip REGEX] -- <test command...>
// (--at runs just the named mutants, e.g. the survivors of a run, again with another command.)
// Prints one line per mutant: CAUGHT|SURVIVED|SKIPPED file:line:col  before -> after  `source line`.
// --skip names source lines not to mutate, e.g. '\\? -1 :' for the comparators of sorts on unique
// keys, where `<` and `<=` cannot differ (an equivalent mutant costs a whole test run to survive).
// Restores every file it touches, also on Ctrl-C or a kill (SIGTERM, SIGHUP).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import ts from "typescript";

const FLIP = {
  [ts.SyntaxKind.GreaterThanToken]: ">=", [ts.SyntaxKind.GreaterThanEqualsToken]: ">",
  [ts.SyntaxKind.LessThanToken]: "<=", [ts.SyntaxKind.LessThanEqualsToken]: "<",
};

export function comparisons(file, text) {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out = [];
  const visit = (node) => {
    if (ts.isBinaryExpression(node) && FLIP[node.operatorToken.kind] !== undefined) {
      const op = node.operatorToken;
      const start = op.getStart(src);
      const { line, character } = src.getLineAndCharacterOfPosition(start);
      out.push({ file, start, end: op.getEnd(), before: op.getText(src), after: FLIP[op.kind], line: line + 1, col: character + 1,
        source: text.split("\n")[line].trim() });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

const args = process.argv.slice(2);
const dash = args.indexOf("--");
const command = dash < 0 ? [] : args.slice(dash + 1);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const at = args.includes("--at") ? new Set(args[args.indexOf("--at") + 1].split(",")) : null;
const skip = args.includes("--skip") ? new RegExp(args[args.indexOf("--skip") + 1]) : null;
const files = readdirSync("src/core", { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => join("src/core", f)).sort()
  .filter((f) => only === null || f === only);
const mutants = files.flatMap((f) => comparisons(f, readFileSync(f, "utf8"))).filter((m) => at === null || at.has(`${m.file}:${m.line}:${m.col}`));
if (args.includes("--list") || command.length === 0) {
  for (const m of mutants) console.log(`${m.file}:${m.line}:${m.col}  ${m.before} -> ${m.after}  \`${m.source}\``);
  process.exit(0);
}
let restore = null;
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) process.on(signal, () => { restore?.(); process.exit(code); });
let survived = 0;
let skipped = 0;
for (const m of mutants) {
  if (skip !== null && skip.test(m.source)) {
    skipped += 1;
    console.log(`SKIPPED  ${m.file}:${m.line}:${m.col}  ${m.before} -> ${m.after}  \`${m.source}\``);
    continue;
  }
  const original = readFileSync(m.file, "utf8");
  restore = () => writeFileSync(m.file, original);
  writeFileSync(m.file, original.slice(0, m.start) + m.after + original.slice(m.end));
  const r = spawnSync(command[0], command.slice(1), { encoding: "utf8", maxBuffer: 1 << 28 });
  restore();
  restore = null;
  const failed = (r.stdout + r.stderr).match(/(?:×|✗|FAIL)\s+(.*)/g) ?? [];
  const caught = r.status !== 0;
  if (!caught) survived += 1;
  const by = caught ? (failed.find((l) => !/Test Files|Tests/.test(l)) ?? "").replace(/\x1b\[[0-9;]*m/g, "").slice(0, 160) : "";
  console.log(`${caught ? "CAUGHT  " : "SURVIVED"} ${m.file}:${m.line}:${m.col}  ${m.before} -> ${m.after}  \`${m.source}\`${caught ? `  by: ${by}` : ""}`);
}
console.log(`${mutants.length} mutants, ${mutants.length - skipped - survived} caught, ${survived} survived, ${skipped} skipped`);
process.exit(survived === 0 ? 0 : 1);
