// The library's merge: `recon-proof merge`'s combination of shard folders (`replay --shard K/N`)
// into the unsharded replay's artifacts, returned in memory instead of written into a folder.

import { ConfigError } from "../domain/errors.js";
import { runMerge } from "../shard/merge.js";
import { type ArtifactsResult, artifactsResult, libraryError, SILENT } from "./replay.js";

export interface MergeOptions {
  /** The shard folders `recon-proof replay --shard K/N --out DIR` wrote, one for each K. */
  readonly shards: readonly string[];
}

export interface MergeResult extends ArtifactsResult {
  /** What went wrong after the merge was complete (the result stands all the same). */
  readonly warnings: readonly string[];
}

/**
 * Merges shard folders as `recon-proof merge` does: the same bytes the unsharded replay gives.
 * Throws BadInputError for a shard file that was changed or does not belong with the others,
 * ConfigError when no shards are given, IoError for a folder that cannot be read.
 */
export function merge(options: MergeOptions): MergeResult {
  const { shards } = options;
  if (!Array.isArray(shards) || shards.length === 0 || !shards.every((s) => typeof s === "string")) {
    throw new ConfigError("merge() needs the shard folders: merge({ shards: [dir, ...] }), the paths of the folders `recon-proof replay --shard K/N --out DIR` wrote, one for each K");
  }
  try {
    const outcome = runMerge(options.shards, null, {}, SILENT);
    return { ...artifactsResult(outcome.exitCode, outcome.artifacts!), warnings: outcome.warnings };
  } catch (err) {
    throw libraryError(err, {});
  }
}
