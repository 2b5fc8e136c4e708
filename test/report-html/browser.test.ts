// The report in a real browser (Debian's chromium through playwright-core): the verdict, tables and
// charts are there and right, filtering works, nothing from the data runs, it reads at desk and
// phone width, with JavaScript off and in print, and a large run loads fast. Screenshots go to
// artifacts/screenshots/ for a human to look at.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readArtifactBundle } from "../../src/adapters/read-artifacts.js";
import { PAGE_NEEDS, renderReportHtml } from "../../src/report-html/page.js";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { CHART_POINTS_MAX, TABLE_PAGE_ROWS, TABLE_ROWS_MAX, TIMELINE_RESTART_LINES_MAX } from "../../src/report-html/limits.js";
import { stepChart, timeline } from "../../src/report-html/charts.js";
import { generateScenario } from "../../src/gen/generate.js";
import { STYLE } from "../../src/report-html/style.js";
import { count } from "../../src/report-html/format.js";
import {
  HEALTHY_SCENARIO, HOSTILE, ROOT, UNHEALTHY_SCENARIO, UNSEEN, hostileArtifacts, replayInto, tempDir, unseenIdsArtifacts, writeLargeArtifacts,
} from "./helpers.js";

// CHROMIUM_PATH lets a runner point at its own Chromium or Chrome (GitHub's Ubuntu image has google-chrome).
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const IN_CI = (process.env["CI"] ?? "") !== "";
const SKIP = !existsSync(CHROMIUM) && !IN_CI;
if (SKIP) console.warn(`[report-html] browser tests SKIPPED: ${CHROMIUM} is missing (run scripts/ci/install-chromium.sh). Under CI=true this is a failure.`);

// Without these, Chromium tries to reach update and sync services, which this machine's closed network refuses.
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SHOTS = join(ROOT, "artifacts", "screenshots");

let browser: Browser;
let parent: string;
const pages: Record<"healthy" | "unhealthy" | "hostile", string> = { healthy: "", unhealthy: "", hostile: "" };
const docs: Record<string, any> = {};

/** Writes report.html for an artifact folder (with the evidence lines, when given the inputs) and returns its file URL. */
function reportFor(dir: string, inputs?: string): string {
  const path = join(dir, "report.html");
  writeFileSync(path, renderReportHtml(readArtifactBundle(dir, inputs === undefined ? { needs: PAGE_NEEDS } : { needs: PAGE_NEEDS, paths: { inputs } })));
  return pathToFileURL(path).href;
}

/** Writes a generated scenario's journal, broker log and config into a folder. */
function writeGenerated(dir: string, opts: Parameters<typeof generateScenario>[0]): string {
  const g = generateScenario(opts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "journal.jsonl"), g.journal.join("\n") + "\n");
  writeFileSync(join(dir, "broker.jsonl"), g.broker.join("\n") + "\n");
  writeFileSync(join(dir, "config.json"), JSON.stringify(g.config));
  return dir;
}

/**
 * Where the third critical card may start at 1280 px, at most. Measured with the evidence as a short
 * table: 1,314 px (the unhealthy fixture) and 1,255 px (a generated incident with six criticals);
 * every evidence line as raw JSON would put it at 1,506 and 2,474 px.
 */
const THIRD_CARD_TOP_MAX_PX = 1400;

interface Watch { readonly requests: string[]; readonly errors: string[]; readonly dialogs: string[] }

