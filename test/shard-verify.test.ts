// `merge` verifies what it merges: a shard's files changed after `replay --shard` wrote them, or
// damaged so that they no longer have the shape it writes, or shards that are not the N shards of
// one replay, are refused (exit 65, naming the shard's folder and file, and the line and field
// where one is at fault), never merged into a set that differs from the unsharded replay's, and
// never a crash. The scenario: three symbols over three shards, an orphan at its end that engages
// the kill switch (exit 3), found by one shard.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { renderShardManifest, type ShardManifest } from "../src/shard/codec.js";
import { ARTIFACTS, runCli, tempDir } from "./helpers/cli.js";
import { SET_MARKER, SET_MARKER_TEXT } from "../src/adapters/out-dir.js";

const work = tempDir("recon-proof-shard-verify-");
const gen = join(work, "gen");
const inputs = (config = join(gen, "config.json")) => ["--journal", join(gen, "journal.jsonl"), "--broker", join(gen, "broker.jsonl"), "--config", config];
const shardDir = (k: number, tag = "s") => join(work, `${tag}${k}`);
const SHARDS = [1, 2, 3].map((k) => shardDir(k));

let whole: ReturnType<typeof runCli>;
beforeAll(() => {
  expect(runCli(["gen", "--seed", "42", "--events", "2000", "--faults", "disconnect,duplicate-delivery,drop-ack,crash-restart,orphan", "--out", gen]).status).toBe(0);
  whole = runCli(["replay", ...inputs(), "--out", join(work, "whole")]);
  expect(whole.status, whole.stderr).toBe(3);
  for (const [i, d] of SHARDS.entries()) expect(runCli(["replay", ...inputs(), "--shard", `${i + 1}/3`, "--out", d]).status).toBe(0);
}, 120_000);

/** A copy of shard `k`'s files in a folder of its own, each passed through `edit` (by file name). */
function copyShard(k: number, tag: string, edit: (name: string, text: string) => string = (_n, t) => t): string {
  const dir = join(work, tag);
  mkdirSync(dir);
  for (const name of ["shard.json", "groups.jsonl"]) writeFileSync(join(dir, name), edit(name, readFileSync(join(shardDir(k), name), "utf8")));
  return dir;
}

/** The shard whose groups hold the orphan (and the kill switch it engages), and that line's index. */
function orphanShard(): { k: number; line: number } {
  for (const k of [1, 2, 3]) {
    const line = readFileSync(join(shardDir(k), "groups.jsonl"), "utf8").split("\n").findIndex((l) => l.includes("\"orphan_broker_order\""));
    if (line >= 0) return { k, line };
  }
  throw new Error("the scenario has an orphan");
}

const editLine = (text: string, index: number, edit: (group: Record<string, unknown>) => void) => {
  const lines = text.split("\n");
  const group = JSON.parse(lines[index]!) as Record<string, unknown>;
  edit(group);
  lines[index] = JSON.stringify(group);
  return lines.join("\n");
};

const editJson = (text: string, edit: (manifest: Record<string, any>) => void) => {
  const m = JSON.parse(text) as Record<string, any>;
  edit(m);
  return JSON.stringify(m, null, 2) + "\n";
};

/** Merges the three shards with shard `k` replaced by `dir`, into an --out that holds a file of the user's. */
function mergeWith(k: number, dir: string): { status: number; stderr: string; out: string } {
  const out = join(work, `out-${dir.split("/").pop()}`);
  mkdirSync(out);
  writeFileSync(join(out, SET_MARKER), SET_MARKER_TEXT); // a set recon-proof wrote before, holding a file of the user's
  writeFileSync(join(out, "notes.txt"), "mine\n");
  const r = runCli(["merge", "--out", out, ...SHARDS.map((d, i) => (i + 1 === k ? dir : d))]);
  return { ...r, out };
}

