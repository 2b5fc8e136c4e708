// Fault suite: the artifact commit. A kill anywhere in it leaves --out holding the complete previous
// set or the complete new one, with the user's own files, or (between the two renames of the swap
// only) no --out and the complete new set beside it, which the next command that writes --out puts
// in place and which every reader names; a failure before the swap leaves --out as it was, one after
// it is reported as such (never "nothing written"); a read-only --out is refused before anything is
// written; a symbolic link --out is refused, not replaced.

import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { placeOf } from "../../src/adapters/out-dir.js";
import { FAULT_ENV } from "../../src/adapters/fault-points.js";
import { ARTIFACTS, besideOut, readArtifacts, replayScenario, runCli, SCENARIOS, tempDir } from "../helpers/cli.js";
import { otherUser, setExpectedByScenario } from "./helpers.js";

/** The user's own files in an output folder: a note and a folder of their own. */
function addUserFiles(out: string): void {
  writeFileSync(join(out, "notes.txt"), "mine\n");
  mkdirSync(join(out, "mine"));
  writeFileSync(join(out, "mine", "x.txt"), "also mine\n");
}

function userFilesIntact(out: string): void {
  expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine\n");
  expect(readFileSync(join(out, "mine", "x.txt"), "utf8")).toBe("also mine\n");
}

/** An --out holding the healthy set and the user's files. */
function healthySetWithUserFiles(): string {
  const out = join(tempDir(), "out");
  expect(replayScenario("healthy", out).status).toBe(0);
  addUserFiles(out);
  return out;
}

const sets = setExpectedByScenario(["healthy", "orphan-manual-trade"]);

/** Which complete set `dir` holds: "healthy" or "orphan-manual-trade" (fails on a mix or a gap). */
function completeSet(dir: string): string {
  expect(existsSync(dir), `${dir} must exist`).toBe(true);
  const now = readArtifacts(dir);
  const match = Object.entries(sets()).find(([, set]) => ARTIFACTS.every((n) => set[n] === now[n]));
  expect(match, `${dir} must hold one complete set`).toBeDefined();
  return match![0];
}

/** What the next write finds after a kill: --out's complete set, or (mid-swap) the complete set beside it. */
function heldAfterKill(out: string): { where: "out" | "beside"; set: string } {
  if (existsSync(out)) return { where: "out", set: completeSet(out) };
  return { where: "beside", set: completeSet(placeOf(out).ready) };
}

/** --out holds one set, the marker, the user's files, and nothing of the write is left beside it. */
function settled(out: string): void {
  expect(lstatSync(out).isDirectory(), "--out is a real folder").toBe(true);
  expect(readdirSync(out).sort()).toEqual([...ARTIFACTS, ".recon-proof", "mine", "notes.txt"].sort());
  userFilesIntact(out);
  expect(besideOut(out)).toEqual([]);
}

describe("a kill during the artifact commit", () => {
  const held: Record<string, { where: "out" | "beside"; set: string }> = {
    "commit-written": { where: "out", set: "healthy" }, // written, not swapped: the previous set
    "commit-swapping": { where: "beside", set: "orphan-manual-trade" }, // between the renames
    "commit-swapped": { where: "out", set: "orphan-manual-trade" },
    "commit-done": { where: "out", set: "orphan-manual-trade" },
  };
  for (const [point, expected] of Object.entries(held)) {
    it(`killed at ${point}: one complete set (${expected.where === "out" ? "in --out" : "beside --out, mid-swap"}) with the user's files, and the next run finishes`, () => {
      const out = healthySetWithUserFiles();
      const killed = replayScenario("orphan-manual-trade", out, { [FAULT_ENV]: `${point}:kill` });
      expect(killed.status).toBe(-1); // died by the signal
      expect(heldAfterKill(out)).toEqual(expected);
      if (expected.where === "out") userFilesIntact(out);
      else userFilesIntact(placeOf(out).ready);
      const next = replayScenario("orphan-manual-trade", out);
      expect(next.status, next.stderr).toBe(3);
      expect(next.stderr).toContain("is no longer running"); // the dead writer's lock, recovered
      expect(completeSet(out)).toBe("orphan-manual-trade");
      settled(out);
    });
  }
});

