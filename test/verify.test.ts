// The checker must fail when an artifact is tampered with: a token removed, a count changed, a
// metrics line dropped, a trade row lost. Both `recon-proof verify` and the plain-shell twin.

import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseExpect } from "../src/report/verify.js";
import { REPO, replayScenario, runCli, SCENARIOS, tempDir } from "./helpers/cli.js";

interface Tamper {
  readonly name: string;
  readonly file: string;
  readonly edit: (text: string) => string;
  /** The FAIL line both checkers must print. */
  readonly failLine: RegExp;
}

const TAMPERS: Tamper[] = [
  { name: "a token removed from the summary line", file: "summary.txt", edit: (t) => t.replace(" cache_ok=true", ""),
    failLine: /FAIL \S+ summary\.txt: .*cache_ok/ },
  { name: "a count changed", file: "summary.txt", edit: (t) => t.replace("stale=0", "stale=1"),
    failLine: /FAIL \S+ summary\.txt: .*stale=0/ },
  { name: "the runs counter dropped from metrics", file: "metrics.txt", edit: (t) => t.replace(/^engine_reconcile_runs_total .*\n/m, ""),
    failLine: /FAIL \S+ metrics\.txt: .*engine_reconcile_runs_total/ },
  { name: "a trade row dropped", file: "trades.csv", edit: (t) => t.split("\n").filter((l) => !l.includes("D-0004")).join("\n"),
    failLine: /FAIL \S+ trades\.csv: 2025-10-20T15:30:00\.300000000Z,D-0004/ },
  { name: "an orphan finding slipped in", file: "reconcile-report.json", edit: (t) => t.replace(`"findings": {\n    "items": [`, `"findings": {\n    "items": [{"kind": "orphan_broker_order"}`),
    failLine: /FAIL \S+ reconcile-report\.json: !"kind": "orphan_broker_order"/ },
  { name: "the kill switch flipped", file: "summary.txt", edit: (t) => t.replace("kill_switch=0", "kill_switch=1"),
    failLine: /FAIL \S+ (exit: 0|summary\.txt: kill_switch=0)/ },
];

const expectFile = join(SCENARIOS, "healthy", "expect.txt");

function nodeVerify(dir: string) {
  return runCli(["verify", "--artifacts", dir, "--expect", expectFile]);
}

function shellVerify(dir: string) {
  const r = spawnSync("sh", [join(REPO, "scripts", "verify.sh"), dir, expectFile], { encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("verify catches tampering", () => {
  let clean: string;
  beforeAll(() => {
    clean = join(tempDir(), "healthy");
    expect(replayScenario("healthy", clean).status).toBe(0);
  });

  it("untampered artifacts pass both checkers", () => {
    for (const r of [nodeVerify(clean), shellVerify(clean)]) {
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/^FAIL/m);
    }
  });

  for (const t of TAMPERS) {
    it(`${t.name}: both checkers exit 1 and name the criterion`, () => {
      const dir = join(tempDir(), "healthy");
      cpSync(clean, dir, { recursive: true });
      const path = join(dir, t.file);
      const before = readFileSync(path, "utf8");
      const after = t.edit(before);
      expect(after).not.toBe(before); // the tamper really changed something
      writeFileSync(path, after);
      for (const r of [nodeVerify(dir), shellVerify(dir)]) {
        expect(r.status, r.stdout).toBe(1);
        expect(r.stdout).toMatch(t.failLine);
      }
    });
  }

  it("a malformed expect line is a usage error naming file:line", () => {
    expect(() => parseExpect("summary.txt: ok\nsumary.txt: typo\n", "expect.txt")).toThrow(/expect\.txt:2: expected "<artifact>: <text>"/);
    expect(() => parseExpect("exit: three\n", "expect.txt")).toThrow(/expect\.txt:1: "exit:" needs a whole number/);
  });

  it("proof exits 1 and prints FAIL when a scenario's expectation does not hold", () => {
    const dir = join(tempDir(), "healthy-but-wrong");
    cpSync(join(SCENARIOS, "healthy"), dir, { recursive: true });
    writeFileSync(join(dir, "expect.txt"), "summary.txt: realized_pnl=1000000.00\nexit: 0\n");
    const r = runCli(["proof", "--artifacts", join(tempDir(), "art"), dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL healthy-but-wrong summary\.txt: realized_pnl=1000000\.00  \(text not found\)$/m);
    expect(r.stdout).toMatch(/^proof: 1 scenarios, \d+ criteria, 1 failed$/m);
  });

  it("a negative proof (expected kill switch, exit 3) passes only when the kill switch is engaged", () => {
    const r = runCli(["proof", "--artifacts", join(tempDir(), "art"), join(SCENARIOS, "drift-pips")]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^PASS drift-pips exit: 3$/m);
  });
});
