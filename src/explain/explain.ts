// `recon-proof explain DIR ID`, the pure half: which report item an id names, and the explanation
// of it: the rule that fired (its name in words, and what fired), the input lines it rests on, the engine's and
// the broker's view of its order or symbol at that moment (from a replay up to it, when the shell
// could run one), and what would have made it healthy. Rendered as text for a person, or as one
// JSON document for a script.

import type { Config } from "../domain/config.js";
import * as D from "../domain/decimal.js";
import { ConfigError } from "../domain/errors.js";
import { type AlertName, type Detail, type FindingKind, KILL_REASONS, type KillReason } from "../domain/report.js";
import type { RawFinding } from "../core/output/emit.js";
import { bySymbol } from "../core/output/emit.js";
import type { Inspection, OrderFacts, Subject, SymbolFacts } from "../core/inspect/inspect.js";
import type { ItemRef, Moment } from "../core/inspect/moment.js";
import { formatMs } from "../domain/time.js";
import { ALERT_WORDS, FINDING_WORDS, KILL_WORDS, type RuleWords, type WordsContext } from "./words.js";
import { escapeInvisible } from "../text/invisible.js";
import { plural } from "../text/plural.js";
import type { AlertDoc, FindingDoc, ReportDoc } from "../artifacts/report-schema.js";
import type { ExplanationDoc } from "./doc.js";

/** A report item, whichever list it is in, in the shape explain shows it. */
export interface ItemFacts {
  readonly id: string;
  readonly what: "finding" | "alert" | "kill_switch";
  /** The finding kind, alert name or kill-switch reason. */
  readonly name: string;
  readonly severity: string | null;
  readonly ts: string;
  readonly reconcileId: string | null;
  readonly subject: Subject;
  readonly detail: Detail;
  readonly evidence: readonly string[];
}

/** What an id names: the item to replay to, and the item as the report lists it (null: beyond the list's cap). */
export interface Target {
  readonly ref: ItemRef;
  readonly listed: ItemFacts | null;
}

const NO_SUBJECT: Subject = { clientOrderId: null, brokerOrderId: null, symbol: null };

function findingFacts(f: FindingDoc): ItemFacts {
  return {
    id: f.finding_id, what: "finding", name: f.kind, severity: f.severity, ts: f.ts, reconcileId: f.reconcile_id,
    subject: { clientOrderId: f.client_order_id, brokerOrderId: f.broker_order_id, symbol: f.symbol },
    detail: f.detail as Detail, evidence: f.evidence,
  };
}

/** The order or symbol an alert is about, from its detail (a missing preset names both). */
function alertSubject(detail: Detail): Subject {
  const text = (k: string) => (typeof detail[k] === "string" ? (detail[k] as string) : null);
  return { clientOrderId: text("client_order_id"), brokerOrderId: null, symbol: text("symbol") };
}

function alertFacts(a: AlertDoc): ItemFacts {
  return {
    id: a.alert_id, what: "alert", name: a.alert, severity: null, ts: a.ts, reconcileId: a.reconcile_id,
    subject: alertSubject(a.detail as Detail), detail: { ...a.detail, ...a.counts } as Detail, evidence: [],
  };
}

const ID_FORMS = `a finding id (F00001), an alert id (A00001), or kill_switch[:REASON]`;

function numbered(id: string, prefix: string): number | null {
  const m = new RegExp(`^${prefix}(\\d{5,})$`).exec(id);
  return m === null ? null : Number(m[1]);
}

function killTarget(id: string, doc: ReportDoc): Target {
  const reasons = doc.kill_switch.reasons;
  const named = id.slice("kill_switch".length).replace(/^:/, "");
  if (reasons.length === 0) throw new ConfigError(`the kill switch is not engaged in this replay: nothing to explain for ${id}`);
  const reason = named === "" ? reasons[0]! : named;
  if (!reasons.includes(reason) || !(KILL_REASONS as readonly string[]).includes(reason)) {
    throw new ConfigError(`the kill switch did not engage for "${reason}" in this replay (its reasons: ${reasons.join(", ")})`);
  }
  return {
    ref: { kind: "kill_switch", reason: reason as KillReason },
    listed: { id: `kill_switch:${reason}`, what: "kill_switch", name: reason, severity: "critical", ts: doc.kill_switch.engaged_at ?? "?",
      reconcileId: null, subject: NO_SUBJECT, detail: {}, evidence: [] },
  };
}

