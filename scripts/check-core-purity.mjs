#!/usr/bin/env node
// src/core, src/domain, src/gen and src/minimize are the functional core, and src/text, src/proofs,
// src/explain and src/reference are pure too (text in, text out): no I/O, no clock, no randomness,
// no process. This check (also run by `npm test`) fails on any import or call that would break that.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const PURE_DIRS = ["src/core", "src/domain", "src/gen", "src/minimize", "src/text", "src/proofs", "src/explain", "src/reference"];
const FORBIDDEN = [
  [/from\s+["'](node:[^"']+|fs|path|os|child_process|crypto|better-sqlite3|commander|csv-stringify[^"']*|@actions\/core)["']/, "imports I/O or a shell library"],
  [/\brequire\s*\(/, "uses require()"],
  [/\bDate\.now\s*\(/, "reads the wall clock"],
  [/new\s+Date\s*\(\s*\)/, "reads the wall clock"],
  [/\bperformance\.now\s*\(/, "reads the wall clock"],
  [/\bMath\.random\s*\(/, "uses unseeded randomness"],
  [/\bprocess\./, "touches the process"],
  [/\bconsole\./, "writes to the console"],
];

export function findImpurities(root = ".") {
  const problems = [];
  for (const dir of PURE_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir), { recursive: true })) {
      if (!String(name).endsWith(".ts")) continue;
      const path = join(dir, String(name));
      readFileSync(join(root, path), "utf8").split("\n").forEach((line, i) => {
        for (const [pattern, why] of FORBIDDEN) {
          if (pattern.test(line)) problems.push(`${path}:${i + 1}: ${why}: ${line.trim()}`);
        }
      });
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = findImpurities();
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`${problems.length} purity violation(s) in ${PURE_DIRS.join(", ")}`);
    process.exit(1);
  }
  console.log(`core purity: ok (${PURE_DIRS.join(", ")})`);
}
