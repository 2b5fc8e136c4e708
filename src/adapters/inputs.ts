// Opens the replay's input files as lazy record streams. Validation happens line by line as the
// engine pulls, so the first bad line stops the replay before anything is written.

import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, readFileSync, readSync, statSync } from "node:fs";
import { basename } from "node:path";
import { type Config, DEFAULT_CONFIG_JSON, resolveConfig } from "../domain/config.js";
import { configToJson } from "../domain/config-json.js";
import { assert, ConfigError } from "../domain/errors.js";
import type { BrokerEvent, JournalRecord } from "../domain/records.js";
import { JsonTextError, parseJsonExact } from "../domain/json-text.js";
import { jsonPathOffset, jsonSyntaxProblem, lineColumnAt } from "../domain/json-where.js";
import { canonicalJson, parseBrokerLine, parseJournalLine } from "../domain/validate.js";
import { type PeekedBrokerLine, type PeekedJournalLine, peekBrokerLine, peekJournalLine } from "../domain/peek.js";
import type { InputFileMeta } from "../artifacts/meta.js";
import { checkInputFile, inputName, openInputFile, unreadableInput } from "./input-files.js";
import { firstInvalidUtf8Byte, LineReader, LineRecall } from "./lines.js";

export interface RecordStream<T> extends Iterable<T> {
  /** Name, hash and line count: complete once the stream has been read to its end. */
  meta(): InputFileMeta;
  /** Bytes of the file read so far, up to the last record handed out (for progress). */
  bytesRead(): number;
}

/** A log to replay: a file's path, or its bytes already in memory under the name the report gives it. */
export type LogInput = string | { readonly name: string; readonly bytes: Buffer };

const linesOf = (input: LogInput): string | Buffer => (typeof input === "string" ? input : input.bytes);

/** The log's name as the report and messages give it: a file's base name, or the name given with its bytes. */
export const logName = (input: LogInput): string => (typeof input === "string" ? basename(input) : input.name);

function recordStream<T>(input: LogInput, source: string, lineBytesMax: number, parse: (text: string, line: number, offset: number) => T): RecordStream<T> {
  // Now, not at the first record: a missing log is said before any work starts.
  if (typeof input === "string") checkInputFile(input, inputName(source));
  const reader = new LineReader(linesOf(input), source, lineBytesMax);
  let bytesRead = 0;
  return {
    *[Symbol.iterator]() {
      for (const { text, line, offset } of reader) {
        bytesRead = offset;
        yield parse(text, line, offset);
      }
    },
    meta: () => ({ name: logName(input), sha256: reader.sha256(), lines: reader.lines }),
    bytesRead: () => bytesRead,
  };
}

/** Size of a file (or of a log's bytes) in bytes, for progress (0 when it cannot be read: the reader will say why). */
export function fileBytes(path: LogInput): number {
  if (typeof path !== "string") return path.bytes.length;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The journal log. `tap`, given, sees each line's text as it is read, before it is validated (a
 * journal record does not keep its text; a broker event does: its `fingerprint`).
 */
export function openJournal(path: LogInput, config: Config, tap?: (text: string) => void): RecordStream<JournalRecord> {
  const parse = tap === undefined ? parseJournalLine : (text: string, line: number) => {
    tap(text);
    return parseJournalLine(text, line);
  };
  return recordStream(path, "journal", config.lineBytesMax, parse);
}

/** The broker log; each event's `pos` is its byte offset, which `recall` reads back. */
export function openBroker(path: LogInput, config: Config): RecordStream<BrokerEvent> & { readonly recall: LineRecall } {
  return { ...recordStream(path, "broker", config.lineBytesMax, parseBrokerLine), recall: new LineRecall(linesOf(path), "broker", config.lineBytesMax) };
}

/**
 * The journal as one shard reads it: the lines a shard may not own (decisions and cancel requests
 * written plainly) only peeked at (domain/peek.ts), every other line validated as openJournal does.
 */
export function openPeekedJournal(path: LogInput, config: Config): RecordStream<JournalRecord | PeekedJournalLine> {
  return recordStream(path, "journal", config.lineBytesMax, (text, line) => peekJournalLine(text, line) ?? parseJournalLine(text, line));
}

/** The broker log as one shard reads it (see openPeekedJournal). */
export function openPeekedBroker(path: LogInput, config: Config): RecordStream<BrokerEvent | PeekedBrokerLine> & { readonly recall: LineRecall } {
  const parse = (text: string, line: number, offset: number) => peekBrokerLine(text, line, offset) ?? parseBrokerLine(text, line, offset);
  return { ...recordStream(path, "broker", config.lineBytesMax, parse), recall: new LineRecall(linesOf(path), "broker", config.lineBytesMax) };
}