const itemId = (prefix: string, n: number): string => `${prefix}${String(n).padStart(5, "0")}`;
const idRange = (prefix: string, total: number): string => (total === 0 ? "none" : `${itemId(prefix, 1)} to ${itemId(prefix, total)}`);

/** An id that numbers an item of one of the report's (capped) lists. */
interface Numbered<T> {
  readonly id: string;
  /** Its number: 1 for F00001. */
  readonly n: number;
  readonly kind: "finding" | "alert";
  readonly list: { items: T[]; omitted: number };
  /** Its listing, when the list kept it. */
  readonly listed: T | undefined;
  readonly facts: (x: T) => ItemFacts;
}

/** A numbered item of one of the report's (capped) lists: its place in the whole replay, and its listing if kept. */
function numberedTarget<T>({ id, n, kind, list, listed, facts }: Numbered<T>): Target {
  const total = list.items.length + list.omitted;
  const prefix = kind === "finding" ? "F" : "A";
  if (n < 1 || n > total) throw new ConfigError(`no ${kind} ${id} in this report (its ${kind}s: ${idRange(prefix, total)})`);
  return { ref: { kind, n }, listed: listed === undefined ? null : facts(listed) };
}

/** Which item `id` names in this report. An id past a capped list is still a target (the replay finds it). */
export function parseTarget(id: string, doc: ReportDoc): Target {
  if (id === "kill_switch" || id.startsWith("kill_switch:")) return killTarget(id, doc);
  const f = numbered(id, "F");
  if (f !== null) {
    return numberedTarget({ id, n: f, kind: "finding", list: doc.findings, listed: doc.findings.items.find((x) => x.finding_id === id), facts: findingFacts });
  }
  const a = numbered(id, "A");
  if (a !== null) return numberedTarget({ id, n: a, kind: "alert", list: doc.alerts, listed: doc.alerts.items.find((x) => x.alert_id === id), facts: alertFacts });
  throw new ConfigError(`"${id}" is not an item id: give ${ID_FORMS}`);
}

/** The subject to inspect while replaying to the target (what its order or symbol is). */
export function subjectOf(target: Target): Subject {
  return target.listed?.subject ?? NO_SUBJECT;
}

/** The item as the replay raised it, for an item the report's capped list left out. */
export function itemFromMoment(id: string, m: Moment): ItemFacts | null {
  const f: RawFinding | null = m.finding;
  if (f !== null) {
    return { id, what: "finding", name: f.kind, severity: f.severity, ts: f.ts, reconcileId: f.reconcileId,
      subject: { clientOrderId: f.clientOrderId, brokerOrderId: f.brokerOrderId, symbol: f.symbol }, detail: f.detail, evidence: f.evidence };
  }
  if (m.alert !== null) {
    return { id, what: "alert", name: m.alert.alert, severity: null, ts: m.alert.ts, reconcileId: m.alert.reconcileId,
      subject: alertSubject(m.alert.detail), detail: m.alert.detail, evidence: [] };
  }
  return null;
}

/** Whether the replay raised the item the report lists (same kind and time): else the inputs are not the report's. */
export function sameItem(listed: ItemFacts, m: Moment): boolean {
  if (listed.what === "kill_switch") return m.group.kills.some((k) => k.reason === listed.name);
  const raised = itemFromMoment(listed.id, m);
  return raised !== null && raised.name === listed.name && raised.ts === listed.ts && raised.reconcileId === listed.reconcileId;
}

// ------------------------------------------------------------------ the explanation

export interface EvidenceLine {
  readonly ref: string;
  /** The input's file name, and the line's text (null when the inputs were not given). */
  readonly file: string;
  readonly line: number;
  readonly text: string | null;
}

export interface Explanation {
  readonly item: ItemFacts;
  /** The rule's name in words, what fired, and where in the core it is decided (for contributors). */
  readonly rule: { readonly name: string; readonly fired: string; readonly decidedIn: string };
  readonly healthy: string;
  /** Findings raised with the item that it stands on (the kill switch's and a divergence alert's). */
  readonly behind: ReadonlyArray<{ readonly id: string; readonly kind: string; readonly evidence: readonly string[] }>;
  readonly evidence: readonly EvidenceLine[];
  readonly moment: Moment | null;
  /** Why there is no moment, when there is none. */
  readonly note: string | null;
}

