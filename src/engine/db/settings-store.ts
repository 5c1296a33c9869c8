// Key/value settings (capture device, station name, live listen, panel, auth...), values stored as JSON
// text. One row per key, so unrelated settings written by different parts of the engine never overwrite
// each other.
import type BetterSqlite3 from 'better-sqlite3';

type Db = BetterSqlite3.Database;

export class SettingsStore {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      // Upsert: one statement, so the write is atomic and survives a power cut whole.
      set: db.prepare<[string, string]>(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      delete: db.prepare<[string]>('DELETE FROM settings WHERE key = ?'),
    };
  }

  /**
   * The stored value, or `fallback` when the key is missing or its text is not valid JSON (a hand-edited
   * database must not stop the engine from starting). The value is not checked against T: validate
   * anything whose shape matters (e.g. with the zod schemas) before trusting it.
   */
  get<T>(key: string, fallback: T): T {
    const row = this.stmts.get.get(key);
    if (!row) return fallback;
    try {
      return JSON.parse(row.value) as T;
    } catch {
      return fallback;
    }
  }

  /** Stores `value` as JSON. `undefined` (which JSON cannot represent) removes the key. */
  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    if (text === undefined) {
      this.stmts.delete.run(key);
      return;
    }
    this.stmts.set.run(key, text);
  }

  delete(key: string): void {
    this.stmts.delete.run(key);
  }
}
