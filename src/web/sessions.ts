// Sign-in sessions of the page: a random cookie, kept by its SHA-256 only (in memory and, with a
// SessionTable, in the database), so neither a heap dump nor a copied database holds a usable session.
// Persisted, a reboot does not sign everybody out. Each use extends a session; the extension is written
// at most every EXTEND_WRITE_MS, so a page polling the API does not write to the SD card each time.
import { createHash, randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const EXTEND_WRITE_MS = 5 * 60 * 1000;

type Clock = () => number;

/** Where sessions are kept across restarts. */
export interface SessionPersistence {
  load(nowMs: number): [key: string, expiresAtMs: number][];
  save(key: string, expiresAtMs: number): void;
  remove(key: string): void;
  /** Every session but `keep` (a key, or null for all). */
  removeAllBut(keep: string | null): void;
  /** Whether `key` is still stored: another process (`rackcast passwd`) may have signed everybody out. */
  has(key: string): boolean;
}

/** The `sessions` table (migration 6). */
export class SessionTable implements SessionPersistence {
  private readonly stmts;

  constructor(db: BetterSqlite3.Database) {
    this.stmts = {
      prune: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at_ms <= ?'),
      load: db.prepare<[], { token_sha256: string; expires_at_ms: number }>('SELECT token_sha256, expires_at_ms FROM sessions ORDER BY created_at'),
      save: db.prepare<[string, number]>('INSERT INTO sessions (token_sha256, expires_at_ms) VALUES (?, ?) ON CONFLICT(token_sha256) DO UPDATE SET expires_at_ms = excluded.expires_at_ms'),
      remove: db.prepare<[string]>('DELETE FROM sessions WHERE token_sha256 = ?'),
      removeAllBut: db.prepare<[string]>('DELETE FROM sessions WHERE token_sha256 != ?'),
      has: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM sessions WHERE token_sha256 = ?'),
    };
  }

  load(nowMs: number): [string, number][] {
    this.stmts.prune.run(nowMs);
    return this.stmts.load.all().map((r) => [r.token_sha256, r.expires_at_ms]);
  }

  save(key: string, expiresAtMs: number): void {
    this.stmts.save.run(key, expiresAtMs);
  }

  remove(key: string): void {
    this.stmts.remove.run(key);
  }

  removeAllBut(keep: string | null): void {
    this.stmts.removeAllBut.run(keep ?? '');
  }

  has(key: string): boolean {
    return this.stmts.has.get(key) !== undefined;
  }
}

export class SessionStore {
  // Keyed by sha256(token); value: expires at (ms) now, and as last written.
  private readonly sessions = new Map<string, { expiresAt: number; written: number }>();
  private readonly key = (token: string): string => createHash('sha256').update(token).digest('hex');
  private readonly now: Clock;
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly persist: SessionPersistence | null;

  constructor(opts: { now?: Clock; idleMs?: number; maxSessions?: number; persist?: SessionPersistence } = {}) {
    [this.now, this.idleMs, this.maxSessions] = [opts.now ?? Date.now, opts.idleMs ?? SESSION_IDLE_MS, opts.maxSessions ?? 1000];
    this.persist = opts.persist ?? null;
    for (const [k, expiresAt] of this.persist?.load(this.now()) ?? []) this.sessions.set(k, { expiresAt, written: expiresAt });
  }

  create(): { token: string; expiresAt: number } {
    this.prune();
    // Bound memory even if something signs in in a loop: drop the oldest (Map keeps insertion order).
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.idleMs;
    const k = this.key(token);
    this.sessions.set(k, { expiresAt, written: expiresAt });
    this.persist?.save(k, expiresAt);
    return { token, expiresAt };
  }

  /** True if the session exists and has not been idle too long; each successful use extends it. */
  validate(token: string): boolean {
    const k = this.key(token);
    const s = this.sessions.get(k);
    if (s === undefined) return false;
    if (this.now() >= s.expiresAt) {
      this.drop(k);
      return false;
    }
    // One primary-key lookup: a session deleted by `rackcast passwd` ends here too.
    if (this.persist && !this.persist.has(k)) {
      this.sessions.delete(k);
      return false;
    }
    s.expiresAt = this.now() + this.idleMs;
    if (s.expiresAt - s.written >= EXTEND_WRITE_MS) {
      s.written = s.expiresAt;
      this.persist?.save(k, s.expiresAt);
    }
    return true;
  }

  destroy(token: string): void {
    this.drop(this.key(token));
  }

  /** Signs out every session but `keepToken`'s (a password change); null signs out all. */
  destroyAllBut(keepToken: string | null): void {
    const keep = keepToken === null ? null : this.key(keepToken);
    for (const k of [...this.sessions.keys()]) if (k !== keep) this.sessions.delete(k);
    this.persist?.removeAllBut(keep);
  }

  get size(): number {
    return this.sessions.size;
  }

  private drop(k: string): void {
    this.sessions.delete(k);
    this.persist?.remove(k);
  }

  private prune(): void {
    for (const [k, s] of this.sessions) if (this.now() >= s.expiresAt) this.drop(k);
  }
}
