// `recon-proof expect`: an expect.txt written from a replay's artifacts, pinning what decides its
// verdict: the exit code, the summary's first line, the kill switch and its reasons, the largest
// unit drift, and each finding kind with its count. Every count is a whole-line criterion
// (`<artifact>: = <line>`), so a longer number can never satisfy it. Pure: texts in, text out.

import { DataError } from "../domain/errors.js";
import { METRICS_TXT, SUMMARY_TXT } from "../artifacts/names.js";

/** summary.txt lines (besides the first) that decide the verdict. */
const SUMMARY_KEYS = ["kill_switch", "kill_switch_reasons", "drift_units"] as const;
/** The metrics family that counts findings per kind and severity. */
const FINDINGS_FAMILY = "engine_findings_total";

function summaryLine(summary: string, key: string): string {
  const line = summary.split("\n").find((l) => l.startsWith(`${key}=`));
  if (line === undefined) throw new DataError(SUMMARY_TXT, 0, key, `a ${key}= line`, "none");
  return line;
}

/** The criteria that pin a replay's verdict, as expect.txt lines (comments included). */
export function verdictCriteria(summaryTxt: string, metricsTxt: string): string[] {
  const head = summaryTxt.split("\n", 1)[0] ?? "";
  if (!head.startsWith("reconcile_summary ")) {
    throw new DataError(SUMMARY_TXT, 1, "(first line)", "reconcile_summary stale=<int> orphan=<int> drift=<pips> cache_ok=<true|false>", head.slice(0, 80));
  }
  const killSwitch = summaryLine(summaryTxt, "kill_switch") === "kill_switch=1";
  const findings = metricsTxt.split("\n").filter((l) => l.startsWith(`${FINDINGS_FAMILY}{`));
  return [
    `exit: ${killSwitch ? 3 : 0}`,
    `${SUMMARY_TXT}: = ${head}`,
    ...SUMMARY_KEYS.map((k) => `${SUMMARY_TXT}: = ${summaryLine(summaryTxt, k)}`),
    ...(findings.length === 0
      ? [`# No findings: none may appear.`, `${METRICS_TXT}: !${FINDINGS_FAMILY}{`]
      : [`# Findings by kind and severity, with their counts.`, ...findings.map((l) => `${METRICS_TXT}: = ${l}`)]),
  ];
}

export function writeExpect(name: string, summaryTxt: string, metricsTxt: string): string {
  return [
    `# ${name}: written by \`recon-proof expect\` from a replay's artifacts. It pins what this replay`,
    "# did, right or wrong: read it against the scenario's story before you commit it.",
    ...verdictCriteria(summaryTxt, metricsTxt),
  ].join("\n") + "\n";
}

/** Where a minimized scenario came from, for its expect.txt's header. */
export interface MinimizedFrom {
  readonly journal: { readonly name: string; readonly lines: number; readonly kept: number };
  readonly broker: { readonly name: string; readonly lines: number; readonly kept: number };
  readonly replays: number;
  /** The user's note (which seed, which incident), one comment line per line. */
  readonly note: string | null;
}

/**
 * The expect.txt of a scenario `minimize` wrote: where it came from, the predicate it keeps
 * (`--keep`, as criteria), then the criteria that pin its verdict, each line once.
 */
export function writeMinimizedExpect(from: MinimizedFrom, predicate: readonly string[], summaryTxt: string, metricsTxt: string): string {
  const kept = (f: MinimizedFrom["journal"]) => `${f.name} (${f.kept} of ${f.lines.toLocaleString("en-US")} lines)`;
  const verdict = verdictCriteria(summaryTxt, metricsTxt).filter((l) => !predicate.includes(l));
  return [
    `# Written by \`recon-proof minimize\` from ${kept(from.journal)} and ${kept(from.broker)}, in ${from.replays.toLocaleString("en-US")} replays.`,
    ...(from.note === null ? [] : from.note.split("\n").map((l) => `# ${l}`.trimEnd())),
    "# What must still hold (--keep):",
    ...predicate,
    "# The verdict of this scenario:",
    ...verdict,
  ].join("\n") + "\n";
}
