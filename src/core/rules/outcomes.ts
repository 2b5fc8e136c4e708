// How the broker ended one of the engine's orders, in the words the report counts it by. Pure.

/** An engine order the broker ended: rejected, cancelled, or cancelled because its time ran out. */
export type OutcomeKind = "rejected" | "cancelled" | "expired";

/** A cancel is an expiry when the broker says so in its reason (EXPIRED, TIME_IN_FORCE_EXPIRED, expired). */
const EXPIRY_REASON = /expir/i;

export function outcomeOf(status: "cancelled" | "rejected", reason: string | undefined): OutcomeKind {
  if (status === "rejected") return "rejected";
  return reason !== undefined && EXPIRY_REASON.test(reason) ? "expired" : "cancelled";
}
