// Renders a Report into the four artifacts: pure functions from data to strings.

import type { Report } from "../domain/report.js";
import type { RunMeta } from "./meta.js";
import { renderMetrics } from "./metrics.js";
import { renderReportJson } from "./report-json.js";
import { renderSummary } from "./summary.js";
import { renderTradesCsv } from "./trades-csv.js";

import { type ArtifactName, METRICS_TXT, REPORT_JSON, SUMMARY_TXT, TRADES_CSV } from "./names.js";
/** The artifacts rendered from the whole report; trades.csv streams row by row instead. */
export type ReportArtifactName = Exclude<ArtifactName, typeof TRADES_CSV>;

export type RenderedArtifacts = { readonly [K in ArtifactName]: string };

/** The three artifacts rendered from the report as a whole (trades.csv streams row by row). */
export function renderReportArtifacts(report: Report, meta: RunMeta): Pick<RenderedArtifacts, ReportArtifactName> {
  return {
    [REPORT_JSON]: renderReportJson(report, meta),
    [SUMMARY_TXT]: renderSummary(report),
    [METRICS_TXT]: renderMetrics(report),
  };
}

export function renderArtifacts(report: Report, meta: RunMeta): RenderedArtifacts {
  return { [TRADES_CSV]: renderTradesCsv(report.trades), ...renderReportArtifacts(report, meta) };
}
