// The laws as checks a team runs in its own test suite, under vitest or jest alike: each runs a
// fast-check property and, when it fails, throws an Error that names the law, the seed and path that
// replay the failure, and the shrunk counterexample. No test framework is imported.

import { isBlankLine } from "../domain/blank-line.js";
import fc from "fast-check";
import { type Expected, type ExpectedFinding, injectFault } from "./faults.js";
import { type CacheChange, type FoundFinding, type Logs, type ReplayOutcome, ReplayKilled, replayLogs } from "./run.js";

/** fast-check's run parameters the laws pass on: how many runs, and the seed and path of a failure to replay. */
export interface LawOptions {
  readonly numRuns?: number;
  readonly seed?: number;
  readonly path?: string;
}

/** Logs with what reconciliation must find in them (a fault injected, or a generated scenario). */
export interface CheckedCase extends Logs {
  readonly expected: Expected;
  /** The logs before the fault: what `unchanged` and `duplicateDeliveriesAdded` compare with. */
  readonly original?: Logs;
  readonly description?: string;
}

/** A counterexample is shown whole up to this many log lines; a bigger one is summarised (its seed replays it). */
export const COUNTEREXAMPLE_LINES_SHOWN_MAX = 200;

/** Thrown by a law's check: a message that says what differs. */
class LawBroken extends Error {}

/**
 * An arbitrary is recognised by its shape, not by class: the suite's fast-check may be another copy
 * than the one this package resolves.
 */
const isArbitrary = <T>(source: T | fc.Arbitrary<T>): source is fc.Arbitrary<T> =>
  typeof source === "object" && source !== null && typeof (source as { generate?: unknown }).generate === "function"
  && typeof (source as { shrink?: unknown }).shrink === "function";

const arbitraryOf = <T>(source: T | fc.Arbitrary<T>): fc.Arbitrary<T> => (isArbitrary(source) ? source : fc.constant(source));

/** A fixed value holds no choice: one run says all that a hundred would (unless numRuns says otherwise). */
const onceIfFixed = <T>(source: T | fc.Arbitrary<T>, opts: LawOptions): LawOptions =>
  (isArbitrary(source) || opts.numRuns !== undefined ? opts : { ...opts, numRuns: 1 });

function showLogs(v: Partial<Logs> & { original?: unknown }): string {
  const lines = (v.journal?.length ?? 0) + (v.broker?.length ?? 0);
  const { original: _original, ...shown } = v;
  if (lines <= COUNTEREXAMPLE_LINES_SHOWN_MAX) return JSON.stringify(shown, null, 2);
  const { journal: _j, broker: _b, ...rest } = shown;
  return `${JSON.stringify(rest, null, 2)}\n(${v.journal?.length ?? 0} journal and ${v.broker?.length ?? 0} broker lines, more than ` +
    `${COUNTEREXAMPLE_LINES_SHOWN_MAX}: not shown; the seed and path above replay this case)`;
}

function showValue(v: unknown): string {
  if (typeof v === "number") return `pick: ${v} (the point chosen)`;
  if (typeof v === "object" && v !== null && ("journal" in v || "broker" in v)) return showLogs(v as Partial<Logs>);
  return JSON.stringify(v, null, 2) ?? String(v);
}

/** Runs one law; on failure throws an Error naming the law, the seed and path, and the shrunk counterexample. */
function runLaw<T extends unknown[]>(law: string, property: fc.IProperty<T>, opts: LawOptions): void {
  const details = fc.check(property, { numRuns: opts.numRuns ?? 100, ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.path === undefined ? {} : { path: opts.path }) });
  if (!details.failed) return;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const shown = (details.counterexample ?? []).map(showValue).join("\n");
  throw new Error(`${law} failed after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s)\n` +
    `seed: ${details.seed}, path: "${details.counterexamplePath ?? ""}" (pass { seed: ${details.seed}, path: "${details.counterexamplePath ?? ""}" } to replay it)\n` +
    `${cause}\nshrunk counterexample:\n${shown}`);
}

/** Two replays of the same logs give the same bytes in all four artifacts. */
export function expectDeterministic(logs: Logs | fc.Arbitrary<Logs>, opts: LawOptions = {}): void {
  runLaw("expectDeterministic", fc.property(arbitraryOf(logs), (l) => {
    const a = replayLogs(l).artifacts;
    const b = replayLogs(l).artifacts;
    for (const name of Object.keys(a) as (keyof typeof a)[]) {
      if (a[name] !== b[name]) throw new LawBroken(`${name} differs between two replays of the same logs`);
    }
  }), onceIfFixed(logs, opts));
}

const findingKey = (f: { kind: string; client_order_id?: string | null; symbol?: string | null }) =>
  `${f.kind} ${f.client_order_id ?? "-"} ${f.symbol ?? "-"}`;

const keysOf = (findings: readonly FoundFinding[]) => findings.map(findingKey).sort();

