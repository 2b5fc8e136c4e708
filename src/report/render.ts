// Renders a Report into the four artifacts: pure functions from data to strings.

import type { Report } from "../domain/report.js";
import type { RunMeta } from "./meta.js";
import { renderMetrics } from "./metrics.js";
import { renderReportJson } from "./report-json.js";
import { renderSummary } from "./summary.js";
import { renderTradesCsv } from "./trades-csv.js";

/** The four artifacts of a replay (CONTRACT §5), by file name. */
export const ARTIFACT_NAMES = ["trades.csv", "reconcile-report.json", "summary.txt", "metrics.txt"] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];
/** The artifacts rendered from the whole report; trades.csv streams row by row instead. */
export type ReportArtifactName = Exclude<ArtifactName, "trades.csv">;

export interface RenderedArtifacts {
  readonly "trades.csv": string;
  readonly "reconcile-report.json": string;
  readonly "summary.txt": string;
  readonly "metrics.txt": string;
}

/** The three artifacts rendered from the report as a whole (trades.csv streams row by row). */
export function renderReportArtifacts(report: Report, meta: RunMeta): Pick<RenderedArtifacts, ReportArtifactName> {
  return {
    "reconcile-report.json": renderReportJson(report, meta),
    "summary.txt": renderSummary(report),
    "metrics.txt": renderMetrics(report),
  };
}

export function renderArtifacts(report: Report, meta: RunMeta): RenderedArtifacts {
  return { "trades.csv": renderTradesCsv(report.trades), ...renderReportArtifacts(report, meta) };
}
