// `recon-proof import SOURCE FILE...`: a real broker's records (or an engine's SQLite journal) as
// canonical JSON Lines on stdout, the report on stderr.

import type { Command } from "commander";
import { describeImport, runImport, SOURCES } from "../../adapters/importers/run.js";
import { EXIT } from "../exit-codes.js";
import { EXIT_CODES_HELP, exitCodeOf, reportFailure, type SetExit } from "../errors.js";

const HELP = `
Sources:
  oanda           OANDA v20: the transaction stream (JSON Lines, HEARTBEAT lines checked for
                  lastTransactionID gaps), transaction listings (GET .../transactions/idrange,
                  /sinceid, account changes), order/trade/position responses
                  (orderCreateTransaction, orderFillTransaction, ...), and openPositions /
                  openTrades listings (-> position_snapshot at --as-of: they carry no time).
                  Times are kept to the nanosecond; signed "units" give side and qty;
                  clientExtensions.id / clientOrderID is the client order id; a replacement
                  order (replacesOrderID) keeps the id of the order it replaces; a market order
                  cancelled in the batch that created it (STOP_LOSS_ON_FILL_LOSS, ...) is a reject;
                  commission + guaranteedExecutionFee is the fee. Orders with no client id get
                  oanda:order:<orderID>. Exit orders (TP/SL) attached to trades are not decisions.
  alpaca          Alpaca: trade_updates frames (websocket JSON Lines), Broker API trade events
                  (SSE "data:" lines), order objects and listings, account activities (FILL) and
                  position listings. Offsets (Z, -04:00) become UTC Z; numbers may be strings or
                  numbers; BTC/USD and BTCUSD are one symbol; replacements keep the original
                  client order id. Fills come from executions, else activities, else an order's
                  filled_qty.
  fix             FIX 4.4 message log (QuickFIX style; SOH, "|" or space separated, log prefixes
                  allowed). ExecutionReports (35=8) only; BodyLength (9) and CheckSum (10) are
                  verified; LastPx with LastQty 0 is not a fill; a repeated CumQty is not a
                  second fill; OrigClOrdID (41) chains keep the first ClOrdID.
  ib              Interactive Brokers TWS API messages as recorded by client libraries: one
                  message per line, "|" or NUL separated, or a recorded session YAML ("- raw:").
                  openOrder/orderStatus/execDetails/commissionReport (joined by execId; a .02
                  execId corrects .01; 1.7976931348623157E308 = not set), error 201/202, and
                  position ... positionEnd (-> position_snapshot). TWS times carry no zone:
                  --tz is required when they appear (exit 2 without it; nothing is guessed).
  journal-sqlite  An engine's SQLite journal (tables broker_orders, axfl_trades, map, events) ->
                  canonical journal: a startup snapshot, one decision per broker order, and a
                  restart + snapshot per start event. An unknown schema is an error (exit 65).
                  Naive (zoneless) times need --tz.

Every record skipped or not understood is reported on stderr with file:line and the reason;
known non-trading records (heartbeats, prices, session messages) are counted as ignored.
Output is canonical JSON Lines (CONTRACT §3), validated, exact duplicates dropped, sorted
stably by ts when the source is not in time order (the report line says so). Event ids come
from the source records, so importing the same records twice yields the same ids.
${EXIT_CODES_HELP}

Examples:
  recon-proof import oanda transactions-stream.jsonl > broker.jsonl
  recon-proof import oanda idrange.json open_positions.json --as-of 2025-10-20T21:00:00Z > broker.jsonl
  recon-proof import alpaca trade_updates.jsonl orders.json > broker.jsonl
  recon-proof import fix --strict messages.log > broker.jsonl
  recon-proof import ib --tz America/New_York tws-messages.psv > broker.jsonl
  recon-proof import journal-sqlite --tz UTC data/journal.db > journal.jsonl`;

interface ImportOpts {
  strict?: boolean;
  tz?: string;
  asOf?: string;
}

export function registerImport(program: Command, setExit: SetExit): void {
  program
    .command("import")
    .description("Convert a real broker's records (oanda, alpaca, fix, ib) to a canonical broker log, or an engine's SQLite journal (journal-sqlite) to a canonical journal, on stdout.")
    .argument("<source>", `one of ${SOURCES.join(", ")}`)
    .argument("<files...>", "input file(s); several files of one source are imported together (joins, one sorted output)")
    .option("--strict", "any skipped or unreadable record, or a detected gap, is an error (exit 65, nothing written)")
    .option("--tz <zone>", "IANA zone of times that carry none (ib TWS times, naive journal times), e.g. America/New_York")
    .option("--as-of <time>", "RFC 3339 time of listings that carry none (open positions / trades)")
    .addHelpText("after", HELP)
    .action((source: string, files: string[], opts: ImportOpts) => setExit(exitCodeOf(() => {
      const outcome = runImport({ source, files, tz: opts.tz, asOf: opts.asOf });
      const strict = opts.strict === true;
      for (const line of describeImport(source, files, outcome, strict)) process.stderr.write(line + "\n");
      if (strict && outcome.report.problems.length > 0) return EXIT.dataError;
      if (outcome.finished.lines.length > 0) process.stdout.write(outcome.finished.lines.join("\n") + "\n");
      return EXIT.ok;
    }, (err) => reportFailure(err, Object.fromEntries(files.map((f) => [f, f])), "nothing was written to stdout"))));
}