describe("a failure during the commit", () => {
  it("before the swap is done (between its renames): exit 74, --out as it was, nothing left beside it", () => {
    const out = healthySetWithUserFiles();
    const r = replayScenario("orphan-manual-trade", out, { [FAULT_ENV]: "commit-swapping:fail" });
    expect(r.status, r.stderr).toBe(74);
    expect(completeSet(out)).toBe("healthy");
    settled(out);
  });

  it("after the new set is in: a warning that says the artifacts are written; the exit code stays the replay's", () => {
    const out = healthySetWithUserFiles();
    const r = replayScenario("orphan-manual-trade", out, { [FAULT_ENV]: "commit-swapped:fail" });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain("the artifacts are written");
    expect(r.stderr).not.toContain("no artifacts were written");
    expect(completeSet(out)).toBe("orphan-manual-trade");
    userFilesIntact(out);
  });
});

describe("--out missing mid-swap, to the commands that read it", () => {
  it("verify, explain, expect and merge say a write was interrupted and where its set waits; report puts the set in place", () => {
    const out = join(tempDir(), "out");
    expect(replayScenario("healthy", out).status).toBe(0);
    expect(replayScenario("orphan-manual-trade", out, { [FAULT_ENV]: "commit-swapping:kill" }).status).toBe(-1);
    expect(existsSync(out)).toBe(false);
    const readers = [
      ["verify", "--artifacts", out, "--expect", join(SCENARIOS, "orphan-manual-trade", "expect.txt")],
      ["explain", out, "F00001"],
      ["expect", out],
      ["merge", "--out", join(tempDir(), "merged"), out],
    ];
    for (const args of readers) {
      const r = runCli(args);
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(74);
      expect(r.stderr, args[0]).toContain("a write to it was interrupted between the two renames of its swap");
      expect(r.stderr, args[0]).toContain(".out.recon-proof.new");
    }
    const report = runCli(["report", out]);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stderr).toContain("the complete set it was writing is now in place");
    expect(completeSet(out)).toBe("orphan-manual-trade");
    expect(existsSync(join(out, "report.html"))).toBe(true);
    expect(besideOut(out)).toEqual([]);
  });
});

describe("a read-only --out", () => {
  it("is refused before anything is written (exit 74), and left as it was; so is an --out whose folder is read-only", (ctx) => {
    const user = otherUser();
    if ("skip" in user) {
      process.stderr.write(`skipped "a read-only --out": ${user.skip}\n`);
      ctx.skip();
      return;
    }
    const dir = join(SCENARIOS, "healthy");
    const [journal, broker, config] = ["journal.jsonl", "broker.jsonl", "config.json"].map((f) => user.readable(join(dir, f)));
    const args = (o: string) => ["replay", "--journal", journal!, "--broker", broker!, "--config", config!, "--out", o];
    const out = join(user.home, "out");
    const first = user.run(args(out));
    expect(first.status, first.stderr).toBe(0);
    const before = readArtifacts(out);
    for (const readOnly of [out, user.home]) {
      chmodSync(readOnly, 0o555);
      const r = user.run(args(out));
      chmodSync(readOnly, 0o755);
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(readOnly === out ? `--out ${out} is read-only` : `the folder that holds it, ${user.home}, is read-only`);
      expect(r.stderr).toContain("nothing was written");
      expect(readArtifacts(out)).toEqual(before);
      expect(besideOut(out)).toEqual([]);
    }
  });
});

describe("--out that is a symbolic link", () => {
  it("is refused (exit 2) and left pointing where it pointed; --help says so", () => {
    const root = tempDir();
    const target = join(root, "elsewhere");
    mkdirSync(target);
    writeFileSync(join(target, "keep.txt"), "keep\n");
    const link = join(root, "out");
    symlinkSync(target, link);
    const r = replayScenario("healthy", link);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("symbolic link");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(target)).toEqual(["keep.txt"]);
    expect(runCli(["replay", "--help"]).stdout).toMatch(/--out[\s\S]*symbolic link[\s\S]*refused/);
  });
});
