// Inline SVG charts. Pure string builders: fixed viewBox sizes, coordinates rounded to 0.1 so the
// bytes are stable, every label through `html` (escaped). Charts are readable without JavaScript:
// axes, tick labels and the final value are drawn in the SVG, and <title> gives screen readers and
// hover a description.

import { html, raw, type SafeHtml } from "./escape.js";
import { axisNumber, utcLabel } from "./format.js";
import { downsample } from "./series.js";

const fx = (n: number): string => (Math.round(n * 10) / 10).toFixed(1).replace(/\.0$/, "");

export interface Domain {
  readonly lo: number;
  readonly hi: number;
}

function scale(d: Domain, r0: number, r1: number): (v: number) => number {
  const span = d.hi - d.lo || 1;
  return (v) => r0 + ((v - d.lo) / span) * (r1 - r0);
}

/** Round tick values ("nice" 1/2/5 steps) covering the domain; also returns decimals to print. */
export function niceTicks(d: Domain, target: number): { ticks: number[]; decimals: number } {
  const span = d.hi - d.lo;
  if (!(span > 0)) return { ticks: [d.lo], decimals: 2 };
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(d.lo / step) * step; v <= d.hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  return { ticks, decimals: Math.max(0, -Math.floor(Math.log10(step))) };
}

/** Pads a value domain so a flat line sits mid-chart and zero is always in view. */
export function valueDomain(values: readonly number[]): Domain {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi - lo < 1e-9) return { lo: lo - 1, hi: hi + 1 };
  const pad = (hi - lo) * 0.06;
  return { lo: lo - (lo < 0 ? pad : 0), hi: hi + (hi > 0 ? pad : 0) };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [1000, 5000, 15_000, 30_000, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR,
  3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];

/** Time domain padded to at least a minute so one instant still gets an axis. */
export function timeDomain(lo: number, hi: number): Domain {
  if (hi - lo < MINUTE) return { lo: lo - MINUTE / 2, hi: hi + MINUTE / 2 };
  return { lo, hi };
}

function timeTicks(d: Domain, target: number): { ticks: number[]; label: (ms: number) => string } {
  const span = d.hi - d.lo;
  const step = TIME_STEPS.find((s) => span / s <= target) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(d.lo / step) * step; t <= d.hi; t += step) ticks.push(t);
  const sameDay = utcLabel(d.lo, "day") === utcLabel(d.hi, "day");
  const label = (ms: number): string => {
    if (step >= DAY) return utcLabel(ms, "day");
    const full = utcLabel(ms, step < MINUTE ? "second" : "minute");
    return sameDay ? full.slice(11) : full.slice(5);
  };
  return { ticks, label };
}

export interface LineSeries {
  readonly t: readonly number[];
  readonly v: readonly number[];
  /** The exact final value, as text, drawn at the line's end. */
  readonly finalText: string;
  readonly cls: string;
}

export interface LineChartSpec {
  readonly id: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly x: Domain;
  readonly series: LineSeries;
  readonly pointsMax: number;
  readonly yTicks: number;
  readonly xTicks: number;
}

