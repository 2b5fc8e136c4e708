// An artifact folder read back: the parsed artifact set, and the input lines its evidence points at.
// Built by parseArtifactSet (read.ts, pure, from the files' text) and by the adapter in
// src/adapters/read-artifacts.ts (which reads the files); `report` renders its page from it and
// `explain` reads evidence lines the same way.

import type { ReportDoc } from "./report-schema.js";
import type { TradeView } from "./read-trades.js";

export interface ArtifactFile {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** The two inputs a finding's evidence points into ("broker:12"). */
export const EVIDENCE_SOURCES = ["journal", "broker"] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

/** Characters of one evidence line kept when it is read back (the whole line is in the input file). */
export const EVIDENCE_LINE_CHARS_MAX = 2000;

/** "broker:12" -> its source and line, or null for a reference of another shape. */
export function parseEvidenceRef(ref: string): { source: EvidenceSource; line: number } | null {
  const m = /^([a-z]+):(\d+)$/.exec(ref);
  if (m === null || !(EVIDENCE_SOURCES as readonly string[]).includes(m[1]!)) return null;
  return { source: m[1] as EvidenceSource, line: Number(m[2]) };
}

/** Input lines read back for the findings a reader shows (CLI: report --inputs, explain). */
export interface EvidenceLines {
  /** The file each source was read from (its name, as the report records it), or null when not given. */
  readonly files: Readonly<Record<EvidenceSource, string | null>>;
  /** "broker:12" -> that line's text (cut at EVIDENCE_LINE_CHARS_MAX). */
  readonly lines: ReadonlyMap<string, string>;
}

export const NO_EVIDENCE: EvidenceLines = { files: { journal: null, broker: null }, lines: new Map() };

export interface ArtifactBundle {
  /** The artifact folder's own name (never a path), shown as the scenario name. */
  readonly name: string;
  readonly doc: ReportDoc;
  readonly trades: readonly TradeView[];
  /** summary.txt's first line: the line the proof workflow greps. */
  readonly summaryLine: string;
  /** The artifacts the page was built from, with their hashes, for provenance. */
  readonly files: readonly ArtifactFile[];
  readonly evidence: EvidenceLines;
}
