// `recon-proof proof` and `recon-proof verify`: replay scenarios and check their expectations,
// printing one PASS/FAIL line per criterion, exactly as the CI workflow prints them.

import type { Command } from "commander";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readArtifactSet, readTextFile } from "../../adapters/read-artifact-set.js";
import { ConfigError, DataError } from "../../domain/errors.js";
import { type CheckResult, formatResult, parseExpect, verifyArtifacts } from "../../report/verify.js";
import { EXIT } from "../exit-codes.js";
import { exitCodeOf, printWarnings, type SetExit } from "../errors.js";
import { runReplayInterruptibly } from "../run-replay.js";
import { SIGNALS_HELP, yieldToSignals, withSignalsTrapped } from "../signals.js";

const DEFAULT_PROOFS_DIR = "proofs";
const DEFAULT_ARTIFACTS_DIR = "artifacts";

function scenarioDirs(given: readonly string[]): string[] {
  if (given.length > 0) return [...given];
  if (!existsSync(DEFAULT_PROOFS_DIR)) throw new ConfigError(`no scenarios named and no ${DEFAULT_PROOFS_DIR}/ folder here`);
  return readdirSync(DEFAULT_PROOFS_DIR).sort()
    .map((n) => join(DEFAULT_PROOFS_DIR, n))
    .filter((p) => statSync(p).isDirectory() && existsSync(join(p, "expect.txt")));
}

/** Replays one scenario into artifacts/<name>/ and checks it. Bad input counts as exit 65. */
export async function proveScenario(dir: string, artifactsRoot: string): Promise<{ name: string; results: CheckResult[] }> {
  const name = basename(dir);
  const expectPath = join(dir, "expect.txt");
  const expect = parseExpect(readTextFile(expectPath, `${name}/expect.txt`), `${name}/expect.txt`);
  const out = join(artifactsRoot, name);
  const config = join(dir, "config.json");
  let exitCode: number;
  try {
    const outcome = await runReplayInterruptibly({
      journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"),
      config: existsSync(config) ? config : undefined, cache: scratchCopyOfCache(dir), out,
    });
    printWarnings(outcome.warnings);
    exitCode = outcome.exitCode;
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    exitCode = EXIT.dataError;
  }
  const artifacts = exitCode === EXIT.dataError ? {} : readArtifactSet(out);
  return { name, results: verifyArtifacts(artifacts, expect, exitCode) };
}

/** A scenario may ship a cache.db; the replay gets a scratch copy so the committed file never changes. */
function scratchCopyOfCache(dir: string): string | undefined {
  const shipped = join(dir, "cache.db");
  if (!existsSync(shipped)) return undefined;
  const copy = join(mkdtempSync(join(tmpdir(), "recon-proof-cache-")), "cache.db");
  copyFileSync(shipped, copy);
  return copy;
}

function printResults(name: string, results: readonly CheckResult[]): number {
  for (const r of results) process.stdout.write(formatResult(name, r) + "\n");
  return results.filter((r) => !r.pass).length;
}

export function registerProof(program: Command, setExit: SetExit): void {
  program
    .command("proof")
    .description("Replay each scenario folder (default: every folder under proofs/) into artifacts/<name>/ and check its expect.txt.")
    .argument("[scenario_dir...]", "scenario folders holding journal.jsonl, broker.jsonl, config.json (optional) and expect.txt")
    .option("--artifacts <dir>", "where to write each scenario's artifacts", DEFAULT_ARTIFACTS_DIR)
    .addHelpText("after", `
expect.txt, one criterion per line ('#' starts a comment):
  <artifact>: <text>     the artifact must contain the literal text
  <artifact>: !<text>    the artifact must not contain it
  exit: N                the replay's exit code (default 0)
artifact is one of trades.csv, reconcile-report.json, summary.txt, metrics.txt.
A scenario folder may also hold cache.db: the replay then runs with --cache on a scratch copy of it.

Built-in criteria (the M8 rules), checked for every scenario:
  - summary.txt starts with "reconcile_summary stale=.. orphan=.. drift=.. cache_ok=.."
  - metrics.txt has engine_reconcile_runs_total
  - stale=0, orphan=0, cache_ok=true and no position drift beyond tolerance,
    unless expect.txt names that outcome (e.g. "summary.txt: reconcile_summary stale=1")

Prints one line per criterion: PASS|FAIL <scenario> <artifact>: <criterion>. Exit 1 if any fails.
${SIGNALS_HELP}

Examples:
  recon-proof proof                         # every scenario under proofs/
  recon-proof proof proofs/orphan-manual-trade`)
    .action((dirs: string[], opts: { artifacts: string }) => setExit(withSignalsTrapped(async () => exitCodeOf(async () => {
      let failed = 0;
      let criteria = 0;
      const scenarios = scenarioDirs(dirs);
      for (const dir of scenarios) {
        await yieldToSignals();
        const { name, results } = await proveScenario(dir, opts.artifacts);
        criteria += results.length;
        failed += printResults(name, results);
      }
      process.stdout.write(`proof: ${scenarios.length} scenarios, ${criteria} criteria, ${failed} failed\n`);
      return failed > 0 ? EXIT.proofFailed : EXIT.ok;
    }))));

  program
    .command("verify")
    .description("Check an existing artifacts folder against an expect.txt (the checking half of `proof`).")
    .requiredOption("--artifacts <dir>", "folder holding the four artifacts")
    .requiredOption("--expect <file>", "expect.txt (see `recon-proof proof --help` for its format)")
    .option("--exit-code <n>", "the replay's exit code, if known (default: 3 when summary.txt says kill_switch=1, else 0)")
    .addHelpText("after", `
Example:
  recon-proof verify --artifacts artifacts/healthy --expect proofs/healthy/expect.txt`)
    .action((opts: { artifacts: string; expect: string; exitCode?: string }) => setExit(exitCodeOf(() => {
      const expect = parseExpect(readTextFile(opts.expect, "expect file"), basename(opts.expect));
      const exitCode = opts.exitCode === undefined ? undefined : Number(opts.exitCode);
      if (exitCode !== undefined && !Number.isInteger(exitCode)) throw new ConfigError(`--exit-code needs a whole number, got ${opts.exitCode}`);
      const results = verifyArtifacts(readArtifactSet(opts.artifacts), expect, exitCode);
      const failed = printResults(basename(opts.artifacts), results);
      return failed > 0 ? EXIT.proofFailed : EXIT.ok;
    })));
}
