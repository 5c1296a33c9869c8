// A key that travels in a URL (`?key=`), for clients that can only call a URL: a playout system
// posting titles, a media player opening the live listen stream. Each key does one thing and
// nothing else. Random 256 bits, so a plain SHA-256 is enough to store it (nothing to brute-force);
// it exists in clear only in the reply that created it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SettingsStore } from './db/settings-store.js';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export type KeyCheck = 'ok' | 'wrong' | 'none_set';

export class UrlKey {
  /** `setting`: where its hash is stored; `prefix`: the start of every key, so one is told from another ("rcm_", "rcl_"). */
  constructor(
    private readonly setting: string,
    private readonly prefix: string,
  ) {}

  /** Creates (or replaces: the old key stops working at once) the key and returns it. */
  rotate(settings: SettingsStore): string {
    const key = `${this.prefix}${randomBytes(32).toString('base64url')}`;
    settings.set(this.setting, { sha256: sha256(key).toString('hex'), created_at: new Date().toISOString() });
    return key;
  }

  remove(settings: SettingsStore): void {
    settings.delete(this.setting);
  }

  private stored(settings: SettingsStore): { sha256: string; created_at: string } | null {
    const v = settings.get<unknown>(this.setting, null);
    if (typeof v !== 'object' || v === null) return null;
    const { sha256: hash, created_at } = v as Record<string, unknown>;
    return typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? { sha256: hash, created_at: String(created_at ?? '') } : null;
  }

  /** When the key was made, or null if there is none. */
  createdAt(settings: SettingsStore): string | null {
    return this.stored(settings)?.created_at ?? null;
  }

  check(settings: SettingsStore, candidate: string): KeyCheck {
    const entry = this.stored(settings);
    if (!entry) return 'none_set';
    return timingSafeEqual(sha256(candidate), Buffer.from(entry.sha256, 'hex')) ? 'ok' : 'wrong';
  }
}
