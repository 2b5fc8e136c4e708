// Read-only inspection of a running engine, for `recon-proof explain`: what the engine and the
// broker hold about one order or one symbol at a moment of the replay, as plain data (copies, so a
// caller can keep them while the replay goes on). Every call here is a lookup on the books, and
// their lookups never change anything: inspecting at every record leaves the replay's artifacts
// byte for byte the same (test/explain.test.ts).

import type { Dec } from "../../domain/decimal.js";
import type { KillSwitchView } from "../../domain/report.js";
import type { Side } from "../../domain/records.js";
import type { BrokerOrder } from "../books/broker-book.js";
import type { EngineCore } from "../engine/context.js";
import type { EngineOrder } from "../books/engine-view.js";
import { type BrokerOrderStatus, type CacheStatus, type EngineStatus, isOpen, type Position } from "../rules/index.js";

/** What a report item names: an order (by either id), a symbol, or neither. */
export interface Subject {
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly symbol: string | null;
}

export interface EngineOrderFacts {
  readonly clientOrderId: string;
  readonly decisionId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly status: EngineStatus;
  /** When this engine run sent it (null: known from a snapshot or the cache only). */
  readonly sentAt: string | null;
  readonly brokerOrderId: string | null;
  readonly evidence: readonly string[];
}

export interface CacheFacts {
  readonly status: CacheStatus;
  readonly filledQty: Dec;
  /** Event time (ms) at which the id stops being reserved. */
  readonly ttlUtcMs: number;
}

export interface BrokerOrderFacts {
  readonly brokerOrderId: string | null;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: Side;
  /** Null until an acceptance states its size. */
  readonly qty: Dec | null;
  readonly status: BrokerOrderStatus;
  readonly cumFilled: Dec;
  readonly fills: number;
  readonly firstTs: string;
  readonly evidence: readonly string[];
}

/** One order as each side holds it; null where a side holds nothing. */
export interface OrderFacts {
  readonly engine: EngineOrderFacts | null;
  readonly cache: CacheFacts | null;
  readonly broker: BrokerOrderFacts | null;
}

export interface SymbolFacts {
  readonly symbol: string;
  readonly engine: Position;
  readonly broker: Position;
  /** The symbol's last broker fill price. */
  readonly lastMark: Dec | null;
  /** The engine's cap for the symbol (config), and the broker's (its latest limits snapshot). */
  readonly engineCapUnits: Dec | null;
  readonly brokerCapUnits: Dec | null;
}

/** Where the engine's lifecycle stands (owned by the Engine facade, which passes it in). */
export interface Lifecycle {
  readonly phase: "not_started" | "starting" | "running";
  readonly connected: boolean;
}

export interface EngineFacts extends Lifecycle {
  readonly killSwitch: KillSwitchView;
  readonly reconcileRuns: number;
  readonly openEngineOrders: number;
  readonly cacheEntries: number;
}

export interface Inspection {
  readonly engine: EngineFacts;
  /** Null when the subject names no order. */
  readonly order: OrderFacts | null;
  /** Null when the subject names no symbol (and its order has none). */
  readonly symbol: SymbolFacts | null;
}

function engineOrderFacts(e: EngineOrder): EngineOrderFacts {
  return {
    clientOrderId: e.clientOrderId, decisionId: e.decisionId ?? null, symbol: e.symbol, side: e.side, qty: e.qty,
    filledQty: e.filledQty, status: e.status, sentAt: e.sentAt?.text ?? null, brokerOrderId: e.brokerOrderId ?? null,
    evidence: e.evidence.map((line) => `journal:${line}`),
  };
}

function brokerOrderFacts(b: BrokerOrder): BrokerOrderFacts {
  return {
    brokerOrderId: b.brokerOrderId ?? null, clientOrderId: b.clientOrderId ?? null, symbol: b.symbol, side: b.side,
    qty: b.qty ?? null, status: b.status, cumFilled: b.cumFilled, fills: b.fills.length, firstTs: b.firstTs.text,
    evidence: b.evidence.map((line) => `broker:${line}`),
  };
}

function brokerOrderOf(core: EngineCore, s: Subject): BrokerOrder | undefined {
  const byBroker = s.brokerOrderId === null ? undefined : core.book.orderByBrokerId(s.brokerOrderId);
  return byBroker ?? (s.clientOrderId === null ? undefined : core.book.orderByClientId(s.clientOrderId));
}

function engineOrderOf(core: EngineCore, s: Subject, broker: BrokerOrder | undefined): EngineOrder | undefined {
  const coid = s.clientOrderId ?? broker?.clientOrderId;
  if (coid !== undefined) return core.view.order(coid);
  return s.brokerOrderId === null ? undefined : core.view.resolve({ clientOrderId: undefined, brokerOrderId: s.brokerOrderId });
}

function orderFacts(core: EngineCore, s: Subject): OrderFacts {
  const broker = brokerOrderOf(core, s);
  const engine = engineOrderOf(core, s, broker);
  const coid = s.clientOrderId ?? broker?.clientOrderId ?? engine?.clientOrderId;
  const cached = coid === undefined ? undefined : core.view.cache.get(coid);
  return {
    engine: engine === undefined ? null : engineOrderFacts(engine),
    cache: cached === undefined ? null : { status: cached.status, filledQty: cached.filledQty, ttlUtcMs: cached.ttlUtcMs },
    broker: broker === undefined ? null : brokerOrderFacts(broker),
  };
}

function symbolFacts(core: EngineCore, symbol: string): SymbolFacts {
  const cap = (caps: ReadonlyArray<readonly [string, Dec]> | undefined) => caps?.find(([s]) => s === symbol)?.[1] ?? null;
  return {
    symbol, engine: core.view.position(symbol), broker: core.book.position(symbol), lastMark: core.book.lastMark(symbol) ?? null,
    engineCapUnits: cap(core.config.symbolCaps), brokerCapUnits: cap(core.book.limits?.symbolCaps),
  };
}

function engineFacts(core: EngineCore, lifecycle: Lifecycle): EngineFacts {
  let open = 0;
  for (const e of core.view.orders()) if (isOpen(e.status)) open += 1;
  return {
    ...lifecycle, killSwitch: core.kill.view(), reconcileRuns: core.totals.runs, openEngineOrders: open, cacheEntries: core.view.cache.size,
  };
}

/** What each side holds about the subject now. */
export function inspect(core: EngineCore, subject: Subject, lifecycle: Lifecycle): Inspection {
  const names = subject.clientOrderId !== null || subject.brokerOrderId !== null;
  const order = names ? orderFacts(core, subject) : null;
  const symbol = subject.symbol ?? order?.engine?.symbol ?? (order?.broker?.symbol || null);
  return { engine: engineFacts(core, lifecycle), order, symbol: symbol === null ? null : symbolFacts(core, symbol) };
}
