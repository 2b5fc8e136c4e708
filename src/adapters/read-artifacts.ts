// Reads an artifact folder for `recon-proof report`: the files' text, sizes and hashes, handed to the
// pure parser (src/artifacts/read.ts); then, when the inputs are given, the input lines the reader
// asks for (the page: those the top findings rest on; `explain` reads its lines here too). A missing
// folder or file is an IoError (exit 74); content that does not parse is the parser's DataError
// (exit 65); an input that is not the file the replay read is a ConfigError (exit 2).

import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import { ConfigError } from "../domain/errors.js";
import {
  type ArtifactBundle, type ArtifactFile, EVIDENCE_LINE_CHARS_MAX, EVIDENCE_SOURCES, type EvidenceLines, type EvidenceSource, parseEvidenceRef,
} from "../artifacts/bundle.js";
import { type BundleNeeds, parseArtifactSet, parseReportJsonText, REPORT_INPUTS } from "../artifacts/read.js";
import { checkArtifactsFolder, readFileInFolder, writeArtifactsFirst } from "./input-files.js";
import { fileBytes } from "./inputs.js";
import { LineReader } from "./lines.js";

/** An evidence line longer than this is not read back (the input's own line_bytes_max is smaller). */
const EVIDENCE_READ_LINE_BYTES_MAX = 64 * 1024 * 1024;

function readText(dir: string, name: string): { text: string; file: ArtifactFile } {
  const bytes = readFileInFolder(dir, name, "artifacts folder", writeArtifactsFirst(dir));
  return {
    text: bytes.toString("utf8"),
    file: { name, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length },
  };
}

/** Where the replay's inputs are: a folder holding them under the names the report records, and/or each file. */
export interface InputPaths {
  readonly inputs?: string | undefined;
  readonly journal?: string | undefined;
  readonly broker?: string | undefined;
}

/** Told how many bytes are done (the shell's progress line). */
export interface ProgressSink {
  update(done: number): void;
}

export interface ReadOptions {
  /** What the reader asks of the set (the HTML page's: its PAGE_NEEDS). */
  readonly needs: BundleNeeds;
  readonly paths?: InputPaths;
  /** Starts the progress once the total is known (the artifacts' bytes plus the inputs to read back). */
  readonly progress?: (totalBytes: number) => ProgressSink;
}

/** Where one input is: given on its own, else in the inputs folder under the name the report records; null when neither. */
export function inputPath(paths: InputPaths, source: EvidenceSource, recordedName: string): string | null {
  const given = paths[source];
  if (given !== undefined) return given;
  return paths.inputs === undefined ? null : join(paths.inputs, recordedName);
}

/** One input whose lines are read back as evidence. */
export interface EvidenceRead {
  readonly path: string;
  readonly source: EvidenceSource;
  /** The input as the report records it: the file must be that one (same sha256). */
  readonly expected: { readonly name: string; readonly sha256: string };
  /** Its lines to read back, by number. */
  readonly wanted: ReadonlySet<number>;
  /** Told how many bytes of the file are read. */
  readonly progress?: (bytes: number) => void;
}

/**
 * Reads the wanted lines of one input into `into` ("broker:12" -> text), checking on the way that
 * it is the file the replay read (same sha256): lines of another file would be evidence of nothing.
 */
export function readLines(read: EvidenceRead, into: Map<string, string>): void {
  const { path, source, expected, wanted } = read;
  const reader = new LineReader(path, source, EVIDENCE_READ_LINE_BYTES_MAX);
  for (const { text, line, offset } of reader) {
    read.progress?.(offset);
    if (!wanted.has(line)) continue;
    into.set(`${source}:${line}`, text.length <= EVIDENCE_LINE_CHARS_MAX ? text : text.slice(0, EVIDENCE_LINE_CHARS_MAX - 1) + "…");
  }
  const sha = reader.sha256();
  if (sha !== expected.sha256) {
    throw new ConfigError(`${path} is not the ${source} this replay read (${expected.name}, sha256 ${expected.sha256.slice(0, 12)}…; this file's is ${sha.slice(0, 12)}…): give the replay's own inputs`);
  }
}

/** Reads and parses DIR's artifacts. Throws IoError (missing/unreadable) or DataError (malformed). */
export function readArtifactBundle(dir: string, options: ReadOptions): ArtifactBundle {
  checkArtifactsFolder(dir);
  const paths = options.paths ?? {};
  const [json, csv, summary] = REPORT_INPUTS.map((name) => readText(dir, name)) as [
    ReturnType<typeof readText>, ReturnType<typeof readText>, ReturnType<typeof readText>];
  const doc = parseReportJsonText(json.text);
  const inputs = EVIDENCE_SOURCES.flatMap((source) => {
    const path = inputPath(paths, source, doc.inputs[source].name);
    return path === null ? [] : [{ source, path, bytes: fileBytes(path) }];
  });
  const ahead = json.file.bytes + summary.file.bytes;
  const progress = options.progress?.(ahead + csv.file.bytes + inputs.reduce((n, i) => n + i.bytes, 0)) ?? { update: () => {} };
  const bundle = parseArtifactSet({
    name: basename(resolve(dir)),
    reportJson: json.text,
    tradesCsv: csv.text,
    summaryTxt: summary.text,
    files: [json.file, csv.file, summary.file],
  }, { doc, detailRowsMax: options.needs.detailRowsMax, onTradesProgress: (chars) => progress.update(ahead + chars) });
  let done = ahead + csv.file.bytes;
  const files: Record<EvidenceSource, string | null> = { journal: null, broker: null };
  const lines = new Map<string, string>();
  const wanted = options.needs.evidenceWanted(doc).map(parseEvidenceRef).filter((r) => r !== null);
  for (const { source, path, bytes } of inputs) {
    const before = done;
    const lineNumbers = new Set(wanted.filter((r) => r.source === source).map((r) => r.line));
    readLines({ path, source, expected: doc.inputs[source], wanted: lineNumbers, progress: (b) => progress.update(before + b) }, lines);
    done += bytes;
    files[source] = basename(path);
  }
  const evidence: EvidenceLines = { files, lines };
  return { ...bundle, evidence };
}
