// The imperative shell of `recon-proof minimize`: read and validate both logs, check they keep the
// predicate, run the search (in-process, or with worker threads), replay the result from files as
// `proof` will, and write it as a proof scenario (journal.jsonl, broker.jsonl, config.json,
// expect.txt), atomically: all four files, or DIR is left as it was.

import { readFileSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ArtifactSetWriter, checkOutDir } from "../adapters/artifacts.js";
import { configFileMeta, loadConfig } from "../adapters/inputs.js";
import { LineReader } from "../adapters/lines.js";
import { readArtifactSet } from "../adapters/read-artifact-set.js";
import { makeScratchFolder, writeFilesAtomically } from "../adapters/write-lines.js";
import { replay } from "../core/replay.js";
import { assert, ConfigError } from "../domain/errors.js";
import type { SearchState } from "../minimize/ddmin.js";
import { linesInEventOrder } from "../minimize/lines.js";
import { firstThatHolds, type ItemBatch, minimizeSearch, runSearch, runSearchAsync } from "../minimize/search.js";
import type { Item, Source, Trials } from "../minimize/trials.js";
import { METRICS_TXT, SUMMARY_TXT } from "../artifacts/names.js";
import { writeMinimizedExpect } from "../proofs/expect-writer.js";
import { type CheckResult, checkPredicate, criterionText, type ExpectFile, parseExpect, verifyArtifacts } from "../proofs/verify.js";
import { EXIT } from "../runtime/exit-codes.js";
import { TrialPool, WORKERS_MAX } from "../jobs/minimize/pool.js";
import { KEEP_SOURCE, type TrialInit, trialsOf } from "../jobs/minimize/trials.js";
import { Progress } from "../runtime/progress.js";
import { runReplay } from "./replay.js";

export interface MinimizeArgs {
  readonly journal: string;
  readonly broker: string;
  readonly config?: string | undefined;
  readonly keep: readonly string[];
  readonly out: string;
  /** Write into an --out folder recon-proof did not write (--adopt-out). */
  readonly adoptOut?: boolean | undefined;
  readonly note?: string | undefined;
  /** Worker threads (0: every replay in-process, on this thread). */
  readonly workers: number;
}

/** The names of a proof scenario's files. */
export const SCENARIO_FILES = { journal: "journal.jsonl", broker: "broker.jsonl", config: "config.json", expect: "expect.txt" } as const;

export type MinimizeOutcome =
  | { readonly kept: false; readonly results: readonly CheckResult[] }
  | {
    readonly kept: true;
    readonly lines: { readonly [S in Source]: { readonly before: number; readonly after: number } };
    readonly replays: number;
    /** The minimized scenario's own exit code when replayed (0 or 3). */
    readonly exitCode: number;
    readonly predicate: readonly string[];
  };

/** --keep lines, parsed as expect.txt. A replay exits 0 or 3, so only those can be kept. */
export function parsePredicate(keep: readonly string[]): ExpectFile {
  const predicate = parseExpect(keep.join("\n"), KEEP_SOURCE);
  if (predicate.expectations.length === 0 && !predicate.exitGiven) throw new ConfigError("--keep needs at least one criterion (see `recon-proof proof --help` for the format)");
  if (predicate.exitGiven && predicate.exitCode !== EXIT.ok && predicate.exitCode !== EXIT.killSwitch) {
    throw new ConfigError(`--keep "exit: ${predicate.exitCode}" cannot be kept: a candidate that is not valid input is not a reduction, so only a replay's exit 0 or 3 can be`);
  }
  return predicate;
}

/** The predicate's lines as expect.txt writes them. */
function predicateLines(p: ExpectFile): string[] {
  return [...(p.exitGiven ? [`exit: ${p.exitCode}`] : []), ...p.expectations.map((e) => `${e.artifact}: ${criterionText(e)}`)];
}

/** Says where the search stands, on a terminal: lines left, replays tried, how fine the cuts are. */
function progressOf(total: number): { line: Progress; state: (s: SearchState) => void; tried: (replays: number) => void } {
  const line = new Progress("minimize", total, "events");
  let state: SearchState = { items: total, granularity: 2 };
  const show = (replays: number) => line.status(`${state.items.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} lines left  ${replays.toLocaleString("en-US")} replays  (cut in ${state.granularity})`);
  return { line, state: (s) => (state = s), tried: show };
}

/** The search, in-process or on worker threads; the lines kept and the replays it took. */
async function search(items: readonly Item[], trials: Trials, init: TrialInit, workers: number, progress: ReturnType<typeof progressOf>): Promise<{ kept: Item[]; replays: number }> {
  const steps = minimizeSearch(items, progress.state);
  if (workers === 0) {
    const kept = runSearch(steps, firstThatHolds((c) => {
      const holds = trials.holds(c);
      progress.tried(trials.replays);
      return holds;
    }));
    return { kept, replays: trials.replays };
  }
  const pool = new TrialPool(workers, init, items);
  try {
    const kept = await runSearchAsync(steps, (b: ItemBatch) => pool.answer(b, () => progress.tried(trials.replays + pool.replays)));
    return { kept, replays: trials.replays + pool.replays };
  } finally {
    await pool.close();
  }
}

