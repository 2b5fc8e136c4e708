// Shared helpers for the importer tests: run an importer in process, validate its lines with the
// canonical parser, replay them into a temp folder.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { describeImport, runImport, type ImportOutcome } from "../../src/adapters/importers/run.js";
import { runReplay } from "../../src/cli/run-replay.js";
import { parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { compareInstants } from "../../src/domain/time.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BROKERS = join(ROOT, "fixtures", "brokers");
export const E2E = join(ROOT, "fixtures", "e2e");

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), "recon-import-"));
}

/** Imports and checks the two promises every output makes: each line parses, ts never goes back. */
export function importChecked(source: string, files: string[], opts: { tz?: string; asOf?: string } = {}): ImportOutcome {
  const outcome = runImport({ source, files, ...opts });
  const parse = outcome.kind === "broker" ? parseBrokerLine : parseJournalLine;
  let prev: ReturnType<typeof parse> | undefined;
  outcome.finished.lines.forEach((line, i) => {
    const rec = parse(line, i + 1);
    if (prev !== undefined) expect(compareInstants(rec.ts, prev.ts), line).toBeGreaterThanOrEqual(0);
    prev = rec;
  });
  return outcome;
}

export function records(o: ImportOutcome): Record<string, unknown>[] {
  return o.finished.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function writeTemp(name: string, text: string, dir = tmp()): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Writes the imported lines as a broker log and replays them against `journal`. */
export function replayImported(o: ImportOutcome, journal: string, config?: string): { exitCode: number; summary: string; report: string } {
  const dir = tmp();
  const broker = writeTemp("broker.jsonl", o.finished.lines.map((l) => l + "\n").join(""), dir);
  const out = join(dir, "out");
  const r = runReplay({ journal, broker, out, config });
  return { exitCode: r.exitCode, summary: readFileSync(join(out, "summary.txt"), "utf8"), report: readFileSync(join(out, "reconcile-report.json"), "utf8") };
}

/** A journal holding only an empty startup snapshot, at the broker log's first instant. */
export function emptyJournalFor(o: ImportOutcome): string {
  const first = o.finished.lines.length === 0 ? "2000-01-01T00:00:00Z" : (JSON.parse(o.finished.lines[0]!) as { ts: string }).ts;
  return writeTemp("journal.jsonl", JSON.stringify({ type: "snapshot", ts: first, open_orders: [], positions: [] }) + "\n");
}

/**
 * The samples span years; at the default 300 s cadence a replay would run a million reconciles.
 * A daily cadence keeps these tests fast without changing what they check.
 */
export function dailyConfig(): string {
  return writeTemp("config.json", JSON.stringify({ reconcile_interval_ms: 86_400_000 * 365 }));
}

export function describe_(o: ImportOutcome, strict = false): string {
  return describeImport("x", ["f"], o, strict).join("\n");
}
