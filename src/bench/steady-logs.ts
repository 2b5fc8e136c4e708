// The bench's scenario, also replayed by the deep suite: a steady trading stream written
// straight to disk (no arrays of lines: millions of them are a few hundred MB): one decision a second
// over four symbols, each accepted and filled by the broker 100 and 200 ms later, buys and sells in
// turn, no restart. Three lines per decision: one journal, two broker.

import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

const SYMBOLS = [["EURUSD", "EUR_USD", "1.085"], ["GBPJPY", "GBP_JPY", "195.5"], ["USDCAD", "USD_CAD", "1.365"], ["AUDUSD", "AUD_USD", "0.655"]] as const;
const START_MS = Date.UTC(2025, 0, 6);
const LINES_PER_WRITE = 10_000;

/** Appends lines to a file in large writes. */
class LineFile {
  private readonly fd: number;
  private buf: string[] = [];
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  add(line: string): void {
    this.buf.push(line);
    if (this.buf.length >= LINES_PER_WRITE) this.flush();
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
  private flush(): void {
    if (this.buf.length > 0) writeSync(this.fd, this.buf.join("\n") + "\n");
    this.buf = [];
  }
}

/** Writes journal.jsonl and broker.jsonl of `decisions` decisions into `dir`. */
export function writeSteadyLogs(dir: string, decisions: number): void {
  const journal = new LineFile(join(dir, "journal.jsonl"));
  const broker = new LineFile(join(dir, "broker.jsonl"));
  journal.add(JSON.stringify({ type: "snapshot", ts: new Date(START_MS - 1000).toISOString(), open_orders: [], positions: [] }));
  broker.add(JSON.stringify({ type: "position_snapshot", ts: new Date(START_MS - 2000).toISOString(), event_id: "P-0", positions: [] }));
  for (let i = 0; i < decisions; i++) {
    const [symbol, brokerSymbol, price] = SYMBOLS[i % 4]!;
    const side = Math.floor(i / 4) % 2 === 0 ? "buy" : "sell";
    const ms = START_MS + i * 1000;
    const coid = `C-${i}`;
    journal.add(JSON.stringify({ type: "decision", ts: new Date(ms).toISOString(), decision_id: `D-${i}`, client_order_id: coid, symbol, side, qty: 1000, ref_price: price }));
    broker.add(JSON.stringify({ type: "order_accepted", ts: new Date(ms + 100).toISOString(), event_id: `A-${i}`, client_order_id: coid, broker_order_id: `B-${i}`, symbol: brokerSymbol, side, qty: 1000 }));
    broker.add(JSON.stringify({ type: "fill", ts: new Date(ms + 200).toISOString(), event_id: `F-${i}`, client_order_id: coid, broker_order_id: `B-${i}`, symbol: brokerSymbol, side, qty: 1000, price, fee: "0" }));
  }
  journal.close();
  broker.close();
}