const fileText = (items: readonly Item[], src: Source): string => items.filter((i) => i.src === src).map((i) => i.text).join("\n") + "\n";

/**
 * Replays the scenario from its files, as `proof` will, and returns its expect.txt: the predicate
 * and the verdict, checked to hold there (a failure is a bug of the search, not of the input).
 */
function provenExpect(files: Readonly<Record<string, string>>, predicate: ExpectFile, from: Parameters<typeof writeMinimizedExpect>[0]): { expect: string; exitCode: number } {
  const work = makeScratchFolder("recon-proof-minimize-");
  try {
    writeFilesAtomically(work, Object.entries(files));
    const out = join(work, "artifacts");
    const { exitCode } = runReplay({ journal: join(work, SCENARIO_FILES.journal), broker: join(work, SCENARIO_FILES.broker),
      config: join(work, SCENARIO_FILES.config), out, progress: { update: () => {} } });
    const artifacts = readArtifactSet(out);
    const expect = writeMinimizedExpect(from, predicateLines(predicate), artifacts[SUMMARY_TXT]!, artifacts[METRICS_TXT]!);
    const failed = verifyArtifacts(artifacts, parseExpect(expect, SCENARIO_FILES.expect), exitCode).filter((r) => !r.pass);
    assert(failed.length === 0, `the minimized scenario keeps its expect.txt when replayed from files (failed: ${failed.map((r) => r.criterion).join("; ")})`);
    return { expect, exitCode };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Writes the four files into DIR together (or nothing changes). */
function writeScenario(out: string, files: Readonly<Record<string, string>>, adopt: boolean | undefined): void {
  const names = Object.values(SCENARIO_FILES);
  const writer = new ArtifactSetWriter(out, "", { names, streamed: SCENARIO_FILES.journal }, undefined, { adopt, command: "minimize" });
  try {
    writer.appendStreamed(files[SCENARIO_FILES.journal]!);
    writer.commit(files);
  } catch (err) {
    writer.abort();
    throw err;
  }
}

export async function runMinimize(args: MinimizeArgs): Promise<MinimizeOutcome> {
  assert(Number.isInteger(args.workers) && args.workers >= 0 && args.workers <= WORKERS_MAX, "--workers is checked by parseWorkers");
  const predicate = parsePredicate(args.keep);
  const loaded = loadConfig(args.config);
  const inputs = [args.journal, args.broker, ...(args.config === undefined ? [] : [args.config])];
  if (inputs.some((f) => dirname(resolve(f)) === resolve(args.out))) {
    throw new ConfigError(`--out ${args.out} holds the incident's own inputs, which the scenario's files would replace: name another folder`);
  }
  checkOutDir(args.out, { adopt: args.adoptOut });
  const configText = args.config === undefined ? "{}\n" : readFileSync(args.config, "utf8");
  const init: TrialInit = {
    configJson: JSON.parse(configText) as unknown, predicate: args.keep.join("\n"), names: SCENARIO_FILES,
    configFile: configFileMeta(SCENARIO_FILES.config, configText),
  };
  const trials = trialsOf(init);
  const read = (src: Source, path: string) => new LineReader(path, src, loaded.config.lineBytesMax);
  const { items, journal, broker, recordOf } = linesInEventOrder(read("journal", args.journal), read("broker", args.broker));
  for (const [item, rec] of recordOf) trials.remember(item, rec);
  const whole = trials.run(items);
  if (whole === null) {
    // Not valid input: the replay with the real line numbers says where.
    replay(loaded.config, journal, broker, { configHash: loaded.hash, cacheEntries: [], cacheFailure: null });
    assert(false, "a candidate the replay refuses is refused with a DataError");
  }
  const results = checkPredicate(whole.artifacts, predicate, whole.exitCode);
  if (results.some((r) => !r.pass)) return { kept: false, results };
  const progress = progressOf(items.length);
  const { kept, replays } = await search(items, trials, init, args.workers, progress).finally(() => progress.line.done());
  const files: Record<string, string> = {
    [SCENARIO_FILES.journal]: fileText(kept, "journal"), [SCENARIO_FILES.broker]: fileText(kept, "broker"), [SCENARIO_FILES.config]: configText,
  };
  const count = (items_: readonly Item[], src: Source) => items_.filter((i) => i.src === src).length;
  const from = {
    journal: { name: basename(args.journal), lines: count(items, "journal"), kept: count(kept, "journal") },
    broker: { name: basename(args.broker), lines: count(items, "broker"), kept: count(kept, "broker") },
    replays, note: args.note ?? null,
  };
  const { expect, exitCode } = provenExpect(files, predicate, from);
  writeScenario(args.out, { ...files, [SCENARIO_FILES.expect]: expect }, args.adoptOut);
  return {
    kept: true, replays, exitCode, predicate: predicateLines(predicate),
    lines: { journal: { before: from.journal.lines, after: from.journal.kept }, broker: { before: from.broker.lines, after: from.broker.kept } },
  };
}
