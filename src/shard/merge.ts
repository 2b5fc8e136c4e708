// `recon-proof merge`: shard folders in, one artifact set out, identical to an unsharded replay
// (or a refusal that says why it could not be). Read -> combine (pure, src/core) -> write.
//
// The shards' files are bad input until proven otherwise. Each shard.json is checked field by field
// and against its own digest; the shards must be all N of one replay (same inputs, same config);
// each groups.jsonl is checked line by line as it streams, and at its end against the digest its
// shard.json records; what its groups determine of the end state is tallied and must agree with
// shard.json. A refusal names the shard's folder and file (and the line, where one is at fault).

import { join } from "node:path";
import { ArtifactSetWriter, checkOutDir } from "../adapters/artifacts.js";
import { readFileInFolder } from "../adapters/input-files.js";
import { LineReader } from "../adapters/lines.js";
import { interruptedWriteHint, noArtifactsFolder, type OutOptions } from "../adapters/out-dir.js";
import { mergeShards } from "../core/shard/merge.js";
import type { EmitGroup } from "../core/output/emit.js";
import type { Contradiction } from "../core/shard/tally.js";
import { ShardTally } from "../core/shard/tally.js";
import { ShardMismatch } from "../core/output/state.js";
import { type Config, resolveConfig } from "../domain/config.js";
import { ConfigError, DataError, IoError } from "../domain/errors.js";
import type { Report } from "../domain/report.js";
import { canonicalJson } from "../domain/validate.js";
import { renderReportArtifacts } from "../artifacts/render.js";
import { SHARD_GROUPS_NAME, SHARD_MANIFEST_NAME } from "../artifacts/names.js";
import { parseGroupLine, parseShardManifest, sha256Hex, type ShardManifest } from "./codec.js";
import { plural } from "../text/plural.js";
import { renderTradesHeader } from "../artifacts/trades-csv.js";
import { tradeRowBatches } from "../adapters/trade-batches.js";
import { EXIT } from "../runtime/exit-codes.js";
import { Progress, type ProgressSink } from "../runtime/progress.js";
import { type ArtifactSink, ArtifactsInMemory } from "../adapters/memory-artifacts.js";
import type { RenderedArtifacts } from "../artifacts/render.js";

/** A group line holds one group's items; a reconcile that catches a long backlog makes a long one. */
const GROUP_LINE_BYTES_MAX = 512 * 1024 * 1024;

export interface MergeOutcome {
  readonly exitCode: number;
  readonly report: Report;
  /** What failed after the artifacts were swapped in (they are written all the same). */
  readonly warnings: readonly string[];
  /** The four artifacts' text, when there is no output folder (else they are in it). */
  readonly artifacts: RenderedArtifacts | null;
}

/** Bad input in one shard's file, named by its path (merge reads several files of the same name). */
export class ShardFileError extends DataError {
  constructor(readonly path: string, err: DataError) {
    super(err.source, err.line, err.field, err.expected, err.got);
    this.name = "ShardFileError";
  }

  override describe(): string {
    return super.describe(this.path);
  }
}

/** A DataError about one of a shard's files, named by the file's path. */
function named(dir: string, name: string, err: unknown): unknown {
  return err instanceof DataError && !(err instanceof ShardFileError) ? new ShardFileError(join(dir, name), err) : err;
}

/** Runs `read` over one of a shard's files; a DataError it throws names the file by its path. */
function inShardFile<T>(dir: string, name: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw named(dir, name, err);
  }
}

const contradicts = (file: string, line: number, c: Contradiction) => new DataError(file, line, c.field, c.expected, c.got);

/** One shard folder as merge reads it. */
interface Shard {
  readonly dir: string;
  readonly manifest: ShardManifest;
  /** Its groups.jsonl was read to its end and matched its digest. */
  verified: boolean;
}

function readShard(dir: string): Shard {
  if (interruptedWriteHint(dir) !== "") throw noArtifactsFolder(dir);
  const text = readFileInFolder(dir, SHARD_MANIFEST_NAME, "shard folder", "is it a folder written by `replay --shard`?").toString("utf8");
  return { dir, manifest: inShardFile(dir, SHARD_MANIFEST_NAME, () => parseShardManifest(text)), verified: false };
}

