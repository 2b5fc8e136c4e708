// One replay at a time holds the order-id cache: a replay claims the file by writing itself in as
// its holder (meta `holder`: process id, host, the process's start time and a token for this open),
// in one IMMEDIATE transaction, so of two replays started at the same instant exactly one claims it
// (SQLite lets one writer at a time begin; the other waits for that short transaction and then finds
// the holder).
// The claim is released when the replay commits or aborts. A holder that died (killed, the machine
// restarted) leaves its row: a process that is gone, or whose id now names a process started at
// another time, holds nothing, and its claim is taken over. (Not SQLite's EXCLUSIVE locking mode:
// taking that lock is two steps, and two replays that each took the first step would both fail the
// second, each refused and neither running; any reader holding the file would refuse a replay too.)
// Readers (`cache dump`) are never blocked: the file is in WAL mode, and a reader sees the last
// committed transaction.

import type Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { IoError } from "../../domain/errors.js";
import { metaValue } from "./schema.js";

const HOLDER_KEY = "holder";

/** The replay that holds a cache: its process, and a token for this one open of the file. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  /** When the process started (Linux: clock ticks since boot), so that a reused process id is told apart; null where unknown. */
  readonly started: string | null;
  readonly token: string;
}

/** Tokens of the caches this process holds open: a store closed without releasing is a holder that died. */
const heldHere = new Set<string>();

function processStarted(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is the state (field 3); a zombie has ended. fields[19] is starttime (field 22).
    return fields[0] === "Z" ? "ended" : fields[19] ?? null;
  } catch {
    return null;
  }
}

function holderAlive(h: Holder): boolean {
  if (h.host !== hostname()) return true; // another machine's processes cannot be seen from here
  if (h.pid === process.pid) return heldHere.has(h.token);
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return (err as { code?: unknown }).code !== "ESRCH"; // EPERM: alive, another user's
  }
  const started = processStarted(h.pid);
  return started === null || h.started === null || started === h.started;
}

function parseHolder(text: string | undefined): Holder | null {
  if (text === undefined || text === "") return null;
  try {
    const h = JSON.parse(text) as Holder;
    return typeof h.pid === "number" && typeof h.host === "string" && typeof h.token === "string" ? h : null;
  } catch {
    return null; // not a claim this build wrote: nobody holds the file through it
  }
}

const holderWords = (h: Holder): string => `pid ${h.pid}${h.host === hostname() ? "" : ` on ${h.host}`}`;

/** This replay's claim on a cache, and the row it replaced (a dead holder's), put back if the load fails. */
export interface Claim {
  readonly text: string;
  readonly token: string;
  readonly replaced: string | undefined;
}

/**
 * Claims the cache for this replay, in one transaction (see the top of this file), after `check`
 * ran inside it: a live holder is an IoError, and a file `check` rejects is left as it was, byte for
 * byte (the transaction wrote nothing). Returns what `check` returned and the claim.
 */
export function claimCache<T>(db: Database.Database, path: string, check: () => T): { checked: T; claim: Claim } {
  const me: Holder = { pid: process.pid, host: hostname(), started: processStarted(process.pid), token: randomUUID() };
  const text = JSON.stringify(me);
  const result = db.transaction(() => {
    const replaced = metaValue(db, HOLDER_KEY);
    const held = parseHolder(replaced);
    if (held !== null && holderAlive(held)) {
      throw new IoError(`another replay holds the order-id cache ${path} (${holderWords(held)}): wait for it to finish (nothing was written, the cache is untouched)`);
    }
    const checked = check();
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(HOLDER_KEY, text);
    return { checked, claim: { text, token: me.token, replaced } };
  }).immediate();
  heldHere.add(me.token);
  return result;
}

/** The statements that remove this replay's claim (inside the caller's transaction). */
export function releaseClaim(db: Database.Database, claim: Claim, restore = false): void {
  if (restore && claim.replaced !== undefined) db.prepare("UPDATE meta SET value = ? WHERE key = ?").run(claim.replaced, HOLDER_KEY);
  else db.prepare("DELETE FROM meta WHERE key = ? AND value = ?").run(HOLDER_KEY, claim.text);
  heldHere.delete(claim.token);
}

/** The process id of the live replay holding the cache, or null. */
export function liveHolderPid(db: Database.Database): number | null {
  const held = parseHolder(metaValue(db, HOLDER_KEY));
  return held !== null && holderAlive(held) ? held.pid : null;
}

/**
 * Undoes this replay's claim when the load failed, putting back the row it replaced (the file is
 * left as it was); when even that fails, the claim is left as a dead holder's.
 */
export function releaseQuietly(db: Database.Database, claim: Claim): void {
  try {
    db.transaction(() => releaseClaim(db, claim, true))();
  } catch {
    heldHere.delete(claim.token);
  }
}

/** A store closed without releasing its claim: from now on its claim is a dead holder's. */
export function forgetClaim(claim: Claim): void {
  heldHere.delete(claim.token);
}
