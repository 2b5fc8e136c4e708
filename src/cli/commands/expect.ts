// `recon-proof expect DIR`: an expect.txt from a replay's artifacts, so that a new proof scenario is
// one command (replay, look, then `expect DIR > proofs/<name>/expect.txt`).

import type { Command } from "commander";
import { basename, resolve } from "node:path";
import { checkArtifactsFolder, readFileInFolder, writeArtifactsFirst } from "../../adapters/input-files.js";
import { printToStdout } from "../../adapters/stdout.js";
import { writeTextAtomically } from "../../adapters/write-lines.js";
import { METRICS_TXT, SUMMARY_TXT } from "../../artifacts/names.js";
import { writeExpect } from "../../proofs/expect-writer.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { exitCodeOf, exitCodesHelp, reportFailure, type SetExit } from "../errors.js";

export function registerExpect(program: Command, setExit: SetExit): void {
  program
    .command("expect")
    .description("Write an expect.txt from a replay's artifacts: the exit code, summary.txt's first line, the kill switch and its reasons, the largest unit drift, and each finding kind with its count, as whole-line criteria.")
    .argument("<dir>", "an artifacts folder written by `replay --out DIR` (or by `proof`)")
    .option("--out <file>", "write the expect.txt here (atomically) instead of to stdout")
    .addHelpText("after", `
The criteria pin what the replay did, right or wrong: read them against what the scenario should
show before committing them. Counts are whole-line criteria ("<artifact>: = <line>"), which a
longer number cannot satisfy; see \`recon-proof proof --help\` for the format.
${exitCodesHelp([
    [EXIT.ok, "expect.txt written"],
    [EXIT.usage, "usage error"],
    [EXIT.dataError, "summary.txt is malformed (the message names the line)"],
    [EXIT.ioError, "DIR, summary.txt or metrics.txt is missing or unreadable, or --out cannot be written"],
  ])}

Example (a new proof scenario from a replay):
  mkdir -p proofs-new/healthy && cp fixtures/scenarios/healthy/*.jsonl fixtures/scenarios/healthy/config.json proofs-new/healthy/
  recon-proof replay --journal proofs-new/healthy/journal.jsonl --broker proofs-new/healthy/broker.jsonl \\
    --config proofs-new/healthy/config.json --out artifacts/healthy
  recon-proof expect artifacts/healthy --out proofs-new/healthy/expect.txt
  recon-proof proof proofs-new/healthy`)
    .action((dir: string, opts: { out?: string }) => setExit(exitCodeOf(() => {
      checkArtifactsFolder(dir);
      const artifact = (name: string) => readFileInFolder(dir, name, "artifacts folder", writeArtifactsFirst(dir)).toString("utf8");
      const text = writeExpect(basename(resolve(dir)), artifact(SUMMARY_TXT), artifact(METRICS_TXT));
      if (opts.out === undefined) printToStdout(text);
      else {
        writeTextAtomically(opts.out, text);
        process.stderr.write(`recon-proof: wrote ${opts.out}\n`);
      }
      return EXIT.ok;
    }, (err) => reportFailure(err, {}, null))));
}
