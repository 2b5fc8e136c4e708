// The top of the page answers "what must I do now". Critical findings first, one card each: the
// rule that fired, the input lines it rests on (read back from the inputs, when the report was
// given them), and the staged action or the next step. Then warnings and info grouped by kind with
// counts, each group expandable; clean reconcile runs are only counted. Generic by severity and
// kind: a kind this page has no words for still gets its card, its group and a next step.

import { html, shown, type Html, type SafeHtml } from "../escape.js";
import { evidenceBlock } from "../evidence.js";
import { clip, count, group, words } from "../format.js";
import { EVIDENCE_LINES_MAX, TRIAGE_CARDS_MAX, TRIAGE_GROUP_ROWS_MAX } from "../limits.js";
import type { ArtifactBundle, EvidenceLines } from "../../artifacts/bundle.js";
import type { FindingDoc, ReportDoc, StagedActionDoc } from "../../artifacts/report-schema.js";
import { REPORT_JSON } from "../../artifacts/names.js";
import type { FindingKind } from "../../domain/report.js";

interface Guide {
  /** The rule that fired, in plain words. */
  readonly rule: string;
  /** What Ops should do next when no action is staged for it. */
  readonly next: string;
}

/** Words for the kinds the engine emits today; any other kind falls back to GENERIC by severity. */
const FINDING_GUIDES: Readonly<Record<string, Guide>> = {
  stale_local_order: {
    rule: "The engine holds an order as open that the broker has no live record of, past the in-flight grace.",
    next: "Ask the broker for this client order id (order status, trade history). Its outcome is unknown: do not assume it was cancelled or filled.",
  },
  orphan_broker_order: {
    rule: "The broker has an order or fill whose client order id the engine never sent (nor holds in its cache).",
    next: "Find who placed it (a manual trade, another engine). Decide whether to keep or flatten the position it opened.",
  },
  position_drift: {
    rule: "Engine and broker net positions for the symbol differ beyond the drift tolerance.",
    next: "Compare the engine's book with the broker's statement for the symbol and correct the engine from the broker before trading resumes.",
  },
  symbol_cap_breach: {
    rule: "A position is beyond its per-symbol cap.",
    next: "Bring the position under the cap, or have risk approve a higher cap, before the kill switch is reset.",
  },
  daily_loss_breach: {
    rule: "Realized P&L for the UTC day is below minus the daily loss cap.",
    next: "Stop trading for the day; risk signs off before the kill switch is reset.",
  },
  overfill: {
    rule: "The broker filled more than the order's quantity.",
    next: "Check the broker's fills for this order: the excess is a position the engine did not intend.",
  },
  order_mismatch: {
    rule: "The broker's record of the order differs from what the engine sent.",
    next: "Compare the order's fields at the broker with the decision in the journal, and correct the position if it differs.",
  },
  fill_caught_by_reconcile: { rule: "A broker fill the engine missed was found and applied by reconciliation.", next: "" },
  partial_fill_caught_by_reconcile: { rule: "A partial fill the engine missed was found and applied by reconciliation.", next: "" },
  order_state_caught_by_reconcile: { rule: "A cancel or reject the engine missed was applied from the broker's record.", next: "" },
  order_relinked_from_cache: { rule: "After a restart, a broker order the snapshot forgot was matched through the order-id cache.", next: "" },
  stale_order_cancelled: { rule: "An order stayed open past its idempotency TTL: a cancel is staged.", next: "" },
  in_flight_order: { rule: "At the end of the replay an order is within its grace with no broker record: its outcome is unknown.", next: "" },
  cancel_request_unknown_order: { rule: "The engine asked to cancel an order it does not hold.", next: "" },
  cancel_request_order_closed: { rule: "The engine asked to cancel an order that had already finished (filled, cancelled or rejected).", next: "" },
  instrument_undescribed: {
    rule: "The broker's log names an instrument the config does not describe: its orders and fills are counted in units only.",
    next: "Add the suggested entry to the config's \"instruments\" (asset class, quote currency, tick size) and replay.",
  },
  broker_limit_mismatch: { rule: "The broker's risk limits differ from the engine's config.", next: "" },
} satisfies Record<FindingKind, Guide>;

/**
 * Kinds whose id does not read as what happened; every other kind is its id in words
 * ("position_drift" -> "position drift").
 */
