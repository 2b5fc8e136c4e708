// Fault suite, items 1 and 12: a full disk. A write that writes short (a nearly full disk, a file
// size limit) is finished or fails: the replay exits 74 and --out is left as it was, never
// committed with metrics.txt cut mid-line and exit 0. Injected two ways: a writer that writes
// short (in process), and a real file size limit (`ulimit -f`, which makes the kernel write short
// and then refuse: EFBIG, the same path as ENOSPC).

import { spawnSync } from "node:child_process";
import { readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactSetWriter } from "../../src/adapters/artifacts.js";
import type { WriteFn } from "../../src/adapters/write-lines.js";
import { IoError } from "../../src/domain/errors.js";
import { ARTIFACTS, CLI, readArtifacts, replayScenario, SCENARIOS, tempDir } from "../helpers/cli.js";

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

describe("short writes (fault suite, item 1)", () => {
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