/** sha256 of a file's bytes, read in chunks (never the whole file in memory); `what` names it in errors. */
export function hashFile(path: LogInput, what: string): string {
  if (typeof path !== "string") return sha256Hex(path.bytes);
  const hash = createHash("sha256");
  const fd = openInputFile(path, what);
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } catch (err) {
    throw unreadableInput(what, path, err);
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export interface LoadedConfig {
  readonly config: Config;
  readonly file: InputFileMeta | null;
  readonly hash: string;
  readonly effective: Record<string, unknown>;
}

/** Named limit: a config is a page of settings; a larger file is refused before it is read. */
export const CONFIG_BYTES_MAX = 1_048_576;

const CONFIG_FILE = "config file";

/** A config file's bytes, refused before they are read when there are more than CONFIG_BYTES_MAX. */
function readConfigBytes(path: string): Buffer {
  const fd = openInputFile(path, CONFIG_FILE);
  try {
    const size = fstatSync(fd).size;
    if (size > CONFIG_BYTES_MAX) throw new ConfigError(`config ${path}: config larger than config_bytes_max=${CONFIG_BYTES_MAX} bytes (${size} bytes)`);
    return readFileSync(fd);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw unreadableInput(CONFIG_FILE, path, err);
  } finally {
    closeSync(fd);
  }
}

/** The config's text, read as the inputs are read: UTF-8 (a BOM is dropped), size bounded. */
function readConfigText(input: LogInput): { text: string; bytes: Buffer } {
  const path = typeof input === "string" ? input : input.name;
  const bytes = typeof input === "string" ? readConfigBytes(input) : input.bytes;
  if (bytes.length > CONFIG_BYTES_MAX) throw new ConfigError(`config ${path}: config larger than config_bytes_max=${CONFIG_BYTES_MAX} bytes (${bytes.length} bytes)`);
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8Byte(bytes);
    const before = bytes.subarray(0, at).toString("utf8");
    const { line, column } = lineColumnAt(before, before.length);
    throw new ConfigError(`config ${path}:${line}:${column}: not UTF-8: the byte 0x${bytes[at]!.toString(16).padStart(2, "0")} at byte offset ${at}`);
  }
  const text = bytes.toString("utf8");
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, bytes };
}

/** The config file's JSON; text that is not JSON is named by line:column, with what was expected there. */
function parseConfigText(path: string, text: string): unknown {
  if (text.trim() === "") {
    throw new ConfigError(`config ${path}: the file is empty: write {} for every default (or leave out --config)`);
  }
  try {
    return parseJsonExact(text);
  } catch (err) {
    if (err instanceof JsonTextError) throw new ConfigError(`config ${path}: "${err.field}": expected ${err.expected}, got ${err.got}`);
    const problem = jsonSyntaxProblem(text);
    if (problem === undefined) throw new ConfigError(`config ${path}: not valid JSON (${(err as Error).message})`);
    const { line, column } = lineColumnAt(text, problem.offset);
    throw new ConfigError(`config ${path}:${line}:${column}: not valid JSON: ${problem.message}`);
  }
}

/** A config error about the file's content, with the file's path and, when it names a setting
 * the file holds, the line and column where it is. */
function inConfigFile(err: ConfigError, path: string, text: string, raw: unknown): ConfigError {
  const offset = err.field === undefined ? undefined : jsonPathOffset(text, raw, err.field);
  let at = "";
  if (offset !== undefined) {
    const { line, column } = lineColumnAt(text, offset);
    at = `:${line}:${column}`;
  }
  return new ConfigError(err.message.replace(/^config: /, `config ${path}${at}: `), err.field);
}

/** A config file as the report names it: its name, the sha256 of its bytes and its line count. */
export function configFileMeta(name: string, text: string, bytes: Buffer | string = text): InputFileMeta {
  return { name, sha256: sha256Hex(bytes), lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0) };
}

/** Reads and resolves the config (all defaults when no file is named). Errors are ConfigError (exit 2). */
export function loadConfig(input: LogInput | undefined): LoadedConfig {
  let raw: unknown = {};
  let file: InputFileMeta | null = null;
  let config: Config;
  if (input === undefined) config = resolveConfig(raw);
  else {
    const path = typeof input === "string" ? input : input.name;
    const { text, bytes } = readConfigText(input);
    raw = parseConfigText(path, text);
    file = configFileMeta(logName(input), text, bytes);
    try {
      config = resolveConfig(raw);
    } catch (err) {
      throw err instanceof ConfigError ? inConfigFile(err, path, text, raw) : err;
    }
  }
  const effective = configToJson(config);
  return { config, file, hash: sha256Hex(canonicalJson(effective)), effective };
}

/** A config as it crosses to a worker thread: everything but the resolved object (plain data). */
export type ShippedConfig = Omit<LoadedConfig, "config">;

/**
 * The main thread's config in a worker thread, resolved again from its effective JSON: the file is
 * not read twice (it may have changed since), so every thread replays with the config the report names.
 */
export function configFromShipped(shipped: ShippedConfig): LoadedConfig {
  const config = resolveConfig(shipped.effective);
  assert(sha256Hex(canonicalJson(configToJson(config))) === shipped.hash, "the effective config resolves to itself");
  return { ...shipped, config };
}

export function defaultConfigText(): string {
  return JSON.stringify(DEFAULT_CONFIG_JSON, null, 2);
}
