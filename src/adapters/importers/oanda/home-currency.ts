// OANDA states fees and financing in the account's home currency, which only the account details
// (or the account's CREATE transaction) name. Records that carry such an amount are written at once
// and completed at the end, when the whole input has been read.

import { type ImportReport, type OutRecord } from "../common.js";
import { plural } from "../../../text/plural.js";

interface Owed {
  readonly out: OutRecord;
  readonly account: string;
  /** A fill's fee names its currency in fee_currency, a financing record in currency. */
  readonly field: "fee_currency" | "currency";
  /** How a problem names the record (a financing record only). */
  readonly what: string;
}

export class HomeCurrency {
  /** Home currency per account, from account details in the input: OANDA states amounts in it. */
  private readonly byAccount = new Map<string, string>();
  /** Records whose amounts are in the account's home currency, completed (or dropped) at the end. */
  private readonly owed: Owed[] = [];

  constructor(private readonly report: ImportReport) {}

  state(account: string, currency: string): void {
    this.byAccount.set(account, currency);
  }

  owe(owed: Owed): void {
    this.owed.push(owed);
  }

  /**
   * Names the currency of every record that owes one. A fee without it stays (the replay takes the
   * symbol's quote currency, and a note says so); financing without it is not imported: returned.
   */
  settle(): Set<OutRecord> {
    const noCurrency = new Set<OutRecord>();
    let feesWithoutCurrency = 0;
    for (const h of this.owed) {
      const currency = this.byAccount.get(h.account);
      if (currency !== undefined) h.out.fields[h.field] = currency;
      else if (h.field === "fee_currency") feesWithoutCurrency += 1;
      else {
        noCurrency.add(h.out);
        this.report.problem(h.out.pos, `${h.what} not imported: it is in the account's home currency, which the input does not state ` +
          "(import the account details, GET /v3/accounts/{accountID}, with it)");
      }
    }
    if (feesWithoutCurrency > 0) {
      this.report.note(`${plural(feesWithoutCurrency, "fee")} without fee_currency: OANDA charges fees in the account's home currency, which the input ` +
        "does not state, so the replay counts them in each symbol's quote currency (import the account details, GET /v3/accounts/{accountID}, with the records)");
    }
    return noCurrency;
  }
}
