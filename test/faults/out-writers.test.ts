// Fault suite: two writers, one --out. A writer owns --out for its whole write (a lock beside it,
// taken before anything is staged); a second is refused at once (exit 74) naming the folder and the
// holder's pid; no writer removes what another staged; the previous set stays until the new one is
// complete. A lock whose holder is provably dead (no such process, a pid now another process's, a
// machine restarted since) is recovered and said so; one from another host is refused, never judged.
// Real processes throughout: started together, a moment apart, stopped and SIGKILLed mid-write.

import { utimesSync, writeFileSync, readFileSync, appendFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FAULT_ENV } from "../../src/adapters/fault-points.js";
import { placeOf } from "../../src/adapters/out-dir.js";
import { type LockRecord, lockRecordOf } from "../../src/adapters/out-lock.js";
import { besideOut, type Exit, readArtifacts, runCli, startCli, tempDir } from "../helpers/cli.js";
import { stopped } from "./helpers.js";

const ROUNDS = 6;

/** Two generated scenarios big enough that two replays of them overlap, and the sets they write. */
const scenarios: Record<"a" | "b", { dir: string; set: Record<string, string> }> = { a: { dir: "", set: {} }, b: { dir: "", set: {} } };
beforeAll(() => {
  for (const [key, seed] of [["a", 15], ["b", 16]] as const) {
    const dir = join(tempDir(), "scenario");
    expect(runCli(["gen", "--seed", String(seed), "--events", "8000", "--out", dir]).status).toBe(0);
    const out = join(tempDir(), "out");
    expect(runCli(replayArgs(dir, out)).status).toBe(0);
    scenarios[key] = { dir, set: readArtifacts(out) };
  }
}, 120_000);

function replayArgs(dir: string, out: string): string[] {
  return ["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json"), "--out", out];
}

/** An --out holding scenario a's set, as a previous write left it. */
function previousSet(): string {
  const out = join(tempDir(), "out");
  expect(runCli(replayArgs(scenarios.a.dir, out)).status).toBe(0);
  return out;
}

/** Scenario b with a broker line that is not valid at its very end: found only after a long replay. */
function badInputScenario(): string {
  const dir = join(tempDir(), "bad");
  cpSync(scenarios.b.dir, dir, { recursive: true });
  appendFileSync(join(dir, "broker.jsonl"), '{"type":"fill","ts":"2099-01-01T00:00:00Z","event_id":"bad","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":"one","price":1}\n');
  return dir;
}

/** A refusal names --out and the holder's pid; returns that pid. */
function refusedBy(r: Exit, out: string): number {
  expect(r.code, r.stderr).toBe(74);
  const m = new RegExp(`--out ${out} is being written by another recon-proof, pid (\\d+) on `).exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  expect(r.stderr).toContain("nothing was written");
  return Number(m![1]);
}

const setOf = (out: string) => readArtifacts(out);

describe("two writers on one --out", () => {
  it(`started together, ${ROUNDS} times: one owns --out, the other is refused naming it; one complete set, nothing left beside`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const out = previousSet();
      const runs = { a: startCli(replayArgs(scenarios.a.dir, out)), b: startCli(replayArgs(scenarios.b.dir, out)) };
      const ends = { a: await runs.a.exit, b: await runs.b.exit };
      const wrote = (["a", "b"] as const).filter((k) => ends[k].code === 0);
      expect(wrote.length, `round ${round}: ${ends.a.stderr} ${ends.b.stderr}`).toBeGreaterThan(0);
      for (const k of ["a", "b"] as const) {
        if (ends[k].code === 0) continue;
        const other = k === "a" ? "b" : "a";
        expect(refusedBy(ends[k], out), `round ${round}`).toBe(runs[other].pid);
      }
      const held = setOf(out);
      expect(wrote.some((k) => JSON.stringify(scenarios[k].set) === JSON.stringify(held)), `round ${round}: --out holds a set one of them wrote`).toBe(true);
      expect(besideOut(out), `round ${round}`).toEqual([]);
    }
  }, 600_000);

  it("a slow healthy writer holds --out: a second, with bad input, is refused at once and removes nothing; the first then completes", async () => {
    const out = previousSet();
    const slow = startCli(replayArgs(scenarios.b.dir, out), { [FAULT_ENV]: "record@2000:stop" });
    await stopped(slow.pid);
    const staged = besideOut(out);
    const second = await startCli(replayArgs(badInputScenario(), out)).exit;
    expect(refusedBy(second, out)).toBe(slow.pid);
    expect(besideOut(out)).toEqual(staged); // the slow writer's lock and staging, as they were
    expect(staged.some((n) => n.startsWith(".out.recon-proof.staging-"))).toBe(true);
    expect(setOf(out)).toEqual(scenarios.a.set); // the previous set stays until the new one is complete
    process.kill(slow.pid, "SIGCONT");
    const done = await slow.exit;
    expect(done.code, done.stderr).toBe(0);
    expect(setOf(out)).toEqual(scenarios.b.set);
    expect(besideOut(out)).toEqual([]);
  }, 120_000);

  it("a writer with bad input holds --out: a healthy one is refused; the first fails (65) leaving --out untouched, and the second then writes", async () => {
    const out = previousSet();
    const bad = startCli(replayArgs(badInputScenario(), out), { [FAULT_ENV]: "record@2000:stop" });
    await stopped(bad.pid);
    const refused = await startCli(replayArgs(scenarios.b.dir, out)).exit;
    expect(refusedBy(refused, out)).toBe(bad.pid);
    process.kill(bad.pid, "SIGCONT");
    const failed = await bad.exit;
    expect(failed.code, failed.stderr).toBe(65);
    expect(setOf(out)).toEqual(scenarios.a.set);
    expect(besideOut(out)).toEqual([]);
    const again = await startCli(replayArgs(scenarios.b.dir, out)).exit;
    expect(again.code, again.stderr).toBe(0);
    expect(setOf(out)).toEqual(scenarios.b.set);
  }, 120_000);

  it("the holder SIGKILLed mid-write: its lock is recognised as dead and recovered (said on stderr), and the next replays write one complete set", async () => {
    const out = previousSet();
    const killed = await startCli(replayArgs(scenarios.b.dir, out), { [FAULT_ENV]: "record@2000:kill" }).exit;
    expect(killed.signal).toBe("SIGKILL");
    expect(besideOut(out)).toContain(".out.recon-proof.lock");
    // Two at once now: both find the dead writer's lock; one recovers it and writes.
    const runs = [startCli(replayArgs(scenarios.b.dir, out)), startCli(replayArgs(scenarios.b.dir, out))];
    const ends = await Promise.all(runs.map((r) => r.exit));
    expect(ends.filter((e) => e.code === 0).length, ends.map((e) => e.stderr).join("\n")).toBeGreaterThan(0);
    for (const [i, e] of ends.entries()) if (e.code !== 0) expect(refusedBy(e, out)).toBe(runs[1 - i]!.pid);
    expect(ends.map((e) => e.stderr).join("")).toMatch(new RegExp(`--out ${out}: the writer that held it, pid \\d+ on .*, is no longer running \\(no process has pid \\d+ any more\\)`));
    expect(setOf(out)).toEqual(scenarios.b.set);
    expect(besideOut(out)).toEqual([]);
  }, 120_000);
});

