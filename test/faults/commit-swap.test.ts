// Fault suite, items 6 and 16 (--out a symbolic link): the artifact commit. A kill anywhere in it
// leaves --out holding the complete previous set or the complete new one, with the user's own files;
// a failure after the new set is in is reported as such (never "nothing written"); a read-only
// --out is refused before anything is written; a symbolic link --out is refused, not replaced.

import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_ENV } from "../../src/adapters/fault-points.js";
import { ARTIFACTS, readArtifacts, replayScenario, runCli, SCENARIOS, tempDir } from "../helpers/cli.js";
import { runCliAsOtherUser, setExpectedByScenario } from "./helpers.js";

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

const sets = setExpectedByScenario(["healthy", "orphan-manual-trade"]);

/** Which complete set `out` holds: "healthy" or "orphan-manual-trade" (fails on a mix or a gap). */
function completeSet(out: string): string {
  expect(existsSync(out), "--out must exist at every instant").toBe(true);
  const now = readArtifacts(out);
  const match = Object.entries(sets()).find(([, set]) => ARTIFACTS.every((n) => set[n] === now[n]));
  expect(match, "--out must hold one complete set").toBeDefined();
  return match![0];
}

describe("a kill during the artifact commit (fault suite, item 6)", () => {
  for (const point of ["commit-written", "commit-swapping", "commit-swapped", "commit-done"]) {
    it(`killed at ${point}: --out holds one complete set with the user's files, and the next run finishes`, () => {
      const out = join(tempDir(), "out");
      expect(replayScenario("healthy", out).status).toBe(0);
      addUserFiles(out);
      const killed = replayScenario("orphan-manual-trade", out, { [FAULT_ENV]: `${point}:kill` });
      expect(killed.status).toBe(-1); // died by the signal
      const held = completeSet(out);
      expect(held).toBe(point === "commit-written" ? "healthy" : point === "commit-swapping" ? held : "orphan-manual-trade");
      userFilesIntact(out);
      expect(replayScenario("orphan-manual-trade", out).status).toBe(3);
      expect(completeSet(out)).toBe("orphan-manual-trade");
      userFilesIntact(out);
      expect(readdirSync(out).sort()).toEqual([...ARTIFACTS, "mine", "notes.txt"].sort());
    });
  }
});

describe("a failure after the new set is in (fault suite, item 6)", () => {
  it("is a warning that says the artifacts are written; the exit code stays the replay's", () => {
    const out = join(tempDir(), "out");
    expect(replayScenario("healthy", out).status).toBe(0);
    addUserFiles(out);
    const r = replayScenario("orphan-manual-trade", out, { [FAULT_ENV]: "commit-swapped:fail" });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain("the artifacts are written");
    expect(r.stderr).not.toContain("no artifacts were written");
    expect(completeSet(out)).toBe("orphan-manual-trade");
    userFilesIntact(out);
  });
});

describe("a read-only --out (fault suite, item 6)", () => {
  it("is refused before anything is written (exit 74), and left as it was", () => {
    const root = tempDir();
    chmodSync(root, 0o777);
    const out = join(root, "out");
    const dir = join(SCENARIOS, "healthy");
    const args = (o: string) => ["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json"), "--out", o];
    expect(runCliAsOtherUser(args(out)).status).toBe(0);
    const before = readArtifacts(out);
    chmodSync(join(out, "."), 0o555);
    const r = runCliAsOtherUser(args(out));
    chmodSync(join(out, "."), 0o755);
    expect(r.status, r.stderr).toBe(74);
    expect(r.stderr).toContain("read-only");
    expect(r.stderr).toContain("nothing was written");
    expect(readArtifacts(out)).toEqual(before);
  });
});

describe("--out that is a symbolic link (fault suite, item 16)", () => {
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

describe("a real folder at --out (made by hand, or by an earlier version)", () => {
  it("is converted by its first write, keeping the user's files; a kill between its two renames is undone by the next write", () => {
    const out = join(tempDir(), "out");
    mkdirSync(out);
    addUserFiles(out);
    const killed = replayScenario("healthy", out, { [FAULT_ENV]: "commit-swapping:kill" });
    expect(killed.status).toBe(-1);
    // The one moment --out can be missing (README "Outputs"): the folder waits beside it.
    expect(existsSync(out)).toBe(false);
    expect(replayScenario("healthy", out).status).toBe(0);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(completeSet(out)).toBe("healthy");
    userFilesIntact(out);
  });
});
