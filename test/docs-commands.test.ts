// Every command the README and docs/ show runs as shown. Each ```sh or ```bash block is read, and
// every command in it that calls the CLI (`recon-proof ...`, or `node dist/cli/main.js ...`) is run
// as a reader would run it: in a scratch folder holding the repository's fixtures and proofs, in the
// page's order, so a later block may use what an earlier one wrote. A command ends with the exit code
// it declares in a comment (`# exit 3`), else 0. Commands that set up files for it (mkdir, cp, head,
// ...) run too; others (npm, a benchmark) are left to the reader. A block that cannot run here says
// why just before it: <!-- docs-test: skip: REASON -->.

import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO, reconProofBin, tempDir } from "./helpers/cli.js";

interface Command { readonly text: string; readonly line: number; readonly exit: number; readonly runs: boolean }
interface Block { readonly line: number; readonly skip: string | null; readonly commands: readonly Command[] }

const CALLS_CLI = /(^|[\s;&|(])(recon-proof|node dist\/cli\/main\.js)\s/;
/** Commands that only move files about for the CLI commands beside them: run too. */
const FILE_COMMANDS = new Set(["cat", "cp", "diff", "grep", "head", "jq", "ls", "mkdir", "tail", "test"]);
const SKIP = /<!-- docs-test: skip: (.*?) -->/;

/** Every page a reader may follow: README.md and docs/, its folders included. */
function pages(): string[] {
  const under = (dir: string): string[] => readdirSync(join(REPO, dir)).sort().flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(join(REPO, rel)).isDirectory() ? under(rel) : name.endsWith(".md") ? [rel] : [];
  });
  return ["README.md", ...under("docs")];
}

/** The exit code a command declares in its comment (`# exit 3`), else 0. */
function declaredExit(text: string): number {
  const m = /\s#[^\n]*\bexit (\d+)\b/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** A block's lines as shell commands: continued lines joined, a for/while/if up to its end. */
function commandsOf(lines: readonly string[], firstLine: number): Command[] {
  const out: Command[] = [];
  let open: string[] = [];
  let start = 0;
  let depth = 0;
  lines.forEach((line, i) => {
    if (open.length === 0 && (line.trim() === "" || line.trim().startsWith("#"))) return;
    if (open.length === 0) start = firstLine + i;
    open.push(line);
    const word = line.trim().split(/\s+/)[0] ?? "";
    if (["for", "while", "until", "if"].includes(word)) depth += 1;
    if (["done", "fi"].includes(word.replace(/;$/, ""))) depth -= 1;
    if (line.endsWith("\\") || depth > 0) return;
    const text = open.join("\n");
    const first = text.trim().split(/\s+/)[0] ?? "";
    out.push({ text, line: start, exit: declaredExit(text), runs: CALLS_CLI.test(text) || FILE_COMMANDS.has(first) });
    open = [];
  });
  return out;
}

/** The shell blocks of one page, each with the skip reason written before it, if any. */
function blocksOf(page: string): Block[] {
  const lines = readFileSync(join(REPO, page), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (fence === null) continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
    expect(end, `${page}:${i + 1}: a code block that never closes`).toBeGreaterThan(i);
    if (fence[2] === "sh" || fence[2] === "bash") {
      const before = lines.slice(0, i).reverse().find((l) => l.trim() !== "") ?? "";
      const body = lines.slice(i + 1, end).map((l) => l.slice(fence[1]!.length));
      blocks.push({ line: i + 1, skip: SKIP.exec(before)?.[1] ?? null, commands: commandsOf(body, i + 2) });
    }
    i = end;
  }
  return blocks;
}

/** What a page's reader has that the repository does not ship as such: built from its fixtures. */
const SETUP: Readonly<Record<string, (dir: string) => void>> = {
  "docs/importing.md": (dir) => sqliteFrom(join(dir, "data", "journal.db"), "fixtures/e2e/journal-sqlite/journal.sql"),
  "docs/engines-and-exchanges.md": (dir) => {
    sqliteFrom(join(dir, "user_data", "tradesv3.sqlite"), "fixtures/e2e/freqtrade/tradesv3.sql");
    for (const name of ["markets", "orders", "trades"]) {
      copyFileSync(join(REPO, "fixtures", "e2e", "freqtrade", `ccxt-${name}.json`), join(dir, `${name}.json`));
    }
  },
};

function sqliteFrom(path: string, sqlFile: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.exec(readFileSync(join(REPO, sqlFile), "utf8"));
  db.close();
}

/** A reader's checkout: the fixtures and proofs (copied: a page may write into proofs/), the build. */
function scratchFor(page: string): string {
  const dir = tempDir("recon-proof-docs-");
  for (const name of ["fixtures", "proofs"]) cpSync(join(REPO, name), join(dir, name), { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(REPO, "scripts", "verify.sh"), join(dir, "scripts", "verify.sh"));
  symlinkSync(join(REPO, "dist"), join(dir, "dist"));
  mkdirSync(join(dir, "artifacts"));
  SETUP[page]?.(dir);
  return dir;
}

const PAGES = pages().map((page) => ({ page, blocks: blocksOf(page) }));
const cliCommands = (blocks: readonly Block[]) => blocks.flatMap((b) => b.commands.filter((c) => CALLS_CLI.test(c.text)));

describe("every command shown in README.md and docs/", () => {
  let bin: string;
  beforeAll(() => {
    bin = reconProofBin();
  });

  it("the pages show CLI commands, and a block left out says why", () => {
    expect(cliCommands(PAGES.flatMap((p) => p.blocks)).length).toBeGreaterThan(30);
    for (const { page, blocks } of PAGES) {
      for (const b of blocks) if (b.skip !== null) expect(b.skip.trim(), `${page}:${b.line}`).not.toBe("");
    }
  });

  it("names no path of this machine", () => {
    for (const { page, blocks } of PAGES) {
      for (const c of cliCommands(blocks)) expect(c.text, `${page}:${c.line}`).not.toMatch(/(^|[\s=>])\/[A-Za-z]/);
    }
  });

  for (const { page, blocks } of PAGES.filter((p) => cliCommands(p.blocks.filter((b) => b.skip === null)).length > 0)) {
    it(`${page}: each command ends with the exit code it shows`, () => {
      const dir = scratchFor(page);
      for (const c of blocks.filter((b) => b.skip === null).flatMap((b) => b.commands).filter((c) => c.runs)) {
        const r = spawnSync("sh", ["-c", c.text], {
          cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` },
        });
        expect(r.status, `${page}:${c.line}\n${c.text}\n---\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`).toBe(c.exit);
      }
    }, 120_000);
  }
});
