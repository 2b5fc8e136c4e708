// Every real broker sample under fixtures/brokers, with the options a user would import it with
// (the time of listings that carry none, the TWS login's zone). The samples table test and the
// schema test both walk this list.

import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BROKERS } from "./helpers.js";

export interface SampleImport {
  readonly broker: string;
  /** Path under fixtures/brokers, as the table names it. */
  readonly file: string;
  readonly path: string;
  readonly opts: { readonly tz?: string; readonly asOf?: string };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Import options per folder of samples: when its listings were taken, in which zone TWS ran. */
const OPTIONS: readonly [string, SampleImport["opts"]][] = [
  ["oanda/hootnot-jupyter", { asOf: "2018-06-10T13:00:00Z" }],
  ["oanda/hootnot-responses", { asOf: "2016-10-28T21:00:00Z" }],
  ["alpaca", { asOf: "2022-08-04T20:00:00Z" }],
  ["fix", {}],
  ["ib", { tz: "America/New_York", asOf: "2025-07-15T19:05:13Z" }],
  // ccxt's recorded responses carry no time of their position listings; any time after them serves.
  ["ccxt", { asOf: "2026-02-01T00:00:00Z" }],
];

export const BROKER_SAMPLE_IMPORTS: readonly SampleImport[] = filesUnder(BROKERS).filter((p) => !p.endsWith(".md")).map((path) => {
  const file = relative(BROKERS, path);
  const opts = OPTIONS.find(([prefix]) => file.startsWith(prefix + "/"))?.[1] ?? {};
  return { broker: file.split("/")[0]!, file, path, opts };
});