describe("a lock found beside --out", () => {
  /** Writes a lock beside `out` as process `pid` of this machine would, with `changes`. */
  function plantLock(out: string, pid: number, changes: Partial<LockRecord> = {}): string {
    const path = placeOf(out).lock;
    writeFileSync(path, JSON.stringify({ ...lockRecordOf(pid, "replay"), ...changes }) + "\n");
    return path;
  }

  it("held by a running process: refused (74) naming its pid, and left as it is", () => {
    const out = previousSet();
    const lock = plantLock(out, process.pid);
    const before = readFileSync(lock, "utf8");
    const r = runCli(replayArgs(scenarios.b.dir, out));
    expect(refusedBy({ code: r.status, signal: null, ...r }, out)).toBe(process.pid);
    expect(readFileSync(lock, "utf8")).toBe(before);
    expect(setOf(out)).toEqual(scenarios.a.set);
  });

  for (const [what, changes, why] of [
    ["a pid now held by another process (it started at another time)", { start_ticks: 1 }, `pid ${process.pid} now belongs to another process`],
    ["a machine restarted since", { boot_id: "an-earlier-boot" }, "the machine has restarted since"],
  ] as const) {
    it(`from ${what}: recovered, said on stderr, and the replay writes`, () => {
      const out = previousSet();
      plantLock(out, process.pid, changes);
      const r = runCli(replayArgs(scenarios.b.dir, out));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`is no longer running (${why})`);
      expect(setOf(out)).toEqual(scenarios.b.set);
      expect(besideOut(out)).toEqual([]);
    });
  }

  it("from another host: refused (74), naming the host and how to remove the lock; never judged from here", () => {
    const out = previousSet();
    const lock = plantLock(out, 1, { host: "elsewhere.example" });
    const r = runCli(replayArgs(scenarios.b.dir, out));
    expect(r.status, r.stderr).toBe(74);
    expect(r.stderr).toContain(`--out ${out} is locked by recon-proof pid 1 on elsewhere.example`);
    expect(r.stderr).toContain(`If that process is no longer running, remove ${lock} and run again`);
    expect(setOf(out)).toEqual(scenarios.a.set);
    expect(besideOut(out)).toEqual([".out.recon-proof.lock"]);
  });

  it("that was never completed: refused while it is new (its writer is writing it), recovered once it is old", () => {
    const out = previousSet();
    const lock = placeOf(out).lock;
    writeFileSync(lock, "");
    const fresh = runCli(replayArgs(scenarios.b.dir, out));
    expect(fresh.status, fresh.stderr).toBe(74);
    expect(fresh.stderr).toContain("its lock file");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const r = runCli(replayArgs(scenarios.b.dir, out));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("its lock file was never completed");
    expect(besideOut(out)).toEqual([]);
  });

  it("report takes the lock too: refused while a replay writes --out", () => {
    const out = previousSet();
    plantLock(out, process.pid);
    const r = runCli(["report", out]);
    expect(r.status, r.stderr).toBe(74);
    expect(r.stderr).toContain(`pid ${process.pid}`);
  });
});
