// Whether the database can take a write, cheaply enough for a health probe every few seconds: no write
// (an SD card wears), no lock taken (a CLI holding one would make the probe wait). What stops writes on
// a box: the filesystem remounted read-only after an error, the data directory's disk full, the file's
// permissions changed by hand, or the handle closed.
import { accessSync, constants, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

export function databaseWritable(db: Database.Database, dataDir: string): { writable: boolean; error: string | null } {
  if (!db.open) return { writable: false, error: 'the database is closed' };
  if (db.readonly) return { writable: false, error: 'the database is open read-only' };
  try {
    accessSync(dataDir, constants.W_OK);
    accessSync(join(dataDir, 'rackcast.db'), constants.W_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { writable: false, error: e.code === 'EROFS' ? 'the data directory is on a read-only filesystem' : `${e.code ?? ''} ${e.message}`.trim() };
  }
  try {
    const fs = statfsSync(dataDir);
    if (fs.bavail * fs.bsize < 64 * 1024) return { writable: false, error: `the data directory's disk is full (${fs.bavail * fs.bsize} bytes free)` };
  } catch {
    // statfs unsupported: the access check stands
  }
  return { writable: true, error: null };
}
