// Fault suite: a full disk. A write that writes short (a nearly full disk, a file size limit) is
// finished or fails: the replay exits 74 and --out is left as it was, never committed with
// metrics.txt cut mid-line and exit 0. Every other command that writes (stdout redirected to a file
// included) does the same: exit 74 naming the path, nothing claimed (no "wrote", no count of
// records written), no stack trace, no temporary file left. Injected three ways: a real small tmpfs
// filled up (when the suite runs as root), the test-only disk fault (RECON_PROOF_TEST_FAULT=write@N,
// everywhere), and a real file size limit (`ulimit -f`, which makes the kernel write short and then
// refuse: EFBIG, the same path as ENOSPC).

import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactSetWriter } from "../../src/adapters/artifacts.js";
import { initCache } from "../../src/adapters/cache/schema.js";
import { FAULT_ENV } from "../../src/adapters/fault-points.js";
import type { WriteFn } from "../../src/adapters/write-lines.js";
import { IoError } from "../../src/domain/errors.js";
import { ARTIFACTS, CLI, readArtifacts, REPO, replayScenario, runCli, SCENARIOS, tempDir } from "../helpers/cli.js";
import { fillDisk, mountTmpfs, unmountTmpfs } from "./helpers.js";

const FILES = { "reconcile-report.json": "{\n" + "  \"x\": 1,\n".repeat(2000) + "}\n", "summary.txt": "reconcile_summary stale=0\n", "metrics.txt": "m 1\n".repeat(1200) };

function writeSet(out: string, write: WriteFn): string[] {
  const w = new ArtifactSetWriter(out, "ts,qty\n", undefined, write);
  try {
    w.appendStreamed("a,1\n".repeat(5000));
    return w.commit(FILES);
  } catch (err) {
    w.abort();
    throw err;
  }
}

describe("short writes", () => {
  it("a writer that writes at most 1000 bytes a call still commits every byte", () => {
    const out = join(tempDir(), "out");
    writeSet(out, (fd, buf, off, len) => writeSync(fd, buf, off, Math.min(len, 1000)));
    const got = readArtifacts(out);
    expect(got["metrics.txt"]).toBe(FILES["metrics.txt"]);
    expect(got["reconcile-report.json"]).toBe(FILES["reconcile-report.json"]);
    expect(got["trades.csv"]).toBe("ts,qty\n" + "a,1\n".repeat(5000));
  });

  it("a disk that fills up: an I/O error, and --out keeps the previous set", () => {
    const out = join(tempDir(), "out");
    expect(replayScenario("healthy", out).status).toBe(0);
    const before = readArtifacts(out);
    let room = 20_000;
    const fillingUp: WriteFn = (fd, buf, off, len) => {
      if (room === 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      const n = Math.min(len, room);
      room -= n;
      return writeSync(fd, buf, off, n);
    };
    expect(() => writeSet(out, fillingUp)).toThrow(IoError);
    expect(readArtifacts(out)).toEqual(before);
  });

  it("through the CLI under a 4 KiB file size limit: exit 74, --out untouched, no metrics.txt cut short", () => {
    const out = join(tempDir(), "out");
    expect(replayScenario("healthy", out).status).toBe(0);
    const before = readArtifacts(out);
    const dir = join(SCENARIOS, "healthy");
    const r = spawnSync("bash", ["-c", `ulimit -f 4 && exec "$0" "$@"`, process.execPath, CLI, "replay",
      "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json"), "--out", out], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(74);
    expect(r.stderr).toContain("cannot write artifacts");
    expect(readArtifacts(out)).toEqual(before);
    for (const name of ARTIFACTS) expect(readFileSync(join(out, name), "utf8").endsWith("\n")).toBe(true);
  });
});

// ------------------------------------------------------------------ every command that writes

const ORPHAN = join(SCENARIOS, "orphan-manual-trade");
const scenarioArgs = (dir: string) => ["--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json")];

