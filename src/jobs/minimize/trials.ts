// What a trial of `minimize` needs, as plain data that crosses to a worker thread, and the Trials
// built from it (the same in the main thread and in every worker, so they judge alike).

import { createHash } from "node:crypto";
import { sha256Hex } from "../../adapters/inputs.js";
import { resolveConfig } from "../../domain/config.js";
import { configToJson } from "../../domain/config-json.js";
import { canonicalJson } from "../../domain/validate.js";
import type { InputFileMeta } from "../../artifacts/meta.js";
import { parseExpect } from "../../proofs/verify.js";
import { type Item, Trials } from "../../minimize/trials.js";

/** Everything a trial depends on, as structured-clonable data. */
export interface TrialInit {
  /** The config file's parsed JSON ({} for all defaults). */
  readonly configJson: unknown;
  /** The config file the scenario will hold, as the report names it. */
  readonly configFile: InputFileMeta | null;
  /** The predicate, as `--keep` lines. */
  readonly predicate: string;
  readonly names: { readonly journal: string; readonly broker: string };
}

/** sha256 of a file of these lines, each ended by a newline. */
export function sha256Lines(lines: readonly string[]): string {
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line).update("\n");
  return hash.digest("hex");
}

/** How the predicate's lines are named in its errors ("--keep:2: expected ..."). */
export const KEEP_SOURCE = "--keep";

export function trialsOf(init: TrialInit): Trials {
  const config = resolveConfig(init.configJson);
  const effectiveConfig = configToJson(config);
  return new Trials({
    config, configHash: sha256Hex(canonicalJson(effectiveConfig)), configFile: init.configFile, effectiveConfig,
    names: init.names, predicate: parseExpect(init.predicate, KEEP_SOURCE), sha256: sha256Lines,
  });
}

/** A message to a worker: its setup and lines, then candidates by line id (with lines it has not seen). */
export type ToWorker =
  | { readonly kind: "init"; readonly init: TrialInit; readonly items: readonly Item[] }
  | { readonly kind: "try"; readonly seq: number; readonly ids: Int32Array; readonly newItems: readonly Item[] };

export interface FromWorker {
  readonly seq: number;
  readonly holds: boolean;
}
