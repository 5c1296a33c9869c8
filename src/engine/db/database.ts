// Opens the engine's single SQLite file and brings its schema up to date.
//
// Why these pragmas:
// - journal_mode=WAL: the web API reads status/history while the engine writes listener snapshots and
//   events; WAL lets readers and the one writer proceed without blocking each other.
// - synchronous=FULL: in WAL mode the default (NORMAL) can lose the last committed transactions on a
//   power cut. The box is switched off at the wall; a config write the operator saw succeed must survive.
//   synchronous is per connection, so it is set on every open.
// - foreign_keys=ON: also per connection and off by default in SQLite; without it ON DELETE CASCADE on
//   listener_snapshots would silently do nothing.
// - busy_timeout: a second connection (a CLI, a backup) holding the write lock briefly must not turn
//   into SQLITE_BUSY errors in the engine.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrate } from './migrations.js';

export type Database = BetterSqlite3.Database;

export const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating if needed) the database file, sets the durability pragmas and applies migrations. */
export function openDatabase(file: string): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    // Don't leak an open handle (and its lock on the file) when the schema cannot be brought up to date.
    db.close();
    throw err;
  }
}
