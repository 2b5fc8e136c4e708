// Vitest global setup: every temporary folder the suite makes (thousands per run: replays, CLI
// runs, kill points) goes under one folder of its own, removed when the run ends, so repeated runs
// do not fill the disk. A failing law's counterexample folder is kept, and the run says where.
// Workers and the CLI processes the tests spawn inherit TMPDIR, which os.tmpdir() reads.

import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const KEEP_PREFIX = "recon-proof-counterexample-";

export default function setup(): () => void {
  const suite = mkdtempSync(join(tmpdir(), "recon-proof-suite-"));
  chmodSync(suite, 0o1777); // as /tmp is: the fault tests run the CLI as another user too
  process.env["TMPDIR"] = suite;
  return () => {
    const kept = readdirSync(suite).filter((name) => name.startsWith(KEEP_PREFIX));
    for (const name of readdirSync(suite)) if (!kept.includes(name)) rmSync(join(suite, name), { recursive: true, force: true });
    if (kept.length === 0) rmSync(suite, { recursive: true, force: true });
    else process.stderr.write(`recon-proof tests: counterexamples kept in ${suite}\n`);
  };
}
