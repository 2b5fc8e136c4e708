// The library's replay: the command line's replay (the same open, steps and render: run/replay.ts)
// with the artifacts handed back in memory instead of written into a folder, and bad input thrown
// as a typed error instead of an exit code.

import type { LogInput } from "../adapters/inputs.js";
import type { ArtifactName } from "../artifacts/names.js";
import type { RenderedArtifacts } from "../artifacts/render.js";
import type { ReportJson } from "../artifacts/report-schema.js";
import { ConfigError, DataError } from "../domain/errors.js";
import { EXIT } from "../runtime/exit-codes.js";
import { runReplay } from "../run/replay.js";
import { badInput } from "./errors.js";

/**
 * A log (or a config) to read: a file's path (a string, or `{ path }`), its whole text
 * (`{ text, name? }`), or its lines without their endings (an array, any iterable or async iterable
 * of strings, or `{ lines, name? }`). `name` is what the report and messages call it.
 */
export type InputSource =
  | string
  | { readonly path: string }
  | { readonly text: string | Uint8Array; readonly name?: string }
  | { readonly lines: Iterable<string> | AsyncIterable<string>; readonly name?: string }
  | Iterable<string>
  | AsyncIterable<string>;

export interface ReplayOptions {
  /** The engine's decision journal (JSON Lines). Named `journal.jsonl` when given in memory without a name. */
  readonly journal: InputSource;
  /** The broker's event log (JSON Lines). Named `broker.jsonl` when given in memory without a name. */
  readonly broker: InputSource;
  /** The config (JSON); absent: every default. Named `config.json` when given in memory without a name. */
  readonly config?: InputSource | undefined;
  /** Path of a SQLite order-id cache (`recon-proof cache init`); absent: a fresh cache in memory. */
  readonly cache?: string | undefined;
}

/** reconcile-report.json, parsed: its shape is schemas/reconcile-report.schema.json. */
export type ReconcileReport = ReportJson;

/** The four artifacts' bytes, by file name: what `recon-proof replay --out` writes, byte for byte. */
export type ArtifactBytes = { readonly [K in ArtifactName]: Buffer };

export interface ReplayResult {
  /** False when the kill switch is engaged: manual intervention required. */
  readonly healthy: boolean;
  /** What the command line exits with for this replay: 0 healthy, 3 kill switch engaged. */
  readonly exitCode: 0 | 3;
  readonly report: ReconcileReport;
  readonly artifacts: ArtifactBytes;
  /** True when the replay continued one that was killed part way (with `cache`). */
  readonly resumed: boolean;
  /** True when the replay repeated the cache's last completed replay (with `cache`). */
  readonly rerun: boolean;
  /** What went wrong after the replay was complete (the result stands all the same). */
  readonly warnings: readonly string[];
}

/** What a replay and a merge both give: the verdict, the report and the artifacts. */
export type ArtifactsResult = Pick<ReplayResult, "healthy" | "exitCode" | "report" | "artifacts">;

/** Progress nowhere: the library prints nothing. */
export const SILENT = { update: (): void => undefined };

/** The verdict, the parsed report and the artifacts' bytes of a run that kept its artifacts in memory. */
export function artifactsResult(exitCode: number, text: RenderedArtifacts): ArtifactsResult {
  const artifacts = Object.fromEntries(Object.entries(text).map(([n, t]) => [n, Buffer.from(t, "utf8")])) as unknown as ArtifactBytes;
  const healthy = exitCode === EXIT.ok;
  return { healthy, exitCode: healthy ? 0 : 3, report: JSON.parse(text["reconcile-report.json"]) as ReconcileReport, artifacts };
}

const DEFAULT_NAMES = { journal: "journal.jsonl", broker: "broker.jsonl", config: "config.json" } as const;

function isIterable(x: unknown): x is Iterable<string> | AsyncIterable<string> {
  return typeof x === "object" && x !== null && (Symbol.iterator in x || Symbol.asyncIterator in x);
}

/** Lines as the bytes of a file that holds them: each one ended by LF. */
async function linesToBytes(lines: Iterable<string> | AsyncIterable<string>, name: string): Promise<Buffer> {
  const parts: string[] = [];
  for await (const line of lines) {
    if (typeof line !== "string") throw new ConfigError(`${name}: line ${parts.length + 1} is a ${typeof line}, not a string`);
    if (line.includes("\n")) throw new ConfigError(`${name}: line ${parts.length + 1} holds a line break: give one line per item, without its ending`);
    parts.push(line, "\n");
  }
  return Buffer.from(parts.join(""), "utf8");
}

/** An input as the replay reads it: a path, or bytes under a name. */
export async function toLogInput(source: InputSource, defaultName: string): Promise<LogInput> {
  if (typeof source === "string") return source;
  if ("path" in source && typeof source.path === "string") return source.path;
  const name = "name" in source && typeof source.name === "string" ? source.name : defaultName;
  if ("text" in source) return { name, bytes: typeof source.text === "string" ? Buffer.from(source.text, "utf8") : Buffer.from(source.text) };
  if ("lines" in source && isIterable(source.lines)) return { name, bytes: await linesToBytes(source.lines, name) };
  if (isIterable(source)) return { name, bytes: await linesToBytes(source, name) };
  throw new ConfigError(`${defaultName}: expected a path, { path }, { text }, { lines } or lines, got ${typeof source}`);
}

/** What messages call each input: the path, or the name given with its text or lines. */
const nameOf = (input: LogInput): string => (typeof input === "string" ? input : input.name);

/**
 * Replays one journal against one broker log, as `recon-proof replay` does, and returns the report
 * and the four artifacts' bytes. Throws BadInputError for bad input data, ConfigError for a bad
 * config, IoError when a file cannot be read or the cache cannot be used; never exits the process.
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const journal = await toLogInput(options.journal, DEFAULT_NAMES.journal);
  const broker = await toLogInput(options.broker, DEFAULT_NAMES.broker);
  const config = options.config === undefined ? undefined : await toLogInput(options.config, DEFAULT_NAMES.config);
  const files: Record<string, string> = { journal: nameOf(journal), broker: nameOf(broker), ...(config === undefined ? {} : { config: nameOf(config) }) };
  try {
    const outcome = runReplay({ journal, broker, config, cache: options.cache, progress: SILENT });
    return { ...artifactsResult(outcome.exitCode, outcome.artifacts!), resumed: outcome.resumed, rerun: outcome.rerun, warnings: outcome.warnings };
  } catch (err) {
    throw libraryError(err, files);
  }
}

/** A typed error as the library throws it, named as the command line names it. */
export function libraryError(err: unknown, files: Readonly<Record<string, string>>): unknown {
  if (err instanceof DataError) return badInput(err, files);
  if (err instanceof ConfigError && files["config"] !== undefined && err.message.startsWith("config: ")) {
    return new ConfigError(err.message.replace(/^config: /, `config ${files["config"]}: `), err.field);
  }
  return err;
}
