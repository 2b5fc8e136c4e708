// `recon-proof import SOURCE FILE...`: a real broker's records (or an engine's SQLite journal) as
// canonical JSON Lines on stdout, the report on stderr.

import type { Command } from "commander";
import { describeImport, describeInstruments, importedNothing, instrumentsOf, runImport, SOURCES } from "../../adapters/importers/run.js";
import { fileBytes } from "../../adapters/inputs.js";
import { writeTextAtomically } from "../../adapters/write-lines.js";
import { printLinesToStdout } from "../../adapters/stdout.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { EXIT_MEANING, exitCodeOf, exitCodesHelp, reportFailure, type SetExit } from "../errors.js";
import { withProgress } from "../../runtime/progress.js";

const HELP = `
Sources:
  oanda           OANDA v20: the transaction stream (JSON Lines, HEARTBEAT lines checked for
                  lastTransactionID gaps), and any JSON document holding responses, however it
                  is wrapped (a capture keyed by endpoint included): transaction lists
                  (idrange, sinceid, account changes), single transactions (orderCreateTransaction,
                  orderFillTransaction, ...), order listings, and position / trade listings; each
                  path read is noted on stderr. Times are kept to the nanosecond; signed "units"
                  give side and qty; clientExtensions.id / clientOrderID is the client order id; a
                  replacement (replacesOrderID) keeps it and names the order it replaces; a market
                  order cancelled in the batch that created it (STOP_LOSS_ON_FILL_LOSS) is a reject;
                  commission + guaranteedExecutionFee is the fee. A pending order in a listing is an
                  order_accepted at its createTime (unless its creating transaction is there). A
                  position or trade listing is the book right after its lastTransactionID: placed
                  there when the input holds that transaction, else at --as-of, which must not put
                  it before a fill it includes or after one it does not (refused). Take-profit and
                  stop-loss orders are not decisions: their cancels are not written. Financing (on a
                  closing fill, DAILY_FINANCING) is a financing record, and fees get fee_currency,
                  the account's home currency, from the account details or its CREATE
                  transaction in the input (else none, and a note). Gaps in transaction ids are
                  reported, across files too.
  alpaca          Alpaca: trade_updates frames (websocket JSON Lines), Broker API trade events
                  (SSE "data:" lines), order objects and listings, account activities (FILL) and
                  position listings. Offsets (Z, -04:00) become UTC Z; numbers may be strings or
                  numbers; BTC/USD and BTCUSD are one symbol; replacements keep the original
                  client order id and name the order they replace. Executions from trade updates
                  and FILL activities are merged (one execution: same execution id, or same order
                  and cumulative qty); an order's filled_qty is its fill only when no execution is
                  in the input, and a shortfall is reported. A trade update's fee is the growth of
                  order.commission. A notional order is acknowledged with the qty it filled once
                  it is done. An order estimate is not a fill. FILL activities whose order is not
                  in the input are said to become orphans.
  fix             FIX 4.4 message log (QuickFIX style; SOH, "|" or space separated, log prefixes
                  allowed). BodyLength (9) and CheckSum (10) are verified. ExecutionReports (35=8):
                  LastPx with LastQty 0 is not a fill; a repeated CumQty is not a second fill;
                  OrigClOrdID (41) chains keep the first ClOrdID; a trade cancel (150=H) removes
                  the busted fill, a correction (150=G) corrects it; the time is TransactTime (60),
                  or SendingTime (52) when it gives the same second more precisely; Commission (12),
                  read as CommType (13: 3 absolute, 1 per unit, 2 a share of the value), with
                  CommCurrency (479) is the fee. A complete set of PositionReports (35=AP) of
                  one request is a position_snapshot.
  ib              Interactive Brokers TWS API messages as recorded by client libraries ("|" or
                  NUL separated, one message per line), a recorded session YAML ("- raw:"), or a
                  raw TWS API log ("// hh:mm:ss:mmm -> ..."). openOrder/orderStatus/execDetails/
                  commissionReport (joined by execId; a .02 execId corrects .01;
                  1.7976931348623157E308 = not set), completedOrder, error 201/202, and position ...
                  positionEnd (-> position_snapshot). TWS times carry no zone: --tz is required
                  when they appear (exit 2 without it; nothing is guessed).
  journal-sqlite  An engine's SQLite journal (tables broker_orders, axfl_trades, map, events) ->
                  canonical journal: a startup snapshot, one decision per broker order, and a
                  restart + snapshot per start event. An unknown schema is an error (exit 65).
                  Opened read-only: a journal the engine holds locked is waited for up to
                  sqlite_busy_wait_ms (5000; RECON_PROOF_SQLITE_BUSY_WAIT_MS), then exit 74; one
                  in a folder this process cannot write is read all the same.
                  Naive (zoneless) times need --tz, as in
                  recon-proof import journal-sqlite --tz UTC data/journal.db > journal.jsonl
  freqtrade       freqtrade's tradesv3.sqlite (tables orders, trades, KeyValueStore) -> canonical
                  journal: one decision per orders row at order_date (client order id: the
                  exchange's order_id; qty ft_amount; ref_price ft_price), an opening snapshot,
                  and a restart + snapshot at startup_time (positions from the fills completed
                  before it, orders open across it). Times are UTC; REAL numbers are read as the
                  shortest decimal that reads back as the same double. Pair the exchange's records
                  with import ccxt --order-key id, as in
                  recon-proof import freqtrade user_data/tradesv3.sqlite > journal.jsonl
  hummingbot      Hummingbot's strategy database (tables Order, OrderStatus, TradeFill) ->
                  canonical journal: one decision per Order row (client order id: Hummingbot's id;
                  side from its BuyOrderCreated / SellOrderCreated event; amount and price are
                  SqliteDecimal(6), integers over 10^6, divided exactly) and an opening snapshot.
                  Market orders (no price recorded) and perpetual markets (no settlement currency
                  recorded) are reported, not imported. Its ids are the exchange's clientOrderId,
                  so pair it with import ccxt as it is, as in
                  recon-proof import hummingbot data/conf_pure_mm_1.sqlite > journal.jsonl
  ccxt            ccxt's unified records, from any exchange ccxt supports: orders (fetchOrders,
                  fetchOpen/ClosedOrders, ...), trades (fetchMyTrades), positions (a fetchPositions
                  listing, at --as-of) and markets (fetchMarkets: tick sizes for --instruments), as
                  one document, arrays or JSON Lines, or ccxt's recorded responses ("methods" with
                  cases holding parsedResponse). Symbols: BTC/USDT -> BTCUSDT, a contract keeps its
                  settlement suffix with "." for ":" (ETH/USDT:USDT -> ETHUSDT.USDT). fee / fees ->
                  fee and fee_currency. --order-key id keys orders by the exchange's order id (for
                  engines that send no client order id, such as freqtrade); the default is
                  clientOrderId. An order's filled amount is its fill only when none of its trades
                  is in the input.

Every record skipped or not understood is reported on stderr with file:line and the reason;
known non-trading records (heartbeats, prices, session messages) are counted as ignored. Input
that holds something but yields no record is exit 65. Output is canonical JSON Lines
(docs/reference/formats.md, schemas/broker.schema.json): validated, exact duplicates dropped, sorted by ts
(records of one instant in the broker's own sequence: OANDA transaction id, FIX MsgSeqNum, IB
execId). Event ids come from the source records, so importing the same records twice yields the
same ids.

--instruments FILE writes {"instruments": {...}}, an entry for every instrument the records name,
ready to merge into a config (or to pass as one): what the source states (Alpaca asset_class and
BASE/QUOTE pairs, asset price_increment; IB secType, currency, contractData minTick; OANDA names
BASE_QUOTE and the instruments listing's type and pipLocation; FIX SecurityType 167, Currency 15,
MinPriceIncrement 969; ccxt and freqtrade symbols, a ccxt market's precision.price), and "<to fill: ...>" for the rest, which the replay refuses until it is
filled: a tick size the source does not state is asked for, never guessed. FX pairs the replay
knows by default (six letters, two fiat codes) get no entry; stderr names them. The file is
written whole or not at all, and only when the import succeeds.
${exitCodesHelp([
  [EXIT.ok, "the canonical records are on stdout (skipped records, if any, reported on stderr)"],
  [EXIT.usage, "usage error: an unknown source, a missing --tz or --as-of, a bad option"],
  [EXIT.dataError, "a record cannot be read, non-empty input gave no record, or with --strict any\nskipped record or gap; nothing is written to stdout"],
  [EXIT.ioError, `${EXIT_MEANING.io} (the --instruments file included; a full disk under stdout included: the output is then\nincomplete), or a journal database locked past sqlite_busy_wait_ms`],
])}

Examples (files from this repository's fixtures):
  recon-proof import oanda fixtures/e2e/oanda/transactions-stream.jsonl > broker.jsonl
  recon-proof import alpaca fixtures/e2e/alpaca/trade_updates.jsonl > broker.jsonl
  recon-proof import fix --strict fixtures/e2e/fix/messages.log > broker.jsonl
  recon-proof import ib --tz America/New_York fixtures/e2e/ib/tws-messages.psv > broker.jsonl
  recon-proof import alpaca --instruments instruments.json fixtures/e2e/alpaca/trade_updates.jsonl > broker.jsonl
  recon-proof import ccxt --order-key id --instruments instruments.json fixtures/e2e/freqtrade/ccxt-*.json > broker.jsonl`;