function sameFindings(got: ReplayOutcome, want: ReplayOutcome, what: string): void {
  const [a, b] = [keysOf(got.findings), keysOf(want.findings)];
  if (a.join("\n") !== b.join("\n")) {
    throw new LawBroken(`${what}: the findings changed\nexpected:\n  ${b.join("\n  ") || "(none)"}\nreported:\n  ${a.join("\n  ") || "(none)"}`);
  }
}

/**
 * Any broker event delivered again, anywhere after its first delivery, changes nothing but the
 * duplicate-delivery count: the same findings, the same trades.csv, the same positions.
 */
export function expectDuplicateDeliveryIsNoOp(logs: Logs | fc.Arbitrary<Logs>, opts: LawOptions = {}): void {
  runLaw("expectDuplicateDeliveryIsNoOp", fc.property(arbitraryOf(logs), fc.nat(), (l, pick) => {
    const injected = injectFault(l, "duplicate-delivery", pick);
    if (injected === null) return;
    const [before, after] = [replayLogs(l), replayLogs(injected)];
    const what = injected.description;
    sameFindings(after, before, what);
    if (after.artifacts["trades.csv"] !== before.artifacts["trades.csv"]) throw new LawBroken(`${what}: trades.csv changed`);
    if (JSON.stringify(after.positions) !== JSON.stringify(before.positions)) throw new LawBroken(`${what}: the positions changed`);
    if (after.duplicateDeliveries !== before.duplicateDeliveries + 1) {
      throw new LawBroken(`${what}: duplicate deliveries counted ${after.duplicateDeliveries}, expected ${before.duplicateDeliveries + 1}`);
    }
  }), opts);
}

/** JSON of cache changes, their exact decimals written as integers of the fixed scale. */
const plainJson = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));

/**
 * A replay killed after any input record and run again from the cache it started with gives the
 * same bytes as one never killed, and the run again records exactly the killed run's order-id cache
 * changes up to the kill (what a cache store confirms instead of writing twice): no order is sent
 * twice across the kill.
 */
export function expectKillResumeIdentical(logs: Logs | fc.Arbitrary<Logs>, opts: LawOptions = {}): void {
  runLaw("expectKillResumeIdentical", fc.property(arbitraryOf(logs), fc.nat(), (l, pick) => {
    const records = [...l.journal, ...l.broker].filter((line) => !isBlankLine(line)).length;
    const crashAfter = 1 + (pick % records);
    const clean = replayLogs(l);
    const killed: CacheChange[] = [];
    try {
      replayLogs(l, { crashAfter, changes: killed });
    } catch (err) {
      if (!(err instanceof ReplayKilled)) throw err;
    }
    const again: CacheChange[] = [];
    const resumed = replayLogs(l, { changes: again });
    for (const name of Object.keys(clean.artifacts) as (keyof typeof clean.artifacts)[]) {
      if (resumed.artifacts[name] !== clean.artifacts[name]) throw new LawBroken(`killed after record ${crashAfter}: ${name} differs from a replay never killed`);
    }
    const upToKill = plainJson(again.filter((c) => c.index < crashAfter));
    if (upToKill !== plainJson(killed)) throw new LawBroken(`killed after record ${crashAfter}: the run again changed the order-id cache differently before the kill`);
  }), opts);
}

const matches = (want: ExpectedFinding, f: FoundFinding): boolean =>
  (want.kind === "caught_by_reconcile" ? f.kind === "fill_caught_by_reconcile" || f.kind === "partial_fill_caught_by_reconcile" : f.kind === want.kind)
  && (want.client_order_id === undefined || f.client_order_id === want.client_order_id)
  && (want.symbol === undefined || f.symbol === want.symbol);

/** Checks one case's report against what it must find; throws a message naming what is missing. */
export function checkCase(c: CheckedCase): void {
  const got = replayLogs(c);
  const what = c.description ?? "these logs";
  const missing = c.expected.findings.filter((want) => !got.findings.some((f) => matches(want, f)));
  if (missing.length > 0) {
    throw new LawBroken(`${what}: reconciliation did not find ${missing.map((m) => findingKey(m)).join("; ")}\nreported:\n  ${keysOf(got.findings).join("\n  ") || "(none)"}`);
  }
  const before = c.original === undefined ? null : replayLogs(c.original);
  if (c.expected.unchanged && before !== null) sameFindings(got, before, what);
  const wanted = (before?.duplicateDeliveries ?? 0) + c.expected.duplicateDeliveriesAdded;
  if (got.duplicateDeliveries !== wanted) throw new LawBroken(`${what}: duplicate deliveries counted ${got.duplicateDeliveries}, expected ${wanted}`);
}

/**
 * Every case's report holds each finding it must find (for an injected fault that changes nothing,
 * exactly the original logs' findings), and counts the duplicate deliveries it must. A single case
 * is checked once.
 */
export function expectFindings(cases: CheckedCase | fc.Arbitrary<CheckedCase>, opts: LawOptions = {}): void {
  runLaw("expectFindings", fc.property(arbitraryOf(cases), (c) => checkCase(c)), onceIfFixed(cases, opts));
}