const KIND_NAMES: Readonly<Partial<Record<FindingKind, string>>> = {
  cancel_request_order_closed: "cancel request for an order already closed",
  cancel_request_unknown_order: "cancel request for an order the engine never held",
  order_state_caught_by_reconcile: "cancel or reject caught by reconcile",
};

/** A finding kind as a heading names it: what happened, in words. */
export function kindName(kind: string): string {
  return KIND_NAMES[kind as FindingKind] ?? words(kind);
}

const GENERIC_NEXT: Readonly<Record<string, string>> = {
  critical: "Check the evidence lines against the broker's own records and resolve the cause before the kill switch is reset.",
  warning: "Review when convenient; it does not hold the kill switch.",
  info: "Nothing to do; recorded for the audit trail.",
};

function guideFor(f: Pick<FindingDoc, "kind" | "severity">): Guide {
  const known = FINDING_GUIDES[f.kind];
  const generic = GENERIC_NEXT[f.severity] ?? GENERIC_NEXT["critical"]!;
  return {
    rule: known?.rule ?? `The engine reported a ${f.severity} "${kindName(f.kind)}" finding (see the table of findings in docs/reference/rules.md).`,
    next: known === undefined || known.next === "" ? generic : known.next,
  };
}

/** Kill-switch reasons that are not findings (the engine stopped for them without a finding to show). */
const REASON_GUIDES: Readonly<Record<string, Guide>> = {
  cache_load_failed: {
    rule: "The order-id cache could not be loaded, or its checksum did not match: the engine cannot prove it will not send an order twice.",
    next: "Restore the cache from a backup, or rebuild it from the broker's order history, before trading resumes.",
  },
  broker_unreachable: {
    rule: "A reconciliation was due while the broker could not be reached (startup never fails open).",
    next: "Check the broker link for the failed runs on the timeline, then reconcile by hand once it is back.",
  },
};

const SEVERITY_ORDER = ["critical", "warning", "info"];
const severityRank = (s: string): number => {
  const i = SEVERITY_ORDER.indexOf(s);
  return i < 0 ? 0 : i; // an unknown severity is treated as critical: fail safe
};

/** The critical findings shown as cards, in the report's order. */
function criticalFindings(doc: ReportDoc): FindingDoc[] {
  return doc.findings.items.filter((f) => severityRank(f.severity) === 0);
}

/** The evidence lines the cards will show ("broker:12"), for the shell to read from the inputs. */
export function evidenceWanted(doc: ReportDoc): string[] {
  const refs = new Set<string>();
  for (const f of criticalFindings(doc).slice(0, TRIAGE_CARDS_MAX)) {
    for (const e of f.evidence) if (refs.size < EVIDENCE_LINES_MAX) refs.add(e);
  }
  return [...refs];
}

/** Staged actions for a finding: same run, and the same order (or, for a finding about a symbol's position, the same symbol). */
function actionsFor(f: FindingDoc, actions: readonly StagedActionDoc[]): StagedActionDoc[] {
  return actions.filter((a) => a.reconcile_id === f.reconcile_id && (
    (f.client_order_id !== null && a.client_order_id === f.client_order_id)
    || (f.broker_order_id !== null && a.broker_order_id === f.broker_order_id)
    || (f.client_order_id === null && f.broker_order_id === null && a.symbol === f.symbol)));
}

/** "flatten position EURUSD buy 30,000". */
function actionWhat(a: StagedActionDoc): string {
  return [words(a.action), a.symbol, a.side ?? "", a.qty === null ? "" : group(a.qty)].filter((x) => x !== "").join(" ");
}

function actionLine(a: StagedActionDoc): SafeHtml {
  return html`<li><strong>${actionWhat(a)}</strong> <code>${a.action_id}</code> — ${a.reason}</li>`;
}

/** The first sentence of a next step, for the one-line list at the top. */
const firstSentence = (text: string): string => /^[^.]*\./.exec(text)?.[0] ?? text;

/** One line per critical finding (and kill reason without one): what it is and what to do, linking to its card. */
function todoList(critical: readonly FindingDoc[], reasons: readonly string[], doc: ReportDoc): SafeHtml {
  const items = critical.map((f) => {
    const staged = actionsFor(f, doc.staged_actions.items);
    const next = staged.length > 0 ? `staged, not executed: ${staged.map(actionWhat).join("; ")}` : firstSentence(guideFor(f).next);
    return html`<li><a href="#triage-${f.finding_id}"><span class="sev critical">${f.severity}</span> <strong>${kindName(f.kind)}</strong>${f.symbol === null ? "" : html` · ${shown(f.symbol)}`}</a> — ${next}</li>`;
  });
  const others = reasons.map((r) => html`<li><a href="#triage-reason-${r}"><span class="sev critical">kill switch</span> <strong>${words(r)}</strong></a> — ${firstSentence(REASON_GUIDES[r]?.next ?? GENERIC_NEXT["critical"]!)}</li>`);
  return html`<ol class="todo" id="todo">${items}${others}</ol>`;
}

