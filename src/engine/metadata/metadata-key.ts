// The metadata key: a credential for playout systems that can only call a URL. It can post a title
// and nothing else, so it may sit in a playout system's config without exposing the box.
import type { SettingsStore } from '../db/settings-store.js';
import { UrlKey, type KeyCheck } from '../url-key.js';

export type { KeyCheck } from '../url-key.js';

export const METADATA_KEY_SETTING = 'metadata_key_sha256';
export const METADATA_KEY_HEADER = 'x-rackcast-metadata-key';

const key = new UrlKey(METADATA_KEY_SETTING, 'rcm_');

/** Creates (or replaces: the old key stops working at once) the key and returns it. */
export function rotateMetadataKey(settings: SettingsStore): string {
  return key.rotate(settings);
}

export function deleteMetadataKey(settings: SettingsStore): void {
  key.remove(settings);
}

/** When the key was made, or null if there is none. */
export function metadataKeyCreatedAt(settings: SettingsStore): string | null {
  return key.createdAt(settings);
}

export function checkMetadataKey(settings: SettingsStore, candidate: string): KeyCheck {
  return key.check(settings, candidate);
}
