// The workflow and the composite action must pass @action-validator/cli (as .ci/run checks), and
// carry the gates a proof run needs. The validator is run on a broken file too, to show it can fail.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/cli.js";
import { PINNED, usesLines, validate } from "../helpers/workflow.js";

const WORKFLOW = join(REPO, ".github", "workflows", "proof.yml");
const ACTION = join(REPO, "action.yml");

/** The jobs of a workflow, in order (two-space keys under `jobs:`). */
function jobNames(text: string): string[] {
  const jobs = text.slice(text.indexOf("\njobs:\n"));
  return [...jobs.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1]!);
}

/** One job's text, from its key to the next job's. */
function jobBlock(text: string, job: string): string {
  const jobs = text.slice(text.indexOf("\njobs:\n"));
  const start = jobs.search(new RegExp(`^ {2}${job}:$`, "m"));
  expect(start, `job ${job}`).toBeGreaterThanOrEqual(0);
  const rest = jobs.slice(start + 1);
  const end = rest.search(/^ {2}[\w-]+:$/m);
  return end === -1 ? rest : rest.slice(0, end);
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
    writeFileSync(bad, readFileSync(WORKFLOW, "utf8").replace(/^( {6}- uses: actions\/checkout@.*)$/m, "$1\n        bogus: true"));
    const r = validate(bad);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("bogus");
  });
});

describe("proof.yml", () => {
  const text = readFileSync(WORKFLOW, "utf8");

  it("runs on push and pull_request; the test job runs npm test on Node 20, 22 and 24 with the npm cache", () => {
    expect(text).toMatch(/^on:\n {2}push:\n {2}pull_request:/m);
    const test = jobBlock(text, "test");
    expect(test).toContain("node-version: [20, 22, 24]");
    expect(test).toContain("node-version: ${{ matrix.node-version }}");
    expect(test).toContain("cache: npm");
    expect(test).toContain("run: npm ci --no-audit --no-fund");
    expect(test).toContain("run: npm test");
  });

  it("every job has a timeout, and one concurrency group per workflow and branch or pull request", () => {
    const jobs = jobNames(text);
    expect(jobs).toEqual(expect.arrayContaining(["test", "action", "list", "proof", "shard-plan", "shard", "merge"]));
    for (const job of jobs) expect(jobBlock(text, job), job).toMatch(/^ {4}timeout-minutes: \d+$/m);
    expect(text).toMatch(/^concurrency:\n {2}group: \$\{\{ github\.workflow \}\}-\$\{\{ github\.event\.pull_request\.number \|\| github\.ref \}\}\n {2}cancel-in-progress: /m);
  });

  it("jobs that only run recon-proof install it without dev dependencies and without setup-node's npm cache", () => {
    for (const job of ["proof", "shard", "merge"]) {
      const block = jobBlock(text, job);
      expect(block, job).toContain("run: bash scripts/ci/install-runtime.sh");
      expect(block, job).not.toContain("npm ci");
      expect(block, job).toContain("package-manager-cache: false");
    }
  });

  it("the action job uses the Action as a caller does: with expect, without, and with the expect.txt it suggested", () => {
    const action = jobBlock(text, "action");
    expect(action).toContain("node-version: [20, 22, 24]");
    const uses = [...action.matchAll(/^ {6}- id: (\S+)\n {8}uses: \.\/\n/gm)].map((m) => m[1]);
    expect(uses).toEqual(["proof", "replay", "suggested"]);
    expect(action).toContain("expect: proofs/healthy/expect.txt");
    expect(action).toContain("expect: ${{ steps.replay.outputs.suggested-expect }}");
    expect(action).toContain('[ "$PROOF" = healthy/0 ] && [ "$REPLAY" = manual_intervention_required/3 ] && [ "$SUGGESTED" = manual_intervention_required/0 ]');
  });

  it("has the proof gates: matrix without fail-fast, determinism diff, promtool, upload, summary", () => {
    expect(text).toContain("fail-fast: false");
    expect(text).toContain("fromJSON(needs.list.outputs.scenarios)");
    expect(text).toMatch(/proof --artifacts artifacts-rerun "proofs\/\$SCENARIO"/);
    expect(text).toContain('diff -r "artifacts/$SCENARIO" "artifacts-rerun/$SCENARIO"');
    expect(text).toContain('promtool check metrics < "artifacts/$SCENARIO/metrics.txt"');
    expect(text).toMatch(/uses: actions\/upload-artifact@[0-9a-f]{40} # v\d/);
    expect(text).toContain("node scripts/ci/proof-summary.mjs");
  });

  it("checks every criterion again in plain shell (grep -Fx for whole lines), links the artifact it uploads, shows evidence lines", () => {
    expect(text).toContain('sh scripts/verify.sh "artifacts/$SCENARIO" "proofs/$SCENARIO/expect.txt" "$SCENARIO"');
    expect(text).toContain('--artifact-name "artifacts-$SCENARIO"');
    expect(text).toContain("name: artifacts-${{ matrix.scenario }}");
    expect(text).toContain('report "artifacts/$SCENARIO" --inputs "proofs/$SCENARIO"');
  });

  it("pins every third-party action by a full commit SHA, with the release it is tagged as in a comment", () => {
    for (const file of [WORKFLOW, ACTION]) {
      const uses = usesLines(readFileSync(file, "utf8")).filter((u) => !u.startsWith("./"));
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) expect(u, `${file}: ${u}`).toMatch(PINNED);
    }
  });

  it("the pin check rejects a tag, a short SHA and a SHA without its release", () => {
    for (const u of ["actions/checkout@v4", "actions/checkout@3d3c42e # v7.0.1", "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"]) {
      expect(u).not.toMatch(PINNED);
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