function nextBlock(f: FindingDoc, doc: ReportDoc): SafeHtml {
  const staged = actionsFor(f, doc.staged_actions.items);
  if (staged.length > 0) {
    return html`<div class="next staged"><span class="lbl">Staged action</span><ul>${staged.map(actionLine)}</ul><p>Staged by the recovery policy, not executed (this is a replay): confirm it against the broker, then carry it out there or discard it.</p></div>`;
  }
  return html`<p class="next"><span class="lbl">Next step</span> ${guideFor(f).next}</p>`;
}

/** Detail keys the evidence table says itself (which lines are causes, how many were left out). */
const EVIDENCE_KEYS = new Set(["evidence_causes", "evidence_causes_omitted", "evidence_omitted"]);

function detailText(f: FindingDoc): string {
  return Object.entries(f.detail)
    .filter(([k, v]) => v !== null && !(Array.isArray(v) && v.length === 0) && !EVIDENCE_KEYS.has(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`).join(" · ");
}

/** The findings of the page that have an anchor here: a card, or a row of a kind's group. */
type Anchored = ReadonlyMap<string, FindingDoc>;

/** The findings this one rests on (the report's `related`), each a link to its card or group row when the page has one. */
function relatedBlock(f: FindingDoc, anchored: Anchored): SafeHtml | "" {
  if (f.related.length === 0) return "";
  const links = f.related.map((id, i) => {
    const r = anchored.get(id);
    const sep = i > 0 ? ", " : "";
    if (r === undefined) return html`${sep}<code>${id}</code>`;
    return html`${sep}<a href="#triage-${id}">${id} ${kindName(r.kind)}${r.symbol === null ? "" : html` ${shown(r.symbol)}`}</a>`;
  });
  return html`<p class="related"><span class="lbl">Related</span> ${links} <span class="muted">— ${f.related.length === 1 ? "its evidence holds" : "their evidence holds"} a cause of this one</span></p>`;
}

function card(f: FindingDoc, doc: ReportDoc, ev: EvidenceLines, anchored: Anchored): SafeHtml {
  const ids = [
    f.client_order_id === null ? "" : html`client order id <code>${shown(f.client_order_id)}</code>`,
    f.broker_order_id === null ? "" : html`broker order id <code>${shown(f.broker_order_id)}</code>`,
  ].filter((x) => x !== "");
  return html`<li class="crit" id="triage-${f.finding_id}" data-kind="${f.kind}" data-severity="${f.severity}">
<p class="crit-head"><span class="sev ${f.severity}">${f.severity}</span> <strong class="kind">${kindName(f.kind)}</strong>${f.symbol === null ? "" : html` <span class="sym">${shown(f.symbol)}</span>`} <time>${f.ts}</time> <span class="muted">${f.finding_id}${f.reconcile_id === null ? "" : ` · run ${f.reconcile_id}`}</span></p>
<p class="rule"><span class="lbl">Rule</span> ${guideFor(f).rule}</p>
${ids.length === 0 ? "" : html`<p class="ids">${ids.map((x, i) => html`${i > 0 ? " · " : ""}${x}`)}</p>`}
${detailText(f) === "" ? "" : html`<p class="facts">${clip(detailText(f), 400)}</p>`}
${relatedBlock(f, anchored)}
${evidenceBlock(f, doc, ev)}
${nextBlock(f, doc)}
</li>`;
}

function reasonCard(reason: string): SafeHtml {
  const g = REASON_GUIDES[reason];
  return html`<li class="crit" id="triage-reason-${reason}" data-reason="${reason}"><p class="crit-head"><span class="sev critical">kill switch</span> <strong class="kind">${words(reason)}</strong></p>
<p class="rule"><span class="lbl">Rule</span> ${g?.rule ?? `The kill switch engaged for "${words(reason)}".`}</p>
<p class="next"><span class="lbl">Next step</span> ${g?.next ?? GENERIC_NEXT["critical"]!}</p></li>`;
}

interface KindGroup {
  readonly kind: string;
  readonly severity: FindingDoc["severity"];
  readonly items: FindingDoc[];
}

function groupsOf(findings: readonly FindingDoc[]): KindGroup[] {
  const groups = new Map<string, KindGroup>();
  for (const f of findings) {
    const key = `${severityRank(f.severity)}\u0000${f.kind}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { kind: f.kind, severity: f.severity, items: [] }));
    g.items.push(f);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g);
}

