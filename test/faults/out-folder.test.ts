// Fault suite: --out leaves a user's folder alone. A non-empty folder recon-proof did not write is
// refused (exit 2) and left as it is, unless --adopt-out says to use it; an empty one is used. What
// --out holds after a write is a real folder of plain files, marked as recon-proof's by a file that
// survives `cp -r` and `tar`. A folder of the earlier layout (a link into .DIR.recon-proof/<n>) is
// converted by its first write, nothing lost. proof, report and replay --shard write the same way.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_ENV } from "../../src/adapters/fault-points.js";
import { placeOf } from "../../src/adapters/out-dir.js";
import { ARTIFACTS, besideOut, readArtifacts, replayScenario, runCli, SCENARIOS, tempDir } from "../helpers/cli.js";
import { setExpectedByScenario } from "./helpers.js";

const sets = setExpectedByScenario(["healthy", "orphan-manual-trade"]);

/** Every file under `dir` (relative path -> text), hidden ones too. */
function filesUnder(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir, { recursive: true }).map(String).sort()
    .filter((f) => lstatSync(join(dir, f)).isFile()).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** A folder of the user's own, with a trades.csv of theirs in it. */
function usersFolder(): string {
  const out = join(tempDir(), "out");
  mkdirSync(out);
  writeFileSync(join(out, "trades.csv"), "my own trades\n");
  writeFileSync(join(out, "notes.txt"), "mine\n");
  return out;
}

/** The healthy scenario, copied into a folder named `name`. */
function scenarioCopy(name: string): string {
  const dir = join(tempDir(), name);
  cpSync(join(SCENARIOS, "healthy"), dir, { recursive: true });
  return dir;
}

/** A real folder of plain files holding the set and the marker. */
function plainSet(dir: string, set: string): void {
  expect(lstatSync(dir).isDirectory(), `${dir} is a real folder`).toBe(true);
  for (const name of [...ARTIFACTS, ".recon-proof"]) expect(lstatSync(join(dir, name)).isFile(), `${name} is a plain file`).toBe(true);
  expect(readArtifacts(dir)).toEqual(sets()[set]);
}

describe("a folder recon-proof did not write", () => {
  it("is refused (exit 2) by replay, merge, minimize and proof, saying why and what to do; left as it is, nothing beside it", () => {
    const out = usersFolder();
    const before = filesUnder(out);
    const healthy = join(SCENARIOS, "healthy");
    const inputs = ["--journal", join(healthy, "journal.jsonl"), "--broker", join(healthy, "broker.jsonl"), "--config", join(healthy, "config.json")];
    const scenario = scenarioCopy("out"); // proof writes <root>/<the scenario's name>
    const writers = [
      ["replay", ...inputs, "--out", out],
      ["merge", "--out", out, join(tempDir(), "no-shard")],
      ["minimize", ...inputs, "--keep", "exit: 0", "--out", out],
      ["proof", "--artifacts", dirname(out), scenario],
    ];
    for (const args of writers) {
      const r = runCli(args);
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args[0]).toContain("is a folder recon-proof did not write");
      expect(r.stderr, args[0]).toContain("Name a new or empty folder, or pass --adopt-out");
      expect(filesUnder(out), args[0]).toEqual(before);
      expect(besideOut(out), args[0]).toEqual([]);
    }
  });

  it("with --adopt-out: the set is written into it, its other files kept, and it is recon-proof's from then on", () => {
    const out = usersFolder();
    const r = replayScenario("healthy", out, {}, ["--adopt-out"]);
    expect(r.status, r.stderr).toBe(0);
    plainSet(out, "healthy");
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine\n");
    expect(replayScenario("orphan-manual-trade", out).status).toBe(3); // no flag needed now
    plainSet(out, "orphan-manual-trade");
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine\n");
    expect(besideOut(out)).toEqual([]);
  });

  it("an empty folder is used without the flag", () => {
    const out = join(tempDir(), "out");
    mkdirSync(out);
    expect(replayScenario("healthy", out).status).toBe(0);
    plainSet(out, "healthy");
  });
});

