import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { SettingsStore } from '../../../src/engine/db/settings-store.js';
import { METADATA_KEY_SETTING, checkMetadataKey, deleteMetadataKey, metadataKeyCreatedAt, rotateMetadataKey } from '../../../src/engine/metadata/metadata-key.js';

test('created once, stored hashed, rotated, deleted', () => {
  const settings = new SettingsStore(openDatabase(':memory:'));
  assert.is(checkMetadataKey(settings, 'anything'), 'none_set');
  assert.is(metadataKeyCreatedAt(settings), null);
  const key = rotateMetadataKey(settings);
  assert.match(key, /^rcm_[A-Za-z0-9_-]{43}$/);
  assert.not.ok(JSON.stringify(settings.get(METADATA_KEY_SETTING, null)).includes(key), 'not stored in clear');
  assert.is(checkMetadataKey(settings, key), 'ok');
  assert.is(checkMetadataKey(settings, key + 'x'), 'wrong');
  assert.is(checkMetadataKey(settings, ''), 'wrong');
  assert.ok(metadataKeyCreatedAt(settings));
  const next = rotateMetadataKey(settings);
  assert.is(checkMetadataKey(settings, key), 'wrong', 'the old key stops working');
  assert.is(checkMetadataKey(settings, next), 'ok');
  deleteMetadataKey(settings);
  assert.is(checkMetadataKey(settings, next), 'none_set');
});

test('a corrupted setting matches nothing', () => {
  const settings = new SettingsStore(openDatabase(':memory:'));
  settings.set(METADATA_KEY_SETTING, { sha256: 'zz' });
  assert.is(checkMetadataKey(settings, 'x'), 'none_set');
});

test.run();