function groupBlock(g: KindGroup): SafeHtml {
  const rows = g.items.slice(0, TRIAGE_GROUP_ROWS_MAX).map((f) => html`<li id="triage-${f.finding_id}"><time>${f.ts}</time> <span class="muted">${f.finding_id}</span> ${f.symbol === null ? "" : shown(f.symbol)} ${f.client_order_id === null ? "" : html`<code>${shown(f.client_order_id)}</code>`} <span class="muted">${clip(detailText(f), 160)}</span> <span class="muted">${f.evidence.join(" ")}</span></li>`);
  const more = g.items.length - rows.length;
  return html`<details class="group" data-kind="${g.kind}" data-severity="${g.severity}" data-count="${g.items.length}"><summary><span class="sev ${g.severity}">${g.severity}</span> <strong>${kindName(g.kind)}</strong> <span class="n">× ${count(g.items.length)}</span> <span class="muted">— ${guideFor(g).rule}</span></summary>
<ul class="group-items">${rows}</ul>${more > 0 ? html`<p class="note">${count(more)} more in the Findings table below.</p>` : ""}</details>`;
}

/** "1 critical finding", "3 warnings". */
function counted(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function triageSection(b: ArtifactBundle, cleanRuns: number): SafeHtml {
  const { doc } = b;
  const critical = criticalFindings(doc);
  const rest = groupsOf(doc.findings.items.filter((f) => severityRank(f.severity) > 0));
  const anchored = new Map([...critical.slice(0, TRIAGE_CARDS_MAX), ...rest.flatMap((g) => g.items.slice(0, TRIAGE_GROUP_ROWS_MAX))].map((f) => [f.finding_id, f]));
  const cards = critical.slice(0, TRIAGE_CARDS_MAX).map((f) => card(f, doc, b.evidence, anchored));
  const kindsWithCards = new Set(critical.map((f) => f.kind));
  const bareReasons = doc.kill_switch.reasons.filter((r) => !kindsWithCards.has(r));
  const reasonCards = bareReasons.map(reasonCard);
  const others = doc.findings.items.length - critical.length;
  const lede: Html[] = [];
  if (critical.length + reasonCards.length === 0) {
    lede.push(doc.verdict === "healthy" ? "Nothing needs a person: no critical finding, and the kill switch is not engaged." : "No critical finding was listed; see the kill-switch reasons above.");
  } else {
    const parts = [
      ...(critical.length > 0 ? [counted(critical.length, "critical finding", "critical findings")] : []),
      ...(reasonCards.length > 0 ? [`${counted(reasonCards.length, "kill-switch reason", "kill-switch reasons")} without a finding`] : []),
    ];
    const many = critical.length + reasonCards.length > 1;
    lede.push(`${parts.join(" and ")} ${many ? "need" : "needs"} a person before the kill switch is reset.`);
  }
  if (others > 0) lede.push(` ${counted(others, "other finding is", "other findings are")} grouped by kind below.`);
  lede.push(` ${counted(cleanRuns, "clean reconcile run is", "clean reconcile runs are")} only counted (on the timeline).`);
  const omitted = doc.findings.omitted > 0
    ? html`<p class="note cap">${REPORT_JSON} lists the first ${count(doc.findings.items.length)} findings and left out ${count(doc.findings.omitted)} (its list cap): metrics.txt counts every finding by kind.</p>`
    : "";
  return html`<section id="triage" class="triage" data-critical="${critical.length}"><h2>What to do now</h2>
<p class="lede">${lede}</p>
${cards.length + reasonCards.length === 0 ? "" : html`${todoList(critical.slice(0, TRIAGE_CARDS_MAX), bareReasons, doc)}<ol class="cards">${cards}${reasonCards}</ol>`}
${critical.length > cards.length ? html`<p class="note cap">${count(critical.length - cards.length)} more critical findings are in the Findings table below.</p>` : ""}
${rest.length === 0 ? "" : html`<h3>Other findings by kind</h3><div class="groups">${rest.map(groupBlock)}</div>`}
${omitted}
</section>`;
}