/** A refusal that names the shard at fault (its shard.json), for a set that is not one replay's. */
function setError(s: Shard, field: string, expected: string, got: string): ShardFileError {
  return new ShardFileError(join(s.dir, SHARD_MANIFEST_NAME), new ShardMismatch(field, expected, got));
}

function manifestError(s: Shard, field: string, expected: string, got: string): ShardFileError {
  return new ShardFileError(join(s.dir, SHARD_MANIFEST_NAME), new DataError(SHARD_MANIFEST_NAME, 0, field, expected, got));
}

/** The shards must be all N shards of one sharded replay of the same inputs and config. */
function checkShardSet(shards: readonly Shard[]): void {
  const first = shards[0]!;
  const { count: n, by } = first.manifest.shard;
  const byIndex = new Map<number, Shard>();
  for (const s of shards) {
    const m = s.manifest;
    if (m.shard.count !== n || m.shard.by !== by) throw setError(s, "shard", `${n} shards by ${by}, as ${first.dir} is`, `${m.shard.count} by ${m.shard.by}`);
    const twin = byIndex.get(m.shard.index);
    if (twin !== undefined) {
      throw setError(s, "shard.index", "each shard once", `shard ${m.shard.index} twice (${twin.dir === s.dir ? "the same folder given twice" : `${twin.dir} is shard ${m.shard.index} too`})`);
    }
    byIndex.set(m.shard.index, s);
    checkSameRun(first, s);
  }
  if (shards.length !== n) {
    const missing = Array.from({ length: n }, (_v, i) => i + 1).filter((k) => !byIndex.has(k));
    throw new ShardMismatch("shard.count", `all ${n} shards`, `${plural(shards.length, "folder")}, without shard ${missing.join(", ")}`);
  }
}

/** Same inputs, same config, same provenance: every field of the meta, compared as the shards wrote it. */
function checkSameRun(first: Shard, s: Shard): void {
  const [a, b] = [first.manifest.meta, s.manifest.meta];
  const sameFile = (x: typeof a.journal, y: typeof a.journal) => x.sha256 === y.sha256 && x.lines === y.lines;
  if (!sameFile(a.journal, b.journal)) throw setError(s, "meta.journal", `the journal ${first.dir} read (${a.journal.sha256})`, b.journal.sha256);
  if (!sameFile(a.broker, b.broker)) throw setError(s, "meta.broker", `the broker log ${first.dir} read (${a.broker.sha256})`, b.broker.sha256);
  if (a.configHash !== b.configHash) throw setError(s, "meta.configHash", `the config ${first.dir} used (${a.configHash})`, b.configHash);
  for (const key of Object.keys(a) as Array<keyof typeof a>) {
    if (canonicalJson(a[key]) !== canonicalJson(b[key])) throw setError(s, `meta.${key}`, `the same as ${first.dir}'s`, "a different one");
  }
}

/** The config the shards replayed with, resolved again and hashed again: it must be the one they name. */
function configOf(s: Shard): Config {
  const meta = s.manifest.meta;
  const hash = sha256Hex(canonicalJson(meta.effectiveConfig));
  if (hash !== meta.configHash) throw manifestError(s, "meta.configHash", `${hash}, the hash of meta.effectiveConfig`, meta.configHash);
  try {
    return resolveConfig(meta.effectiveConfig);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw manifestError(s, "meta.effectiveConfig", "the config the shard replayed with, valid", err.message);
  }
}

/** A shard's groups, checked line by line; at the end, against its digest and its end state. */
function* groupsOf(s: Shard): Generator<EmitGroup> {
  const tally = new ShardTally(s.manifest.shard);
  try {
    yield* checkedGroups(s, tally);
  } catch (err) {
    throw named(s.dir, SHARD_GROUPS_NAME, err);
  }
  s.verified = true;
  const wrong = tally.contradiction(s.manifest.state, s.manifest.evidence);
  if (wrong !== null) throw manifestError(s, wrong.field, wrong.expected, wrong.got);
}

