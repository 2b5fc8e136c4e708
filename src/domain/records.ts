// The canonical input records (docs/reference/formats.md, schemas/) after validation. Everything past the
// boundary trusts these types: quantities are positive exact decimals, sides are buy|sell, symbols are
// normalized.

import type { Dec } from "./decimal.js";
import type { Instant } from "./time.js";

export type Side = "buy" | "sell";
export type Source = "journal" | "broker";

interface Base {
  /** 1-based line number in its file: the evidence pointer carried into findings. */
  readonly line: number;
  readonly ts: Instant;
}

export interface SnapshotOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly refPrice: Dec;
}

export interface PositionLine {
  readonly symbol: string;
  /** Signed: negative is short. */
  readonly qty: Dec;
  readonly avgPrice: Dec;
}

export interface SnapshotRecord extends Base {
  readonly src: "journal";
  readonly type: "snapshot";
  readonly openOrders: readonly SnapshotOrder[];
  readonly positions: readonly PositionLine[];
}

export interface DecisionRecord extends Base {
  readonly src: "journal";
  readonly type: "decision";
  readonly decisionId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly refPrice: Dec;
  readonly strategy: string | undefined;
  readonly orderType: "market" | "limit";
  readonly limitPrice: Dec | undefined;
}

export interface CancelRequestRecord extends Base {
  readonly src: "journal";
  readonly type: "cancel_request";
  readonly clientOrderId: string;
}

export interface RestartRecord extends Base {
  readonly src: "journal";
  readonly type: "restart";
  readonly reason: string;
}

export type JournalRecord = SnapshotRecord | DecisionRecord | CancelRequestRecord | RestartRecord;

interface BrokerBase extends Base {
  readonly src: "broker";
  readonly eventId: string;
  /** The record's line as delivered; a redelivery is compared with it (see sameContent). */
  readonly fingerprint: string;
  /**
   * Where the line can be read again (the shell's choice: a byte offset in the file, or the line
   * number for in-memory logs). The redelivery check keeps this, not the text.
   */
  readonly pos: number;
}

export interface OrderAcceptedEvent extends BrokerBase {
  readonly type: "order_accepted";
  readonly clientOrderId: string;
  readonly brokerOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly limitPrice: Dec | undefined;
  /** Set on a replacement (cancel/replace, amend): the broker order it replaces, same client order id. */
  readonly replacesBrokerOrderId: string | undefined;
}

export interface FillEvent extends BrokerBase {
  readonly type: "fill";
  readonly clientOrderId: string | undefined;
  readonly brokerOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly price: Dec;
  readonly fee: Dec;
  /** The fee's currency where the source states it (a code such as USD); else the quote currency is assumed. */
  readonly feeCurrency: string | undefined;
}

export interface OrderCancelledEvent extends BrokerBase {
  readonly type: "order_cancelled";
  readonly brokerOrderId: string;
  readonly reason: string | undefined;
  /** Set when the order was cancelled because it was replaced: its replacement's broker order id. */
  readonly replacedByBrokerOrderId: string | undefined;
}

export interface OrderRejectedEvent extends BrokerBase {
  readonly type: "order_rejected";
  readonly clientOrderId: string;
  readonly reason: string | undefined;
}

export interface PositionSnapshotEvent extends BrokerBase {
  readonly type: "position_snapshot";
  readonly positions: readonly PositionLine[];
}

export interface LimitsSnapshotEvent extends BrokerBase {
  readonly type: "limits_snapshot";
  readonly dailyLossCap: Dec;
  /** Sorted by symbol. */
  readonly symbolCaps: ReadonlyArray<readonly [string, Dec]>;
}

/**
 * Financing (swap, rollover, overnight interest) booked by the broker: signed, negative is paid.
 * Evidence only: it is not part of any trade's P&L, so the replay carries it and applies no rule.
 */
export interface FinancingEvent extends BrokerBase {
  readonly type: "financing";
  readonly amount: Dec;
  readonly currency: string;
  readonly symbol: string | undefined;
}

export interface ConnectionEvent extends BrokerBase {
  readonly type: "disconnect" | "reconnect";
}

export type BrokerEvent =
  | OrderAcceptedEvent
  | FillEvent
  | OrderCancelledEvent
  | OrderRejectedEvent
  | PositionSnapshotEvent
  | LimitsSnapshotEvent
  | FinancingEvent
  | ConnectionEvent;

export type InputRecord = JournalRecord | BrokerEvent;

/** "journal:12" — how findings point at the records they rest on. */
export function evidenceRef(r: { src: Source; line: number }): string {
  return `${r.src}:${r.line}`;
}