function wordsOf(item: ItemFacts): RuleWords {
  if (item.what === "finding") return FINDING_WORDS[item.name as FindingKind] ?? GENERIC_WORDS;
  if (item.what === "alert") return ALERT_WORDS[item.name as AlertName] ?? GENERIC_WORDS;
  return KILL_WORDS[item.name as KillReason] ?? GENERIC_WORDS;
}

/** For a report written by a newer engine with kinds this one does not know. */
const GENERIC_WORDS: RuleWords = {
  rule: "A rule not known to this version of recon-proof",
  decidedIn: "(not known to this version of recon-proof)",
  fired: () => "This version of recon-proof has no words for this item; its facts are below.",
  healthy: () => "See the table of findings in docs/reference/rules.md of the version that wrote this report.",
};

/** The findings of the moment's group that the item stands on, with their ids. */
function findingsBehind(item: ItemFacts, m: Moment | null): Explanation["behind"] {
  if (m === null || item.what === "finding") return [];
  const kinds = item.what === "kill_switch" ? [item.name] : item.name === "ALERT_RECONCILE_DIVERGENCE"
    ? ["stale_local_order", "orphan_broker_order", "position_drift"] : [];
  return bySymbol(m.group.findings, (f) => f.symbol)
    .map((f, i) => ({ id: itemId("F", m.findingsBefore + i + 1), kind: f.kind, evidence: f.evidence }))
    .filter((f) => kinds.includes(f.kind));
}

/** Input lines the item rests on: its own evidence, or that of the findings behind it, and the link it was without. */
export function evidenceRefs(item: ItemFacts, m: Moment | null): string[] {
  const refs = new Set<string>(item.evidence);
  for (const f of findingsBehind(item, m)) for (const e of f.evidence) refs.add(e);
  const linkDown = item.name === "broker_unreachable" || item.name === "ALERT_RECONCILE_FAILED";
  if (m !== null && linkDown && m.disconnectedBy !== null) refs.add(m.disconnectedBy);
  if (m !== null && item.what === "alert" && m.group.run === null && m.record !== null) refs.add(`${m.record.src}:${m.record.line}`);
  return [...refs];
}

export interface ExplainInput {
  readonly item: ItemFacts;
  readonly config: Config;
  readonly moment: Moment | null;
  readonly note: string | null;
  /** The evidence lines read from the inputs, by ref ("broker:12"); absent ones are shown as refs. */
  readonly lines: ReadonlyMap<string, string>;
  readonly files: { readonly journal: string; readonly broker: string };
}

export function explain(input: ExplainInput): Explanation {
  const { config, moment } = input;
  // The kill switch is listed with its first engagement; a later reason engaged at its own time.
  const engaged = input.item.what === "kill_switch" ? moment?.group.kills.find((k) => k.reason === input.item.name) : undefined;
  const item = engaged === undefined ? input.item : { ...input.item, ts: engaged.ts };
  const c: WordsContext = {
    config, detail: { ...item.detail, ...(moment?.group.run === undefined || moment.group.run === null ? {} : { trigger: moment.group.run.run.trigger }) },
    clientOrderId: item.subject.clientOrderId, brokerOrderId: item.subject.brokerOrderId, symbol: item.subject.symbol,
    ts: item.ts, reconcileId: item.reconcileId ?? moment?.group.run?.run.reconcileId ?? null,
  };
  const words = wordsOf(item);
  const evidence = evidenceRefs(item, moment).map((ref): EvidenceLine => {
    const [source, line] = ref.split(":") as [string, string];
    return { ref, file: source === "journal" ? input.files.journal : source === "broker" ? input.files.broker : source,
      line: Number(line), text: input.lines.get(ref) ?? null };
  });
  return {
    item, rule: { name: words.rule, fired: words.fired(c), decidedIn: words.decidedIn }, healthy: words.healthy(c),
    behind: findingsBehind(item, moment), evidence, moment, note: input.note,
  };
}

// ------------------------------------------------------------------ text

const qty = (d: D.Dec): string => D.toPlain(d);