/** A cumulative step line with axes, a zero line and the final value labelled at its end. */
export function stepChart(spec: LineChartSpec): SafeHtml {
  const m = { l: 64, r: 92, t: 14, b: 30 };
  const { width: W, height: H, series } = spec;
  const yd = valueDomain(series.v);
  const x = scale(spec.x, m.l, W - m.r);
  const y = scale(yd, H - m.b, m.t);
  const keep = downsample(series.v, spec.pointsMax);
  let d = "";
  if (keep.length > 0) {
    d = `M${fx(x(series.t[keep[0]!]!))} ${fx(y(0))}`;
    for (const i of keep) d += `H${fx(x(series.t[i]!))}V${fx(y(series.v[i]!))}`;
    d += `H${fx(W - m.r)}`;
  }
  const yt = niceTicks(yd, spec.yTicks);
  const xt = timeTicks(spec.x, spec.xTicks);
  const lastV = series.v.length > 0 ? series.v[series.v.length - 1]! : 0;
  const yGrid = yt.ticks.map((v) => html`<line class="grid" x1="${fx(m.l)}" x2="${fx(W - m.r)}" y1="${fx(y(v))}" y2="${fx(y(v))}"/><text class="tick" x="${fx(m.l - 6)}" y="${fx(y(v) + 4)}" text-anchor="end">${axisNumber(v, yt.decimals)}</text>`);
  const xGrid = xt.ticks.map((t) => html`<line class="grid" x1="${fx(x(t))}" x2="${fx(x(t))}" y1="${fx(m.t)}" y2="${fx(H - m.b)}"/><text class="tick" x="${fx(x(t))}" y="${fx(H - m.b + 16)}" text-anchor="middle">${xt.label(t)}</text>`);
  const points = keep.length < series.v.length ? ` (${keep.length} of ${series.v.length} points drawn)` : "";
  return html`<svg class="chart" id="${spec.id}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${spec.id}-title" data-points="${keep.length}" data-fills="${series.v.length}">
<title id="${spec.id}-title">${spec.title}: final ${series.finalText}${points}</title>
${yGrid}${xGrid}
<line class="zero" x1="${fx(m.l)}" x2="${fx(W - m.r)}" y1="${fx(y(0))}" y2="${fx(y(0))}"/>
<path class="line ${series.cls}" d="${d}"/>
<circle class="end ${series.cls}" cx="${fx(W - m.r)}" cy="${fx(y(lastV))}" r="3.5"/>
<text class="final ${lastV < 0 ? "neg" : "pos"}" data-final="${series.finalText}" x="${fx(W - m.r + 8)}" y="${fx(y(lastV) + 5)}">${series.finalText}</text>
</svg>`;
}

export type RunMarkKind = "clean" | "caught" | "divergence" | "failed";

export interface RunMark {
  readonly ms: number;
  readonly kind: RunMarkKind;
  readonly label: string;
}

export interface TimelineSpec {
  readonly x: Domain;
  readonly marks: readonly RunMark[];
  readonly restarts: readonly number[];
  readonly killAt: number | null;
  readonly marksMax: number;
}

const LANE: Record<RunMarkKind, number> = { clean: 0, caught: 1, divergence: 2, failed: 3 };
const LANE_NAMES = ["clean", "caught fills / cancels", "divergence", "failed"];

/** Trusted markup: built from numbers only, never from data. */
function markShape(kind: RunMarkKind, cx: number, cy: number): string {
  const [a, b] = [fx(cx), fx(cy)];
  switch (kind) {
    case "clean": return `<line class="mk clean" x1="${a}" x2="${a}" y1="${fx(cy - 6)}" y2="${fx(cy + 6)}"/>`;
    case "caught": return `<path class="mk caught" d="M${a} ${fx(cy - 7)}L${fx(cx + 6)} ${b}L${a} ${fx(cy + 7)}L${fx(cx - 6)} ${b}Z"/>`;
    case "divergence": return `<path class="mk divergence" d="M${a} ${fx(cy - 7)}L${fx(cx + 7)} ${fx(cy + 6)}L${fx(cx - 7)} ${fx(cy + 6)}Z"/>`;
    case "failed": return `<path class="mk failed" d="M${fx(cx - 6)} ${fx(cy - 6)}L${fx(cx + 6)} ${fx(cy + 6)}M${fx(cx + 6)} ${fx(cy - 6)}L${fx(cx - 6)} ${fx(cy + 6)}"/>`;
  }
}

/**
 * Reconcile runs on a time axis, one lane per outcome so colour is never the only cue. Up to
 * marksMax runs are drawn one by one (with a tooltip); beyond that each lane becomes a density band
 * of 2-unit columns, which keeps the SVG small for a replay with tens of thousands of runs.
 */
