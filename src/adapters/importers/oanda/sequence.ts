// OANDA's transaction ids: per account and contiguous, so a jump is transactions that never
// arrived. Every transaction seen is remembered (where and when it was) for gaps across files, for
// placing listings in time, and for the broker's order of records of one instant.

import { type BrokerSeq, type ImportReport, type Json, type Pos, str, where } from "../common.js";

export interface SeenTx {
  readonly ts: string;
  readonly pos: Pos;
  readonly type: string;
}

export class TransactionIds {
  /** Every transaction seen, per account: where it was and when (gaps across files, placement). */
  readonly seen = new Map<string, Map<bigint, SeenTx>>();
  /** Ranges of missing ids already reported inside one stream or listing. */
  private readonly gapsReported: (readonly [bigint, bigint])[] = [];
  /** Last transaction id delivered by the current stream or listing (gap detection). */
  private lastId: bigint | undefined;
  private file: string | undefined;

  constructor(private readonly report: ImportReport) {}

  /** Ids are contiguous within one stream or listing, not across files. */
  enterFile(file: string): void {
    if (file === this.file) return;
    this.file = file;
    this.lastId = undefined;
  }

  /** A stream or listing starts: its first id follows nothing. */
  startStream(): void {
    this.lastId = undefined;
  }

  remember(account: string, id: bigint, seen: SeenTx): void {
    let byId = this.seen.get(account);
    if (byId === undefined) this.seen.set(account, (byId = new Map()));
    if (!byId.has(id)) byId.set(id, seen);
  }

  /** Transaction ids are per-account and contiguous: a jump means transactions never arrived. */
  checkSequence(id: bigint, pos: Pos): void {
    if (this.lastId !== undefined && id > this.lastId + 1n) {
      this.report.problem(pos, `gap: transactions ${this.lastId + 1n}..${id - 1n} missing before transaction ${id}`);
      this.gapsReported.push([this.lastId + 1n, id - 1n]);
    }
    if (this.lastId === undefined || id > this.lastId) this.lastId = id;
  }

  /** A HEARTBEAT names the account's last transaction id: beyond what the stream delivered is a gap. */
  heartbeat(hb: Json, pos: Pos): void {
    this.report.ignore("HEARTBEAT");
    const last = str(hb["lastTransactionID"]);
    if (last === undefined) return; // a pricing-stream heartbeat: no transaction id to check
    if (!/^\d+$/.test(last)) {
      this.report.problem(pos, `HEARTBEAT: field "lastTransactionID": expected a transaction id, got ${JSON.stringify(hb["lastTransactionID"])}`);
      return;
    }
    const n = BigInt(last);
    if (this.lastId !== undefined && n > this.lastId) {
      const missing = this.lastId + 1n === n ? `transaction ${n}` : `transactions ${this.lastId + 1n}..${n}`;
      this.report.problem(pos, `gap: HEARTBEAT lastTransactionID=${n} but the stream delivered up to ${this.lastId}; ${missing} never arrived`);
      this.gapsReported.push([this.lastId + 1n, n]);
    }
    // The first heartbeat sets the baseline: transactions before the stream began are not a gap.
    if (this.lastId === undefined || n > this.lastId) this.lastId = n;
  }

  /** Every transaction id seen, of any account, as written. */
  allIds(): Set<string> {
    return new Set([...this.seen.values()].flatMap((byId) => [...byId.keys()].map(String)));
  }

  /** The account that holds transaction `txId`, else the one account seen; undefined among several. */
  accountOf(txId: bigint | undefined): string | undefined {
    const accounts = [...this.seen].filter(([, byId]) => txId !== undefined && byId.has(txId)).map(([a]) => a);
    return accounts[0] ?? (this.seen.size === 1 ? [...this.seen.keys()][0]! : undefined);
  }

  /**
   * A listing's place in the broker's sequence: the account of the transaction it refers to (else
   * the one account seen), so that it sorts among that account's transactions of the same instant.
   */
  seqAt(n: bigint, txId: bigint | undefined): BrokerSeq {
    return { scope: `oanda:${this.accountOf(txId) ?? ""}`, n };
  }

  /** Gaps in the ids of all transactions seen, per account, that no stream or listing reported itself. */
  reportGaps(exitOrderIds: ReadonlySet<string>): void {
    for (const [account, byId] of [...this.seen].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const ids = [...byId.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (let i = 1; i < ids.length; i += 1) {
        const [a, b] = [ids[i - 1]!, ids[i]!];
        if (b === a + 1n || this.alreadyReported(a + 1n, b - 1n, exitOrderIds)) continue;
        const [pa, pb] = [byId.get(a)!.pos, byId.get(b)!.pos];
        this.report.problem(undefined, `gap${pa.file === pb.file ? "" : " across files"}: transactions ${a + 1n}..${b - 1n}` +
          `${account === "" ? "" : ` of account ${account}`} missing between transaction ${a} (${where(pa)}) and transaction ${b} (${where(pb)})`);
      }
    }
  }

  /** Whether every id from..to was reported missing already, or is a known exit order (nothing to import). */
  private alreadyReported(from: bigint, to: bigint, exitOrderIds: ReadonlySet<string>): boolean {
    let next = from;
    const exits = [...exitOrderIds].filter((id) => /^\d+$/.test(id)).map((id) => [BigInt(id), BigInt(id)] as const);
    for (const [a, b] of [...this.gapsReported, ...exits].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      if (a > next) break;
      if (b >= next) next = b + 1n;
    }
    return next > to;
  }
}
