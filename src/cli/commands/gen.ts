// `recon-proof gen`: a synthetic scenario from a seed (journal, broker log, config, ground truth).

import type { Command } from "commander";
import { ConfigError } from "../../domain/errors.js";
import { FAULTS, type Fault, generateScenario } from "../../gen/generate.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { EXIT_MEANING, exitCodeOf, exitCodesHelp, type SetExit } from "../errors.js";
import { withProgress } from "../../runtime/progress.js";
import { makeFolder, writeFilesAtomically } from "../../adapters/write-lines.js";

function wholeNumber(text: string, flag: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new ConfigError(`${flag} needs a whole number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export function parseFaults(text: string | undefined): Fault[] {
  if (text === undefined || text.trim() === "") return [];
  const names = text.split(",").map((f) => f.trim()).filter((f) => f !== "");
  for (const n of names) {
    if (!(FAULTS as readonly string[]).includes(n)) throw new ConfigError(`unknown fault "${n}" (known: ${FAULTS.join(", ")})`);
  }
  return [...new Set(names)] as Fault[];
}

export function registerGen(program: Command, setExit: SetExit): void {
  program
    .command("gen")
    .description("Generate a synthetic scenario from a seed: journal.jsonl, broker.jsonl, config.json, truth.json (what reconciliation must find) and expect.txt, so the folder is also a proof.")
    .requiredOption("--seed <n>", "seed of every random choice; the same seed gives the same bytes")
    .requiredOption("--events <m>", "about how many journal + broker lines to write (at least 20)")
    .option("--faults <list>", `comma-separated faults to inject: ${FAULTS.join(", ")}`)
    .option("--force", "make each named fault happen at least once (drop-ack, duplicate-delivery, disconnect and crash-restart otherwise happen by chance; a forced disconnect always hides a fill)")
    .requiredOption("--out <dir>", "folder to write the scenario into (created if missing)")
    .addHelpText("after", `
Faults and what reconciliation must find (written to truth.json):
  drop-ack            some order_accepted events are missing; fills still match by client id: nothing
  duplicate-delivery  some broker events are delivered twice: counted as duplicate_deliveries, nothing else
  disconnect          short disconnects (shorter than the reconcile interval) hide fills: caught by reconcile
  crash-restart       the engine dies with an order in flight; the fill lands while it is down: caught by reconcile
  orphan              a manual trade at the broker: orphan_broker_order and position_drift (kill switch)
  lost-order          a decision the broker never receives: stale_local_order (kill switch)
  price-drift         a restart snapshot with a wrong average price: position_drift (kill switch)
  unit-drift          a restart snapshot with a wrong quantity: position_drift (kill switch)
  corrupt-cache       writes cache.db that is not a valid cache: cache_ok=false (kill switch); no trading
Restarts with a re-emitted decision happen in every scenario (duplicates_skipped).
A position_drift is expected where the two books the generator built differ beyond the drift
tolerance when a reconciliation runs, not because a fault was asked for: faults can even each
other out (a manual buy at the broker, and a snapshot one lot long in the same symbol).
${exitCodesHelp([
    [EXIT.ok, "the scenario is written"],
    [EXIT.usage, "usage error: a missing option, a bad number, an unknown fault"],
    [EXIT.ioError, EXIT_MEANING.io],
  ])}

Example (a scenario with a manual trade at the broker, then its proof):
  recon-proof gen --seed 7 --events 20000 --faults disconnect,orphan --out generated/s7
  recon-proof proof generated/s7`)
    .action((opts: { seed: string; events: string; faults?: string; force?: boolean; out: string }) => setExit(exitCodeOf(() => {
      const events = wholeNumber(opts.events, "--events", 20);
      const seed = wholeNumber(opts.seed, "--seed", 0);
      const faults = parseFaults(opts.faults);
      const scenario = withProgress("gen", events, "events", (progress) =>
        generateScenario({ seed, events, faults, force: opts.force === true, onProgress: (lines) => progress.update(lines) }));
      makeFolder(opts.out);
      // Written together: a full disk leaves none of the files changed, never a new journal beside an old broker log.
      writeFilesAtomically(opts.out, [
        ["journal.jsonl", scenario.journal],
        ["broker.jsonl", scenario.broker],
        ["config.json", JSON.stringify(scenario.config, null, 2) + "\n"],
        ["truth.json", JSON.stringify(scenario.truth, null, 2) + "\n"],
        ["expect.txt", scenario.expect],
        ...(scenario.corruptCache === null ? [] : [["cache.db", scenario.corruptCache] as const]),
      ]);
      process.stderr.write(`recon-proof: wrote ${scenario.truth.events} events (seed ${opts.seed}) to ${opts.out}\n`);
      return EXIT.ok;
    })));
}