export function timeline(spec: TimelineSpec): SafeHtml {
  const W = 960;
  const laneH = 22;
  const m = { l: 150, r: 16, t: 18, b: 28 };
  const H = m.t + laneH * 4 + m.b;
  const x = scale(spec.x, m.l, W - m.r);
  const laneY = (k: RunMarkKind): number => m.t + laneH * (3 - LANE[k]) + laneH / 2;
  // Runs with something to report are drawn one by one while they fit the budget; clean runs are
  // the first to become a density band, and everything does when even the notable ones do not fit.
  const notable = spec.marks.filter((mk) => mk.kind !== "clean");
  const allIndividual = spec.marks.length <= spec.marksMax;
  const notableIndividual = notable.length <= spec.marksMax;
  const individual = allIndividual ? spec.marks : notableIndividual ? notable : [];
  const banded = allIndividual ? [] : notableIndividual ? spec.marks.filter((mk) => mk.kind === "clean") : spec.marks;
  const body: SafeHtml[] = [];
  for (const mk of individual) {
    body.push(html`<g class="run"><title>${mk.label}</title>${raw(markShape(mk.kind, x(mk.ms), laneY(mk.kind)))}</g>`);
  }
  const cols = new Map<string, number>();
  for (const mk of banded) {
    const key = `${mk.kind}:${Math.floor(x(mk.ms) / 2) * 2}`;
    cols.set(key, (cols.get(key) ?? 0) + 1);
  }
  for (const [key, n] of [...cols.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [kind, col] = key.split(":") as [RunMarkKind, string];
    body.push(html`<rect class="band ${kind}" x="${col}" y="${fx(laneY(kind) - 7)}" width="2" height="14"><title>${n} runs</title></rect>`);
  }
  const xt = timeTicks(spec.x, 7);
  const axis = xt.ticks.map((t) => html`<line class="grid" x1="${fx(x(t))}" x2="${fx(x(t))}" y1="${fx(m.t)}" y2="${fx(H - m.b)}"/><text class="tick" x="${fx(x(t))}" y="${fx(H - m.b + 16)}" text-anchor="middle">${xt.label(t)}</text>`);
  const lanes = (["failed", "divergence", "caught", "clean"] as const).map((k) =>
    html`<text class="lane" x="${fx(m.l - 10)}" y="${fx(laneY(k) + 4)}" text-anchor="end">${LANE_NAMES[LANE[k]]}</text>`);
  // Labels sit right of their line unless that would run off the chart.
  const label = (at: number, cls: string, text: string): SafeHtml => {
    const right = at < W - m.r - 80;
    return html`<text class="${cls}" x="${fx(right ? at + 4 : at - 4)}" y="${fx(m.t - 6)}" text-anchor="${right ? "start" : "end"}">${text}</text>`;
  };
  const restarts = spec.restarts.map((ms) => html`<line class="restart" x1="${fx(x(ms))}" x2="${fx(x(ms))}" y1="${fx(m.t - 4)}" y2="${fx(H - m.b)}"><title>engine restart</title></line>${label(x(ms), "restart-label", "restart")}`);
  const kill = spec.killAt === null ? "" : html`<line class="kill" x1="${fx(x(spec.killAt))}" x2="${fx(x(spec.killAt))}" y1="${fx(m.t - 4)}" y2="${fx(H - m.b)}"><title>kill switch engaged</title></line>${label(x(spec.killAt), "kill-label", "kill switch")}`;
  return html`<svg class="chart timeline" id="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="timeline-title" data-marks="${individual.length}" data-banded="${banded.length}">
<title id="timeline-title">Reconcile runs over event time: ${spec.marks.length} runs${banded.length === 0 ? "" : `, ${banded.length} of them drawn as density bands`}</title>
${axis}${lanes}${body}${restarts}${kill}
</svg>`;
}

/** Engine and broker net position as two bars on a shared symmetric scale around zero. */
export function positionBars(engine: number, broker: number, maxAbs: number, label: string): SafeHtml {
  const W = 220;
  const H = 30;
  const mid = W / 2;
  const half = W / 2 - 4;
  const w = (q: number): number => (maxAbs > 0 ? (Math.abs(q) / maxAbs) * half : 0);
  const bar = (q: number, y: number, cls: string): SafeHtml =>
    html`<rect class="${cls}" x="${fx(q < 0 ? mid - w(q) : mid)}" y="${y}" width="${fx(w(q))}" height="11"/>`;
  return html`<svg class="bars" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">${bar(engine, 3, "engine")}${bar(broker, 16, "broker")}<line class="axis0" x1="${mid}" x2="${mid}" y1="0" y2="${H}"/></svg>`;
}

