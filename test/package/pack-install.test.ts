// The package as a user gets it: `npm pack`, installed into an empty project with production
// dependencies only, then the command (`npx recon-proof`) and the library (imported from a
// TypeScript file checked against the shipped .d.ts) used from there. Slow (the install builds
// better-sqlite3): one install for the whole file.

import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, readArtifacts, REPO, SCENARIOS, tempDir } from "../helpers/cli.js";

const INSTALL_MS_MAX = 20 * 60_000;
const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };

function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The running Node's own headers, when it ships them: native modules build against them without a download. */
function nodedirArgs(): string[] {
  const dir = dirname(dirname(process.execPath));
  return existsSync(join(dir, "include", "node", "common.gypi")) ? [`--nodedir=${dir}`] : [];
}

let project = "";
let tarball = "";

beforeAll(() => {
  const scratch = tempDir();
  // dist/ is built (`npm test` builds first): pack what is there rather than rebuild it under running tests.
  const packed = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", scratch], { cwd: REPO });
  expect(packed.status, packed.stderr).toBe(0);
  tarball = join(scratch, packed.stdout.trim().split("\n").pop()!);
  project = join(scratch, "consumer");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({
    name: "consumer", version: "1.0.0", private: true, type: "module", allowScripts: { "better-sqlite3": true },
  }, null, 2));
  const installed = run("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", ...nodedirArgs(), tarball],
    { cwd: project, env: { ...process.env, npm_config_loglevel: "error" } });
  expect(installed.status, installed.stderr).toBe(0);
}, INSTALL_MS_MAX);

describe("the packed package, installed into an empty project", () => {
  it("ships what runs: the built library and command, their type declarations, the JSON Schemas; no sources, tests or bench", () => {
    const root = join(project, "node_modules", "recon-proof");
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "schemas/reconcile-report.schema.json", "package.json", "LICENSE", "README.md", "CHANGELOG.md"]) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    for (const f of ["src", "test", "fixtures", "dist/bench"]) expect(existsSync(join(root, f)), f).toBe(false);
    if (existsSync(join(REPO, "src", "testing", "index.ts"))) {
      expect(existsSync(join(root, "dist", "testing", "index.d.ts"))).toBe(true);
    }
    // Production dependencies only: the dev tools stay out.
    expect(readdirSync(join(project, "node_modules"))).not.toContain("vitest");
  });

  it("ships no module without its source: every packed .js under dist/ has its .d.ts beside it and a src/ .ts it was built from", () => {
    const dist = join(project, "node_modules", "recon-proof", "dist");
    const modules = (readdirSync(dist, { recursive: true }) as string[]).filter((f) => f.endsWith(".js"));
    expect(modules).toContain("index.js");
    for (const f of modules) {
      expect(existsSync(join(dist, f.replace(/\.js$/, ".d.ts"))), `${f}: its .d.ts`).toBe(true);
      expect(existsSync(join(REPO, "src", f.replace(/\.js$/, ".ts"))), `${f}: its source`).toBe(true);
    }
  });

  it("`npm pack` builds dist/ afresh: a module left in dist/ by an older build is gone", () => {
    const copy = tempDir();
    for (const f of ["package.json", "tsconfig.json"]) copyFileSync(join(REPO, f), join(copy, f));
    cpSync(join(REPO, "src"), join(copy, "src"), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(copy, "node_modules"));
    mkdirSync(join(copy, "dist", "core"), { recursive: true });
    writeFileSync(join(copy, "dist", "core", "engine.js"), "export {};\n");
    const prepack = run("npm", ["run", "--silent", "prepack"], { cwd: copy });
    expect(prepack.status, prepack.stderr).toBe(0);
    expect(existsSync(join(copy, "dist", "index.js"))).toBe(true);
    expect(existsSync(join(copy, "dist", "core", "engine.js"))).toBe(false);
  }, INSTALL_MS_MAX);

  it("`npx recon-proof --version` prints the package's version", () => {
    const r = run("npx", ["--no-install", "recon-proof", "--version"], { cwd: project });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("`npx recon-proof replay` writes the scenario's golden artifacts", () => {
    const dir = join(SCENARIOS, "orphan-manual-trade");
    const r = run("npx", ["--no-install", "recon-proof", "replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
      "--config", join(dir, "config.json"), "--out", "out"], { cwd: project });
    expect(r.status, r.stderr).toBe(3);
    const got = readArtifacts(join(project, "out"));
    for (const n of ARTIFACTS) expect(got[n], n).toBe(readFileSync(join(dir, "golden", n), "utf8"));
  });

  it("a TypeScript file imports the library, type-checks against the shipped .d.ts, and runs", () => {
    const dir = join(SCENARIOS, "healthy");
    writeFileSync(join(project, "check.ts"), `
import { BadInputError, replay, type ReplayResult } from "recon-proof";
const result: ReplayResult = await replay({
  journal: ${JSON.stringify(join(dir, "journal.jsonl"))},
  broker: { text: ${JSON.stringify(readFileSync(join(dir, "broker.jsonl"), "utf8"))}, name: "broker.jsonl" },
  config: ${JSON.stringify(join(dir, "config.json"))},
});
const summary: string = result.artifacts["summary.txt"].toString("utf8");
const orphans: number = result.report.totals.orphan;
try {
  await replay({ journal: ["{}"], broker: [] });
} catch (err) {
  if (!(err instanceof BadInputError)) throw err;
  console.log(\`\${err.file}:\${err.line} \${err.field}\`);
}
console.log(result.healthy, orphans, summary.split("\\n")[0]);
`);
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "built",
        typeRoots: [join(REPO, "node_modules", "@types")], types: ["node"],
      },
      files: ["check.ts"],
    }));
    const tsc = run(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: project });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const r = run(process.execPath, [join("built", "check.js")], { cwd: project });
    expect(r.status, r.stderr).toBe(0);
    const golden = readFileSync(join(dir, "golden", "summary.txt"), "utf8").split("\n")[0];
    expect(r.stdout).toBe(`journal.jsonl:1 type\ntrue 0 ${golden}\n`);
  });

  it("only the documented entry points can be imported: an internal module is refused", () => {
    const r = run(process.execPath, ["--input-type=module", "-e", `await import("recon-proof/dist/run/replay.js")`], { cwd: project });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