function orderLines(o: OrderFacts, s: Subject): string[] {
  const name = s.clientOrderId ?? o.engine?.clientOrderId ?? o.broker?.clientOrderId ?? s.brokerOrderId ?? "?";
  const e = o.engine;
  const b = o.broker;
  return [
    e === null ? `engine:  holds no order ${name}`
      : `engine:  order ${e.clientOrderId} ${e.status}, ${e.side} ${qty(e.filledQty)} of ${qty(e.qty)} ${e.symbol} filled, ${e.sentAt === null ? "known from its snapshot or cache" : `sent ${e.sentAt}`}, broker order id ${e.brokerOrderId ?? "not linked"}`,
    o.cache === null ? `cache:   no entry for ${name}`
      : `cache:   ${o.cache.status}, ${qty(o.cache.filledQty)} filled, id reserved until ${formatMs(o.cache.ttlUtcMs)}`,
    b === null ? `broker:  holds no record of ${name} (a finished order is dropped once a run settles it)`
      : `broker:  order ${b.brokerOrderId ?? "?"} (${b.clientOrderId ?? "no client id"}) ${b.status}, ${b.side} ${qty(b.cumFilled)} of ${b.qty === null ? "an unknown size" : qty(b.qty)} ${b.symbol} filled in ${b.fills} fill${b.fills === 1 ? "" : "s"}, first seen ${b.firstTs}`,
  ];
}

function symbolLine(s: SymbolFacts): string {
  const pos = (p: { qty: D.Dec; avgPrice: D.Dec }) => (D.isZero(p.qty) ? "flat" : `${qty(p.qty)} @ ${qty(p.avgPrice)}`);
  const caps = s.engineCapUnits === null && s.brokerCapUnits === null ? ""
    : ` · cap engine ${s.engineCapUnits === null ? "none" : qty(s.engineCapUnits)} / broker ${s.brokerCapUnits === null ? "none" : qty(s.brokerCapUnits)}`;
  return `${s.symbol}: engine ${pos(s.engine)} · broker ${pos(s.broker)}${s.lastMark === null ? "" : ` · last broker fill price ${qty(s.lastMark)}`}${caps}`;
}

function inspectionLines(i: Inspection, s: Subject): string[] {
  const k = i.engine.killSwitch;
  return [
    ...(i.order === null ? [] : orderLines(i.order, s)),
    ...(i.symbol === null ? [] : [symbolLine(i.symbol)]),
    `engine:  ${i.engine.phase.replace("_", " ")}, ${i.engine.connected ? "connected" : "disconnected"}, ${plural(i.engine.reconcileRuns, "reconcile run")} so far, kill switch ${k.engaged ? `engaged since ${k.engagedAt} (${k.reasons.join(", ")})` : "off"}`,
  ];
}

/** Where the replay stopped, in words. */
function momentHead(m: Moment): string {
  const run = m.group.run?.run;
  const at = m.record === null ? "the end of the logs" : `${m.record.src}.jsonl line ${m.record.line}`;
  if (run === undefined) return `raised while handling ${at}`;
  return `raised by reconcile run ${run.reconcileId} (${run.trigger}, at ${run.ts}), ${m.record === null ? "the final run at the end of the logs" : `which ran on reaching ${at}`}`;
}

/** Detail keys the subject line already shows. */
const SUBJECT_KEYS = new Set(["client_order_id", "broker_order_id", "symbol"]);