interface ImportOpts {
  strict?: boolean;
  tz?: string;
  asOf?: string;
  instruments?: string;
  orderKey?: string;
}

export function registerImport(program: Command, setExit: SetExit): void {
  program
    .command("import")
    .description("Convert a real broker's or exchange's records (oanda, alpaca, fix, ib, ccxt) to a canonical broker log, or an engine's SQLite journal (journal-sqlite, freqtrade, hummingbot) to a canonical journal, on stdout.")
    .argument("<source>", `one of ${SOURCES.join(", ")}`)
    .argument("<files...>", "input files; several files of one source are imported together (joins, one sorted output)")
    .option("--strict", "any skipped or unreadable record, or a detected gap, is an error (exit 65, nothing written)")
    .option("--tz <zone>", "IANA zone of times that carry none (ib TWS times, naive journal times), e.g. America/New_York")
    .option("--as-of <time>", "RFC 3339 time of listings that carry none (open positions / trades)")
    .option("--order-key <key>", "ccxt: the engine's key of an order: clientOrderId (default) or id (the exchange's order id)")
    .option("--instruments <file>", "also write the config's instruments entries for the symbols imported (what the source states, placeholders for the rest)")
    .addHelpText("after", HELP)
    .action((source: string, files: string[], opts: ImportOpts) => setExit(exitCodeOf(() => {
      const total = files.reduce((n, f) => n + fileBytes(f), 0);
      const outcome = withProgress("import", total, "bytes", (progress) =>
        runImport({ source, files, tz: opts.tz, asOf: opts.asOf, orderKey: opts.orderKey, onBytes: (bytes) => progress.update(bytes) }));
      const strict = opts.strict === true;
      const refused = (strict && outcome.report.problems.length > 0) || importedNothing(outcome);
      // The records first: the report's count claims they were written, so it follows them.
      // The instruments file before stdout: a failure to write it leaves stdout empty, as the message says.
      const fragment = !refused && opts.instruments !== undefined ? instrumentsOf(outcome) : undefined;
      if (fragment !== undefined) writeTextAtomically(opts.instruments!, fragment.text);
      if (!refused) printLinesToStdout(outcome.finished.lines);
      for (const line of describeImport(source, files, outcome, strict)) process.stderr.write(line + "\n");
      if (fragment !== undefined) for (const line of describeInstruments(opts.instruments!, fragment)) process.stderr.write(line + "\n");
      return refused ? EXIT.dataError : EXIT.ok;
    }, (err) => reportFailure(err, Object.fromEntries(files.map((f) => [f, f])), "nothing was written to stdout"))));
}
