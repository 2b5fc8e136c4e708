// The HTML report's generator, without a browser: what it reads, what it refuses, what it writes.

import { Command } from "commander";
import fc from "fast-check";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readArtifactBundle } from "../../src/adapters/read-artifacts.js";
import { registerReport } from "../../src/cli/commands/report.js";
import { DataError, IoError } from "../../src/domain/errors.js";
import { parseTradesCsv } from "../../src/artifacts/read-trades.js";
import { renderTradesCsv } from "../../src/artifacts/trades-csv.js";
import { parseDec } from "../../src/domain/decimal.js";
import type { TradeRow } from "../../src/domain/report.js";
import { downsample } from "../../src/report-html/series.js";
import { PAGE_NEEDS, renderReportHtml } from "../../src/report-html/page.js";
import { renderVerdictMarkdown } from "../../src/proofs/verdict-markdown.js";
import { CHART_POINTS_MAX, TABLE_ROWS_MAX, TIMELINE_RESTART_LINES_MAX } from "../../src/report-html/limits.js";
import { count } from "../../src/report-html/format.js";
import { timeline } from "../../src/report-html/charts.js";
import {
  HEALTHY_SCENARIO, HOSTILE, OUTCOMES_SCENARIO, ROOT, UNHEALTHY_SCENARIO, UNSEEN, hostileArtifacts, replayInto, tempDir, unseenIdsArtifacts,
  writeLargeArtifacts,
} from "./helpers.js";

let parent: string;
let healthy: string;
let unhealthy: string;
let hostile: string;