async function open(url: string, opts: { width?: number; height?: number; js?: boolean } = {}): Promise<{ page: Page; ctx: BrowserContext; watch: Watch }> {
  const ctx = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 }, javaScriptEnabled: opts.js ?? true });
  const page = await ctx.newPage();
  const watch: Watch = { requests: [], errors: [], dialogs: [] };
  page.on("request", (r) => { if (r.url() !== url) watch.requests.push(r.url()); });
  page.on("console", (m) => { if (m.type() === "error") watch.errors.push(m.text()); });
  page.on("pageerror", (e) => watch.errors.push(e.message));
  page.on("dialog", (d) => { watch.dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(url, { waitUntil: "load" });
  return { page, ctx, watch };
}

const rows = (page: Page, id: string): Promise<number> => page.locator(`#${id} tbody tr:not([hidden])`).count();

/** Everything that scrolls sideways at this width: the page itself, or any box inside it. */
function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const wide: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) wide.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(".tablewrap, .chartwrap, pre"))) {
      if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1) wide.push(`${el.className || el.tagName} in #${el.closest("section,header")?.id}: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return wide;
  });
}

/**
 * Sum of trades.csv's realized_pnl column in cents for one quote currency (orphan rows are the
 * broker's, not the engine's), computed independently of the report code.
 */
function csvPnl(dir: string, currency: string): string {
  const json = JSON.parse(readFileSync(join(dir, "reconcile-report.json"), "utf8"));
  const ccy = new Map<string, string>(json.instruments.items.map((i: any) => [i.symbol, i.quote_currency]));
  const lines = readFileSync(join(dir, "trades.csv"), "utf8").trim().split("\n").slice(1)
    .filter((l) => l.split(",")[13] !== "orphan" && ccy.get(l.split(",")[4]!) === currency);
  let cents = 0n;
  for (const l of lines) {
    const cell = l.split(",")[12]!;
    const [i, f = ""] = cell.replace("-", "").split(".");
    cents += (cell.startsWith("-") ? -1n : 1n) * (BigInt(i!) * 100n + BigInt(f.padEnd(2, "0")));
  }
  const a = cents < 0n ? -cents : cents;
  return `${cents < 0n ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
}

describe.skipIf(SKIP)("report.html in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`CI is set but ${CHROMIUM} is missing: run scripts/ci/install-chromium.sh first`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    parent = tempDir("browser");
    const dirs = {
      healthy: replayInto(HEALTHY_SCENARIO, parent, "healthy"),
      unhealthy: replayInto(UNHEALTHY_SCENARIO, parent, "unhealthy"),
      hostile: hostileArtifacts(parent),
    };
    for (const [k, dir] of Object.entries(dirs)) {
      pages[k as keyof typeof pages] = reportFor(dir);
      docs[k] = { dir, json: JSON.parse(readFileSync(join(dir, "reconcile-report.json"), "utf8")) };
    }
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (parent !== undefined) rmSync(parent, { recursive: true, force: true });
  });

  it("healthy: says Healthy, no findings, P&L chart ends at the summary's realized P&L", async () => {
    const { page, ctx, watch } = await open(pages.healthy);
    const json = docs["healthy"].json;
    await expect(page.locator("#verdict h1").innerText()).resolves.toContain("Healthy");
    expect(await page.locator("#verdict").getAttribute("data-verdict")).toBe("healthy");
    expect(await page.locator("#findings-table").getAttribute("data-rows")).toBe("0");
    expect(await page.locator("#kill-reasons").count()).toBe(0);
    // Two quote currencies: one chart each, ending at the summary's figure for that currency.
    expect(json.realized_pnl_by_currency.items.map((r: any) => r.currency)).toEqual(["JPY", "USD"]);
    for (const { currency, realized_pnl } of json.realized_pnl_by_currency.items) {
      const final = await page.locator(`#pnl-ccy-${currency} text.final`).textContent();
      expect(final).toBe(realized_pnl);
      expect(final).toBe(csvPnl(docs["healthy"].dir, currency));
    }
    expect(await page.locator("#pnl-overall").count()).toBe(0);
    expect(await page.locator(".small[data-symbol]").count()).toBe(json.realized_pnl_by_symbol.items.length);
    expect(await page.locator("#timeline g.run").count()).toBe(json.totals.reconcile_runs);
    expect(await page.locator("#slippage-table td[data-symbol]").count()).toBe(json.slippage.items.length);
    expect(await rows(page, "positions-table")).toBe(json.positions.items.length);
    expect(await page.locator("#positions-table tr.drift").count()).toBe(0);
    expect(await page.locator("#cache-figures").innerText()).toContain(String(json.cache.entries_written));
    expect(await page.locator("#provenance-table").innerText()).toContain(json.inputs.journal.sha256);
    expect(watch).toEqual({ requests: [], errors: [], dialogs: [] });
    await page.screenshot({ path: join(SHOTS, "healthy-1280.png"), fullPage: true });
    await ctx.close();
  });

  it("unhealthy: says manual intervention with the kill-switch reasons, and lists findings, alerts and staged actions", async () => {
    const { page, ctx, watch } = await open(pages.unhealthy);
    const json = docs["unhealthy"].json;
    await expect(page.locator("#verdict h1").innerText()).resolves.toContain("Manual intervention required");
    const reasons = await page.locator("#kill-reasons li code").allTextContents();
    expect(reasons).toEqual(json.kill_switch.reasons);
    expect(reasons).toContain("orphan_broker_order");
    expect(await rows(page, "findings-table")).toBe(json.findings.items.length);
    expect(await rows(page, "alerts-table")).toBe(json.alerts.items.length);
    expect(await rows(page, "actions-table")).toBe(json.staged_actions.items.length);
    expect(await rows(page, "blocked-table")).toBe(json.blocked_decisions.items.length);
    expect(await rows(page, "duplicates-table")).toBe(json.duplicate_decisions.items.length);
    const drifting = json.positions.items.filter((p: any) => p.engine_qty !== p.broker_qty).length;
    expect(await page.locator("#positions-table tr.drift").count()).toBe(drifting);
    expect(await page.locator("#slippage-table td[data-symbol=GBPUSD][data-session=eu]").getAttribute("class")).toContain("nopreset");
    expect(await page.locator("#slippage-table td[data-symbol=EURUSD][data-session=eu]").getAttribute("class")).toContain("h4");
    expect(await page.locator("#timeline .kill").count()).toBe(1);
    expect(await page.locator("#timeline path.mk.divergence").count()).toBeGreaterThan(0);
    for (const { currency } of docs["unhealthy"].json.realized_pnl_by_currency.items) {
      expect(await page.locator(`#pnl-ccy-${currency} text.final`).textContent()).toBe(csvPnl(docs["unhealthy"].dir, currency));
    }
    expect(watch).toEqual({ requests: [], errors: [], dialogs: [] });
    await page.screenshot({ path: join(SHOTS, "unhealthy-1280.png"), fullPage: true });
    await ctx.close();
  });

  it("a card's evidence is a short table, causes first and marked, raw JSON on demand: the third critical card starts high on the page", async () => {
    const generated = writeGenerated(join(parent, "several-criticals-input"), {
      seed: 19, events: 20_000, faults: ["disconnect", "duplicate-delivery", "drop-ack", "crash-restart", "orphan", "lost-order", "price-drift", "unit-drift"], force: true,
    });
    const cases = [
      { name: "unhealthy", url: reportFor(replayInto(UNHEALTHY_SCENARIO, parent, "unhealthy-with-inputs"), UNHEALTHY_SCENARIO) },
      { name: "generated", url: reportFor(replayInto(generated, parent, "several-criticals"), generated) },
    ];
    for (const c of cases) {
      const { page, ctx, watch } = await open(c.url);
      const tops = await page.locator("#triage .crit").evaluateAll((cards) => cards.map((el) => el.getBoundingClientRect().top + window.scrollY));
      console.info(`[report-html] ${c.name}: critical cards start at ${tops.map((t) => t.toFixed(0)).join(", ")} px (1280 px wide)`);
      expect(tops.length, c.name).toBeGreaterThanOrEqual(3);
      expect(tops[2]!, `${c.name}: the third critical card`).toBeLessThan(THIRD_CARD_TOP_MAX_PX);
      // Every card with lines shows them as table rows, its causes first; the raw lines are folded away.
      const drift = page.locator('#triage .crit[data-kind="position_drift"]').filter({ has: page.locator("tr.cause") }).first();
      const rowsOf = await drift.locator("table.ev").first().locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.className));
      expect(rowsOf[0], c.name).toBe("cause");
      expect(rowsOf.indexOf("cause") === 0 && rowsOf.lastIndexOf("cause") < rowsOf.indexOf(""), c.name).toBe(true);
      expect(await drift.locator("details.ev-raw pre").first().isVisible()).toBe(false);
      await drift.locator("details.ev-raw summary").click();
      expect(await drift.locator("details.ev-raw pre").first().isVisible()).toBe(true);
      // A related finding is a link that lands on its card (or its row, opening its group).
      const link = drift.locator(".related a").first();
      const target = (await link.getAttribute("href"))!;
      await link.click();
      await expect.poll(() => page.evaluate(() => location.hash)).toBe(target);
      expect(await page.locator(target).isVisible(), `${c.name}: ${target}`).toBe(true);
      expect(watch).toEqual({ requests: [], errors: [], dialogs: [] });
      await page.screenshot({ path: join(SHOTS, `triage-${c.name}-1280.png`), fullPage: false });
      await ctx.close();
    }
  });

  it("ids show as the logs have them: no formula guard, invisible characters escaped and marked", async () => {
    const { scenario, dir } = unseenIdsArtifacts(parent);
    const { page, ctx } = await open(reportFor(dir, scenario));
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(/[\p{Cf}\p{Zl}\p{Zp}\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u);
    // The bidi override does not reorder what follows it: the id reads as written, its override visible.
    const orphan = page.locator('#triage .crit[data-kind="orphan_broker_order"] .ids');
    expect(await orphan.innerText()).toContain("client order id C-\\u202egpj.exe");
    expect(await orphan.locator(".inv").getAttribute("title")).toBe("invisible character U+202E");
    const trades = await page.locator("#trades-table").innerText();
    expect(trades).toContain(UNSEEN.formula);
    expect(trades).not.toContain(`'${UNSEEN.formula}`);
    expect(trades).toContain(UNSEEN.quoted);
    expect(trades).not.toContain(`'${UNSEEN.quoted}`);
    await page.screenshot({ path: join(SHOTS, "unseen-ids-1280.png"), fullPage: false });
    await ctx.close();
  });

  it("chart end labels and axis labels stay inside the chart, at desk and phone width", async () => {
    const t0 = Date.UTC(2025, 9, 20);
    const finals = ["502547.70", "-1329.19", "-12345678.90", "1234567890123.45", "0.00"];
    const charts = finals.flatMap((finalText, i) => [960, 480].map((width) => {
      const v = [0, Number(finalText) / 3, -Math.abs(Number(finalText)), Number(finalText)];
      return stepChart({ id: `c${i}-${width}`, title: "t", width, height: width === 960 ? 300 : 180, x: { lo: t0, hi: t0 + 3_600_000 },
        series: { t: [t0, t0 + 600_000, t0 + 1_800_000, t0 + 3_600_000], v, finalText, cls: "overall" }, pointsMax: 100, yTicks: 6, xTicks: 5 }).text;
    }));
    const path = join(parent, "charts.html");
    writeFileSync(path, `<!DOCTYPE html><html><head><style>${STYLE}</style></head><body><main>${charts.map((c) => `<div class="chartwrap">${c}</div>`).join("")}</main></body></html>`);
    for (const width of [1280, 390]) {
      const { page, ctx } = await open(pathToFileURL(path).href, { width });
      const outside = await page.locator("svg.chart").evaluateAll((svgs) => svgs.flatMap((svg) => {
        const [, , vw, vh] = svg.getAttribute("viewBox")!.split(" ").map(Number) as [number, number, number, number];
        return Array.from(svg.querySelectorAll("text")).flatMap((t) => {
          const b = (t as SVGTextElement).getBBox();
          return b.x < 0 || b.x + b.width > vw || b.y < 0 || b.y + b.height > vh ? [`${svg.id} "${t.textContent}" [${b.x.toFixed(1)}, ${(b.x + b.width).toFixed(1)}] of ${vw}`] : [];
        });
      }));
      expect(outside, `at ${width} px`).toEqual([]);
      await ctx.close();
    }
    // The report's own P&L charts too.
    for (const width of [1280, 390]) {
      const { page, ctx } = await open(pages.unhealthy, { width });
      const finals = await page.locator("svg.chart text.final").evaluateAll((texts) => texts.map((t) => {
        const b = (t as SVGTextElement).getBBox();
        const vw = Number(t.closest("svg")!.getAttribute("viewBox")!.split(" ")[2]);
        return { text: t.textContent, inside: b.x >= 0 && b.x + b.width <= vw };
      }));
      expect(finals.length).toBeGreaterThan(0);
      for (const f of finals) expect(f.inside, `${f.text} at ${width} px`).toBe(true);
      await ctx.close();
    }
  });

  it("filters findings by severity and kind and alerts by name, and by free text", async () => {
    const { page, ctx } = await open(pages.unhealthy);
    const items = docs["unhealthy"].json.findings.items as Array<{ severity: string; kind: string }>;
    const bar = page.locator('.filters[data-for="findings-table"]');
    await expect(bar.isVisible()).resolves.toBe(true);
    await bar.locator('select[data-key="severity"]').selectOption("critical");
    expect(await rows(page, "findings-table")).toBe(items.filter((f) => f.severity === "critical").length);
    await bar.locator('select[data-key="kind"]').selectOption("position_drift");
    expect(await rows(page, "findings-table")).toBe(items.filter((f) => f.severity === "critical" && f.kind === "position_drift").length);
    await bar.locator('select[data-key="severity"]').selectOption("");
    await bar.locator('select[data-key="kind"]').selectOption("");
    await bar.locator('input[data-key="*"]').fill("MANUAL::desk");
    expect(await rows(page, "findings-table")).toBe(1);
    expect(await bar.locator("output").textContent()).toBe(`1 of ${items.length} rows`);
    const alerts = docs["unhealthy"].json.alerts.items as Array<{ alert: string }>;
    await page.locator('.filters[data-for="alerts-table"] select').selectOption("ALERT_RECONCILE_DIVERGENCE");
    expect(await rows(page, "alerts-table")).toBe(alerts.filter((a) => a.alert === "ALERT_RECONCILE_DIVERGENCE").length);
    await ctx.close();
  });

  it("reads at phone width (390 px): no horizontal scroll anywhere, tables as labelled cards", async () => {
    for (const name of ["healthy", "unhealthy"] as const) {
      const { page, ctx } = await open(pages[name], { width: 390 });
      expect(await horizontalOverflow(page), name).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${name}-390.png`), fullPage: true });
      if (name === "unhealthy") {
        const label = await page.locator("#findings-table td").first().evaluate((td) => getComputedStyle(td, "::before").content);
        expect(label).toBe('"severity"');
      }
      await ctx.close();
    }
  });

  it("works with JavaScript off: every row shown, charts drawn, no dead filter controls", async () => {
    const { page, ctx } = await open(pages.unhealthy, { js: false });
    expect(await rows(page, "findings-table")).toBe(docs["unhealthy"].json.findings.items.length);
    expect(await page.locator(".filters").first().isVisible()).toBe(false);
    expect(await page.locator("#pnl-ccy-USD path.line").getAttribute("d")).toMatch(/^M[\d.]+ [\d.]+H/);
    expect(await page.locator("#timeline").isVisible()).toBe(true);
    await ctx.close();
  });

  it("prints: controls hidden, every section kept, a PDF comes out", async () => {
    const { page, ctx } = await open(pages.unhealthy);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("nav.toc").isVisible()).toBe(false);
    expect(await page.locator(".filters").first().isVisible()).toBe(false);
    expect(await page.locator("#verdict").isVisible()).toBe(true);
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    writeFileSync(join(SHOTS, "unhealthy.pdf"), pdf);
    await ctx.close();
  });

  it("hostile strings in ids, reasons and names show as text and never run", async () => {
    for (const csp of [true, false]) {
      // Without the page's Content-Security-Policy too: escaping alone must hold.
      let url = pages.hostile;
      if (!csp) {
        const path = new URL(url).pathname.replace(/%3C|%3E|%20/g, decodeURIComponent);
        const noCsp = join(parent, "hostile-no-csp.html");
        writeFileSync(noCsp, readFileSync(decodeURIComponent(path), "utf8").replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ""));
        url = pathToFileURL(noCsp).href;
      }
      const { page, ctx, watch } = await open(url);
      // A real condition instead of a sleep: the page has loaded and painted a frame, so any script
      // the hostile content could have smuggled in has had its chance to run.
      await page.waitForLoadState("load");
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), `csp=${csp}`).toBeUndefined();
      expect(watch.dialogs).toEqual([]);
      expect(watch.requests).toEqual([]);
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("script").count()).toBe(1);
      expect(await page.locator("svg[onload]").count()).toBe(0);
      const text = await page.locator("body").innerText();
      expect(text).toContain(HOSTILE.script);
      expect(text).toContain(HOSTILE.img);
      expect(text).toContain(HOSTILE.imgBare);
      expect(await page.locator("#kill-reasons").innerText()).toContain(HOSTILE.script);
      expect(await page.locator("#actions-table").innerText()).toContain(HOSTILE.img);
      if (csp) await page.screenshot({ path: join(SHOTS, "hostile-1280.png"), fullPage: false });
      // Filtering by the hostile id finds its row and still runs nothing.
      await page.locator('.filters[data-for="findings-table"] input').fill("<script>");
      const withScript = (docs["hostile"].json.findings.items as unknown[]).filter((f) => JSON.stringify(f).includes("<script>")).length;
      expect(withScript).toBeGreaterThan(0);
      expect(await rows(page, "findings-table")).toBe(withScript);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      await ctx.close();
    }
  });

  it("a 300k-fill, 20k-run report loads, with downsampled charts and capped tables (time logged)", async () => {
    const { dir, pnl } = writeLargeArtifacts(join(parent, "large"), { trades: 300_000, runs: 20_000, findings: 12_000, alerts: 10_000, symbols: 16 });
    const t0 = performance.now();
    const url = reportFor(dir);
    const t1 = performance.now();
    const { page, ctx, watch } = await open(url);
    const t2 = performance.now();
    const paint = await page.evaluate(() => performance.getEntriesByType("navigation")[0]!.toJSON().loadEventEnd as number);
    console.info(`[report-html] large set: generator (read+parse+render+write) ${(t1 - t0).toFixed(0)} ms; Chromium goto->load ${(t2 - t1).toFixed(0)} ms (loadEventEnd ${paint.toFixed(0)} ms)`);
    // Logged, not asserted: speed is measured (docs/benchmarks.md), never a timed assertion in a test.
    expect(await page.locator("#pnl-overall text.final").textContent()).toBe(pnl);
    expect(Number(await page.locator("#pnl-overall").getAttribute("data-points"))).toBeLessThanOrEqual(CHART_POINTS_MAX);
    expect(await rows(page, "findings-table")).toBe(TABLE_PAGE_ROWS);
    expect(await page.locator("#findings .note.cap").innerText()).toContain(`This page holds ${count(TABLE_ROWS_MAX)} of 12,000 rows`);
    // Capped findings keep the most severe.
    expect(await page.locator('#findings-table tr[data-severity="info"]').count()).toBe(0);
    expect(watch.errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, "large-1280.png"), fullPage: false });
    await ctx.close();
  });

  it("tables sort by any column and page through their rows, in the page", async () => {
    const { dir } = writeLargeArtifacts(join(parent, "large-sort"), { trades: 5_000, runs: 400, findings: 300, alerts: 40, symbols: 4 });
    const { page, ctx, watch } = await open(reportFor(dir));
    const visibleKeys = (id: string, col: number) => page.locator(`#${id} tbody tr:not([hidden]) td:nth-child(${col})`).evaluateAll(
      (cells) => cells.map((c) => c.getAttribute("data-sort") ?? c.textContent ?? ""));
    // Findings: event time is the third column; sorting puts the earliest first, then the latest.
    const header = page.locator("#findings-table thead th").nth(2).locator("button");
    await header.click();
    const asc = await visibleKeys("findings-table", 3);
    expect(asc).toEqual([...asc].sort());
    await header.click();
    const desc = await visibleKeys("findings-table", 3);
    expect(desc).toEqual([...desc].sort().reverse());
    expect(desc[0]! > asc[0]!).toBe(true);
    expect(await page.locator("#findings-table thead th").nth(2).getAttribute("aria-sort")).toBe("descending");
    // Pages of TABLE_PAGE_ROWS rows.
    const pager = page.locator('.pager[data-for="findings-table"]');
    expect(await pager.locator(".pages").textContent()).toBe(`rows 1–${TABLE_PAGE_ROWS} of 300 · page 1 of ${Math.ceil(300 / TABLE_PAGE_ROWS)}`);
    await pager.locator('[data-page="next"]').click();
    expect(await pager.locator(".pages").textContent()).toBe(`rows ${TABLE_PAGE_ROWS + 1}–${2 * TABLE_PAGE_ROWS} of 300 · page 2 of ${Math.ceil(300 / TABLE_PAGE_ROWS)}`);
    expect(await rows(page, "findings-table")).toBe(TABLE_PAGE_ROWS);
    // Trades: filter by symbol and source, then sort by realized P&L (a number, not text).
    const bar = page.locator('.filters[data-for="trades-table"]');
    await bar.locator('select[data-key="symbol"]').selectOption("SYM01USD");
    await bar.locator('select[data-key="source"]').selectOption("stream");
    const symbols = await visibleKeys("trades-table", 2);
    expect(new Set(symbols)).toEqual(new Set(["SYM01USD"]));
    const pnlHeader = page.locator("#trades-table thead th").filter({ hasText: "realized pnl" }).locator("button");
    await pnlHeader.click();
    const col = await page.locator("#trades-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.textContent?.includes("realized pnl")) + 1);
    const pnl = (await visibleKeys("trades-table", col)).map(Number);
    expect(pnl).toEqual([...pnl].sort((a, b) => a - b));
    expect(watch.errors).toEqual([]);
    await ctx.close();
  });

  it("timeline labels never overlap and never leave the chart, at desk and phone width", async () => {
    const day = Date.UTC(2025, 9, 20);
    const hour = 3_600_000;
    const cases = {
      // restarts minutes apart around the kill switch: the labels would pile up
      clustered: { restarts: [10, 12, 14, 15, 17, 30, 31].map((m) => day + 6 * hour + m * 60_000), killAt: day + 6 * hour + 16 * 60_000 },
      spread: { restarts: Array.from({ length: TIMELINE_RESTART_LINES_MAX }, (_, i) => day + i * hour), killAt: day + 23 * hour + 59 * 60_000 },
      many: { restarts: Array.from({ length: 800 }, (_, i) => day + i * 100_000), killAt: day + 20 * hour },
    };
    for (const [name, c] of Object.entries(cases)) {
      for (const width of [960, 360]) {
        const svg = timeline({ id: "t", width, x: { lo: day, hi: day + 24 * hour }, marks: [], restarts: c.restarts, killAt: c.killAt, marksMax: 100, restartLinesMax: TIMELINE_RESTART_LINES_MAX });
        const path = join(parent, `timeline-${name}-${width}.html`);
        writeFileSync(path, `<!DOCTYPE html><html><head><style>${STYLE}</style></head><body><div style="width:${width}px">${svg.text}</div></body></html>`);
        const { page, ctx } = await open(pathToFileURL(path).href, { width: width + 40 });
        const boxes = await page.locator("#t text").evaluateAll((texts) => texts.map((t) => {
          const b = (t as SVGTextElement).getBBox();
          return { text: t.textContent ?? "", x0: b.x, x1: b.x + b.width, y0: b.y, y1: b.y + b.height };
        }));
        const [vw, vh] = (await page.locator("#t").getAttribute("viewBox"))!.split(" ").slice(2).map(Number) as [number, number];
        for (const b of boxes) {
          expect(b.x0, `${name}@${width}: "${b.text}" starts left of the chart`).toBeGreaterThanOrEqual(0);
          expect(b.x1, `${name}@${width}: "${b.text}" runs past the chart`).toBeLessThanOrEqual(vw);
          expect(b.y0, `${name}@${width}: "${b.text}" above the chart`).toBeGreaterThanOrEqual(0);
          expect(b.y1, `${name}@${width}: "${b.text}" below the chart`).toBeLessThanOrEqual(vh);
        }
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const [a, b] = [boxes[i]!, boxes[j]!];
            const overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
            expect(overlap, `${name}@${width}: "${a.text}" overlaps "${b.text}"`).toBe(false);
          }
        }
        expect(boxes.some((b) => b.text === "kill switch"), `${name}@${width}: the kill switch keeps its label`).toBe(true);
        await ctx.close();
      }
    }
  });
});

