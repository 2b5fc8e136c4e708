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

/** Estimated width of a tick or mark label in px at the charts' 12px font (a conservative average). */
const LABEL_CHAR_PX = 7;
const LABEL_GAP_PX = 6;

interface Placed { readonly x: number; readonly anchor: "start" | "middle" | "end" }

/**
 * Where to draw a label of `chars` characters centred on `at`, kept inside [lo, hi] (so the axis
 * never clips a label) and clear of `taken` (the spans already used on that row); null when it
 * does not fit, and the label is left out rather than drawn over another.
 */
function placeCentred(at: number, chars: number, lo: number, hi: number, taken: Array<[number, number]>): Placed | null {
  const w = chars * LABEL_CHAR_PX;
  let start = at - w / 2;
  let placed: Placed = { x: at, anchor: "middle" };
  if (start < lo) { start = lo; placed = { x: lo, anchor: "start" }; }
  if (start + w > hi) { start = hi - w; placed = { x: hi, anchor: "end" }; }
  if (start < lo || taken.some(([a, b]) => start < b + LABEL_GAP_PX && a < start + w + LABEL_GAP_PX)) return null;
  taken.push([start, start + w]);
  return placed;
}

/** Where a time axis is drawn: its scale, the grid's top and bottom, and the span its labels must stay in. */
interface AxisPlace {
  readonly x: (t: number) => number;
  readonly top: number;
  readonly bottom: number;
  readonly lo: number;
  readonly hi: number;
}

