// What the HTML report is rendered from: the parsed artifact set. Built by parseArtifactSet (pure,
// from the files' text) and by the adapter in src/adapters/read-artifacts.ts (which reads the files).

import type { ReportDoc } from "../report-schema.js";
import type { TradeView } from "./trades.js";

export interface ArtifactFile {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ArtifactBundle {
  /** The artifact folder's own name (never a path), shown as the scenario name. */
  readonly name: string;
  readonly doc: ReportDoc;
  readonly trades: readonly TradeView[];
  /** summary.txt's first line: the line the proof workflow greps. */
  readonly summaryLine: string;
  /** The artifacts the page was built from, with their hashes, for provenance. */
  readonly files: readonly ArtifactFile[];
}
