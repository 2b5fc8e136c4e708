// Shared by the tests of the workflow, the Action and the CI page: the validator, and the rule that
// a third-party action is pinned by commit.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./cli.js";

const VALIDATOR = join(REPO, "node_modules", ".bin", "action-validator");

/** Runs @action-validator/cli on a workflow or action file. */
export function validate(path: string): { status: number; output: string } {
  const r = spawnSync(VALIDATOR, [path], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

/** `owner/repo[/path]@<40-hex commit> # vMAJOR.MINOR.PATCH`: a commit, and the release it is tagged as. */
export const PINNED = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$/;

/** Every `uses:` value with its trailing comment, as written. */
export function usesLines(text: string): string[] {
  return [...text.matchAll(/^\s*(?:- )?uses: (.+?)\s*$/gm)].map((m) => m[1]!);
}