/** Vertical grid lines at every tick; a label under each tick that fits without clipping or overlapping. */
function timeAxis(xt: { ticks: number[]; label: (ms: number) => string }, { x, top, bottom, lo, hi }: AxisPlace): SafeHtml {
  const taken: Array<[number, number]> = [];
  return html`${xt.ticks.map((t) => {
    const text = xt.label(t);
    const at = placeCentred(x(t), text.length, lo, hi, taken);
    return html`<line class="grid" x1="${fx(x(t))}" x2="${fx(x(t))}" y1="${fx(top)}" y2="${fx(bottom)}"/>${at === null ? "" : html`<text class="tick" x="${fx(at.x)}" y="${fx(bottom + 16)}" text-anchor="${at.anchor}">${text}</text>`}`;
  })}`;
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

/**
 * Estimated widths of the value labels, wide enough for the fonts a page may get (DejaVu Sans, the
 * widest common system-ui face, draws a bold digit 0.70 em and a regular one 0.64 em wide).
 */
const FINAL_CHAR_PX = 11;
const TICK_CHAR_PX = 7.8;
/** The final value sits this far right of the line's end; at most this share of the width is kept for it. */
const FINAL_GAP_PX = 8;
const FINAL_SHARE_MAX = 0.3;

interface EndLabel { readonly right: number; readonly inside: boolean }

/**
 * Room on the right for the final value: its estimated width beside the line's end when that fits
 * in FINAL_SHARE_MAX of the chart, else the label goes inside the plot, above the end point.
 */
function endLabel(text: string, width: number): EndLabel {
  const need = FINAL_GAP_PX + text.length * FINAL_CHAR_PX + 4;
  return need <= width * FINAL_SHARE_MAX ? { right: Math.max(24, need), inside: false } : { right: 16, inside: true };
}

/** A cumulative step line with axes, a zero line and the final value labelled at its end. */
export function stepChart(spec: LineChartSpec): SafeHtml {
  const { width: W, height: H, series } = spec;
  const yd = valueDomain(series.v);
  const yt = niceTicks(yd, spec.yTicks);
  const end = endLabel(series.finalText, W);
  const widest = Math.max(0, ...yt.ticks.map((v) => axisNumber(v, yt.decimals).length));
  const m = { l: Math.max(40, Math.ceil(widest * TICK_CHAR_PX) + 12), r: end.right, t: 14 + (end.inside ? 18 : 0), b: 30 };
  const x = scale(spec.x, m.l, W - m.r);
  const y = scale(yd, H - m.b, m.t);
  const keep = downsample(series.v, spec.pointsMax);
  let d = "";
  if (keep.length > 0) {
    d = `M${fx(x(series.t[keep[0]!]!))} ${fx(y(0))}`;
    for (const i of keep) d += `H${fx(x(series.t[i]!))}V${fx(y(series.v[i]!))}`;
    d += `H${fx(W - m.r)}`;
  }
  const xt = timeTicks(spec.x, spec.xTicks);
  const lastV = series.v.length > 0 ? series.v[series.v.length - 1]! : 0;
  const yGrid = yt.ticks.map((v) => html`<line class="grid" x1="${fx(m.l)}" x2="${fx(W - m.r)}" y1="${fx(y(v))}" y2="${fx(y(v))}"/><text class="tick" x="${fx(m.l - 6)}" y="${fx(y(v) + 4)}" text-anchor="end">${axisNumber(v, yt.decimals)}</text>`);
  const xGrid = timeAxis(xt, { x, top: m.t, bottom: H - m.b, lo: 0, hi: W - 2 });
  const points = keep.length < series.v.length ? ` (${keep.length} of ${series.v.length} points drawn)` : "";
  return html`<svg class="chart" id="${spec.id}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${spec.id}-title" data-points="${keep.length}" data-fills="${series.v.length}">
<title id="${spec.id}-title">${spec.title}: final ${series.finalText}${points}</title>
${yGrid}${xGrid}
<line class="zero" x1="${fx(m.l)}" x2="${fx(W - m.r)}" y1="${fx(y(0))}" y2="${fx(y(0))}"/>
<path class="line ${series.cls}" d="${d}"/>
<circle class="end ${series.cls}" cx="${fx(W - m.r)}" cy="${fx(y(lastV))}" r="3.5"/>
${end.inside
    ? html`<text class="final ${lastV < 0 ? "neg" : "pos"}" data-final="${series.finalText}" x="${fx(W - 4)}" y="${fx(Math.max(16, y(lastV) - 10))}" text-anchor="end">${series.finalText}</text>`
    : html`<text class="final ${lastV < 0 ? "neg" : "pos"}" data-final="${series.finalText}" x="${fx(W - m.r + FINAL_GAP_PX)}" y="${fx(y(lastV) + 5)}">${series.finalText}</text>`}
</svg>`;
}

export type RunMarkKind = "clean" | "caught" | "divergence" | "failed";

export interface RunMark {
  readonly ms: number;
  readonly kind: RunMarkKind;
  readonly label: string;
}

export interface TimelineSpec {
  /** Element id; the page draws the timeline twice (desk and phone widths). */
  readonly id: string;
  /** viewBox width: 960 for a desk, 360 for a phone, so text stays legible at either. */
  readonly width: number;
  readonly x: Domain;
  readonly marks: readonly RunMark[];
  readonly restarts: readonly number[];
  readonly killAt: number | null;
  readonly marksMax: number;
  /** Restarts drawn as labelled lines; beyond it they are ticks in a strip above the lanes. */
  readonly restartLinesMax: number;
}

const LANE: Record<RunMarkKind, number> = { clean: 0, caught: 1, divergence: 2, failed: 3 };
const LANE_NAMES = ["clean", "caught fills / cancels", "divergence", "failed"];
const LANE_NAMES_SHORT = ["clean", "caught", "divergence", "failed"];
/** Rows of labels above the lanes ("restart", "kill switch"); a label that fits in none is left out. */
const LABEL_ROWS = 2;
const LABEL_ROW_PX = 14;

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

interface MarkLabel { readonly at: number; readonly cls: string; readonly text: string }

/**
 * Labels for the restart and kill-switch lines, each beside its line (right, else left) on the
 * first of LABEL_ROWS rows where it overlaps nothing; the kill switch is placed first. A label
 * with no room is left out (its line and tooltip stay): labels are thinned, never piled up.
 */
function markLabels(labels: readonly MarkLabel[], lo: number, hi: number, rowY: (row: number) => number): { svg: SafeHtml[]; drawn: number } {
  const rows: Array<Array<[number, number]>> = Array.from({ length: LABEL_ROWS }, () => []);
  const svg: SafeHtml[] = [];
  for (const l of labels) {
    const w = l.text.length * LABEL_CHAR_PX;
    const spans: Array<[number, "start" | "end", number]> = [[l.at + 4, "start", l.at + 4], [l.at - 4 - w, "end", l.at - 4]];
    let placed = false;
    for (let row = 0; row < LABEL_ROWS && !placed; row++) {
      for (const [start, anchor, x] of spans) {
        if (start < lo || start + w > hi) continue;
        if (rows[row]!.some(([a, b]) => start < b + LABEL_GAP_PX && a < start + w + LABEL_GAP_PX)) continue;
        rows[row]!.push([start, start + w]);
        svg.push(html`<text class="${l.cls}" x="${fx(x)}" y="${fx(rowY(row))}" text-anchor="${anchor}">${l.text}</text>`);
        placed = true;
        break;
      }
    }
  }
  return { svg, drawn: svg.length };
}

/**
 * Reconcile runs on a time axis, one lane per outcome so colour is never the only cue. Up to
 * marksMax runs are drawn one by one (with a tooltip); beyond that each lane becomes a density band
 * of 2-unit columns, which keeps the SVG small for a replay with tens of thousands of runs.
 */
export function timeline(spec: TimelineSpec): SafeHtml {
  const W = spec.width;
  const narrow = W < 600;
  const laneH = 22;
  const m = { l: narrow ? 96 : 150, r: 8, t: 10 + LABEL_ROWS * LABEL_ROW_PX, b: 28 };
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
  const axis = timeAxis(timeTicks(spec.x, narrow ? 3 : 7), { x, top: m.t, bottom: H - m.b, lo: 0, hi: W - 2 });
  const names = narrow ? LANE_NAMES_SHORT : LANE_NAMES;
  const lanes = (["failed", "divergence", "caught", "clean"] as const).map((k) =>
    html`<text class="lane" x="${fx(m.l - 8)}" y="${fx(laneY(k) + 4)}" text-anchor="end">${names[LANE[k]]}</text>`);
  const line = (at: number, cls: string, title: string): SafeHtml =>
    html`<line class="${cls}" x1="${fx(at)}" x2="${fx(at)}" y1="${fx(m.t - 4)}" y2="${fx(H - m.b)}"><title>${title}</title></line>`;
  const killLine = spec.killAt === null ? "" : line(x(spec.killAt), "kill", "kill switch engaged");
  const restartsAsLines = spec.restarts.length <= spec.restartLinesMax;
  const labels: MarkLabel[] = [
    ...(spec.killAt === null ? [] : [{ at: x(spec.killAt), cls: "kill-label", text: "kill switch" }]),
    ...(restartsAsLines ? spec.restarts.map((t) => ({ at: x(t), cls: "restart-label", text: "restart" })) : []),
  ];
  // Many restarts would wall the lanes off: then they are ticks (one per 2-unit column) in the top
  // label row, named like a lane, and the kill switch keeps the other row for its label.
  const stripY = m.t - 8 - (LABEL_ROWS - 1) * LABEL_ROW_PX;
  const restartMarks = restartsAsLines
    ? spec.restarts.map((t) => line(x(t), "restart", "engine restart"))
    : [html`<text class="lane restart-label" x="${fx(m.l - 8)}" y="${fx(stripY)}" text-anchor="end">restarts</text><path class="restart-ticks" d="${[...new Set(spec.restarts.map((t) => Math.floor(x(t) / 2) * 2))].map((c) => `M${c} ${fx(stripY - 9)}V${fx(stripY + 1)}`).join("")}"><title>${spec.restarts.length} engine restarts</title></path>`];
  const placed = markLabels(labels, m.l, W - m.r, (row) => m.t - 8 - row * LABEL_ROW_PX);
  return html`<svg class="chart timeline" id="${spec.id}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${spec.id}-title" data-marks="${individual.length}" data-banded="${banded.length}" data-labels="${placed.drawn}" data-restarts="${spec.restarts.length}">
<title id="${spec.id}-title">Reconcile runs over event time: ${spec.marks.length} runs${banded.length === 0 ? "" : `, ${banded.length} of them drawn as density bands`}; ${spec.restarts.length} restarts</title>
${axis}${lanes}${body}${restartMarks}${killLine}${placed.svg}
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

