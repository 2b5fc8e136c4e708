// `node dist/bench/minimize.js`: `recon-proof minimize` on generated incidents with one planted
// fault each. For every fault `gen` knows: generate, replay, derive the predicate that pins the
// planted fault (src/gen/predicates.ts), then run `recon-proof minimize` as a user would (one
// process, its wall time) and print the lines left, the replays tried and the time, as a table.
// Never a timed assertion in a test.
//
//   node dist/bench/minimize.js --events 100000                 # every fault (a few minutes)
//   node dist/bench/minimize.js --events 1000000 --faults orphan --workers 2

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeLinesAtomically } from "../adapters/write-lines.js";
import { runReplay } from "../run/replay.js";
import { FAULTS, type Fault, generateScenario } from "../gen/generate.js";
import { plantedFaultPredicate } from "../gen/predicates.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

interface Row { fault: string; predicate: string; lines: string; replays: string; seconds: string }

function measure(work: string, fault: Fault, seed: number, events: number, workers: string): Row {
  const dir = join(work, fault);
  mkdirSync(dir, { recursive: true });
  const s = generateScenario({ seed, events, faults: [fault] });
  writeLinesAtomically(join(dir, "journal.jsonl"), s.journal);
  writeLinesAtomically(join(dir, "broker.jsonl"), s.broker);
  writeFileSync(join(dir, "config.json"), JSON.stringify(s.config, null, 2) + "\n");
  const files = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json") };
  runReplay({ ...files, out: join(dir, "artifacts"), progress: { update: () => {} } });
  const keep = plantedFaultPredicate(fault, s, readFileSync(join(dir, "artifacts", "reconcile-report.json"), "utf8"));
  if (keep === null) return { fault, predicate: "(in the cache file, not the logs)", lines: "-", replays: "-", seconds: "-" };
  const args = [CLI, "minimize", "--journal", files.journal, "--broker", files.broker, "--config", files.config, "--out", join(dir, "min"),
    "--workers", workers, "--json", ...keep.flatMap((k) => ["--keep", k])];
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = (Number(process.hrtime.bigint() - t) / 1e9).toFixed(1);
  const predicate = keep.map((k) => `\`${k}\``).join(" ");
  if (r.status !== 0) return { fault, predicate, lines: `exit ${r.status}`, replays: "-", seconds };
  const doc = JSON.parse(r.stdout) as { lines: { journal: { after: number }; broker: { after: number } }; replays: number };
  const lines = `${doc.lines.journal.after + doc.lines.broker.after} (${doc.lines.journal.after} + ${doc.lines.broker.after})`;
  return { fault, predicate, lines, replays: doc.replays.toLocaleString("en-US"), seconds };
}

function main(): void {
  const events = Number(arg("events", "100000"));
  const seed = Number(arg("seed", "1"));
  const workers = arg("workers", "0");
  const faults = arg("faults", FAULTS.join(",")).split(",") as Fault[];
  const work = mkdtempSync(join(tmpdir(), "recon-proof-bench-minimize-"));
  try {
    console.log(`minimize on generated incidents: ${events.toLocaleString("en-US")} events, seed ${seed}, one planted fault each, --workers ${workers}\n`);
    console.log("| fault | predicate (--keep) | lines left (journal + broker) | replays | wall time (s) |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const fault of faults) {
      const row = measure(work, fault, seed, events, workers);
      console.log(`| ${row.fault} | ${row.predicate} | ${row.lines} | ${row.replays} | ${row.seconds} |`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
