// The files a shard replay writes for `merge`: shard.json (who it is, what it read, its end
// state) and groups.jsonl (its emitted groups, one per line, in sequence order). Pure: strings in,
// strings out. Decimals travel as {"$dec":"<plain decimal>"} so they come back exact.

import * as D from "../domain/decimal.js";
import { DataError } from "../domain/errors.js";
import type { EmitGroup } from "../core/emit.js";
import type { ShardEvidence } from "../core/engine.js";
import type { ShardSpec } from "../core/shard.js";
import type { EngineState } from "../core/state.js";
import type { RunMeta } from "./meta.js";

export const SHARD_FORMAT = "recon-proof-shard";
export const SHARD_FORMAT_VERSION = 2;
export const SHARD_MANIFEST_NAME = "shard.json";
export const SHARD_GROUPS_NAME = "groups.jsonl";

export interface ShardManifest {
  readonly format: typeof SHARD_FORMAT;
  readonly version: number;
  readonly shard: ShardSpec;
  readonly meta: RunMeta;
  readonly state: EngineState;
  readonly evidence: ShardEvidence;
  /** Lines in groups.jsonl: merge checks it read them all. */
  readonly groups: number;
}

const encode = (_key: string, value: unknown): unknown =>
  typeof value === "bigint" ? { $dec: D.toPlain(value as D.Dec) } : value;

function decode(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const dec = (value as { $dec?: unknown }).$dec;
    if (typeof dec === "string") {
      const parsed = D.parseDec(dec);
      if (parsed === undefined) throw new SyntaxError(`not a decimal: ${dec}`);
      return parsed;
    }
  }
  return value;
}

export function renderGroupLine(group: EmitGroup): string {
  return JSON.stringify(group, encode) + "\n";
}

/**
 * The decimals of a parsed group line, decoded in place: a walk over the plain parse, not a
 * JSON.parse reviver (which cost a third of `merge`, issue 18). Same result: every object with a
 * string "$dec" becomes that decimal; nothing else changes.
 */
function decodeDecimals(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === "object") value[i] = decodeDecimals(item);
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(obj, "$dec")) return decode("", obj);
  for (const key of Object.keys(obj)) {
    const item = obj[key];
    if (item === null || typeof item !== "object") continue;
    const decoded = decodeDecimals(item);
    // defineProperty, not assignment: a "__proto__" key is data here, as JSON.parse made it.
    if (decoded !== item) Object.defineProperty(obj, key, { value: decoded, enumerable: true, writable: true, configurable: true });
  }
  return obj;
}

export function parseGroupLine(text: string, line: number): EmitGroup {
  let value: unknown;
  try {
    value = decodeDecimals(JSON.parse(text));
  } catch (err) {
    throw new DataError(SHARD_GROUPS_NAME, line, "(line)", "one JSON group written by `replay --shard`", (err as Error).message);
  }
  const g = value as Partial<EmitGroup>;
  if (typeof g.seq !== "number" || !Array.isArray(g.findings) || !Array.isArray(g.trades) || !Array.isArray(g.kills)) {
    throw new DataError(SHARD_GROUPS_NAME, line, "seq", "a group with seq, findings, trades and kills");
  }
  return value as EmitGroup;
}

export function renderShardManifest(m: ShardManifest): string {
  return JSON.stringify(m, encode, 2) + "\n";
}

export function parseShardManifest(text: string): ShardManifest {
  let value: unknown;
  try {
    value = JSON.parse(text, decode);
  } catch (err) {
    throw new DataError(SHARD_MANIFEST_NAME, 0, "(file)", "the JSON written by `replay --shard`", (err as Error).message);
  }
  const m = value as Partial<ShardManifest>;
  if (m.format !== SHARD_FORMAT) throw new DataError(SHARD_MANIFEST_NAME, 0, "format", JSON.stringify(SHARD_FORMAT), JSON.stringify(m.format));
  if (m.version !== SHARD_FORMAT_VERSION) {
    throw new DataError(SHARD_MANIFEST_NAME, 0, "version", String(SHARD_FORMAT_VERSION), JSON.stringify(m.version));
  }
  if (m.shard === undefined || m.meta === undefined || m.state === undefined || m.evidence === undefined || typeof m.groups !== "number") {
    throw new DataError(SHARD_MANIFEST_NAME, 0, "shard", "shard, meta, state, evidence and groups");
  }
  return value as ShardManifest;
}
