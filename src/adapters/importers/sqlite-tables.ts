// The shell half of the SQLite journal importers (an engine's own journal, freqtrade, Hummingbot):
// open the database read-only, check that it is the schema the importer knows, and read the tables
// it needs as plain rows (rowid order; each row carries its rowid as `_rowid`).
//
// What the file system does to the reading (the engine holding SQLite's lock past
// sqlite_busy_wait_ms, a folder the importer cannot write) is an I/O error (exit 74) naming the
// file; only what the file holds (not a database, a schema the importer does not know) is bad
// input (exit 65).

import { ConfigError, DataError, IoError } from "../../domain/errors.js";
import { openReadOnly, type ReadOnlyDb, sqliteIoReason } from "../sqlite-files.js";

export type Row = Record<string, unknown>;
/** The rows of each table read, by table name. */
export type Tables = Readonly<Record<string, readonly Row[]>>;

export interface TableSpec {
  readonly name: string;
  /** Columns the table must have; a table without them is a schema the importer does not know. */
  readonly columns: readonly string[];
  /** A table the schema may lack (older versions): read as empty. */
  readonly optional?: boolean;
}

export interface DbSchema {
  /** How messages name the file: "journal database", "freqtrade database". */
  readonly what: string;
  /** The schema as a sentence starts: "an engine journal with a broker_orders table". */
  readonly expected: string;
  /** The tables to read; the first one identifies the schema. */
  readonly tables: readonly TableSpec[];
  /** Read INTEGER columns as bigint (exact beyond 2^53: Hummingbot's scaled decimals). */
  readonly bigIntegers?: boolean;
}

/** An SQLite failure: the file system's as an IoError naming the file, anything else as bad content. */
function dbFailure(path: string, what: string, err: unknown): Error {
  if (err instanceof IoError || err instanceof DataError || err instanceof ConfigError) return err;
  const io = sqliteIoReason(err, path);
  if (io !== null) return new IoError(`cannot read ${what} ${path}: ${io}`);
  return new DataError(path, 0, "(file)", "an SQLite database", (err as Error).message);
}

/** Opens the database read-only and reads the schema's tables, by name. */
export function readTables(path: string, schema: DbSchema): Record<string, Row[]> {
  let opened: ReadOnlyDb;
  try {
    opened = openReadOnly(path);
  } catch (err) {
    throw dbFailure(path, schema.what, err);
  }
  try {
    const db = opened.db;
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const found = [...tables].sort().join(", ") || "none";
    const out: Record<string, Row[]> = {};
    schema.tables.forEach((spec, i) => {
      if (!tables.has(spec.name)) {
        if (spec.optional === true) return void (out[spec.name] = []);
        const which = i === 0 ? schema.expected : `${schema.expected} and a ${spec.name} table`;
        throw new DataError(path, 0, "(schema)", `${which} (${spec.columns.join(", ")}); this database has tables ${found}, a schema the importer does not know`);
      }
      const cols = new Set((db.prepare(`PRAGMA table_info(${JSON.stringify(spec.name)})`).all() as { name: string }[]).map((c) => c.name));
      const missing = spec.columns.filter((c) => !cols.has(c));
      if (missing.length > 0) {
        throw new DataError(path, 0, `(schema) ${spec.name}`, `columns ${spec.columns.join(", ")}; missing ${missing.join(", ")} — a schema the importer does not know`);
      }
      const stmt = db.prepare(`SELECT rowid AS _rowid, * FROM ${JSON.stringify(spec.name)} ORDER BY rowid`);
      out[spec.name] = (schema.bigIntegers === true ? stmt.safeIntegers(true) : stmt).all() as Row[];
    });
    return out;
  } catch (err) {
    throw dbFailure(path, schema.what, err);
  } finally {
    opened.close();
  }
}

/** Rows read from the tables, for the "input that gave no record" rule. */
export function rowCount(tables: Tables): number {
  return Object.values(tables).reduce((n, rows) => n + rows.length, 0);
}
