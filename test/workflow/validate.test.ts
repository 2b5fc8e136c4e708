// The workflow and the composite action must pass @action-validator/cli (as .ci/run checks), and
// carry the gates a proof run needs. The validator is run on a broken file too, to show it can fail.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/cli.js";

const VALIDATOR = join(REPO, "node_modules", ".bin", "action-validator");
const WORKFLOW = join(REPO, ".github", "workflows", "proof.yml");
const ACTION = join(REPO, "action.yml");

function validate(path: string) {
  const r = spawnSync(VALIDATOR, [path], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

describe("action-validator", () => {
  it("accepts .github/workflows/proof.yml", () => {
    const r = validate(WORKFLOW);
    expect(r.status, r.output).toBe(0);
  });

  it("accepts action.yml", () => {
    const r = validate(ACTION);
    expect(r.status, r.output).toBe(0);
  });

  it("rejects a workflow with an unknown step key (the check is real)", () => {
    const bad = join(tempDir(), "bad.yml");
    writeFileSync(bad, readFileSync(WORKFLOW, "utf8").replace("- uses: actions/checkout@v4", "- uses: actions/checkout@v4\n        bogus: true"));
    const r = validate(bad);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("bogus");
  });
});

describe("proof.yml", () => {
  const text = readFileSync(WORKFLOW, "utf8");

  it("runs on push and pull_request with Node 20 and the npm cache", () => {
    expect(text).toMatch(/^on:\n {2}push:\n {2}pull_request:/m);
    expect(text).toContain("node-version: 20");
    expect(text).toContain("cache: npm");
    expect(text).toContain("npm ci");
    expect(text).toContain("run: npm test");
  });

  it("has the proof gates: matrix without fail-fast, determinism diff, promtool, upload, summary", () => {
    expect(text).toContain("fail-fast: false");
    expect(text).toContain("fromJSON(needs.list.outputs.scenarios)");
    expect(text).toMatch(/proof --artifacts artifacts-rerun "proofs\/\$SCENARIO"/);
    expect(text).toContain('diff -r "artifacts/$SCENARIO" "artifacts-rerun/$SCENARIO"');
    expect(text).toContain('promtool check metrics < "artifacts/$SCENARIO/metrics.txt"');
    expect(text).toContain("uses: actions/upload-artifact@v4");
    expect(text).toContain("node scripts/ci/proof-summary.mjs");
  });

  it("checks every criterion again in plain shell (grep -Fx for whole lines), links the artifact it uploads, shows evidence lines", () => {
    expect(text).toContain('sh scripts/verify.sh "artifacts/$SCENARIO" "proofs/$SCENARIO/expect.txt" "$SCENARIO"');
    expect(text).toContain('--artifact-name "artifacts-$SCENARIO"');
    expect(text).toContain("name: artifacts-${{ matrix.scenario }}");
    expect(text).toContain('report "artifacts/$SCENARIO" --inputs "proofs/$SCENARIO"');
  });

  it("pins every action by major version", () => {
    for (const file of [WORKFLOW, ACTION]) {
      const uses = [...readFileSync(file, "utf8").matchAll(/uses: (\S+)/g)].map((m) => m[1]);
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) expect(u, `${file}: ${u}`).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
    }
  });

  it("the optional shard matrix: planned as 1..N, each shard replayed and uploaded, then merged and compared", () => {
    expect(text).toMatch(/workflow_dispatch:\n {4}inputs:\n {6}shards:/);
    expect(text).toContain("if: ${{ github.event_name == 'workflow_dispatch' && inputs.shards > 1 }}");
    expect(text).toContain("shard: ${{ fromJSON(needs.shard-plan.outputs.shards) }}");
    expect(text).toContain('bash scripts/ci/sharded-replay.sh shard "$SHARD" "$SHARDS"');
    expect(text).toContain('bash scripts/ci/sharded-replay.sh merge "$SHARDS"');
    const command = /^ {10}(shards=\$\(.*\))$/m.exec(text)?.[1];
    expect(command).toBeDefined();
    const r = spawnSync("bash", ["-c", `${command}\nprintf '%s' "$shards"`], { cwd: REPO, encoding: "utf8", env: { ...process.env, SHARDS: "3" } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([1, 2, 3]);
  });

  it("scripts/ci/sharded-replay.sh: 2 shards merged equal the unsharded replay, and it says so", () => {
    const dir = tempDir("recon-proof-sharded-");
    symlinkSync(join(REPO, "dist"), join(dir, "dist"));
    const r = spawnSync("bash", [join(REPO, "scripts", "ci", "sharded-replay.sh"), "local", "2"],
      { cwd: dir, encoding: "utf8", env: { ...process.env, GEN_EVENTS: "3000" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("sharded (2 shards) + merge: artifacts identical to the unsharded replay");
  }, 60_000);

  it("the list job's command names every scenario `recon-proof proof` would run", () => {
    const command = /^ {10}(scenarios=\$\(.*\))$/m.exec(text)?.[1];
    expect(command).toBeDefined();
    const r = spawnSync("bash", ["-c", `${command}\nprintf '%s' "$scenarios"`], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const want = readdirSync(join(REPO, "proofs")).filter((n) => existsSync(join(REPO, "proofs", n, "expect.txt"))).sort();
    expect(want.length).toBeGreaterThan(0);
    expect((JSON.parse(r.stdout) as string[]).sort()).toEqual(want); // matrix order does not matter
  });
});
