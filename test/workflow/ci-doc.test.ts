// docs/ci.md is what a team copies to adopt the Action: its workflow snippets must pass the
// validator, name only inputs the Action has (and every required one), pin third-party actions as
// this repository does, and its shell block (the Action's steps on your machine) must run.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/cli.js";
import { PINNED, usesLines, validate } from "../helpers/workflow.js";

const PAGE = readFileSync(join(REPO, "docs", "ci.md"), "utf8");
const ACTION = readFileSync(join(REPO, "action.yml"), "utf8");
const WORKFLOW = readFileSync(join(REPO, ".github", "workflows", "proof.yml"), "utf8");

function blocks(lang: string): string[] {
  return [...PAGE.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);
}

/** The Action's inputs, and which of them are required. */
function actionInputs(): Map<string, boolean> {
  const section = ACTION.slice(ACTION.indexOf("\ninputs:\n"), ACTION.indexOf("\noutputs:\n"));
  const inputs = new Map<string, boolean>();
  for (const m of section.matchAll(/^ {2}([\w-]+):\n((?: {4,}.*\n)*)/gm)) inputs.set(m[1]!, /^ {4}required: true$/m.test(m[2]!));
  return inputs;
}

/** The keys under the `with:` of the step that uses `uses`, and their values. */
function withOf(yaml: string, uses: string): Map<string, string> {
  const at = yaml.indexOf(`uses: ${uses}\n`);
  expect(at, uses).toBeGreaterThanOrEqual(0);
  const m = /^( *)with:\n((?:\1 {2}.*\n)*)/m.exec(yaml.slice(at));
  expect(m, `with: of ${uses}`).not.toBeNull();
  return new Map([...m![2]!.matchAll(/^ *([\w-]+): (\S+)/gm)].map((w) => [w[1]!, w[2]!]));
}

function validates(workflow: string): void {
  const file = join(tempDir("recon-proof-doc-"), "workflow.yml");
  writeFileSync(file, workflow);
  const r = validate(file);
  expect(r.status, r.output).toBe(0);
}

describe("docs/ci.md", () => {
  const [adopt, inRepo] = blocks("yaml");

  it("the snippet for another repository is a valid workflow using OWNER/recon-proof@v0 with real inputs", () => {
    expect(adopt).toBeDefined();
    validates(adopt!);
    const inputs = actionInputs();
    expect([...inputs.keys()]).toEqual(["journal", "broker", "config", "expect", "name", "artifact-name"]);
    const used = withOf(adopt!, "OWNER/recon-proof@v0");
    for (const k of used.keys()) expect(inputs.has(k), `input ${k}`).toBe(true);
    for (const [k, required] of inputs) if (required) expect(used.has(k), `required input ${k}`).toBe(true);
    expect(PAGE).toContain("Replace `OWNER`");
  });

  it("the `uses: ./` snippet is valid in a job and names files this repository has", () => {
    expect(inRepo).toBeDefined();
    const indented = inRepo!.replace(/^(?=.)/gm, "    ");
    validates(`name: doc\non: push\njobs:\n  doc:\n    runs-on: ubuntu-latest\n${indented}`);
    const used = withOf(inRepo!, "./");
    for (const k of ["journal", "broker", "config", "expect"]) expect(existsSync(join(REPO, used.get(k) ?? "-")), `${k}: ${used.get(k)}`).toBe(true);
  });

  it("pins third-party actions by commit, the same commits as this repository's workflow", () => {
    const workflowPins = new Set(usesLines(WORKFLOW));
    const pins = [adopt!, inRepo!].flatMap(usesLines).filter((u) => u.startsWith("actions/"));
    expect(pins.length).toBeGreaterThan(0);
    for (const u of pins) {
      expect(u).toMatch(PINNED);
      expect(workflowPins.has(u), u).toBe(true);
    }
  });

  it("the shell block runs the Action's steps without expect and with it", () => {
    const [sh] = blocks("sh");
    expect(sh).toBeDefined();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(GITHUB_|RUNNER_|INPUT_|ACTION_PATH$|JOB_INDEX$)/.test(k)) env[k] = v;
    }
    env["TMPDIR"] = tempDir("recon-proof-doc-run-");
    const r = spawnSync("bash", ["-e", "-c", sh!], { cwd: REPO, env, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("### ✅ recon-proof: healthy (replay, no expect.txt)");
    expect(r.stdout).toContain("**Suggested expect.txt**");
    expect(r.stdout).toMatch(/^proof: 1 scenario, \d+ criteria, 0 failed$/m);
    expect(r.stdout).toContain("| healthy | passed | healthy | 0 / 0 |");
  });
});
