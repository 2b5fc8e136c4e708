// `recon-proof cache dump`: the cache as JSON for Ops.

import { ConfigError, IoError } from "../../domain/errors.js";
import { existsSync } from "node:fs";
import { openReadOnly, sqliteIoReason } from "../sqlite-files.js";
import { liveHolderPid } from "./claim.js";
import { entriesChecksum, type EntryRow } from "./rows.js";

/**
 * The cache as JSON for Ops (`recon-proof cache dump`): entries, runs, pending changes, integrity,
 * and the replay holding it, if one is running. It does not wait for that replay: it reads the
 * last committed transaction. A cache in a read-only folder is read all the same (sqlite-files.ts).
 */
export function dumpCache(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new IoError(`no cache at ${path}`);
  let opened: ReturnType<typeof openReadOnly>;
  try {
    opened = openReadOnly(path);
  } catch (err) {
    if (err instanceof IoError || err instanceof ConfigError) throw err;
    throw new IoError(`cannot open cache ${path}: ${sqliteIoReason(err, path) ?? (err as Error).message}`);
  }
  const db = opened.db;
  try {
    const rows = (db.prepare("SELECT * FROM entries ORDER BY client_order_id").all() as EntryRow[]);
    const meta = Object.fromEntries((db.prepare("SELECT key, value FROM meta ORDER BY key").all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    return {
      schema_version: meta["schema_version"] ?? null,
      checksum_ok: meta["entries_checksum"] === entriesChecksum(rows),
      entries: rows.map((r) => ({ ...r, ttl_utc: new Date(r.ttl_utc_ms).toISOString() })),
      runs: db.prepare("SELECT run_key, state FROM runs ORDER BY run_key").all(),
      last_completed_run: meta["last_run"] || null,
      // Changes, not rows: a row holds a batch, one line per change.
      pending_changes: (db.prepare("SELECT COALESCE(SUM(LENGTH(body) - LENGTH(REPLACE(body, char(10), '')) + 1), 0) AS n FROM ops").get() as { n: number }).n,
      held_by_pid: liveHolderPid(db),
    };
  } catch (err) {
    throw new IoError(`cannot read cache ${path}: ${sqliteIoReason(err, path) ?? (err as Error).message}`);
  } finally {
    opened.close();
  }
}
