// Shared pieces of the fault-injection suite (test/faults/): small valid inputs to break one way at
// a time.

import { B, J } from "../helpers/replay.js";

/** A journal that starts flat at 07:00 UTC. */
export const FLAT_JOURNAL_START = [J.snapshot("07:00:00")];
/** A broker log that starts flat at 06:59 UTC. */
export const FLAT_BROKER_START = [B.snapshot("06:59:00")];
