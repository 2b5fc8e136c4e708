// The `import` command: stdout holds only canonical lines, stderr the report; --strict turns any
// reported problem into exit 65 with nothing written; option errors are exit 2.

import { Command } from "commander";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerImport } from "../../src/cli/commands/import.js";
import { parseBrokerLine } from "../../src/domain/validate.js";
import { BROKERS, E2E, tmp, writeTemp } from "./helpers.js";

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  let code = -1;
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const program = new Command().name("recon-proof").exitOverride();
  registerImport(program, (c) => (code = c));
  try {
    program.parse(["node", "recon-proof", "import", ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe("recon-proof import", () => {
  it("writes canonical lines on stdout and a one-line summary on stderr", () => {
    const r = run("oanda", join(E2E, "oanda", "transactions-stream.jsonl"));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(6);
    lines.forEach((l, i) => parseBrokerLine(l, i + 1));
    expect(r.stderr).toMatch(/recon-proof import oanda: 6 broker records from 1 file; 0 problems; 3 ignored \(HEARTBEAT 3\); source in time order\n$/);
  });

  it("reports every skipped record with file:line on stderr, and --strict makes them exit 65 with nothing on stdout", () => {
    const file = join(BROKERS, "fix", "fxcm", "fixfaq.rst");
    const lax = run("fix", file);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toContain("recon-proof import: problem: fixfaq.rst:64: message cut short: no CheckSum (10) field\n");
    expect(lax.stdout).not.toBe("");
    const strict = run("fix", "--strict", file);
    expect(strict.code).toBe(65);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toContain("recon-proof import: error: fixfaq.rst:64:");
    expect(strict.stderr).toContain("--strict: nothing written");
  });

  it("ib without --tz refuses with exit 2; --tz on a source whose times carry a zone is a usage error", () => {
    const ib = run("ib", join(BROKERS, "ib", "rust-ibapi", "order_update_stream__openOrder_orderStatus_execDetails_commissionReport.psv"));
    expect(ib.code).toBe(2);
    expect(ib.stdout).toBe("");
    expect(ib.stderr).toMatch(/carries no zone .* pass --tz/);
    expect(run("oanda", "--tz", "UTC", join(E2E, "oanda", "transactions-stream.jsonl")).code).toBe(2);
    expect(run("ib", "--tz", "Mars/Olympus", join(E2E, "ib", "tws-messages.psv")).code).toBe(2);
    expect(run("bloomberg", join(E2E, "ib", "tws-messages.psv")).code).toBe(2);
  });

  it("no record from non-empty input is exit 65 with the reasons, and nothing on stdout", () => {
    const heartbeats = run("oanda", join(BROKERS, "oanda", "hootnot-jupyter", "transactions_stream_heartbeats.jsonl"));
    expect(heartbeats.code).toBe(65);
    expect(heartbeats.stdout).toBe("");
    expect(heartbeats.stderr).toMatch(/0 broker records from 1 file; 0 problems; 4 ignored \(HEARTBEAT 4\)/);
    expect(heartbeats.stderr).toMatch(/recon-proof import: nothing imported: 4 lines of input gave no record \(the reasons are above\)\n$/);
    const positions = run("oanda", join(BROKERS, "oanda", "hootnot-jupyter", "open_positions.json"));
    expect(positions.code).toBe(65);
    expect(positions.stderr).toContain("open positions listing not imported: it carries no time");
    expect(run("oanda", writeTemp("empty.jsonl", "")).code).toBe(0);
  });

  it("a missing file is an I/O error (exit 74)", () => {
    expect(run("fix", join(E2E, "fix", "no-such.log")).code).toBe(74);
  });

  it("--instruments FILE writes the instruments fragment whole, says what is still to fill and which FX pairs need no entry", () => {
    const dir = tmp();
    const file = join(dir, "instruments.json");
    const r = run("ib", "--tz", "America/New_York", "--instruments", file, join(E2E, "ib", "tws-messages.psv"),
      join(BROKERS, "ib", "rust-ibapi", "place_order_MKT_BUY_100_TSLA__openOrder_orderStatus_execDetails_commissionReport.psv"));
    expect(r.code).toBe(0);
    const fragment = JSON.parse(readFileSync(file, "utf8")) as { instruments: Record<string, Record<string, unknown>> };
    expect(Object.keys(fragment)).toEqual(["instruments"]);
    expect(fragment.instruments["TSLA"]).toMatchObject({ asset_class: "equity", quote_currency: "USD", tick_size: expect.stringMatching(/^<to fill: /) });
    expect(readdirSync(dir)).toEqual(["instruments.json"]);
    expect(r.stderr).toContain(`recon-proof import: instruments: 1 entry written to ${file}; 1 with fields still to fill`);
    expect(r.stderr).toContain("recon-proof import: instruments: TSLA: to fill: tick_size\n");
    expect(r.stderr).toContain("recon-proof import: instruments: no entry for EURUSD: FX pair the replay knows by default\n");
  });

  it("--instruments: nothing is written when the import fails, and a file that cannot be written is exit 74 with nothing on stdout", () => {
    const dir = tmp();
    const file = join(dir, "instruments.json");
    expect(run("fix", "--strict", "--instruments", file, join(BROKERS, "fix", "fxcm", "fixfaq.rst")).code).toBe(65);
    expect(existsSync(file)).toBe(false);
    const unwritable = run("oanda", "--instruments", join(dir, "no-such-folder", "instruments.json"), join(E2E, "oanda", "transactions-stream.jsonl"));
    expect(unwritable.code).toBe(74);
    expect(unwritable.stdout).toBe("");
    expect(unwritable.stderr).toMatch(/cannot write .*instruments\.json/);
  });

  it("--help names every source with an example", () => {
    let help = "";
    const program = new Command().name("recon-proof").exitOverride().configureOutput({ writeOut: (s) => (help += s) });
    registerImport(program, () => undefined);
    try {
      program.parse(["node", "recon-proof", "import", "--help"]);
    } catch {
      // commander exits (overridden) after printing help
    }
    for (const s of ["oanda", "alpaca", "fix", "ib", "ccxt", "journal-sqlite", "freqtrade", "hummingbot"]) expect(help).toContain(`recon-proof import ${s}`);
    expect(help).toContain("--strict");
    expect(help).toContain("--instruments");
  });
});