function expectRefused(r: { status: number; stderr: string; out: string }, names: RegExp): void {
  expect(r.status, r.stderr).toBe(65);
  expect(r.stderr).toMatch(names);
  expect(r.stderr).not.toMatch(/\n\s+at |TypeError|invariant/);
  expect(readdirSync(r.out)).toEqual([SET_MARKER, "notes.txt"]);
  expect(readFileSync(join(r.out, "notes.txt"), "utf8")).toBe("mine\n");
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("merge refuses shard files changed after they were written (exit 65, the shard's folder and file named)", () => {
  it("the shards as written merge into the unsharded artifacts (the edits below are all that differs)", () => {
    const out = join(work, "merged");
    const r = runCli(["merge", "--out", out, ...SHARDS]);
    expect(r.status, r.stderr).toBe(3);
    for (const name of ARTIFACTS) expect(readFileSync(join(out, name), "utf8"), name).toBe(readFileSync(join(work, "whole", name), "utf8"));
  });

  it("a price edited in a groups.jsonl", () => {
    const dir = copyShard(1, "price", (name, text) => (name === "groups.jsonl" ? text.replace(/"price":\{"\$dec":"(\d+)\./, "\"price\":{\"$dec\":\"9$1.") : text));
    expect(readFileSync(join(dir, "groups.jsonl"), "utf8")).not.toBe(readFileSync(join(shardDir(1), "groups.jsonl"), "utf8"));
    expectRefused(mergeWith(1, dir), new RegExp(`${esc(dir)}/groups\\.jsonl.*sha256`));
  });

  it("an engine position edited in a shard.json", () => {
    const dir = copyShard(2, "position", (name, text) => (name === "shard.json" ? editJson(text, (m) => {
      m.state.positions[0].engineQty.$dec = "1";
    }) : text));
    expectRefused(mergeWith(2, dir), new RegExp(`${esc(dir)}/shard\\.json.*sha256`));
  });

  it("the orphan count zeroed in a shard.json (the truth engages the kill switch for it)", () => {
    const { k } = orphanShard();
    const dir = copyShard(k, "orphan-count", (name, text) => (name === "shard.json" ? editJson(text, (m) => {
      m.state.counts.orphan = 0;
    }) : text));
    expectRefused(mergeWith(k, dir), new RegExp(`${esc(dir)}/shard\\.json`));
  });

  it("the finding group that engages the kill switch emptied (merged, it would read healthy)", () => {
    const { k, line } = orphanShard();
    const dir = copyShard(k, "emptied", (name, text) => (name === "groups.jsonl" ? editLine(text, line, (g) => {
      g["findings"] = [];
      g["kills"] = [];
    }) : text));
    expectRefused(mergeWith(k, dir), new RegExp(`${esc(dir)}/groups\\.jsonl`));
  });

  it("groups.jsonl files swapped between two shards' folders", () => {
    const dir = copyShard(1, "swapped", (name, text) => (name === "groups.jsonl" ? readFileSync(join(shardDir(2), "groups.jsonl"), "utf8") : text));
    expectRefused(mergeWith(1, dir), new RegExp(`${esc(dir)}/groups\\.jsonl`));
  });

  it("a groups.jsonl cut short", () => {
    const dir = copyShard(2, "cut", (name, text) => (name === "groups.jsonl" ? text.slice(0, Math.floor(text.length / 2)) : text));
    expectRefused(mergeWith(2, dir), new RegExp(`${esc(dir)}/groups\\.jsonl:\\d+: field "\\(line\\)"`));
  });
});

describe("merge recomputes what the groups determine rather than trusting shard.json", () => {
  // Someone who rewrites the digests too gets past them; what the groups say still holds.
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const reDigested = (text: string, edit: (m: Record<string, any>) => void) => {
    const m = JSON.parse(text) as Record<string, any>;
    delete m["sha256"];
    edit(m);
    return renderShardManifest(m as unknown as ShardManifest);
  };

  it("an orphan count zeroed, the manifest's digest rewritten: refused, the count named against the groups", () => {
    const { k } = orphanShard();
    const dir = copyShard(k, "orphan-redigested", (name, text) => (name === "shard.json" ? reDigested(text, (m) => {
      m.state.counts.orphan = 0;
    }) : text));
    expectRefused(mergeWith(k, dir), new RegExp(`${esc(dir)}/shard\\.json.*"state\\.counts\\.orphan"`));
  });

  it("the kill switch's group emptied and every digest rewritten: refused, the orphan count names the disagreement", () => {
    const { k, line } = orphanShard();
    const groups = editLine(readFileSync(join(shardDir(k), "groups.jsonl"), "utf8"), line, (g) => {
      g["findings"] = [];
      g["kills"] = [];
    });
    const dir = copyShard(k, "emptied-redigested", (name, text) => (name === "groups.jsonl" ? groups : reDigested(text, (m) => {
      m.groupsSha256 = sha256(groups);
    })));
    expectRefused(mergeWith(k, dir), new RegExp(`${esc(dir)}/shard\\.json.*"state\\.counts\\.`));
  });

  it("a critical finding whose kill switch engagement was removed, digests rewritten: refused at its line", () => {
    const { k, line } = orphanShard();
    const groups = editLine(readFileSync(join(shardDir(k), "groups.jsonl"), "utf8"), line, (g) => {
      g["kills"] = [];
    });
    const dir = copyShard(k, "unkilled-redigested", (name, text) => (name === "groups.jsonl" ? groups : reDigested(text, (m) => {
      m.groupsSha256 = sha256(groups);
    })));
    expectRefused(mergeWith(k, dir), new RegExp(`${esc(dir)}/groups\\.jsonl:${line + 1}: field "findings\\[\\d+\\]`));
  });
});

describe("merge refuses shards that are not the N shards of one replay (exit 65)", () => {
  const refusedSet = (dirs: string[], names: RegExp) => {
    const out = join(work, `set-${Math.random().toString(36).slice(2)}`);
    const r = runCli(["merge", "--out", out, ...dirs]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toMatch(names);
    expect(existsSync(out)).toBe(false);
  };

  it("a shard given twice (and so one missing)", () => {
    refusedSet([SHARDS[0]!, SHARDS[0]!, SHARDS[1]!], /shard 1 twice|each shard once/);
  });

  it("a shard missing", () => {
    refusedSet([SHARDS[0]!, SHARDS[2]!], /all 3 shards.*2 folder.*shard 2/);
  });

  it("a shard of the same inputs replayed with another config", () => {
    const config = join(work, "other-config.json");
    writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(join(gen, "config.json"), "utf8")), drift_tolerance_pips: 0.7 }));
    const other = shardDir(3, "cfg");
    expect(runCli(["replay", ...inputs(config), "--shard", "3/3", "--out", other]).status).toBe(0);
    refusedSet([SHARDS[0]!, SHARDS[1]!, other], new RegExp(`${esc(other)}/shard\\.json.*config`));
  });

  it("a shard of the same inputs cut into another number of shards", () => {
    const other = shardDir(3, "n4-");
    expect(runCli(["replay", ...inputs(), "--shard", "3/4", "--out", other]).status).toBe(0);
    refusedSet([SHARDS[0]!, SHARDS[1]!, other], new RegExp(`${esc(other)}/shard\\.json.*3 shards`));
  });

  it("a shard of other inputs", () => {
    const otherGen = join(work, "gen-other");
    expect(runCli(["gen", "--seed", "43", "--events", "400", "--out", otherGen]).status).toBe(0);
    const other = shardDir(2, "inputs");
    expect(runCli(["replay", "--journal", join(otherGen, "journal.jsonl"), "--broker", join(otherGen, "broker.jsonl"), "--config", join(gen, "config.json"),
      "--shard", "2/3", "--out", other]).status).toBe(0);
    refusedSet([SHARDS[0]!, other, SHARDS[2]!], new RegExp(`${esc(other)}/shard\\.json.*meta\\.journal`));
  });
});

