// `recon-proof proof` and `recon-proof verify`: replay scenarios and check their expectations,
// printing one PASS/FAIL line per criterion, exactly as the CI workflow prints them (or, with
// --json, one JSON document with the same results).

import type { Command } from "commander";
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { readFileInFolder } from "../../adapters/input-files.js";
import { readArtifactSet, readTextFile } from "../../adapters/read-artifact-set.js";
import { copyInto, makeScratchFolder } from "../../adapters/write-lines.js";
import { ConfigError, DataError } from "../../domain/errors.js";
import { ADOPT_FLAG } from "../../adapters/out-dir.js";
import { ADOPT_OUT_OPTION, OUT_IO_REFUSALS, OUT_USAGE_REFUSALS } from "./out-help.js";
import { SUMMARY_TXT } from "../../artifacts/names.js";
import { verdictOf } from "../../proofs/job-summary.js";
import { type CheckResult, formatResult, parseExpect, verifyArtifacts } from "../../proofs/verify.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { EXIT_MEANING, exitCodesHelp, printWarnings, type SetExit } from "../errors.js";
import { type CommandResult, type Output, outputFor, runWithOutput } from "../output.js";
import { criterionDoc, type ScenarioDoc } from "../json-docs.js";
import { plural } from "../../text/plural.js";
import { type ProgressSink, withProgress } from "../../runtime/progress.js";
import { replayInputBytes, runReplayInterruptibly } from "../../run/replay.js";
import { SIGNALS_HELP, yieldToSignals, withSignalsTrapped } from "../../runtime/signals.js";

const DEFAULT_PROOFS_DIR = "proofs";
const DEFAULT_ARTIFACTS_DIR = "artifacts";

function scenarioDirs(given: readonly string[]): string[] {
  if (given.length > 0) return [...given];
  if (!existsSync(DEFAULT_PROOFS_DIR)) throw new ConfigError(`no scenarios named and no ${DEFAULT_PROOFS_DIR}/ folder here`);
  return readdirSync(DEFAULT_PROOFS_DIR).sort()
    .map((n) => join(DEFAULT_PROOFS_DIR, n))
    .filter((p) => statSync(p).isDirectory() && existsSync(join(p, "expect.txt")));
}