/** What the commands read, made once on a disk with room: a replay's artifacts, its shards, a cache, a journal database. */
interface Inputs { artifacts: string; shards: string[]; cache: string; journalDb: string }

/** An engine journal of `orders` orders (a few hundred bytes of output each). */
function journalDb(orders: number): string {
  const path = join(tempDir(), "journal.db");
  const db = new Database(path);
  db.exec(readFileSync(join(REPO, "fixtures", "e2e", "journal-sqlite", "journal.sql"), "utf8").split("\n").filter((l) => l.startsWith("CREATE")).join("\n"));
  const insert = db.prepare("INSERT INTO broker_orders VALUES (?, ?, 'EURUSD', 'long', 1000, 1.085, NULL, NULL, 'open', ?, NULL, '{}')");
  for (let i = 0; i < orders; i++) insert.run(String(7000 + i), `AXFL::lsg::EURUSD::20251020080000::${String(i).padStart(8, "0")}`, `2025-10-20T08:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}+00:00`);
  db.close();
  return path;
}

function makeInputs(): Inputs {
  const artifacts = join(tempDir(), "artifacts");
  expect(runCli(["replay", ...scenarioArgs(ORPHAN), "--out", artifacts]).status).toBe(3);
  const shards = [1, 2].map((k) => {
    const out = join(tempDir(), `shard${k}`);
    expect(runCli(["replay", ...scenarioArgs(ORPHAN), "--shard", `${k}/2`, "--out", out]).status).toBe(0);
    return out;
  });
  const cache = join(tempDir(), "cache.db");
  initCache(cache);
  return { artifacts, shards, cache, journalDb: journalDb(100) };
}

/**
 * A command that writes, with its output in `out` (a folder on the disk under test): its
 * arguments, and the file its stdout goes to (in `out`), if any. `room` is a folder on a disk with
 * room, for what a command writes before its stdout (proof's and replay's artifacts).
 */
interface Writer {
  readonly name: string;
  readonly args: (out: string, inputs: Inputs, room: string) => string[];
  readonly stdout?: string;
  /** Folders the command writes into, made before the disk fills (report writes beside the artifacts). */
  readonly prepare?: (out: string, inputs: Inputs) => void;
  /** SQLite writes the file itself: the disk fault cannot reach it, a file size limit can. */
  readonly sqlite?: boolean;
}

const copyArtifactsInto = (out: string, inputs: Inputs) => {
  mkdirSync(join(out, "artifacts"));
  for (const name of ARTIFACTS) copyFileSync(join(inputs.artifacts, name), join(out, "artifacts", name));
};

const WRITERS: readonly Writer[] = [
  { name: "import (stdout to a file)", stdout: "broker.jsonl", args: () => ["import", "oanda", join(REPO, "fixtures", "e2e", "oanda", "transactions-stream.jsonl")] },
  { name: "import journal-sqlite (stdout to a file)", stdout: "journal.jsonl", args: (_o, i) => ["import", "journal-sqlite", i.journalDb] },
  { name: "gen --out", args: (o) => ["gen", "--seed", "3", "--events", "400", "--out", join(o, "gen")] },
  { name: "cache init", sqlite: true, args: (o) => ["cache", "init", join(o, "cache.db")] },
  { name: "cache dump", stdout: "dump.json", args: (_o, i) => ["cache", "dump", i.cache] },
  { name: "explain", stdout: "explain.txt", args: (_o, i) => ["explain", i.artifacts, "F00001", "--inputs", ORPHAN] },
  { name: "explain --json", stdout: "explain.json", args: (_o, i) => ["explain", i.artifacts, "F00001", "--json"] },
  { name: "expect (stdout)", stdout: "expect.txt", args: (_o, i) => ["expect", i.artifacts] },
  { name: "expect --out", args: (o, i) => ["expect", i.artifacts, "--out", join(o, "expect.txt")] },
  { name: "verify", stdout: "verify.txt", args: (_o, i) => ["verify", "--artifacts", i.artifacts, "--expect", join(ORPHAN, "expect.txt"), "--exit-code", "3"] },
  { name: "verify --json", stdout: "verify.json", args: (_o, i) => ["verify", "--artifacts", i.artifacts, "--expect", join(ORPHAN, "expect.txt"), "--json"] },
  { name: "report (report.html)", prepare: copyArtifactsInto, args: (o) => ["report", join(o, "artifacts"), "--inputs", ORPHAN] },
  { name: "merge --out", args: (o, i) => ["merge", "--out", join(o, "merge-out"), ...i.shards] },
  { name: "minimize --out", args: (o) => ["minimize", ...scenarioArgs(ORPHAN), "--keep", "summary.txt: orphan=1", "--out", join(o, "minimized")] },
  { name: "replay --json", stdout: "replay.json", args: (_o, _i, room) => ["replay", ...scenarioArgs(ORPHAN), "--out", join(room, "replayed"), "--json"] },
  { name: "proof (its lines on stdout)", stdout: "proof.txt", args: (_o, _i, room) => ["proof", "--artifacts", room, ORPHAN] },
];

