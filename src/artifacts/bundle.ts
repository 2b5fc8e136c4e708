// What the HTML report is rendered from: the parsed artifact set. Built by parseArtifactSet (pure,
// from the files' text) and by the adapter in src/adapters/read-artifacts.ts (which reads the files).

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

/** Input lines read back for the findings at the top of the page (CLI: report --inputs). */
export interface EvidenceLines {
  /** The file each source was read from (its name, as the report records it), or null when not given. */
  readonly files: Readonly<Record<EvidenceSource, string | null>>;
  /** "broker:12" -> that line's text (cut at evidence_line_chars_max). */
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
