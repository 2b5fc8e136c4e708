#!/usr/bin/env node
// recon-proof's command line. Thin: parse arguments, call the shell functions, map typed errors to
// the exit codes of docs/reference/exit-codes.md. The only place that calls process.exit.

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { loadFaults } from "../adapters/fault-points.js";
import { enableSqliteUriFilenames } from "../adapters/sqlite-files.js";
import { flushStdout, watchStdout } from "../adapters/stdout.js";
import { EXIT } from "../runtime/exit-codes.js";
import { EXIT_MEANING, exitCodesHelp, type SetExit } from "./errors.js";
import { writeJsonUnlessStdoutFailed } from "./output.js";
import { failureDoc } from "./json-docs.js";
import { registerReplay } from "./commands/replay.js";
import { registerMerge } from "./commands/merge.js";
import { registerProof } from "./commands/proof.js";
import { registerExpect } from "./commands/expect.js";
import { registerCache } from "./commands/cache.js";
import { registerGen } from "./commands/gen.js";
import { registerReport } from "./commands/report.js";
import { registerImport } from "./commands/import.js";
import { registerExplain } from "./commands/explain.js";
import { registerMinimize } from "./commands/minimize.js";

/** The package's version, from the package.json this build ships with (dist/cli/ -> ../../). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function buildProgram(setExit: SetExit): Command {
  const program = new Command()
    .name("recon-proof")
    .description("Deterministic replay and proof harness: an engine's decision journal against a broker's event log.")
    .version(version(), "-V, --version", "print the version and exit")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", `${exitCodesHelp([
      [EXIT.ok, "healthy, or every proof criterion held"],
      [EXIT.proofFailed, "a proof criterion failed (proof, verify)"],
      [EXIT.usage, EXIT_MEANING.usage],
      [EXIT.killSwitch, "artifacts written, but the kill switch is engaged: manual intervention required"],
      [EXIT.dataError, EXIT_MEANING.badInput],
      [EXIT.ioError, EXIT_MEANING.io],
    ])}
Each command's --help lists the codes it can return.

Example:
  recon-proof proof proofs/healthy`)
    .exitOverride();

  registerReplay(program, setExit);
  registerProof(program, setExit);
  registerExpect(program, setExit);
  registerCache(program, setExit);
  registerGen(program, setExit);
  registerReport(program, setExit);
  registerExplain(program, setExit);
  registerMinimize(program, setExit);
  registerImport(program, setExit);
  registerMerge(program, setExit);
  return program;
}

/** Commander's own refusals (a missing option, an unknown command): exit 2, and a JSON document under --json. */
function usageError(err: CommanderError, argv: readonly string[]): number {
  if (argv.includes("--json")) writeJsonUnlessStdoutFailed(failureDoc(argv[2] ?? null, EXIT.usage, err.message.replace(/^error: /, "")));
  return EXIT.usage;
}

async function main(argv: readonly string[]): Promise<number> {
  let code: number | Promise<number> = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : usageError(err, argv);
    }
    throw err;
  }
  return await code;
}

/**
 * The command's exit code, once what it printed has gone out: a failed write to stdout (a full
 * disk under a redirect) is an I/O error, exit 74, even where the command had finished (its
 * output is cut). A command that stopped on that failure has said so already (its exit code is
 * 74). A reader that went away (`recon-proof proof | head -3`) is not an error: the work is
 * finished and the exit code is the command's own.
 */
async function afterStdoutFlushed(code: number): Promise<number> {
  const failure = await flushStdout();
  if (failure === null || code === EXIT.ioError) return code;
  process.stderr.write(`recon-proof: ${failure.message}\n`);
  return EXIT.ioError;
}

// What the library leaves to its first use, the command sets up before it does anything: the test
// faults the environment sets (a value it cannot read stops it here), and SQLite's URI filenames,
// in the environment every thread and child process it starts inherits.
loadFaults();
enableSqliteUriFilenames();
watchStdout();
// A rejection here is a bug (typed errors are mapped to exit codes): Node prints it and exits 1.
void main(process.argv).then(afterStdoutFlushed).then((code) => {
  process.exitCode = code;
});