describe("what --out holds after a write", () => {
  it("copies as plain files with cp -r and tar, and a copy is recognised as recon-proof's", () => {
    const out = join(tempDir(), "out");
    expect(replayScenario("healthy", out).status).toBe(0);
    expect(replayScenario("orphan-manual-trade", out).status).toBe(3);
    const copy = join(tempDir(), "copy");
    expect(spawnSync("cp", ["-r", out, copy]).status).toBe(0);
    plainSet(copy, "orphan-manual-trade");
    const unpacked = tempDir();
    const tar = spawnSync("sh", ["-c", 'tar -cf - -C "$1" out | tar -xf - -C "$2"', "sh", dirname(out), unpacked]);
    expect(tar.status, tar.stderr.toString()).toBe(0);
    plainSet(join(unpacked, "out"), "orphan-manual-trade");
    expect(besideOut(out)).toEqual([]);
    expect(replayScenario("healthy", copy).status).toBe(0);
    plainSet(copy, "healthy");
  });
});

describe("a folder of the earlier layout (DIR a link to .DIR.recon-proof/<n>)", () => {
  /** DIR -> .out.recon-proof/3, holding the healthy set and the user's files; a file the user left in set 2. */
  function earlierLayout(): string {
    const out = join(tempDir(), "out");
    const sets_ = join(dirname(out), ".out.recon-proof");
    mkdirSync(join(sets_, "3", "mine"), { recursive: true });
    for (const name of ARTIFACTS) writeFileSync(join(sets_, "3", name), sets()["healthy"]![name]!);
    writeFileSync(join(sets_, "3", "notes.txt"), "mine\n");
    writeFileSync(join(sets_, "3", "mine", "x.txt"), "also mine\n");
    mkdirSync(join(sets_, "2"));
    writeFileSync(join(sets_, "2", "late.txt"), "added late\n");
    symlinkSync(".out.recon-proof/3", out);
    return out;
  }

  function userFilesKept(out: string): void {
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(out, "mine", "x.txt"), "utf8")).toBe("also mine\n");
  }

  it("is converted by its first write into a real folder, with every file of the user's", () => {
    const out = earlierLayout();
    const r = replayScenario("orphan-manual-trade", out);
    expect(r.status, r.stderr).toBe(3);
    plainSet(out, "orphan-manual-trade");
    userFilesKept(out);
    expect(readFileSync(join(out, "late.txt"), "utf8")).toBe("added late\n");
    expect(besideOut(out)).toEqual([]);
  });

  it("a kill between the conversion's renames leaves the complete set beside it; the next write puts it in place", () => {
    const out = earlierLayout();
    expect(replayScenario("orphan-manual-trade", out, { [FAULT_ENV]: "commit-swapping:kill" }).status).toBe(-1);
    expect(existsSync(out)).toBe(false);
    expect(readArtifacts(placeOf(out).ready)).toEqual(sets()["orphan-manual-trade"]);
    expect(replayScenario("healthy", out).status).toBe(0);
    plainSet(out, "healthy");
    userFilesKept(out);
    expect(besideOut(out)).toEqual([]);
  });

  it("a conversion an earlier version left half done (the folder in .DIR.recon-proof/previous) is put back and written", () => {
    const out = join(tempDir(), "out");
    const previous = join(dirname(out), ".out.recon-proof", "previous");
    mkdirSync(join(previous, "mine"), { recursive: true });
    writeFileSync(join(previous, "notes.txt"), "mine\n");
    writeFileSync(join(previous, "mine", "x.txt"), "also mine\n");
    expect(replayScenario("healthy", out).status).toBe(0);
    plainSet(out, "healthy");
    userFilesKept(out);
    expect(besideOut(out)).toEqual([]);
  });
});

describe("the other writers of an output folder", () => {
  it("proof writes artifacts/<name>/ as a folder of plain files; report adds report.html into it; a shard's folder is plain too", () => {
    const scenario = scenarioCopy("healthy");
    const root = join(tempDir(), "artifacts");
    for (let i = 0; i < 2; i++) expect(runCli(["proof", "--artifacts", root, scenario]).status).toBe(0);
    plainSet(join(root, "healthy"), "healthy");
    expect(runCli(["report", join(root, "healthy")]).status).toBe(0);
    expect(lstatSync(join(root, "healthy", "report.html")).isFile()).toBe(true);
    expect(readdirSync(root)).toEqual(["healthy"]);
    const shard = join(tempDir(), "shard");
    const h = join(SCENARIOS, "healthy");
    for (let i = 0; i < 2; i++) {
      const r = runCli(["replay", "--journal", join(h, "journal.jsonl"), "--broker", join(h, "broker.jsonl"), "--config", join(h, "config.json"), "--shard", "1/2", "--out", shard]);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(lstatSync(shard).isDirectory()).toBe(true);
    expect(readdirSync(shard).sort()).toEqual([".recon-proof", "groups.jsonl", "shard.json"]);
    expect(besideOut(shard)).toEqual([]);
  });
});