function factsLine(item: ItemFacts): string | null {
  const ids = [
    item.subject.clientOrderId === null ? "" : `client order id ${item.subject.clientOrderId}`,
    item.subject.brokerOrderId === null ? "" : `broker order id ${item.subject.brokerOrderId}`,
    item.subject.symbol === null ? "" : `symbol ${item.subject.symbol}`,
    ...Object.entries(item.detail).filter(([k, v]) => v !== null && !(Array.isArray(v) && v.length === 0) && !SUBJECT_KEYS.has(k))
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`),
  ].filter((x) => x !== "");
  return ids.length === 0 ? null : ids.join(" · ");
}

export function renderExplanation(e: Explanation): string {
  const { item, moment } = e;
  const head = [item.id, item.name, item.severity ?? "", item.ts, item.reconcileId === null ? "" : `reconcile run ${item.reconcileId}`].filter((x) => x !== "").join("  ");
  const facts = factsLine(item);
  const out = [head, ...(facts === null ? [] : [`  ${facts}`]), "", `Rule that fired: ${e.rule.name}`, `  ${e.rule.fired}`];
  if (e.behind.length > 0) out.push(`  Behind it: ${e.behind.map((f) => `${f.id} ${f.kind}`).join(", ")} (explain each by its id).`);
  out.push("", "Input lines it rests on:");
  if (e.evidence.length === 0) out.push("  none: it compares the two books (see them below) or rests on the cache or the config.");
  for (const ev of e.evidence) out.push(`  ${ev.file}:${ev.line}  ${ev.text ?? "(give the inputs with --inputs to show the line)"}`);
  out.push("");
  if (moment === null) out.push(`The two books at that moment: not shown: ${e.note ?? "no replay"}`);
  else {
    out.push(`The two books at that moment (${momentHead(moment)}):`, "  just before:",
      ...inspectionLines(moment.before, item.subject).map((l) => `    ${l}`), "  right after:",
      ...inspectionLines(moment.after, item.subject).map((l) => `    ${l}`));
  }
  out.push("", "What would have made it healthy:", `  ${e.healthy}`);
  // Ids and input lines come from the logs: a control or bidi character in one is written escaped
  // (as JSON writes it), never raw to a terminal, where ESC would start a control sequence.
  return out.map(escapeInvisible).join("\n") + "\n";
}

// ------------------------------------------------------------------ JSON

const decText = (d: D.Dec | null): string | null => (d === null ? null : D.toPlain(d));

function inspectionDoc(i: Inspection) {
  const o = i.order;
  const s = i.symbol;
  return {
    engine: { phase: i.engine.phase, connected: i.engine.connected, reconcile_runs: i.engine.reconcileRuns,
      kill_switch: { engaged: i.engine.killSwitch.engaged, engaged_at: i.engine.killSwitch.engagedAt, reasons: i.engine.killSwitch.reasons } },
    order: o === null ? null : {
      engine: o.engine === null ? null : { client_order_id: o.engine.clientOrderId, status: o.engine.status, side: o.engine.side, symbol: o.engine.symbol,
        qty: qty(o.engine.qty), filled_qty: qty(o.engine.filledQty), sent_at: o.engine.sentAt, broker_order_id: o.engine.brokerOrderId, evidence: o.engine.evidence },
      cache: o.cache === null ? null : { status: o.cache.status, filled_qty: qty(o.cache.filledQty), reserved_until: formatMs(o.cache.ttlUtcMs) },
      broker: o.broker === null ? null : { broker_order_id: o.broker.brokerOrderId, client_order_id: o.broker.clientOrderId, status: o.broker.status,
        side: o.broker.side, symbol: o.broker.symbol, qty: decText(o.broker.qty), filled_qty: qty(o.broker.cumFilled), fills: o.broker.fills,
        first_ts: o.broker.firstTs, evidence: o.broker.evidence },
    },
    symbol: s === null ? null : { symbol: s.symbol, engine_qty: qty(s.engine.qty), engine_avg_price: qty(s.engine.avgPrice),
      broker_qty: qty(s.broker.qty), broker_avg_price: qty(s.broker.avgPrice), last_broker_fill_price: decText(s.lastMark),
      engine_cap_units: decText(s.engineCapUnits), broker_cap_units: decText(s.brokerCapUnits) },
  };
}

export function explanationDoc(e: Explanation): ExplanationDoc {
  const { item, moment } = e;
  return {
    id: item.id,
    item: { type: item.what, name: item.name, severity: item.severity, ts: item.ts, reconcile_id: item.reconcileId,
      client_order_id: item.subject.clientOrderId, broker_order_id: item.subject.brokerOrderId, symbol: item.subject.symbol, detail: item.detail },
    rule: { name: item.name, title: e.rule.name, decided_in: e.rule.decidedIn, fired: e.rule.fired },
    behind: e.behind.map((f) => ({ id: f.id, kind: f.kind })),
    evidence: e.evidence,
    moment: moment === null ? null : {
      raised_by: moment.group.run === null ? "record" : "reconcile_run",
      reconcile_id: moment.group.run?.run.reconcileId ?? null,
      record: moment.record === null ? null : `${moment.record.src}:${moment.record.line}`,
      before: inspectionDoc(moment.before), after: inspectionDoc(moment.after),
    },
    note: e.note,
    healthy: e.healthy,
  };
}
