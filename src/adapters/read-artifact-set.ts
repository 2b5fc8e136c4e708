// Reads an artifact folder for `verify` (missing files are reported by the checker, not thrown).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { IoError } from "../domain/errors.js";
import { ARTIFACT_NAMES, type ArtifactName } from "../report/artifact-names.js";
import { noArtifactsFolder } from "./out-dir.js";

export function readArtifactSet(dir: string): Partial<Record<ArtifactName, string>> {
  if (!existsSync(dir)) throw noArtifactsFolder(dir);
  const out: Partial<Record<ArtifactName, string>> = {};
  for (const name of ARTIFACT_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) out[name] = readFileSync(path, "utf8");
  }
  return out;
}

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new IoError(`cannot read ${what}: ${(err as Error).message}`);
  }
}
