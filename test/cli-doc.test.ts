// docs/reference/cli.md is every command's --help as the built CLI prints it, so the reference page
// and the help a user sees cannot say different things. UPDATE_GOLDEN=1 rewrites the page.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, REPO, runCli } from "./helpers/cli.js";

const PAGE = join(REPO, "docs", "reference", "cli.md");

function helpOf(command: readonly string[]): string {
  const r = runCli([...command, "--help"]);
  expect(r.status, command.join(" ")).toBe(0);
  return r.stdout;
}

const title = (command: readonly string[]): string => ["recon-proof", ...command].join(" ");
/** GitHub's anchor for a heading that is one code span. */
const anchor = (command: readonly string[]): string => title(command).replaceAll(" ", "-");

/** The command names a help text lists under "Commands:" (the first word of each entry). */
function listedCommands(help: string): string[] {
  const lines = help.split("\n");
  const start = lines.indexOf("Commands:");
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("  ")) break;
    const m = /^ {2}(\S+)/.exec(line);
    if (m !== null && m[1] !== "help") names.push(m[1]!);
  }
  return names;
}

function renderCliDoc(helps: ReadonlyArray<readonly [readonly string[], string]>): string {
  return [
    "# Command line reference",
    "",
    "<!-- Generated from each command's --help by test/cli-doc.test.ts; edit the help texts in src/cli,",
    "     then run `npx tsc -p tsconfig.json && UPDATE_GOLDEN=1 npx vitest run test/cli-doc.test.ts`. -->",
    "",
    "Every command and option, as `recon-proof <command> --help` prints it. The exit codes are",
    "explained in [exit-codes.md](exit-codes.md), what the commands are for in the task pages of",
    "[the docs](../getting-started.md). Each example below is run by the test suite.",
    "",
    ...helps.map(([command]) => `- [\`${title(command)}\`](#${anchor(command)})`),
    "",
    ...helps.flatMap(([command, help]) => [`## \`${title(command)}\``, "", "```text", help.trimEnd(), "```", ""]),
  ].join("\n");
}

describe("docs/reference/cli.md", () => {
  it("lists every command the CLI has", () => {
    const top = listedCommands(helpOf([]));
    const sub = top.flatMap((name) => listedCommands(helpOf([name])).map((s) => `${name} ${s}`));
    const documented = COMMANDS.filter((c) => c.length > 0).map((c) => c.join(" "));
    expect([...documented].sort()).toEqual([...top, ...sub].sort());
  });

  it("is every command's --help (UPDATE_GOLDEN=1 rewrites it)", () => {
    const page = renderCliDoc(COMMANDS.map((c) => [c, helpOf(c)] as const));
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(PAGE, page);
    expect(readFileSync(PAGE, "utf8")).toBe(page);
  }, 60_000);
});
