// Trade cancels (150=H) and corrections (150=G) of earlier fills, applied at the end: a bust
// removes the fill whose ExecID its ExecRefID (19) names, a correction corrects that fill's qty and
// price. The output is the corrected log.

import { sign } from "../../../domain/decimal.js";
import { decText, where } from "../common.js";
import type { FixImport } from "./context.js";

/** Applies every amendment; returns the fields of the fills busted (removed from the output). */
export function applyAmendments(p: FixImport): Set<Record<string, unknown>> {
  const removed = new Set<Record<string, unknown>>();
  for (const a of p.amendments) {
    const target = p.fillsByExec.get(`${a.session}|${a.ref}`);
    const name = a.kind === "H" ? "trade cancel (150=H)" : "trade correction (150=G)";
    if (target === undefined || removed.has(target.fields)) {
      p.report.problem(a.pos, `${name} of ExecID ${a.ref}, which is not in the input: nothing to ${a.kind === "H" ? "remove" : "correct"}`);
      continue;
    }
    if (a.kind === "H") {
      removed.add(target.fields);
      p.report.note(`${where(a.pos)}: fill ExecID ${a.ref} busted by ExecID ${a.execId} (150=H): removed from the log`);
      continue;
    }
    if (a.qty === undefined || sign(a.qty) <= 0 || a.price === undefined) {
      p.report.problem(a.pos, `${name} of ExecID ${a.ref}: expected the corrected LastQty (32) and LastPx (31)`);
      continue;
    }
    target.fields["qty"] = decText(a.qty);
    target.fields["price"] = a.price;
    target.fields["corrected_by_exec_id"] = a.execId;
    p.report.note(`${where(a.pos)}: fill ExecID ${a.ref} corrected by ExecID ${a.execId} (150=G): qty ${decText(a.qty)}, price ${a.price}`);
  }
  return removed;
}
