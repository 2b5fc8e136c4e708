// The library's replay: the command line's replay (the same open, steps and render: run/replay.ts)
// with the artifacts handed back in memory instead of written into a folder, and bad input thrown
// as a typed error instead of an exit code.

import { basename } from "node:path";
import { Interface as ReadlineInterface } from "node:readline";
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

type LineIterator = Iterator<unknown> | AsyncIterator<unknown>;

/** An input with its lines' iteration begun (or a path, or bytes, which need no reading here). */
type StartedInput = LogInput | { readonly name: string; readonly lines: LineIterator; readonly from: unknown };

/** What an input may be, as the errors about one that is none of these tell the user. */
const ACCEPTED = "give a file's path (a string or { path }), its text ({ text }), or its lines as strings "
  + "(an array, an iterable or async iterable, { lines }, a readline interface over a stream, not the stream itself)";

function kindOf(x: unknown): string {
  if (x === null) return "null";
  if (Buffer.isBuffer(x) || x instanceof Uint8Array) return "a Buffer (a chunk of a stream's bytes)";
  return typeof x === "object" ? "an object" : `a ${typeof x}`;
}

/** Lines as the bytes of a file that holds them: each one ended by LF. */
async function linesToBytes(lines: LineIterator, name: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let n = 1; ; n++) {
    const next = await lines.next();
    if (next.done === true) break;
    const line: unknown = next.value;
    if (typeof line !== "string") throw new ConfigError(`${name}: line ${n} is ${kindOf(line)}, not a string: ${ACCEPTED}`);
    if (line.includes("\n")) throw new ConfigError(`${name}: line ${n} holds a line break: give one line per item, without its ending`);
    parts.push(Buffer.from(line, "utf8"), LF);
  }
  return Buffer.concat(parts);
}
const LF = Buffer.from("\n");

/**
 * An input as far as it can be taken without waiting: a path, bytes, or lines whose iteration is
 * begun. Begun now, not when it is read: a readline interface reads from the moment it is made,
 * and lines it reads before its iteration begins are lost.
 */
function startInput(source: InputSource, defaultName: string): StartedInput {
  if (typeof source === "string") return source;
  if (typeof source !== "object" || source === null) throw new ConfigError(`${defaultName}: got ${kindOf(source)}: ${ACCEPTED}`);
  if ("path" in source && typeof source.path === "string") return source.path;
  // The report and the messages name a file by its base name, a name given with text or lines too.
  const name = "name" in source && typeof source.name === "string" ? basename(source.name) : defaultName;
  if ("text" in source) return { name, bytes: typeof source.text === "string" ? Buffer.from(source.text, "utf8") : Buffer.from(source.text) };
  const lines = "lines" in source && isIterable(source.lines) ? source.lines : isIterable(source) ? source : null;
  if (lines === null) throw new ConfigError(`${defaultName}: got ${kindOf(source)} that is none of these: ${ACCEPTED}`);
  return { name, lines: Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : lines[Symbol.iterator](), from: lines };
}

/**
 * Ends the iteration of lines no longer wanted. Ending a readline interface's iteration leaves it
 * open (and its stream read), so it is closed too.
 */
function stopInput(input: StartedInput | undefined): void {
  if (input === undefined || typeof input === "string" || !("lines" in input)) return;
  if (input.from instanceof ReadlineInterface) input.from.close();
  void Promise.resolve().then(() => input.lines.return?.()).catch(() => undefined);
}

/**
 * The inputs as the replay reads them, all read together: every iteration is begun before the first
 * wait, and when one input fails the others are stopped.
 */
async function toLogInputs(sources: readonly (readonly [InputSource, string])[]): Promise<LogInput[]> {
  const started: StartedInput[] = [];
  try {
    for (const [source, defaultName] of sources) started.push(startInput(source, defaultName));
    return await Promise.all(started.map(async (s) => (typeof s === "string" || !("lines" in s) ? s : { name: s.name, bytes: await linesToBytes(s.lines, s.name) })));
  } catch (err) {
    started.forEach(stopInput);
    throw err;
  }
}

/** What messages call each input: the path, or the name given with its text or lines. */
const nameOf = (input: LogInput): string => (typeof input === "string" ? input : input.name);

/**
 * Replays one journal against one broker log, as `recon-proof replay` does, and returns the report
 * and the four artifacts' bytes. Throws BadInputError for bad input data, ConfigError for a bad
 * config, IoError when a file cannot be read or the cache cannot be used; never exits the process.
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const sources: (readonly [InputSource, string])[] = [[options.journal, DEFAULT_NAMES.journal], [options.broker, DEFAULT_NAMES.broker]];
  if (options.config !== undefined) sources.push([options.config, DEFAULT_NAMES.config]);
  const [journal, broker, config] = await toLogInputs(sources) as [LogInput, LogInput, LogInput | undefined];
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
