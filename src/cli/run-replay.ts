// The imperative shell around one replay: read -> compute -> render -> write.

import { renderArtifacts } from "../report/render.js";
import { openBroker, openJournal, loadConfig } from "../adapters/inputs.js";
import { checkOutDir, writeArtifactSet } from "../adapters/artifacts.js";
import { replay } from "../core/replay.js";
import type { Report } from "../domain/report.js";
import type { TradeRow } from "../domain/report.js";
import { EXIT } from "./exit-codes.js";
import { Progress } from "./progress.js";

export interface ReplayArgs {
  readonly journal: string;
  readonly broker: string;
  readonly config?: string | undefined;
  readonly out: string;
}

export interface ReplayOutcome {
  readonly exitCode: number;
  readonly report: Report;
}

/** Runs one replay and writes its artifacts. Throws typed errors for bad input (nothing written). */
export function runReplay(args: ReplayArgs): ReplayOutcome {
  const loaded = loadConfig(args.config);
  checkOutDir(args.out);
  const journal = openJournal(args.journal, loaded.config);
  const broker = openBroker(args.broker, loaded.config);
  const progress = new Progress("replay");
  const trades: TradeRow[] = [];
  const report = replay(loaded.config, journal, broker,
    { configHash: loaded.hash, cacheEntries: [], cacheFailure: null },
    {
      afterStep: (engine, _record, index) => {
        const rows = engine.drainTrades();
        for (const row of rows) trades.push(row);
        if ((index & 0xffff) === 0) progress.tick(index, "records");
      },
    });
  progress.done();
  const meta = {
    journal: journal.meta(), broker: broker.meta(), configFile: loaded.file,
    configHash: loaded.hash, effectiveConfig: loaded.effective,
  };
  const allTrades = trades.concat(report.trades);
  writeArtifactSet(args.out, renderArtifacts({ ...report, trades: allTrades }, meta));
  return { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report };
}
