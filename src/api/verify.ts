// The library's verify: `recon-proof verify`'s checks of an artifact set against an expect.txt,
// on a folder or on artifacts in memory (a replay's result), returned instead of printed.

import { basename } from "node:path";
import { readArtifactSet, readTextFile } from "../adapters/read-artifact-set.js";
import { ARTIFACT_NAMES, type ArtifactName } from "../artifacts/names.js";
import { type CheckResult, parseExpect, verifyArtifacts } from "../proofs/verify.js";

export interface VerifyOptions {
  /** The artifacts: a folder's path, or their text or bytes by file name (a ReplayResult's `artifacts`). */
  readonly artifacts: string | Readonly<Partial<Record<ArtifactName, string | Uint8Array>>>;
  /** expect.txt: a path, or its text (`name`, default `expect.txt`, is what messages call it). */
  readonly expect: string | { readonly text: string; readonly name?: string };
  /** The replay's exit code, if known; otherwise 3 when summary.txt says kill_switch=1, else 0. */
  readonly exitCode?: number | undefined;
}

/** One criterion's outcome: what `verify` prints as a PASS or FAIL line. */
export type Criterion = CheckResult;

export interface VerifyResult {
  /** True when every criterion held (the command line's exit 0; else exit 1). */
  readonly passed: boolean;
  readonly criteria: readonly Criterion[];
}

function artifactTexts(artifacts: VerifyOptions["artifacts"]): Partial<Record<ArtifactName, string>> {
  if (typeof artifacts === "string") return readArtifactSet(artifacts);
  const texts: Partial<Record<ArtifactName, string>> = {};
  for (const name of ARTIFACT_NAMES) {
    const a = artifacts[name];
    if (a !== undefined) texts[name] = typeof a === "string" ? a : Buffer.from(a).toString("utf8");
  }
  return texts;
}

/**
 * Checks an artifact set against an expect.txt, as `recon-proof verify` does. Throws ConfigError for
 * an expect.txt that is malformed (file:line named), IoError for a file that cannot be read.
 */
export function verify(options: VerifyOptions): VerifyResult {
  const expect = typeof options.expect === "string"
    ? parseExpect(readTextFile(options.expect, "expect file"), basename(options.expect))
    : parseExpect(options.expect.text, options.expect.name ?? "expect.txt");
  const criteria = verifyArtifacts(artifactTexts(options.artifacts), expect, options.exitCode);
  return { passed: criteria.every((c) => c.pass), criteria };
}