/** Every file under `dir`, hidden ones and those in hidden folders included. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name)).sort();
}

/**
 * Runs a writer with its output in `out`; the command's scratch files go there too (TMPDIR).
 * Returns its exit code and stderr, and the folder with room it was given.
 */
function runWriter(w: Writer, out: string, inputs: Inputs, env: Record<string, string> = {}, shellPrefix = "") {
  const fd = w.stdout === undefined ? "ignore" : openSync(join(out, w.stdout), "w");
  const room = tempDir();
  try {
    const argv = [CLI, ...w.args(out, inputs, room)];
    const r = shellPrefix === ""
      ? spawnSync(process.execPath, argv, { encoding: "utf8", env: { ...process.env, TMPDIR: out, ...env }, stdio: ["ignore", fd, "pipe"], cwd: REPO })
      : spawnSync("bash", ["-c", `${shellPrefix} && exec "$0" "$@"`, process.execPath, ...argv], { encoding: "utf8", env: { ...process.env, TMPDIR: out, ...env }, stdio: ["ignore", fd, "pipe"], cwd: REPO });
    return { status: r.status, stderr: r.stderr, room };
  } finally {
    if (typeof fd === "number") closeSync(fd);
  }
}

/** The promises of a failed write: 74, the path named, nothing claimed, no trace, nothing new left in `out`. */
function failedCleanly(r: { status: number | null; stderr: string; room: string }, out: string, before: readonly string[], w: Writer): void {
  expect(r.status, r.stderr).toBe(74);
  const place = (dir: string) => dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  expect(r.stderr).toMatch(new RegExp(`cannot (write|create)[^\\n]*(${place(out)}|${place(r.room)})`));
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(r.stderr).not.toMatch(/\bwrote\b|\bmerged\b| records? from |created an empty/);
  const stdoutFile = w.stdout === undefined ? [] : [join(out, w.stdout)];
  expect(filesUnder(out).filter((f) => !before.includes(f) && !stdoutFile.includes(f))).toEqual([]);
}