beforeAll(() => {
  parent = tempDir("unit");
  healthy = replayInto(HEALTHY_SCENARIO, parent, "healthy");
  unhealthy = replayInto(UNHEALTHY_SCENARIO, parent, "unhealthy");
  hostile = hostileArtifacts(parent);
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** One section of the page, by its id. */
function section(page: string, id: string): string {
  const start = page.indexOf(`<section id="${id}"`);
  return page.slice(start, page.indexOf("</section>", start));
}

/** Runs `report DIR` through commander in-process; returns the exit code and what went to stderr. */
function runReportCommand(...args: string[]): { code: number; stderr: string; stdout: string } {
  let code = -1;
  let stderr = "";
  let stdout = "";
  const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((s) => { stderr += String(s); return true; });
  const outSpy = vi.spyOn(process.stdout, "write").mockImplementation((s) => { stdout += String(s); return true; });
  try {
    const program = new Command().exitOverride();
    registerReport(program, (c) => { code = c; });
    try {
      program.parse(["report", ...args], { from: "user" });
    } catch (err) {
      if ((err as { exitCode?: number }).exitCode === undefined) throw err;
      code = (err as { exitCode: number }).exitCode;
    }
  } finally {
    errSpy.mockRestore();
    outSpy.mockRestore();
  }
  return { code, stderr, stdout };
}

describe("recon-proof report DIR", () => {
  it("writes DIR/report.html beside the artifacts and exits 0, for a healthy and an unhealthy run", () => {
    for (const dir of [healthy, unhealthy]) {
      const r = runReportCommand(dir);
      expect(r.code).toBe(0);
      const page = readFileSync(join(dir, "report.html"), "utf8");
      expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
      expect(readdirSync(dir).filter((f) => f.includes("tmp"))).toEqual([]);
    }
    expect(readFileSync(join(healthy, "report.html"), "utf8")).toContain("data-verdict=\"healthy\"");
    expect(readFileSync(join(unhealthy, "report.html"), "utf8")).toContain("data-verdict=\"manual_intervention_required\"");
  });

  it("is deterministic: the same artifacts give the same bytes, whatever the clock or time zone", () => {
    const first = renderReportHtml(readArtifactBundle(unhealthy, { needs: PAGE_NEEDS }));
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2031-01-01T00:00:00Z"));
    const tz = process.env["TZ"];
    process.env["TZ"] = "Asia/Tokyo";
    try {
      expect(renderReportHtml(readArtifactBundle(unhealthy, { needs: PAGE_NEEDS }))).toBe(first);
    } finally {
      vi.useRealTimers();
      if (tz === undefined) delete process.env["TZ"]; else process.env["TZ"] = tz;
    }
  });

  it("is self-contained: no URL to anything outside the page", () => {
    const page = renderReportHtml(readArtifactBundle(unhealthy, { needs: PAGE_NEEDS }));
    expect(page).not.toMatch(/\b(src|href)="(?!#)/);
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect(page).toMatch(/Content-Security-Policy" content="default-src &#39;none&#39;/);
  });

  it("a missing folder or artifact is an I/O error (exit 74) naming what is missing", () => {
    const missingDir = runReportCommand(join(parent, "no-such-folder"));
    expect(missingDir.code).toBe(74);
    expect(missingDir.stderr).toContain("no-such-folder");
    const partial = replayInto(HEALTHY_SCENARIO, parent, "partial");
    rmSync(join(partial, "trades.csv"));
    const r = runReportCommand(partial);
    expect(r.code).toBe(74);
    expect(r.stderr).toContain("trades.csv is missing");
    expect(existsSync(join(partial, "report.html"))).toBe(false);
    expect(() => readArtifactBundle(partial, { needs: PAGE_NEEDS })).toThrow(IoError);
  });

  it("a malformed artifact is a data error (exit 65) naming file:line and the field; no report is written", () => {
    const cases: Array<[string, (text: string) => string, RegExp]> = [
      ["reconcile-report.json", (t) => t.replace("\"verdict\": \"healthy\"", "\"verdict\": \"fine\""), /reconcile-report\.json:\d+: field "verdict": expected "healthy" or "manual_intervention_required"/],
      ["reconcile-report.json", (t) => t.slice(0, 200), /reconcile-report\.json:\d+: field "\(json\)": expected well-formed JSON/],
      ["reconcile-report.json", (t) => t.replace("\"schema_version\": 2", "\"schema_version\": 3"), /field "schema_version": expected 2/],
      ["trades.csv", (t) => t.replace(",-150.00,", ",lots,"), /trades\.csv:3: field "realized_pnl": expected a decimal/],
      ["trades.csv", (t) => t.replace("ts,decision_id", "time,decision_id"), /trades\.csv:1: field "\(header\)"/],
      ["summary.txt", () => "hello\n", /summary\.txt:1: field "\(first line\)"/],
    ];
    cases.forEach(([file, mutate, message], i) => {
      const dir = replayInto(HEALTHY_SCENARIO, parent, `bad-${i}`);
      writeFileSync(join(dir, file), mutate(readFileSync(join(dir, file), "utf8")));
      const r = runReportCommand(dir);
      expect(r.code, file).toBe(65);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, "report.html"))).toBe(false);
    });
    const dir = join(parent, "bad-0");
    expect(() => readArtifactBundle(dir, { needs: PAGE_NEEDS })).toThrow(DataError);
  });

  it("has full --help: what it reads and writes, the limits and the exit codes", () => {
    const r = runReportCommand("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("report.html");
    expect(r.stdout).toContain(String(CHART_POINTS_MAX));
    expect(r.stdout).toMatch(/65 .*malformed/);
    expect(r.stdout).toMatch(/74 .*missing/);
  });
});

describe("what to do now: the top of the page", () => {
  const ORPHAN = join(ROOT, "fixtures", "scenarios", "orphan-manual-trade");
  /** The evidence table's rows of a card, as the text of their cells. */
  const evidenceRows = (card: string): string[][] => {
    const table = card.slice(card.indexOf('<table class="ev"'), card.indexOf("</table>", card.indexOf('<table class="ev"')));
    return [...table.matchAll(/<tr class="[a-z]*" data-ref="[^"]*">(.*?)<\/tr>/g)].map((m) =>
      [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, "")));
  };
  const escaped = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

  it("comes right after the verdict, before every table: critical findings with rule, evidence lines and the staged action or next step", () => {
    const dir = replayInto(ORPHAN, parent, "orphan");
    expect(runReportCommand(dir, "--inputs", ORPHAN).code).toBe(0);
    const page = readFileSync(join(dir, "report.html"), "utf8");
    expect(page.indexOf('id="verdict"')).toBeLessThan(page.indexOf('id="triage"'));
    expect(page.indexOf('id="triage"')).toBeLessThan(page.indexOf('<nav class="toc"'));
    const triage = section(page, "triage");
    expect(triage).toContain("2 critical findings need a person before the kill switch is reset.");
    // A one-line list first, each line linking to its card.
    expect(triage).toMatch(/<ol class="todo" id="todo"><li><a href="#triage-F00001">.*orphan broker order<\/strong> · EURUSD<\/a> — staged, not executed: flatten position EURUSD buy 30,000<\/li>/);
    const orphan = triage.slice(triage.indexOf('id="triage-F00001"'), triage.indexOf('id="triage-F00002"'));
    expect(orphan).toContain("The broker has an order or fill whose client order id the engine never sent");
    const broker = readFileSync(join(ORPHAN, "broker.jsonl"), "utf8").split("\n");
    // Each line a row of the evidence table: time, file:line, type, side, qty, price, order.
    expect(evidenceRows(orphan)).toEqual([
      ["2025-10-20T11:20:00Z", "broker.jsonl:4", "order accepted", "sell", "30,000", "", "manual-desk-7731"],
      ["2025-10-20T11:20:00.050Z", "broker.jsonl:5", "fill", "sell", "30,000", "1.08620", "manual-desk-7731"],
    ]);
    // The raw lines, behind a <details>.
    expect(orphan).toContain(`<figcaption>broker.jsonl:4</figcaption><pre>${escaped(broker[3]!)}</pre>`);
    expect(orphan).toContain(`<figcaption>broker.jsonl:5</figcaption><pre>${escaped(broker[4]!)}</pre>`);
    expect(orphan).toMatch(/Staged action<\/span><ul><li><strong>flatten position EURUSD buy 30,000<\/strong> <code>S00001<\/code>/);
    const drift = triage.slice(triage.indexOf('id="triage-F00002"'));
    expect(drift).toContain("Engine and broker net positions for the symbol differ beyond the drift tolerance.");
    // Drift names the lines both positions rest on, its cause first and marked (the orphan's fill the
    // engine never took), then the broker's snapshot and fills and the engine's snapshot.
    expect(evidenceRows(drift).map((r) => r.slice(1, 3))).toEqual([
      ["cause broker.jsonl:5", "fill"], ["broker.jsonl:1", "position snapshot"], ["broker.jsonl:3", "fill"], ["journal.jsonl:1", "snapshot"]]);
    expect(drift).toMatch(/<tr class="cause" data-ref="broker:5">/);
    expect(drift).toContain(`<figcaption>broker.jsonl:1</figcaption><pre>${escaped(broker[0]!)}</pre>`);
    // The orphan behind it is a link to its card.
    expect(drift).toMatch(/Related<\/span> <a href="#triage-F00001">F00001 orphan broker order EURUSD<\/a>/);
  });

  it("without the inputs, names the evidence lines and says how to show them", () => {
    const dir = replayInto(ORPHAN, parent, "orphan-no-inputs");
    const triage = section(renderReportHtml(readArtifactBundle(dir, { needs: PAGE_NEEDS })), "triage");
    expect(triage).toContain("<code>broker:4 broker:5</code> — to show the lines here, run <code>recon-proof report DIR --inputs FOLDER</code> with the folder holding broker.jsonl");
    expect(triage).not.toContain("<pre>");
  });

  it("refuses inputs that are not the files the replay read (exit 2), and missing ones (exit 74)", () => {
    const dir = replayInto(ORPHAN, parent, "orphan-wrong-inputs");
    const wrong = runReportCommand(dir, "--inputs", HEALTHY_SCENARIO);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/journal\.jsonl is not the journal this replay read \(journal\.jsonl, sha256 [0-9a-f]{12}…/);
    expect(existsSync(join(dir, "report.html"))).toBe(false);
    const missing = runReportCommand(dir, "--broker", join(parent, "nope.jsonl"));
    expect(missing.code).toBe(74);
    // Each file may be named on its own.
    expect(runReportCommand(dir, "--broker", join(ORPHAN, "broker.jsonl")).code).toBe(0);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain("<figcaption>broker.jsonl:4</figcaption>");
  });

  it("is generic: a kind it has no words for gets a card (critical) or a group (warning), by severity", () => {
    const dir = replayInto(UNHEALTHY_SCENARIO, parent, "future-kinds");
    const path = join(dir, "reconcile-report.json");
    const doc = JSON.parse(readFileSync(path, "utf8"));
    const base = doc.findings.items[0];
    doc.findings.items.push(
      { ...base, finding_id: "F00098", kind: "venue_glitch", severity: "warning", evidence: [] },
      { ...base, finding_id: "F00099", kind: "quantum_mismatch", severity: "critical", symbol: "XAUUSD", evidence: ["broker:3"] },
    );
    writeFileSync(path, JSON.stringify(doc, null, 2) + "\n");
    const triage = section(renderReportHtml(readArtifactBundle(dir, { needs: PAGE_NEEDS })), "triage");
    const card = triage.slice(triage.indexOf('id="triage-F00099"'));
    expect(card).toContain("The engine reported a critical &quot;quantum mismatch&quot; finding");
    expect(card).toContain("Check the evidence lines against the broker&#39;s own records");
    expect(triage).toMatch(/<details class="group" data-kind="venue_glitch" data-severity="warning" data-count="1">/);
  });

  it("groups the other findings by kind with counts, and only counts clean runs", () => {
    const page = renderReportHtml(readArtifactBundle(unhealthy, { needs: PAGE_NEEDS }));
    const doc = JSON.parse(readFileSync(join(unhealthy, "reconcile-report.json"), "utf8"));
    const triage = section(page, "triage");
    const items = doc.findings.items as Array<{ kind: string; severity: string }>;
    expect(Number(/data-critical="(\d+)"/.exec(triage)?.[1])).toBe(items.filter((f) => f.severity === "critical").length);
    for (const kind of new Set(items.filter((f) => f.severity !== "critical").map((f) => f.kind))) {
      expect(triage).toContain(`data-kind="${kind}"`);
      expect(triage).toMatch(new RegExp(`data-kind="${kind}" data-severity="\\w+" data-count="${items.filter((f) => f.kind === kind).length}"`));
    }
    const runs = section(page, "runs");
    const clean = (doc.reconcile_runs.items as Array<{ counts: Record<string, number>; status: string }>)
      .filter((r) => r.status === "ok" && Object.entries(r.counts).every(([k, v]) => k === "in_flight_orders" || v === 0)).length;
    expect(runs).toContain(`data-clean="${clean}"`);
    expect(Number(/id="runs-table" data-rows="(\d+)"/.exec(runs)?.[1])).toBe(doc.reconcile_runs.items.length - clean);
  });
});

describe("the reconcile timeline", () => {
  const day = Date.UTC(2025, 9, 20);
  const spec = (restarts: number[], width: number) => timeline({
    id: "t", width, x: { lo: day, hi: day + 86_400_000 }, marks: [], restarts, killAt: day + 43_200_000, marksMax: 100,
    restartLinesMax: TIMELINE_RESTART_LINES_MAX,
  }).text;

  it("labels restarts beside their lines while few; many become ticks in a strip, never a wall of lines", () => {
    const few = spec([1, 2, 3].map((h) => day + h * 3_600_000), 960);
    expect(few.match(/<line class="restart"/g)).toHaveLength(3);
    const many = spec(Array.from({ length: 500 }, (_, i) => day + i * 170_000), 960);
    expect(many).not.toContain('<line class="restart"');
    expect(many).toContain('<path class="restart-ticks"');
    expect(many).toContain("<title>500 engine restarts</title>");
    expect(many).toContain('class="kill-label"');
  });
});

describe("escaping", () => {
  it("every hostile string from the logs appears as text, never as markup", () => {
    const page = renderReportHtml(readArtifactBundle(hostile, { needs: PAGE_NEEDS }));
    for (const s of Object.values(HOSTILE)) expect(page).not.toContain(s);
    expect(page).not.toMatch(/<img|<svg onload|<script>window/i);
    expect(page).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(page).toContain("&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=1;alert(1)&quot;&gt;");
    expect(page.match(/<script>/g)?.length).toBe(1);
  });

  it("the markdown verdict escapes markdown and HTML in names and reasons", () => {
    const doc = JSON.parse(readFileSync(join(hostile, "reconcile-report.json"), "utf8"));
    const md = renderVerdictMarkdown(doc, "[click](http://x) <b>|");
    expect(md).not.toMatch(/<script|<b>|\[click\]\(/);
    expect(md).toContain("\\[click\\]\\(http://x\\) &lt;b&gt;\\|");
    expect(md).toContain("&lt;script&gt;window");
  });
});

describe("renderVerdictMarkdown", () => {
  it("states scenario, verdict, the summary counts and the kill-switch reasons", () => {
    const doc = JSON.parse(readFileSync(join(unhealthy, "reconcile-report.json"), "utf8"));
    const md = renderVerdictMarkdown(doc, "unhealthy");
    expect(md).toMatch(/^### ❌ manual intervention required · unhealthy\n/);
    expect(md).toMatch(/\| stale \| orphan \| drift \(pips\) \|/);
    expect(md).toMatch(/\| fills caught \| orders sent \(rejected · cancelled · expired\) \| staged actions \|/);
    expect(md).toMatch(/\| 1 \| 1 \| 15025\\\.2 \| 30000 \| true \| 1 \| 5 \| 3 \| 1 \| 1 \| 1 \| 5 \\\(0 · 0 · 0\\\) \| 4 \| JPY \\-150\\\.00 · USD 76\\\.70 \|/);
    for (const r of doc.kill_switch.reasons) expect(md).toContain(`**${r.replaceAll("_", "\\_")}**`);
    const ok = renderVerdictMarkdown(JSON.parse(readFileSync(join(healthy, "reconcile-report.json"), "utf8")), "healthy");
    expect(ok).toMatch(/^### ✅ healthy · healthy\n/);
    expect(ok).not.toContain("Kill switch engaged");
  });

  it("refuses something that is not a reconcile report, naming the field", () => {
    expect(() => renderVerdictMarkdown({ schema_version: 2 }, "x")).toThrow(/field "inputs": expected an object/);
    expect(() => renderVerdictMarkdown("nope", "x")).toThrow(DataError);
  });
});

describe("trades.csv reading", () => {
  it("reads RFC 4180 quoting: commas, quotes and line breaks inside a field", () => {
    const csv = readFileSync(join(healthy, "trades.csv"), "utf8").split("\n");
    const tricky = csv[1]!.replace("AXFL::lsg::EURUSD::20251020080000::a7b3f9e1", "\"a,b \"\"c\"\"\nd\"");
    const rows = parseTradesCsv([csv[0], tricky, csv[2], ""].join("\n"));
    expect(rows.map((r) => r.clientOrderId)).toEqual(["a,b \"c\"\nd", "AXFL::lsg::USDJPY::20251020080500::b1c2d3e4"]);
    expect(rows[1]!.line).toBe(4);
  });
});

describe("order outcomes", () => {
  const cells = (table: string): string[][] => [...table.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].slice(1)
    .map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, "")));

  it("rejects grouped by the broker's reason with example order ids and symbols; cancels and expiries counted; the headline beside orders sent", () => {
    const dir = replayInto(OUTCOMES_SCENARIO, parent, "outcomes");
    const page = renderReportHtml(readArtifactBundle(dir, { needs: PAGE_NEEDS }));
    const outcomes = section(page, "outcomes");
    expect(outcomes).toContain("Of the 5 orders the engine sent, the broker rejected <strong data-key=\"orders_rejected\">3</strong>, cancelled <strong data-key=\"orders_cancelled\">1</strong>");
    const table = outcomes.slice(outcomes.indexOf('id="rejects-table"'), outcomes.indexOf("</table>"));
    expect(cells(table)).toEqual([
      ["INSUFFICIENT_MARGIN", "2", "C-REJ-1 C-REJ-2", "EURUSD, GBPUSD"],
      ["MARKET_CLOSED", "1", "C-REJ-3", "EURUSD"],
    ]);
    expect(outcomes).toMatch(/<li>cancelled: <strong>1<\/strong> \(CLIENT_REQUEST 1\)<\/li><li>expired: <strong>0<\/strong><\/li>/);
    expect(page).toMatch(/<div class="fig warn" data-key="orders"><span class="v">5<\/span><span class="k">orders sent · 3 rejected · 1 cancelled · 0 expired<\/span><\/div>/);
    expect(page).toContain('<a href="#outcomes">Order outcomes (4)</a>');
  });

  it("a cancel request for an order already filled is named for what happened, in the triage and the findings table", () => {
    const dir = replayInto(OUTCOMES_SCENARIO, parent, "outcomes-closed");
    const page = renderReportHtml(readArtifactBundle(dir, { needs: PAGE_NEEDS }));
    const triage = section(page, "triage");
    expect(triage).toMatch(/<details class="group" data-kind="cancel_request_order_closed" data-severity="info" data-count="1"><summary><span class="sev info">info<\/span> <strong>cancel request for an order already closed<\/strong> <span class="n">× 1<\/span> <span class="muted">— The engine asked to cancel an order that had already finished/);
    const findings = section(page, "findings");
    expect(findings).toContain('<td data-label="kind" class="">cancel request for an order already closed</td>');
    expect(page).not.toContain("cancel request order closed");
    expect(page).not.toMatch(/The engine reported a \w+ &quot;cancel/);
  });
});

describe("ids as the logs have them", () => {
  const row = (id: string): TradeRow => ({
    ts: "2025-10-20T08:00:00Z", decisionId: id, clientOrderId: id, brokerOrderId: id, symbol: "EURUSD", side: "buy",
    qty: parseDec("1")!, price: parseDec("1.1")!, refPrice: undefined, slippagePips: undefined, session: "eu", fee: parseDec("0")!,
    realizedPnl: parseDec("-1.5")!, source: "stream", currency: "USD", feeCurrency: "USD",
  });
  const roundTrip = (id: string) => {
    const [t] = parseTradesCsv(renderTradesCsv([row(id)]), { detailRowsMax: 1 });
    return { decisionId: t!.decisionId, clientOrderId: t!.clientOrderId, brokerOrderId: t!.fields![3] };
  };

  it("trades.csv's formula guard is taken off exactly where it was put: every id reads back as it was", () => {
    const ids = [UNSEEN.formula, UNSEEN.quoted, "=x", "''+1", "'", "''", "'abc", "it's", "-B1", "@SUM(A1)", "\tx", "'\tx", "\r=x", "a\n=b",
      "a\n'=b", "a\r\r-1", "77\r\n+1+1", "\uFF1Dx", "'\uFF1Dx", "a,b \"c\"", "'\r'=x"];
    for (const id of ids) expect(roundTrip(id), JSON.stringify(id)).toEqual({ decisionId: id, clientOrderId: id, brokerOrderId: id });
    fc.assert(fc.property(fc.stringMatching(/^['=+\-@\t\r\na,"\uFF1D]{0,8}$/), (id) => {
      expect(roundTrip(id)).toEqual({ decisionId: id, clientOrderId: id, brokerOrderId: id });
    }), { numRuns: 2000 });
  });

  it("report.html shows ids without the guard, and invisible characters escaped and marked, never raw", () => {
    const { scenario, dir } = unseenIdsArtifacts(parent);
    const page = renderReportHtml(readArtifactBundle(dir, { needs: PAGE_NEEDS, paths: { inputs: scenario } }));
    const trades = section(page, "trades");
    expect(trades).toContain("<code>+SUM(A1)</code>");
    expect(trades).not.toContain("&#39;+SUM");
    expect(trades).toContain("<code>&#39;=x</code>");
    expect(trades).not.toContain("&#39;&#39;=x");
    // A bidi override, a zero-width space and controls, in ids shown in the cards and tables.
    const mark = (code: string) => `<span class="inv" title="invisible character U+${code.toUpperCase()}">\\u${code}</span>`;
    expect(page).toContain(`<code>C-${mark("202e")}gpj.exe</code>`);
    expect(page).toContain(`<code>D${mark("200b")}-0004</code>`);
    expect(page).toContain(`<code>ESC${mark("001b")}[31mRED${mark("0007")}</code>`);
    expect(page).not.toMatch(/[\p{Cf}\p{Zl}\p{Zp}\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u);
  });
});

describe("large inputs", () => {
  it("downsampling keeps the first, last, lowest and highest points within the budget", () => {
    const values = Array.from({ length: 300_001 }, (_, i) => Math.sin(i / 5000) * 100 + (i === 123_456 ? 1e6 : 0) - (i === 7 ? 1e6 : 0));
    const keep = downsample(values, CHART_POINTS_MAX);
    expect(keep.length).toBeLessThanOrEqual(CHART_POINTS_MAX);
    expect(keep).toContain(0);
    expect(keep).toContain(300_000);
    expect(keep).toContain(123_456);
    expect(keep).toContain(7);
    expect([...keep].sort((a, b) => a - b)).toEqual(keep);
  });

  it("a 300k-fill artifact set renders with charts and tables capped (time logged)", () => {
    const { dir, pnl } = writeLargeArtifacts(join(parent, "large"), { trades: 300_000, runs: 20_000, findings: 12_000, alerts: 10_000, symbols: 16 });
    const t0 = performance.now();
    const bundle = readArtifactBundle(dir, { needs: PAGE_NEEDS });
    const t1 = performance.now();
    const page = renderReportHtml(bundle);
    const t2 = performance.now();
    console.info(`[report-html] large set: read+parse ${(t1 - t0).toFixed(0)} ms, render ${(t2 - t1).toFixed(0)} ms, report.html ${(page.length / 1024 / 1024).toFixed(2)} MiB`);
    // Logged, not asserted: speed is measured (docs/benchmarks.md), never a timed assertion in a test.
    expect(page.length).toBeLessThan(8 * 1024 * 1024);
    expect(page).toContain(`data-final="${pnl}"`);
    for (const m of page.matchAll(/data-points="(\d+)"/g)) expect(Number(m[1])).toBeLessThanOrEqual(CHART_POINTS_MAX);
    for (const m of page.matchAll(/<table class="data" id="[a-z-]+" data-rows="(\d+)"/g)) expect(Number(m[1])).toBeLessThanOrEqual(TABLE_ROWS_MAX);
    expect(page).toContain(`This page holds ${count(TABLE_ROWS_MAX)} of 12,000 rows`);
    expect(page).toMatch(/\d+ of them drawn as density bands/);
  });
});

describe("every scenario in fixtures/scenarios", () => {
  const root = join(ROOT, "fixtures", "scenarios");
  const names = existsSync(root) ? readdirSync(root).filter((n) => existsSync(join(root, n, "journal.jsonl"))) : [];
  it.each(names)("%s renders, with the verdict reconcile-report.json states", (name) => {
    const dir = replayInto(join(root, name), parent, `scenario-${name}`);
    const doc = JSON.parse(readFileSync(join(dir, "reconcile-report.json"), "utf8"));
    const page = renderReportHtml(readArtifactBundle(dir, { needs: PAGE_NEEDS }));
    expect(page).toContain(`data-verdict="${doc.verdict}"`);
    for (const r of doc.kill_switch.reasons) expect(page).toContain(`<code>${r}</code>`);
  });
});
