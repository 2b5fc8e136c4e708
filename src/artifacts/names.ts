// The artifact file names (docs/reference/artifacts.md), and the files of a shard's folder, spelled
// once: the writers, the readers, `verify`, `merge` and the HTML report all take them from here.

export const TRADES_CSV = "trades.csv";
export const REPORT_JSON = "reconcile-report.json";
export const SUMMARY_TXT = "summary.txt";
export const METRICS_TXT = "metrics.txt";

/** The four artifacts of a replay, in the order they are listed everywhere. */
export const ARTIFACT_NAMES = [TRADES_CSV, REPORT_JSON, SUMMARY_TXT, METRICS_TXT] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

/** The HTML page `recon-proof report` writes beside the artifacts. */
export const REPORT_HTML_NAME = "report.html";

/** A shard's folder (`replay --shard K/N`): its manifest and its groups, which `merge` reads. */
export const SHARD_MANIFEST_NAME = "shard.json";
export const SHARD_GROUPS_NAME = "groups.jsonl";
