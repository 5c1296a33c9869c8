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
//
// File modes: the database holds the server passwords (the engine must send them, so they are stored as
// they are), the admin password's hash and the token hashes. The file is created 0600 before SQLite opens
// it, and an existing one (and its -wal and -shm) loses any group and other access on every open; SQLite gives the
// -wal and -shm it creates later the database file's own mode. The data directory is created 0700. Not
// process.umask(): it is process-wide (a recording or the audio worker creating files at that moment
// would get it too) and worker threads cannot call it. The systemd unit sets UMask=0077 as well.
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrate } from './migrations.js';

export type Database = BetterSqlite3.Database;

export const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating if needed) the database file, sets the durability pragmas and applies migrations. */
export function openDatabase(file: string): Database {
  if (file !== ':memory:') prepareFile(file);
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

const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIR_MODE = 0o700;

/** Creates the directory (0700) and an empty database file (0600) if missing; takes group and other access off existing files. */
function prepareFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    // An empty file is a new database to SQLite. 'wx': never truncate one that appeared meanwhile.
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // no -wal or -shm yet
    }
    // Only group and other lose their bits: an owner-only mode the operator chose (0400) stays.
    if (mode & 0o077) chmodSync(path, mode & 0o700);
  }
}