// ---- a 1 M-event incident, generated, replayed and reported through the CLI ----------------------

/** Events of the generated incident; INCIDENT_EVENTS makes it smaller for a quick local run. */
const INCIDENT_EVENTS = Number(process.env["INCIDENT_EVENTS"] ?? 1_000_000);

function cli(args: string[]): { status: number; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "cli", "main.js"), ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stderr: r.stderr };
}

describe.skipIf(SKIP)(`report.html of a ${count(INCIDENT_EVENTS)}-event incident in Chromium`, () => {
  let dir: string;
  let url: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const work = tempDir("incident");
    const gen = join(work, "incident");
    // Faults Ops would meet: missed fills on disconnects, redeliveries, lost acks, a crash, and a manual trade.
    expect(cli(["gen", "--seed", "19", "--events", String(INCIDENT_EVENTS), "--faults", "disconnect,duplicate-delivery,drop-ack,crash-restart,orphan", "--out", gen]).status).toBe(0);
    dir = join(work, "artifacts");
    expect(cli(["replay", "--journal", join(gen, "journal.jsonl"), "--broker", join(gen, "broker.jsonl"), "--config", join(gen, "config.json"), "--out", dir]).status).toBe(3);
    expect(cli(["report", dir, "--inputs", gen]).status).toBe(0);
    url = pathToFileURL(join(dir, "report.html")).href;
    mkdirSync(SHOTS, { recursive: true });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const [width, height] of [[1280, 900], [390, 844]] as const) {
    it(`at ${width} px the critical findings are above the fold, with nothing scrolling sideways`, async () => {
      const t0 = performance.now();
      const { page, ctx, watch } = await open(url, { width, height });
      const loadMs = performance.now() - t0;
      const critical = Number(await page.locator("#triage").getAttribute("data-critical"));
      expect(critical).toBeGreaterThan(0);
      // The one-line list names every critical finding, and the first card starts, above the fold.
      const todo = await page.locator("#todo li").evaluateAll((lis) => lis.map((li) => li.getBoundingClientRect().bottom));
      expect(todo.length).toBeGreaterThanOrEqual(critical);
      for (const bottom of todo) expect(bottom).toBeLessThanOrEqual(height);
      expect((await page.locator("#triage .crit").first().boundingBox())!.y).toBeLessThan(height);
      expect(await horizontalOverflow(page)).toEqual([]);
      expect(watch).toEqual({ requests: [], errors: [], dialogs: [] });
      await page.screenshot({ path: join(SHOTS, `incident-${width}.png`), fullPage: false });
      const size = statSync(join(dir, "report.html")).size;
      console.info(`[report-html] ${count(INCIDENT_EVENTS)}-event incident at ${width} px: report.html ${(size / 1024 / 1024).toFixed(2)} MiB, goto->load ${loadMs.toFixed(0)} ms`);
      await ctx.close();
    });
  }
});
