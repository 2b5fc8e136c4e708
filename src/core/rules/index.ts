// The engine's rules: pure functions, state in and a decision out, which the books and the
// reconciliation apply (core/reconcile/). Nothing here imports a stateful module; the books import
// the rules from this index only.
//
// Each entry point and the invariant it keeps:
//
//   position.applyFill            average cost: both books move a position through this one function,
//                                 so they differ only by which fills they saw, never by how they count
//   fees.feeBooking/positionChange a fee lands where its currency says (quote: P&L; base asset of a
//                                 balance: the quantity held; else kept apart), the same on both books
//   identity.idMatchContradictions an id match another field contradicts is a conflict, never a link
//   decisions.judgeDecision       blocked while the kill switch is engaged; a live cache entry or an
//                                 open order makes a duplicate; otherwise sent
//   fills.fillOutcome             filled to its size an order is filled (never reopened), past it an overfill
//   orders.reconcileOrder         only broker evidence corrects the engine's view; no record, no correction
//   local-orders.unseenOrderState an order the broker has not shown is in flight within its grace, then stale
//   local-orders.ttlExpired       an open order past its TTL gets a staged cancel
//   matching.signatureCandidates  look-alike orders are named as candidates, never linked
//   mismatch.orderMismatches      the broker's live order is held to the decided terms
//   drift.positionDrift           beyond tolerance means strictly more; a standing drift never reads 0.0
//   limits.*                      at a cap or at the loss cap is allowed; strictly beyond is a breach
//   outcomes.outcomeOf            a cancel is an expiry only where the broker says so
//   pricing.priceFill             slippage positive is worse; no preset is a breach (fail safe)
//   recovery.recoveryActions      recovery is staged, never executed
//   settlement.brokerOrderSettled a broker order is forgotten only once everyone has accounted for it

export * from "./types.js";
export { applyFill, FLAT, type Position, signedQty } from "./position.js";
export { type FeeBooking, feeBooking, type FeeCurrencies, feeCurrencyOf, feeInPnl, type PositionChange, positionChange } from "./fees.js";
export { type IdentityField, idMatchContradictions, type OrderIdentity } from "./identity.js";
export { type DecisionVerdict, judgeDecision } from "./decisions.js";
export { type FillOutcome, fillOutcome } from "./fills.js";
export { type OrderCorrections, reconcileOrder } from "./orders.js";
export { ttlExpired, unseenOrderState } from "./local-orders.js";
export { type CandidateOrder, type MatchKind, matchKind, signatureCandidates, type UnmatchedBrokerOrder } from "./matching.js";
export { orderMismatches, type OrderTerms } from "./mismatch.js";
export { type Drift, driftSignature, type DriftTolerance, HEADLINE_DRIFT_PIPS_MIN, positionDrift } from "./drift.js";
export { dailyLossBreached, limitMismatches, overCap, type RiskLimits } from "./limits.js";
export { type OutcomeKind, outcomeOf } from "./outcomes.js";
export { findPreset, type FillPricing, limitImprovementPips, type PricedFill, priceFill, sessionOf, slippagePips } from "./pricing.js";
export { type RecoveryAction, type RecoveryPolicy, recoveryActions } from "./recovery.js";
export { brokerOrderSettled } from "./settlement.js";
