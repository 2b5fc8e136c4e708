// The one JSON document a command prints on stdout under --json, stated once as checkers (as
// reconcile-report.json is, src/artifacts/report-schema.ts): the CLI builds each document as the type checked
// here, and schemas/cli-json.schema.json is rendered from the same checkers, so the published
// schema and what the CLI prints cannot disagree. Every document starts with `command` and
// `exit_code`; a failure is `{command, exit_code, error}` whatever the command.

import type { Verdict } from "../proofs/job-summary.js";
import type { CheckResult } from "../proofs/verify.js";
import { arr, bool, described, documentSchema, int, literal, members, named, nullable, obj, type SchemaNode, str, type Written } from "../artifacts/json-check.js";
import { currencyPnl, findingCount, killSwitchCheck, totalsCheck } from "../artifacts/report-schema.js";
import { explanation } from "../explain/doc.js";
import { shardSpec } from "../shard/codec.js";

const head = <const C extends string>(command: C) => ({
  command: described(literal(command), "The command that ran."),
  exit_code: described(int, "The process's exit code (the command's --help lists them)."),
});

const criterion = named("criterion", described(obj({
  artifact: described(str, "The artifact the criterion reads (`summary.txt`, ...), or `exit` for the replay's exit code."),
  criterion: described(str, "As expect.txt writes it after `<artifact>: `."),
  pass: bool,
  why: described(nullable(str), "Why it failed, for a person; null when it held."),
  held: described(nullable(str), "For a failed criterion: the artifact's line closest to what was expected (or the one that matched a `!`)."),
}), "One criterion of an expect.txt (built-in ones included) and whether it held."));

const verdict = described(members<Verdict>()(["healthy", "manual_intervention_required", "none"]),
  "From the artifacts' summary.txt: `none` when there are no artifacts (the replay refused its input).");

const replay = named("replay", described(obj({
  ...head("replay"),
  verdict: literal("healthy", "manual_intervention_required"),
  out: described(str, "The --out folder, as given."),
  resumed: described(bool, "This run continued one that was killed part way (same inputs, same --cache)."),
  rerun: described(bool, "This run repeated the --cache's last completed replay (same inputs): the same artifacts."),
  kill_switch: killSwitchCheck,
  counts: described(totalsCheck, "reconcile-report.json's totals."),
  realized_pnl_by_currency: arr(currencyPnl),
  findings: described(arr(findingCount), "Findings over the whole replay by kind and severity (the report's list may be capped)."),
}), "`recon-proof replay --json`: the artifacts are written."));

const replayShard = named("replayShard", described(obj({
  ...head("replay"),
  out: str,
  shard: described(shardSpec, "Which shard: `index` of `count`, by `by`."),
  groups: described(int, "Groups written to groups.jsonl."),
}), "`recon-proof replay --shard K/N --json`: the shard's files are written, for `merge`."));

const proof = named("proof", described(obj({
  ...head("proof"),
  passed: described(bool, "Every criterion of every scenario held."),
  counts: obj({ scenarios: int, criteria: int, failed: int }),
  scenarios: arr(obj({
    name: str, passed: bool,
    replay_exit_code: described(int, "The replay's exit code (65: the scenario's input was refused)."),
    verdict,
    artifacts: described(str, "Where its artifacts were written."),
    criteria: arr(criterion),
  })),
}), "`recon-proof proof --json`."));

const verify = named("verify", described(obj({
  ...head("verify"),
  passed: bool, verdict, counts: obj({ criteria: int, failed: int }), criteria: arr(criterion),
}), "`recon-proof verify --json`."));

const explain = named("explain", described(obj({ ...head("explain"), ...explanation }), "`recon-proof explain DIR ID --json`."));

const minimized = named("minimized", described(obj({
  ...head("minimize"),
  kept: literal(true),
  out: str,
  predicate: described(arr(str), "The --keep criteria, as expect.txt lines."),
  lines: obj({ journal: obj({ before: int, after: int }), broker: obj({ before: int, after: int }) }),
  replays: int,
  scenario_exit_code: described(int, "The exit code the written scenario replays to."),
}), "`recon-proof minimize --json`: the scenario is written."));

const notMinimized = named("notKept", described(obj({
  ...head("minimize"),
  kept: literal(false),
  criteria: arr(criterion),
}), "`recon-proof minimize --json` when the inputs do not keep the predicate: nothing is written."));

const failure = named("failure", described(obj({
  command: described(nullable(str), "The command as given (null: none was)."),
  exit_code: int,
  error: described(str, "What went wrong, in one line (the same words as on stderr)."),
}), "Any command with --json that failed: a usage error, bad input, an I/O error, a signal."));

/** Each command's document; a command with two outcomes has one for each. */
export interface JsonDocs {
  readonly replay: Written<typeof replay> | Written<typeof replayShard>;
  readonly proof: Written<typeof proof>;
  readonly verify: Written<typeof verify>;
  readonly explain: Written<typeof explain>;
  readonly minimize: Written<typeof minimized> | Written<typeof notMinimized>;
}
export type JsonCommand = keyof JsonDocs;
export type FailureDoc = Written<typeof failure>;
type WithoutHead<D> = D extends unknown ? Omit<D, "command" | "exit_code"> : never;
/** What a command's body hands back: its document without the head the CLI adds. */
export type DocBody<C extends JsonCommand> = WithoutHead<JsonDocs[C]>;

export type CriterionDoc = Written<typeof criterion>;
export type ScenarioDoc = Written<typeof proof>["scenarios"][number];

/** One criterion's result as proof, verify and minimize print it. */
export function criterionDoc(r: CheckResult): CriterionDoc {
  return { artifact: r.artifact, criterion: r.criterion, pass: r.pass, why: r.why, held: r.held ?? null };
}

export function failureDoc(command: string | null, exitCode: number, error: string): FailureDoc {
  return { command, exit_code: exitCode, error };
}

/** schemas/cli-json.schema.json: every document `--json` prints, rendered from the checkers above. */
export function cliJsonSchema(): SchemaNode {
  return documentSchema({
    id: "cli-json.schema.json",
    title: "--json output",
    description: "The one JSON document `replay`, `proof`, `verify`, `explain` and `minimize` print on stdout under --json (2-space indent, a trailing newline): one of these. Every human line goes to stderr, and the exit code is the same as without --json.",
  }, { oneOf: [replay, replayShard, proof, verify, explain, minimized, notMinimized, failure].map((c) => c.schema) });
}
