import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { SettingsStore } from '../../../src/engine/db/settings-store.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-settings-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('get returns the fallback for a missing key, set/get round-trips JSON', () => {
  const db = openDatabase(join(dir, 'a.sqlite'));
  const s = new SettingsStore(db);
  assert.is(s.get('station_name', 'RackCast'), 'RackCast');
  s.set('station_name', 'Radio X');
  s.set('capture', { device: 'hw:1,0', sampleRate: 48000 });
  s.set('flag', false);
  s.set('nothing', null);
  assert.is(s.get('station_name', ''), 'Radio X');
  assert.equal(s.get('capture', {}), { device: 'hw:1,0', sampleRate: 48000 });
  assert.is(s.get('flag', true), false, 'a stored false is not replaced by the fallback');
  assert.is(s.get<string | null>('nothing', 'x'), null);
  s.set('station_name', 'Radio Y');
  assert.is(s.get('station_name', ''), 'Radio Y', 'set overwrites');
  db.close();
});

test('set(undefined) and delete remove the key; corrupt JSON falls back', () => {
  const db = openDatabase(join(dir, 'b.sqlite'));
  const s = new SettingsStore(db);
  s.set('a', 1);
  s.set('a', undefined);
  assert.is(s.get('a', 0), 0);
  s.set('b', 2);
  s.delete('b');
  assert.is(s.get('b', 0), 0);
  db.prepare("INSERT INTO settings (key, value) VALUES ('broken', '{not json')").run();
  assert.equal(s.get('broken', { ok: true }), { ok: true });
  db.close();
});

test('settings persist across reopen', () => {
  const file = join(dir, 'c.sqlite');
  const db = openDatabase(file);
  new SettingsStore(db).set('panel', { brightness: 3 });
  db.close();
  const again = openDatabase(file);
  assert.equal(new SettingsStore(again).get('panel', null), { brightness: 3 });
  again.close();
});

test.run();