describe("a damaged shard is bad input, never a crash (exit 65, file:line and the field)", () => {
  it("a group line without its alerts", () => {
    const dir = copyShard(1, "no-alerts", (name, text) => (name === "groups.jsonl" ? editLine(text, 0, (g) => delete g["alerts"]) : text));
    expectRefused(mergeWith(1, dir), new RegExp(`${esc(dir)}/groups\\.jsonl:1: field "alerts": expected an array, got nothing`));
  });

  it("a run of the wrong shape", () => {
    const dir = copyShard(2, "bad-run", (name, text) => (name === "groups.jsonl" ? editLine(text, 0, (g) => {
      g["run"] = { run: 5, divergence: false };
    }) : text));
    expectRefused(mergeWith(2, dir), new RegExp(`${esc(dir)}/groups\\.jsonl:1: field "run\\.run": expected an object, got 5`));
  });

  it("positions: null in a shard.json", () => {
    const dir = copyShard(3, "null-positions", (name, text) => (name === "shard.json" ? editJson(text, (m) => {
      m.state.positions = null;
    }) : text));
    expectRefused(mergeWith(3, dir), new RegExp(`${esc(dir)}/shard\\.json:\\d+: field "state\\.positions": expected an array, got null`));
  });

  it("an empty meta in a shard.json", () => {
    const dir = copyShard(1, "empty-meta", (name, text) => (name === "shard.json" ? editJson(text, (m) => {
      m.meta = {};
    }) : text));
    expectRefused(mergeWith(1, dir), new RegExp(`${esc(dir)}/shard\\.json:\\d+: field "meta\\.journal": expected an object, got nothing`));
  });
});
