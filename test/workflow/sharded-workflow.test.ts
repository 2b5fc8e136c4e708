// The reusable workflow that fans a replay out over a CI matrix (.github/workflows/sharded-replay.yml)
// and the snippets docs/sharding.md gives for it: they pass the validator, pin third-party actions,
// pass only inputs the workflow (or the Action) has, and the steps they run work on this machine.

import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/cli.js";
import { PINNED, usesLines, validate } from "../helpers/workflow.js";

const WORKFLOW_PATH = join(REPO, ".github", "workflows", "sharded-replay.yml");
const WORKFLOW = readFileSync(WORKFLOW_PATH, "utf8");
const PAGE = readFileSync(join(REPO, "docs", "sharding.md"), "utf8");

function validates(text: string): void {
  const file = join(tempDir("recon-proof-sharded-doc-"), "workflow.yml");
  writeFileSync(file, text);
  const r = validate(file);
  expect(r.status, r.output).toBe(0);
}

/** The workflow_call inputs of the reusable workflow. */
function callInputs(): string[] {
  const section = WORKFLOW.slice(WORKFLOW.indexOf("    inputs:\n"), WORKFLOW.indexOf("    outputs:\n"));
  return [...section.matchAll(/^ {6}([\w-]+):$/gm)].map((m) => m[1]!);
}

describe(".github/workflows/sharded-replay.yml", () => {
  it("passes action-validator and pins every third-party action by commit", () => {
    const r = validate(WORKFLOW_PATH);
    expect(r.status, r.output).toBe(0);
    const uses = usesLines(WORKFLOW);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(PINNED);
  });

  it("is called (workflow_call), plans 1..N shards, replays each in its own job, then merges", () => {
    expect(WORKFLOW).toMatch(/^on:\n {2}workflow_call:\n {4}inputs:\n {6}shards:/m);
    expect(WORKFLOW).toContain("shard: ${{ fromJSON(needs.plan.outputs.shards) }}");
    expect(WORKFLOW).toContain('bash "$RECON_PROOF_DIR/scripts/ci/sharded-replay.sh" shard "$SHARD" "$SHARDS"');
    expect(WORKFLOW).toContain('bash "$RECON_PROOF_DIR/scripts/ci/sharded-replay.sh" merge "$SHARDS"');
    const command = WORKFLOW.slice(WORKFLOW.indexOf("        run: |\n") + 15, WORKFLOW.indexOf('echo "shards=$shards"'));
    for (const [n, status] of [["3", 0], ["1", 2], ["65", 2]] as const) {
      const r = spawnSync("bash", ["-c", `set -e\n${command}\nprintf '%s' "$shards"`], { encoding: "utf8", env: { ...process.env, SHARDS: n } });
      expect(r.status, `${n}: ${r.stdout}`).toBe(status);
      if (status === 0) expect(JSON.parse(r.stdout)).toEqual([1, 2, 3]);
    }
  });

  it("its steps on one machine: 4 shards merged equal the unsharded replay, with the verdict in the job summary and the exit code as output", () => {
    const dir = tempDir("recon-proof-sharded-wf-");
    symlinkSync(join(REPO, "dist"), join(dir, "dist"));
    const summary = join(dir, "summary.md");
    const output = join(dir, "output");
    const r = spawnSync("bash", [join(REPO, "scripts", "ci", "sharded-replay.sh"), "local", "4"],
      { cwd: dir, encoding: "utf8", env: { ...process.env, GEN_EVENTS: "3000", GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("sharded (4 shards) + merge: artifacts identical to the unsharded replay");
    expect(readFileSync(summary, "utf8")).toMatch(/^## Sharded replay: 4 shards merged \(exit 0\)\n\n```\n[\s\S]*broker_events=/);
    expect(readFileSync(output, "utf8")).toBe("exit-code=0\n");
  }, 120_000);
});

describe("docs/sharding.md", () => {
  const yaml = [...PAGE.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

  it("the reusable workflow's call is a valid workflow passing only inputs the workflow has", () => {
    const call = yaml.find((y) => y.includes("sharded-replay.yml@"));
    expect(call).toBeDefined();
    validates(call!);
    const inputs = callInputs();
    const passed = [...call!.slice(call!.indexOf("    with:\n")).matchAll(/^ {6}([\w-]+):/gm)].map((m) => m[1]!);
    expect(passed.length).toBeGreaterThan(3);
    for (const k of passed) expect(inputs, k).toContain(k);
  });

  it("the many-accounts matrix is a valid workflow with one Action use per account", () => {
    const accounts = yaml.find((y) => y.includes("matrix.account"));
    expect(accounts).toBeDefined();
    validates(accounts!);
    for (const u of usesLines(accounts!).filter((x) => !x.startsWith("OWNER/"))) expect(u).toMatch(PINNED);
  });
});
