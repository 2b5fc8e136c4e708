// `recon-proof gen`: a synthetic scenario from a seed (journal, broker log, config, ground truth).

import type { Command } from "commander";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../domain/errors.js";
import { FAULTS, type Fault, generateScenario } from "../../gen/generate.js";
import { EXIT } from "../exit-codes.js";
import { exitCodeOf, type SetExit } from "../errors.js";
import { writeLinesAtomically } from "../../adapters/write-lines.js";

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

function writeFile(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, name));
}

export function registerGen(program: Command, setExit: SetExit): void {
  program
    .command("gen")
    .description("Generate a synthetic scenario from a seed: journal.jsonl, broker.jsonl, config.json, truth.json (what reconciliation must find) and expect.txt, so the folder is also a proof.")
    .requiredOption("--seed <n>", "seed of every random choice; the same seed gives the same bytes")
    .requiredOption("--events <m>", "about how many journal + broker lines to write (at least 20)")
    .option("--faults <list>", `comma-separated faults to inject: ${FAULTS.join(", ")}`)
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

Example:
  recon-proof gen --seed 7 --events 100000 --faults disconnect,orphan --out /tmp/s7
  recon-proof proof /tmp/s7`)
    .action((opts: { seed: string; events: string; faults?: string; out: string }) => setExit(exitCodeOf(() => {
      const scenario = generateScenario({
        seed: wholeNumber(opts.seed, "--seed", 0),
        events: wholeNumber(opts.events, "--events", 20),
        faults: parseFaults(opts.faults),
      });
      mkdirSync(opts.out, { recursive: true });
      writeLinesAtomically(join(opts.out, "journal.jsonl"), scenario.journal);
      writeLinesAtomically(join(opts.out, "broker.jsonl"), scenario.broker);
      writeFile(opts.out, "config.json", JSON.stringify(scenario.config, null, 2) + "\n");
      writeFile(opts.out, "truth.json", JSON.stringify(scenario.truth, null, 2) + "\n");
      writeFile(opts.out, "expect.txt", scenario.expect);
      if (scenario.corruptCache !== null) writeFile(opts.out, "cache.db", scenario.corruptCache);
      process.stderr.write(`recon-proof: wrote ${scenario.truth.events} events (seed ${opts.seed}) to ${opts.out}\n`);
      return EXIT.ok;
    })));
}
