// `recon-proof merge`: shard folders in, one artifact set out, identical to an unsharded replay
// (or a refusal that says why it could not be). Read -> combine (pure, src/core) -> write.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ArtifactSetWriter, checkOutDir } from "../adapters/artifacts.js";
import { LineReader } from "../adapters/lines.js";
import { interruptedWriteHint, type OutOptions } from "../adapters/out-dir.js";
import { mergeShards } from "../core/combine.js";
import type { EmitGroup } from "../core/emit.js";
import { ShardMismatch } from "../core/state.js";
import { resolveConfig } from "../domain/config.js";
import { ConfigError, DataError, IoError } from "../domain/errors.js";
import type { Report } from "../domain/report.js";
import type { InputFileMeta } from "../report/meta.js";
import { renderReportArtifacts } from "../report/render.js";
import { parseGroupLine, parseShardManifest, SHARD_GROUPS_NAME, SHARD_MANIFEST_NAME, type ShardManifest } from "../report/shard-codec.js";
import { renderTradesHeader } from "../report/trades-csv.js";
import { tradeRowBatches } from "./trade-batches.js";
import { EXIT } from "./exit-codes.js";
import { Progress } from "./progress.js";

/** A group line holds one group's items; a reconcile that catches a long backlog makes a long one. */
const GROUP_LINE_BYTES_MAX = 512 * 1024 * 1024;

export interface MergeOutcome {
  readonly exitCode: number;
  readonly report: Report;
  /** What failed after the artifacts were swapped in (they are written all the same). */
  readonly warnings: readonly string[];
}

function readManifest(dir: string): ShardManifest {
  let text: string;
  try {
    text = readFileSync(join(dir, SHARD_MANIFEST_NAME), "utf8");
  } catch (err) {
    throw new IoError(`cannot read ${join(dir, SHARD_MANIFEST_NAME)} (is ${dir} a folder written by \`replay --shard\`?): ${(err as Error).message}${interruptedWriteHint(dir)}`);
  }
  return parseShardManifest(text);
}

const sameFile = (a: InputFileMeta, b: InputFileMeta) => a.sha256 === b.sha256 && a.lines === b.lines;

/** The shards must be all N shards of one sharded replay of the same inputs and config. */
function checkShardSet(manifests: readonly ShardManifest[]): void {
  const first = manifests[0]!;
  const n = first.shard.count;
  if (manifests.length !== n) {
    throw new ShardMismatch("shard.count", `all ${n} shards`, `${manifests.length} folder(s)`);
  }
  const seen = new Set<number>();
  for (const m of manifests) {
    if (m.shard.count !== n || m.shard.by !== first.shard.by) {
      throw new ShardMismatch("shard", `${n} shards by ${first.shard.by}`, `${m.shard.count} by ${m.shard.by}`);
    }
    if (seen.has(m.shard.index)) throw new ShardMismatch("shard.index", "each shard once", `shard ${m.shard.index} twice`);
    seen.add(m.shard.index);
    if (!sameFile(m.meta.journal, first.meta.journal)) throw new ShardMismatch("meta.journal", first.meta.journal.sha256, m.meta.journal.sha256);
    if (!sameFile(m.meta.broker, first.meta.broker)) throw new ShardMismatch("meta.broker", first.meta.broker.sha256, m.meta.broker.sha256);
    if (m.meta.configHash !== first.meta.configHash) throw new ShardMismatch("meta.config_hash", first.meta.configHash, m.meta.configHash);
  }
}

function* groupsOf(dir: string, expected: number): Generator<EmitGroup> {
  let count = 0;
  for (const { text, line } of new LineReader(join(dir, SHARD_GROUPS_NAME), SHARD_GROUPS_NAME, GROUP_LINE_BYTES_MAX)) {
    if (text === "") continue;
    count += 1;
    yield parseGroupLine(text, line);
  }
  if (count !== expected) {
    throw new DataError(SHARD_GROUPS_NAME, 0, "(file)", `${expected} groups, as ${SHARD_MANIFEST_NAME} says`, `${count} (a truncated or foreign file)`);
  }
}

export function runMerge(dirs: readonly string[], out: string, options: OutOptions = {}): MergeOutcome {
  if (dirs.length === 0) throw new ConfigError("merge needs the shard folders: recon-proof merge --out DIR SHARD_DIR...");
  checkOutDir(out, options);
  const manifests = dirs.map(readManifest);
  checkShardSet(manifests);
  const order = manifests.map((m, i) => ({ m, dir: dirs[i]! })).sort((a, b) => a.m.shard.index - b.m.shard.index);
  const first = order[0]!.m;
  const config = resolveConfig(first.meta.effectiveConfig);

  // Shards number their groups alike; the merged stream has about as many as the longest shard.
  const progress = new Progress("merge", Math.max(...manifests.map((m) => m.groups)), "groups");
  const writer = new ArtifactSetWriter(out, renderTradesHeader(), undefined, undefined, { ...options, command: "merge" });
  try {
    const trades = tradeRowBatches(writer);
    const report = mergeShards(config, order.map(({ m, dir }) => ({ state: m.state, evidence: m.evidence, groups: groupsOf(dir, m.groups) })),
      (rows) => trades.add(rows),
      (groups) => progress.update(groups));
    trades.flush();
    const warnings = writer.commit(renderReportArtifacts(report, first.meta));
    return { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, warnings };
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    progress.done();
  }
}
