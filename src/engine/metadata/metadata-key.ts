// The metadata key: a credential for playout systems that can only call a URL. It can post a title
// and nothing else, so it may sit in a playout system's config without exposing the box. Random
// 256 bits, so a plain SHA-256 is enough to store it (nothing to brute-force); it exists in clear
// only in the reply that created it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SettingsStore } from '../db/settings-store.js';

export const METADATA_KEY_SETTING = 'metadata_key_sha256';
export const METADATA_KEY_HEADER = 'x-rackcast-metadata-key';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Creates (or replaces: the old key stops working at once) the key and returns it. */
export function rotateMetadataKey(settings: SettingsStore): string {
  const key = `rcm_${randomBytes(32).toString('base64url')}`;
  settings.set(METADATA_KEY_SETTING, { sha256: sha256(key).toString('hex'), created_at: new Date().toISOString() });
  return key;
}

export function deleteMetadataKey(settings: SettingsStore): void {
  settings.delete(METADATA_KEY_SETTING);
}

function stored(settings: SettingsStore): { sha256: string; created_at: string } | null {
  const v = settings.get<unknown>(METADATA_KEY_SETTING, null);
  if (typeof v !== 'object' || v === null) return null;
  const { sha256: hash, created_at } = v as Record<string, unknown>;
  return typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? { sha256: hash, created_at: String(created_at ?? '') } : null;
}

/** When the key was made, or null if there is none. */
export function metadataKeyCreatedAt(settings: SettingsStore): string | null {
  return stored(settings)?.created_at ?? null;
}

export type KeyCheck = 'ok' | 'wrong' | 'none_set';

export function checkMetadataKey(settings: SettingsStore, candidate: string): KeyCheck {
  const entry = stored(settings);
  if (!entry) return 'none_set';
  const expected = Buffer.from(entry.sha256, 'hex');
  return timingSafeEqual(sha256(candidate), expected) ? 'ok' : 'wrong';
}
