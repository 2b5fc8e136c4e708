// Reads an artifact folder for `verify` (missing files are reported by the checker, not thrown).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACT_NAMES, type ArtifactName } from "../artifacts/names.js";
import { checkArtifactsFolder, readInputFile } from "./input-files.js";

export function readArtifactSet(dir: string): Partial<Record<ArtifactName, string>> {
  checkArtifactsFolder(dir);
  const out: Partial<Record<ArtifactName, string>> = {};
  for (const name of ARTIFACT_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) out[name] = readTextFile(path, name);
  }
  return out;
}

/** A whole text file a command was given; `what` names it in the message when it cannot be read. */
export function readTextFile(path: string, what: string): string {
  return readInputFile(path, what).toString("utf8");
}
