// `replay --shard K/N`: one shard of a sharded replay. It reads both logs, validates the lines of its
// symbols and ticks on the others (core/shard.ts), and writes shard.json and groups.jsonl (codec.ts) into --out, atomically like an
// artifact set, for `recon-proof merge` (merge.ts).

import { createHash } from "node:crypto";
import { ArtifactSetWriter } from "../adapters/artifacts.js";
import { SHARD_GROUPS_NAME, SHARD_MANIFEST_NAME } from "../artifacts/names.js";
import { replayShardSteps, type ShardResult } from "../core/replay.js";
import type { ShardSpec } from "../core/shard/shard.js";
import { ConfigError } from "../domain/errors.js";
import { closeInputs, type FolderReplayArgs, type Job, openShardInputs, runJobInSlices, runMeta } from "../run/replay.js";
import { renderGroupLine, renderShardManifest, SHARD_FORMAT, SHARD_FORMAT_VERSION } from "./codec.js";

const GROUP_LINES_PER_WRITE = 1024;

export interface ShardOutcome {
  readonly groups: number;
  readonly warnings: readonly string[];
}

/** Opens one shard's replay: the inputs and the staged shard files. */
function openShardReplay(args: FolderReplayArgs, spec: ShardSpec): Job<ShardResult, ShardOutcome> {
  if (args.cache !== undefined) {
    throw new ConfigError("--shard cannot be combined with --cache: the order-id cache is one file per replay; shard a replay that starts from a fresh cache");
  }
  const inputs = openShardInputs(args, `replay shard ${spec.index}/${spec.count}`);
  const { loaded, journal, broker, step } = inputs;
  let out: ArtifactSetWriter;
  try {
    out = new ArtifactSetWriter(args.out, "", { names: [SHARD_MANIFEST_NAME, SHARD_GROUPS_NAME], streamed: SHARD_GROUPS_NAME }, undefined,
      { adopt: args.adoptOut, command: "replay --shard" });
  } catch (err) {
    closeInputs(inputs);
    throw err;
  }
  let lines: string[] = [];
  let groups = 0;
  // The digest of groups.jsonl as written, recorded in shard.json for merge to check the file against.
  const groupsHash = createHash("sha256");
  const append = (text: string) => {
    out.appendStreamed(text);
    groupsHash.update(text);
  };
  return {
    steps: replayShardSteps({ config: loaded.config, journal, broker }, { configHash: loaded.hash, cacheEntries: [], cacheFailure: null, recallBroker: broker.recall }, {
      spec,
      emit: (group) => {
        lines.push(renderGroupLine(group));
        groups += 1;
        if (lines.length >= GROUP_LINES_PER_WRITE) {
          append(lines.join(""));
          lines = [];
        }
      },
    }, { afterStep: step }),
    finish: (result) => {
      append(lines.join(""));
      const warnings = out.commit({
        [SHARD_MANIFEST_NAME]: renderShardManifest({
          format: SHARD_FORMAT, version: SHARD_FORMAT_VERSION, shard: spec, meta: runMeta(journal, broker, loaded),
          state: result.state, evidence: result.evidence, groups, groupsSha256: groupsHash.digest("hex"),
        }),
      });
      return { groups, warnings };
    },
    abort: () => out.abort(),
    close: () => closeInputs(inputs),
  };
}

export function runShardReplayInterruptibly(args: FolderReplayArgs, spec: ShardSpec): Promise<ShardOutcome> {
  return runJobInSlices(openShardReplay(args, spec));
}