function* checkedGroups(s: Shard, tally: ShardTally): Generator<EmitGroup> {
  const reader = new LineReader(join(s.dir, SHARD_GROUPS_NAME), SHARD_GROUPS_NAME, GROUP_LINE_BYTES_MAX);
  let count = 0;
  let last = -1;
  for (const { text, line } of reader) {
    count += 1;
    const group = parseGroupLine(text, line);
    if (group.seq <= last) {
      throw new DataError(SHARD_GROUPS_NAME, line, "seq", `a number above ${last} (a shard writes its groups in order)`, String(group.seq));
    }
    last = group.seq;
    const wrong = tally.add(group);
    if (wrong !== null) throw contradicts(SHARD_GROUPS_NAME, line, wrong);
    yield group;
  }
  checkWhole(s.manifest, count, reader.sha256());
}

/** A groups file read to its end: as many groups as its shard.json says, and the bytes it wrote. */
function checkWhole(m: ShardManifest, count: number, sha256: string): void {
  if (count !== m.groups) {
    throw new DataError(SHARD_GROUPS_NAME, 0, "(file)", `${m.groups} groups, as ${SHARD_MANIFEST_NAME} says`, `${count} (a truncated or foreign file)`);
  }
  if (sha256 === m.groupsSha256) return;
  throw new DataError(SHARD_GROUPS_NAME, 0, "(file)", `the bytes shard ${m.shard.index} of ${m.shard.count} wrote (sha256 ${m.groupsSha256.slice(0, 12)}…, as its ${SHARD_MANIFEST_NAME} records)`,
    `bytes whose sha256 is ${sha256.slice(0, 12)}…: the file was changed, damaged or replaced after it was written`);
}

/** Checks a groups file whole, without parsing its lines (when the merge stopped before its end). */
function checkUnparsed(s: Shard): void {
  const reader = new LineReader(join(s.dir, SHARD_GROUPS_NAME), SHARD_GROUPS_NAME, GROUP_LINE_BYTES_MAX);
  let count = 0;
  for (const _line of reader) count += 1;
  checkWhole(s.manifest, count, reader.sha256());
}

/**
 * A failure part way through (shards that disagree, a merge that would not be exact, anything a
 * damaged file caused further on) is first put down to damage when there is some: a groups file not
 * yet read to its end is read now, and one cut short or not matching its digest is the reason given.
 */
function damageFirst(err: unknown, shards: readonly Shard[]): unknown {
  if (err instanceof IoError || (err instanceof ShardFileError && err.line > 0)) return err;
  for (const s of shards) {
    if (s.verified) continue;
    try {
      inShardFile(s.dir, SHARD_GROUPS_NAME, () => checkUnparsed(s));
    } catch (damage) {
      if (damage instanceof ShardFileError) return damage;
    }
  }
  return err;
}

/**
 * Merges shard folders into the artifacts of the unsharded replay: written into `out`, or, with
 * `out` null, kept in memory (the outcome's `artifacts`). `progress`: where progress goes.
 */
export function runMerge(dirs: readonly string[], out: string | null, options: OutOptions = {}, progressTo?: ProgressSink): MergeOutcome {
  if (dirs.length === 0) throw new ConfigError("merge needs the shard folders: recon-proof merge --out DIR SHARD_DIR...");
  if (out !== null) checkOutDir(out, options);
  const shards = dirs.map(readShard);
  checkShardSet(shards);
  const order = [...shards].sort((a, b) => a.manifest.shard.index - b.manifest.shard.index);
  const first = order[0]!;
  const config = configOf(first);

  // Shards number their groups alike; the merged stream has about as many as the longest shard.
  const own = progressTo === undefined ? new Progress("merge", Math.max(...shards.map((s) => s.manifest.groups)), "groups") : null;
  const progress = progressTo ?? own!;
  const writer: ArtifactSink = out === null ? new ArtifactsInMemory(renderTradesHeader())
    : new ArtifactSetWriter(out, renderTradesHeader(), undefined, undefined, { ...options, command: "merge" });
  try {
    const trades = tradeRowBatches(writer);
    const report = mergeShards(config, order.map((s) => ({ state: s.manifest.state, evidence: s.manifest.evidence, groups: groupsOf(s) })),
      (rows) => trades.add(rows),
      (groups) => progress.update(groups));
    trades.flush();
    const warnings = writer.commit(renderReportArtifacts(report, first.manifest.meta));
    const artifacts = writer instanceof ArtifactsInMemory ? writer.artifacts : null;
    return { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, warnings, artifacts };
  } catch (err) {
    writer.abort();
    throw damageFirst(err, order);
  } finally {
    own?.done();
  }
}
