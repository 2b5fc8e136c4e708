// A shard's files damaged at random (a field dropped, retyped or changed, a line cut, two lines
// swapped, in shard.json or groups.jsonl) never make `merge` crash or write anything but the
// unsharded bytes: it writes exactly those, or refuses cleanly (exit 65, or 2 for a usage problem)
// with a message naming the damaged shard's file (and the line, where a line was cut), leaving an
// existing --out as it was. With the digests rewritten to match the damage, merge can be fooled
// (docs/sharding.md says so) but still never crashes: every field is checked as it is read.
// Seeded (FC_SEED=<n> replays a run; fast-check prints the seed of a failure); NUM_RUNS sets how many.

import fc from "fast-check";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { describeFailure } from "../../src/cli/errors.js";
import { runMerge } from "../../src/shard/merge.js";
import { renderShardManifest, type ShardManifest } from "../../src/shard/codec.js";
import { ARTIFACTS, readArtifacts, runCli, tempDir } from "../helpers/cli.js";
import { SET_MARKER, SET_MARKER_TEXT } from "../../src/adapters/out-dir.js";

const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 80);
const SEED = Number(process.env["FC_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const FILES = ["shard.json", "groups.jsonl"] as const;
const OPS = ["drop", "retype", "change", "cut", "swap"] as const;
type Op = (typeof OPS)[number];

const work = tempDir("recon-proof-shard-mutations-");
const gen = join(work, "gen");
const SHARDS = [1, 2, 3].map((k) => join(work, `s${k}`));
let whole: { status: number; artifacts: Record<string, string> };

beforeAll(() => {
  expect(runCli(["gen", "--seed", "7", "--events", "600", "--faults", "disconnect,duplicate-delivery,drop-ack,orphan", "--out", gen]).status).toBe(0);
  const inputs = ["--journal", join(gen, "journal.jsonl"), "--broker", join(gen, "broker.jsonl"), "--config", join(gen, "config.json")];
  const r = runCli(["replay", ...inputs, "--out", join(work, "whole")]);
  whole = { status: r.status, artifacts: readArtifacts(join(work, "whole")) };
  for (const [i, d] of SHARDS.entries()) expect(runCli(["replay", ...inputs, "--shard", `${i + 1}/3`, "--out", d]).status).toBe(0);
}, 60_000);

type Key = string | number;
type Node = Record<string, unknown> | unknown[];

/** Every place in a JSON value (the root aside), as a path of keys. */
function paths(value: unknown, prefix: Key[] = []): Key[][] {
  if (value === null || typeof value !== "object") return [];
  const entries: Array<[Key, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

const OTHER_TYPES: unknown[] = [null, 0, "x", true, [], {}];
const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** The same kind of value, different: a number or a decimal's digits moved, a string extended, a flag flipped. */
function changed(v: unknown, pick: number): unknown {
  if (typeof v === "number") return v + 1 + (pick % 3);
  if (typeof v === "string") return /^-?\d+(\.\d+)?$/.test(v) ? `${v}${v.includes(".") ? "" : "."}${1 + (pick % 9)}` : `${v}x`;
  if (typeof v === "boolean") return !v;
  if (Array.isArray(v)) return v.length > 0 ? v.slice(0, -1) : [0];
  if (v !== null && typeof v === "object") return { ...v, added: pick };
  return "x";
}

/** Drops, retypes or changes the value at one path of a parsed JSON value (in place). */
function mutateValue(root: unknown, op: Op, pickPath: number, pick: number): void {
  const all = paths(root);
  if (all.length === 0) return;
  const path = all[pickPath % all.length]!;
  const parent = path.slice(0, -1).reduce<unknown>((node, k) => (node as Record<Key, unknown>)[k], root) as Node;
  const key = path[path.length - 1]!;
  const old = (parent as Record<Key, unknown>)[key];
  if (op === "drop") {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
    return;
  }
  const others = OTHER_TYPES.filter((t) => kindOf(t) !== kindOf(old));
  (parent as Record<Key, unknown>)[key] = op === "retype" ? structuredClone(others[pick % others.length]) : changed(old, pick);
}

interface Mutation {
  readonly shard: number;
  readonly file: (typeof FILES)[number];
  readonly op: Op;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** The damaged text, and the line (1-based) that no longer parses when a group line was cut. */
function mutate(text: string, m: Mutation): { text: string; cutLine?: number } {
  const lines = text.split("\n");
  const content = lines.length - 1; // both files end with a line feed
  if (m.op === "swap") {
    const [i, j] = [m.a % content, m.b % content];
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return { text: lines.join("\n") };
  }
  if (m.file === "shard.json") {
    if (m.op === "cut") return { text: text.slice(0, 1 + (m.a % (text.length - 1))) };
    const value: unknown = JSON.parse(text);
    mutateValue(value, m.op, m.b, m.c);
    return { text: JSON.stringify(value, null, 2) + "\n" };
  }
  const i = m.a % content;
  if (m.op === "cut") {
    lines[i] = lines[i]!.slice(0, 1 + (m.b % (lines[i]!.length - 1)));
    return { text: lines.join("\n"), cutLine: i + 1 };
  }
  const group: unknown = JSON.parse(lines[i]!);
  mutateValue(group, m.op, m.b, m.c);
  lines[i] = JSON.stringify(group);
  return { text: lines.join("\n") };
}

/** The shard's files with the damage, and the digests rewritten to match it when `redigest` (and shard.json still parses). */
function damagedFiles(m: Mutation, redigest: boolean): { files: Record<string, string>; cutLine?: number } {
  const original = (name: string) => readFileSync(join(SHARDS[m.shard]!, name), "utf8");
  const { text, cutLine } = mutate(original(m.file), m);
  const files: Record<string, string> = { "shard.json": original("shard.json"), "groups.jsonl": original("groups.jsonl"), [m.file]: text };
  if (!redigest) return { files, ...(cutLine === undefined ? {} : { cutLine }) };
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(files["shard.json"]!) as Record<string, unknown>;
  } catch {
    return { files };
  }
  delete manifest["sha256"];
  manifest["groupsSha256"] = createHash("sha256").update(files["groups.jsonl"]!).digest("hex");
  return { files: { ...files, "shard.json": renderShardManifest(manifest as unknown as ShardManifest) } };
}

let runs = 0;

/** Merges the three shards with one of them damaged by `m`, into an --out that holds a file of the user's. */
function check(m: Mutation, redigest = false): void {
  runs += 1;
  const place = join(work, `run-${runs}`);
  const damaged = join(place, `shard-${m.shard + 1}`);
  mkdirSync(damaged, { recursive: true });
  const { files, cutLine } = damagedFiles(m, redigest);
  for (const name of FILES) writeFileSync(join(damaged, name), files[name]!);
  const out = join(place, "out");
  mkdirSync(out);
  writeFileSync(join(out, SET_MARKER), SET_MARKER_TEXT); // a set recon-proof wrote before, holding a file of the user's
  writeFileSync(join(out, "notes.txt"), "mine\n");
  const dirs = SHARDS.map((d, i) => (i === m.shard ? damaged : d));
  let failure: ReturnType<typeof describeFailure>;
  try {
    const outcome = runMerge(dirs, out);
    if (redigest) return; // fooled, perhaps: what the digests cannot protect against
    expect(outcome.exitCode).toBe(whole.status);
    for (const name of ARTIFACTS) expect(readFileSync(join(out, name), "utf8"), name).toBe(whole.artifacts[name]);
    return;
  } catch (err) {
    failure = describeFailure(err); // rethrows anything but a typed, reported error
  }
  expect([65, 2], failure.message).toContain(failure.code);
  if (!redigest) expect(failure.message).toContain(join(damaged, m.file));
  if (cutLine !== undefined) expect(failure.message).toContain(`${m.file}:${cutLine}:`);
  expect(readdirSync(place).sort()).toEqual(["out", `shard-${m.shard + 1}`]);
  expect(readdirSync(out)).toEqual([SET_MARKER, "notes.txt"]);
  expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine\n");
}

describe(`merge of a shard damaged at random: the unsharded bytes or a clean refusal (seed ${SEED})`, () => {
  it("the shards as written merge into the unsharded bytes", () => {
    check({ shard: 0, file: "groups.jsonl", op: "swap", a: 0, b: 0, c: 0 });
  });

  const mutations = fc.record({
    shard: fc.integer({ min: 0, max: 2 }), file: fc.constantFrom(...FILES), op: fc.constantFrom(...OPS), a: fc.nat(), b: fc.nat(), c: fc.nat(),
  });

  it("property: any one damage", () => {
    fc.assert(fc.property(mutations, (m) => check(m)), { numRuns: NUM_RUNS, seed: SEED });
  }, 300_000);

  it("property: any one damage with the digests rewritten to match: a result or a clean refusal, never a crash", () => {
    fc.assert(fc.property(mutations, (m) => check(m, true)), { numRuns: NUM_RUNS, seed: SEED });
  }, 300_000);
});
