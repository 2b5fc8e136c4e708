// An artifact set kept in memory instead of written into a folder: what the library hands back.
// It takes what an ArtifactSetWriter takes (trades.csv streamed, the rest at commit), so a replay
// or a merge writes to either through one path.

import type { RenderedArtifacts } from "../artifacts/render.js";
import { TRADES_CSV } from "../artifacts/names.js";
import type { StreamedArtifact } from "./trade-batches.js";

/** Where a replay's artifacts go: a staged set in the output folder, or memory. */
export type ArtifactSink = StreamedArtifact & {
  commit(rendered: Omit<RenderedArtifacts, typeof TRADES_CSV>): string[];
  abort(): void;
};

/** The artifacts kept in memory, for a caller in this process rather than a folder. */
export class ArtifactsInMemory implements ArtifactSink {
  private readonly trades: string[];
  artifacts: RenderedArtifacts | null = null;

  constructor(header: string) {
    this.trades = [header];
  }

  appendStreamed(text: string): void {
    this.trades.push(text);
  }

  commit(rendered: Omit<RenderedArtifacts, typeof TRADES_CSV>): string[] {
    this.artifacts = { [TRADES_CSV]: this.trades.join(""), ...rendered };
    return [];
  }

  abort(): void {
    this.trades.length = 0;
  }
}