describe("every command that writes, on a disk with no space left (a small tmpfs, as root)", () => {
  let disk: { dir: string } | { skip: string };
  let inputs: Inputs;
  beforeAll(() => {
    disk = mountTmpfs(256);
    inputs = makeInputs();
    if ("skip" in disk) process.stderr.write(`full-disk tests on a tmpfs skipped (the injected disk fault below covers them): ${disk.skip}\n`);
  });
  afterAll(() => {
    if (disk !== undefined && !("skip" in disk)) unmountTmpfs(disk.dir);
  });

  for (const w of WRITERS) {
    it(`${w.name}: exit 74 naming the path, nothing claimed, nothing left behind`, (ctx) => {
      if ("skip" in disk) ctx.skip();
      const root = (disk as { dir: string }).dir;
      const out = join(root, w.name.replace(/\W+/g, "-"));
      mkdirSync(out);
      w.prepare?.(out, inputs);
      const before = filesUnder(root);
      const filler = fillDisk(root);
      try {
        const r = runWriter(w, out, inputs);
        failedCleanly(r, out, [...before, filler], w);
        if (w.stdout !== undefined) expect(r.stderr).toContain(`cannot write stdout (${join(out, w.stdout)}): no space left on device (ENOSPC)`);
      } finally {
        rmSync(filler);
        rmSync(out, { recursive: true, force: true });
      }
    });
  }

  it("import to a file on a disk that fills part way: exit 74, the output said to be incomplete, no count of records claimed", (ctx) => {
    if ("skip" in disk) ctx.skip();
    const root = (disk as { dir: string }).dir;
    const filler = fillDisk(root, 4096);
    try {
      const w = WRITERS[1]!;
      const r = runWriter(w, root, inputs);
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`cannot write stdout (${join(root, "journal.jsonl")}): no space left on device (ENOSPC); what was written there is incomplete`);
      expect(r.stderr).not.toContain("records from");
      const written = readFileSync(join(root, "journal.jsonl"), "utf8");
      expect(written.length).toBeGreaterThan(0); // cut part way: the point of the test
    } finally {
      rmSync(filler);
      rmSync(join(root, "journal.jsonl"), { force: true });
    }
  });
});

describe("every command that writes, with the disk fault injected (everywhere)", () => {
  let inputs: Inputs;
  beforeAll(() => {
    inputs = makeInputs();
  });

  for (const [fault, code] of [["write@0:ENOSPC", "ENOSPC"], ["write@0:EIO", "EIO"]] as const) {
    for (const w of WRITERS.filter((x) => x.sqlite !== true)) {
      it(`${w.name}, ${fault}: exit 74 naming the path and the error, nothing claimed, nothing left behind`, () => {
        const out = tempDir();
        w.prepare?.(out, inputs);
        const before = filesUnder(out);
        const r = runWriter(w, out, inputs, { [FAULT_ENV]: fault });
        failedCleanly(r, out, before, w);
        expect(r.stderr).toContain(code);
      });
    }
  }

  it("import to a file, the disk full after 1000 bytes: exit 74, the output said to be incomplete, no count of records claimed", () => {
    const out = tempDir();
    const r = runWriter(WRITERS[1]!, out, inputs, { [FAULT_ENV]: "write@1000:ENOSPC" });
    expect(r.status, r.stderr).toBe(74);
    expect(r.stderr).toContain(`cannot write stdout (${join(out, "journal.jsonl")}): no space left on device (ENOSPC); what was written there is incomplete`);
    expect(r.stderr).not.toContain("records from");
    expect(readFileSync(join(out, "journal.jsonl")).length).toBe(1000);
  });

  it("cache init under a file size limit (the disk fault cannot reach SQLite's writes): exit 74, no file left, and a second init succeeds", () => {
    const out = tempDir();
    const w = WRITERS.find((x) => x.sqlite === true)!;
    failedCleanly(runWriter(w, out, inputs, {}, "ulimit -f 1"), out, [], w);
    expect(existsSync(join(out, "cache.db"))).toBe(false);
    expect(runCli(["cache", "init", join(out, "cache.db")]).status).toBe(0);
  });

  it("stdout on /dev/full (a device every write to fails with ENOSPC): exit 74 naming it", () => {
    if (!existsSync("/dev/full")) return;
    const fd = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [CLI, "import", "oanda", join(REPO, "fixtures", "e2e", "oanda", "transactions-stream.jsonl")], { encoding: "utf8", stdio: ["ignore", fd, "pipe"] });
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain("cannot write stdout (/dev/full): no space left on device (ENOSPC)");
      expect(r.stderr).not.toContain("records from");
      const help = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8", stdio: ["ignore", fd, "pipe"] });
      expect(help.status, help.stderr).toBe(74);
      expect(help.stderr).not.toMatch(/\n\s+at /);
    } finally {
      closeSync(fd);
    }
  });
});