const scenarioInputs = (dir: string) => ({ journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl") });

export interface ScenarioResult {
  readonly name: string;
  /** The replay's exit code (65 for bad input). */
  readonly replayExitCode: number;
  /** summary.txt, when the replay wrote artifacts. */
  readonly summaryTxt: string | undefined;
  readonly results: CheckResult[];
}

/** Replays one scenario into artifacts/<name>/ and checks it. Bad input counts as exit 65. */
export async function proveScenario(dir: string, artifactsRoot: string, progress?: ProgressSink, adoptOut?: boolean): Promise<ScenarioResult> {
  const name = basename(dir);
  const expect = parseExpect(readFileInFolder(dir, "expect.txt", "scenario folder", "a scenario folder holds journal.jsonl, broker.jsonl and expect.txt").toString("utf8"), `${name}/expect.txt`);
  const out = join(artifactsRoot, name);
  const config = join(dir, "config.json");
  let exitCode: number;
  try {
    const outcome = await runReplayInterruptibly({
      ...scenarioInputs(dir), config: existsSync(config) ? config : undefined, cache: scratchCopyOfCache(dir), out, adoptOut, progress,
    });
    printWarnings(outcome.warnings);
    exitCode = outcome.exitCode;
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    exitCode = EXIT.dataError;
  }
  const artifacts = exitCode === EXIT.dataError ? {} : readArtifactSet(out);
  return { name, replayExitCode: exitCode, summaryTxt: artifacts[SUMMARY_TXT], results: verifyArtifacts(artifacts, expect, exitCode) };
}

/** A scenario may ship a cache.db; the replay gets a scratch copy so the committed file never changes. */
function scratchCopyOfCache(dir: string): string | undefined {
  const shipped = join(dir, "cache.db");
  if (!existsSync(shipped)) return undefined;
  return copyInto(shipped, makeScratchFolder("recon-proof-cache-"));
}

function printResults(out: Output, name: string, results: readonly CheckResult[]): number {
  for (const r of results) out.result(formatResult(name, r));
  return results.filter((r) => !r.pass).length;
}

function scenarioDoc(s: ScenarioResult, artifactsRoot: string): ScenarioDoc {
  return {
    name: s.name,
    passed: s.results.every((r) => r.pass),
    replay_exit_code: s.replayExitCode,
    verdict: verdictOf(s.summaryTxt),
    artifacts: join(artifactsRoot, s.name),
    criteria: s.results.map(criterionDoc),
  };
}

const EXPECT_FORMAT = `
expect.txt, one criterion per line ('#' starts a comment):
  <artifact>: <text>           the artifact must contain the literal text
  <artifact>: !<text>          the artifact must not contain it
  <artifact>: = <whole line>   the artifact must have this exact line (like grep -Fx), so
                               "= orphan=1" does not hold for orphan=12: use it for counts
  exit: N                      the replay's exit code (0 when left out)
artifact is one of trades.csv, reconcile-report.json, summary.txt, metrics.txt.
\`recon-proof expect DIR\` writes one from a replay's artifacts.

Built-in criteria, checked for every scenario:
  - summary.txt starts with "reconcile_summary stale=.. orphan=.. drift=.. cache_ok=.."
  - metrics.txt has engine_reconcile_runs_total
  - stale=0, orphan=0, cache_ok=true and no position drift beyond tolerance,
    unless expect.txt names that outcome (e.g. "summary.txt: = reconcile_summary stale=1 ...")`;

/** `proof` and its checking half, `verify`. */
export function registerProof(program: Command, setExit: SetExit): void {
  registerProofCommand(program, setExit);
  registerVerify(program, setExit);
}

interface ProofOpts {
  readonly artifacts: string;
  readonly adoptOut?: boolean;
  readonly json?: boolean;
}

function registerProofCommand(program: Command, setExit: SetExit): void {
  program
    .command("proof")
    .description("Replay each scenario folder (every folder under proofs/ when none is named) into artifacts/<name>/ and check its expect.txt.")
    .argument("[scenario_dir...]", "scenario folders holding journal.jsonl, broker.jsonl, expect.txt, and optionally config.json and cache.db")
    .option("--artifacts <dir>", `where to write each scenario's artifacts: <dir>/<name>/, each an output folder as with \`replay --out\` (${ADOPT_FLAG} below)`, DEFAULT_ARTIFACTS_DIR)
    .option(...ADOPT_OUT_OPTION)
    .option("--json", "print one JSON document on stdout (verdict, counts, every criterion); the PASS/FAIL lines go to stderr")
    .addHelpText("after", `${EXPECT_FORMAT}
A scenario folder may also hold cache.db: the replay then runs with --cache on a scratch copy of it.

Prints one line per criterion, PASS|FAIL <scenario> <artifact>: <criterion>, then a tally.
${exitCodesHelp([
    [EXIT.ok, "every criterion of every scenario held"],
    [EXIT.proofFailed, "a criterion failed (its FAIL line says why and what the artifact held)"],
    [EXIT.usage, `usage error: no scenario found, a malformed expect.txt (file:line named), or ${OUT_USAGE_REFUSALS}`],
    [EXIT.ioError, `${EXIT_MEANING.io} (${OUT_IO_REFUSALS})`],
  ])}
${SIGNALS_HELP}

Example:
  recon-proof proof proofs/healthy proofs/orphan-manual-trade`)
    .action((dirs: string[], opts: ProofOpts) => {
      const out = outputFor(opts.json === true);
      setExit(withSignalsTrapped(() => runWithOutput("proof", out, () => proveAll(dirs, opts, out), { consequence: null })));
    });
}

/** Replays and checks each scenario in turn (a progress line over all their input bytes), then the tally. */
async function proveAll(dirs: readonly string[], opts: ProofOpts, out: Output): Promise<CommandResult<"proof">> {
  const scenarios = scenarioDirs(dirs);
  const sizes = scenarios.map((d) => replayInputBytes(scenarioInputs(d)));
  const proved = await withProgress("proof", sizes.reduce((a, b) => a + b, 0), "bytes", async (progress) => {
    let done = 0;
    const results: ScenarioResult[] = [];
    for (const [i, dir] of scenarios.entries()) {
      await yieldToSignals();
      results.push(await proveScenario(dir, opts.artifacts, progress.from(done), opts.adoptOut));
      done += sizes[i]!;
      progress.update(done);
    }
    return results;
  });
  let failed = 0;
  let criteria = 0;
  for (const s of proved) {
    criteria += s.results.length;
    failed += printResults(out, s.name, s.results);
  }
  out.result(`proof: ${plural(proved.length, "scenario")}, ${plural(criteria, "criterion", "criteria")}, ${failed} failed`);
  const code = failed > 0 ? EXIT.proofFailed : EXIT.ok;
  return {
    code,
    doc: {
      passed: failed === 0,
      counts: { scenarios: proved.length, criteria, failed },
      scenarios: proved.map((s) => scenarioDoc(s, opts.artifacts)),
    },
  };
}

interface VerifyOpts {
  readonly artifacts: string;
  readonly expect: string;
  readonly exitCode?: string;
  readonly json?: boolean;
}

function registerVerify(program: Command, setExit: SetExit): void {
  program
    .command("verify")
    .description("Check an existing artifacts folder against an expect.txt (the checking half of `proof`).")
    .requiredOption("--artifacts <dir>", "folder holding the four artifacts")
    .requiredOption("--expect <file>", "expect.txt (its format is below)")
    .option("--exit-code <n>", "the replay's exit code, if known; otherwise 3 when summary.txt says kill_switch=1, else 0")
    .option("--json", "print one JSON document on stdout (verdict, counts, every criterion); the PASS/FAIL lines go to stderr")
    .addHelpText("after", `${EXPECT_FORMAT}

Prints one line per criterion, PASS|FAIL <folder name> <artifact>: <criterion>. The same checks run
without Node as: sh scripts/verify.sh ARTIFACTS_DIR EXPECT_FILE
${exitCodesHelp([
    [EXIT.ok, "every criterion held"],
    [EXIT.proofFailed, "a criterion failed (its FAIL line says why and what the artifact held)"],
    [EXIT.usage, "usage error: a bad option or a malformed expect.txt (file:line named)"],
    [EXIT.ioError, "an artifact or the expect file cannot be read"],
  ])}

Example:
  recon-proof replay --journal fixtures/scenarios/healthy/journal.jsonl --broker fixtures/scenarios/healthy/broker.jsonl \\
    --config fixtures/scenarios/healthy/config.json --out artifacts/healthy
  recon-proof verify --artifacts artifacts/healthy --expect fixtures/scenarios/healthy/expect.txt`)
    .action((opts: VerifyOpts) => {
      const out = outputFor(opts.json === true);
      setExit(runWithOutput("verify", out, () => verify(opts, out), { consequence: null }));
    });
}

/** Checks one artifacts folder against one expect.txt. */
function verify(opts: VerifyOpts, out: Output): CommandResult<"verify"> {
  const expect = parseExpect(readTextFile(opts.expect, "expect file"), basename(opts.expect));
  const exitCode = opts.exitCode === undefined ? undefined : Number(opts.exitCode);
  if (exitCode !== undefined && !Number.isInteger(exitCode)) throw new ConfigError(`--exit-code needs a whole number, got ${opts.exitCode}`);
  const artifacts = readArtifactSet(opts.artifacts);
  const results = verifyArtifacts(artifacts, expect, exitCode);
  const failed = printResults(out, basename(opts.artifacts), results);
  return {
    code: failed > 0 ? EXIT.proofFailed : EXIT.ok,
    doc: {
      passed: failed === 0,
      verdict: verdictOf(artifacts[SUMMARY_TXT]),
      counts: { criteria: results.length, failed },
      criteria: results.map(criterionDoc),
    },
  };
}
