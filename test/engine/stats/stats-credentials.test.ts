// The encoder's Icecast admin credentials for /admin/stats (migration 2): validated by the shared
// schema, the password write-only like server_password, and handed to the collector.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { EncoderStore } from '../../../src/engine/db/encoder-store.js';
import { parseEncoderInput } from '../../../src/engine/stream/encoder-schema.js';
import { targetFor } from '../../../src/engine/stats/server-probe.js';

const base = {
  name: 'Main', codec: 'mp3', output_type: 'icecast', server_host: 'radio.example', server_port: 8000,
  server_password: 'hackme', mount_point: '/live.mp3',
};

function write(store: EncoderStore, input: Record<string, unknown>, id?: number): number {
  const parsed = parseEncoderInput(input, id === undefined ? undefined : store.get(id)!);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  if (id === undefined) return store.create(parsed.value);
  store.update(id, parsed.value);
  return id;
}

test('stats_admin_user: optional, no ":"; stats_admin_password: text without control characters', () => {
  const ok = parseEncoderInput(base);
  assert.ok(ok.ok && ok.value.stats_admin_user === null && ok.value.stats_admin_password === null);
  const badUser = parseEncoderInput({ ...base, stats_admin_user: 'ad:min' });
  assert.equal(!badUser.ok && badUser.errors, [{ field: 'stats_admin_user', message: 'must not contain ":"' }]);
  const badPw = parseEncoderInput({ ...base, stats_admin_password: 'a\nb' });
  assert.equal(!badPw.ok && badPw.errors, [{ field: 'stats_admin_password', message: 'must not contain control characters' }]);
  const emptyUser = parseEncoderInput({ ...base, stats_admin_user: '' });
  assert.ok(emptyUser.ok && emptyUser.value.stats_admin_user === null, '"" means not set');
});

test('the admin password is write-only: never read back, kept on update unless a new one is given', () => {
  const db = openDatabase(':memory:');
  const store = new EncoderStore(db);
  const id = write(store, { ...base, stats_admin_user: 'admin', stats_admin_password: 's3cret' });
  const got = store.get(id)!;
  assert.is(got.stats_admin_user, 'admin');
  assert.not.ok('stats_admin_password' in got);
  assert.is(store.statsAdminPassword(id), 's3cret');
  assert.is(store.password(id), 'hackme', 'the source password is separate');

  write(store, { ...got, stream_name: 'Renamed' }, id);
  assert.is(store.statsAdminPassword(id), 's3cret', 'an update without it keeps it');
  write(store, { stats_admin_password: '' }, id);
  assert.is(store.statsAdminPassword(id), 's3cret', '"" keeps it too (the page never has it to send back)');
  write(store, { stats_admin_password: 'n3w', server_password: 'other' }, id);
  assert.equal([store.statsAdminPassword(id), store.password(id)], ['n3w', 'other']);

  const target = targetFor(store.get(id)!, store.statsAdminPassword(id));
  assert.equal(target?.admin, { user: 'admin', password: 'n3w' });
  write(store, { stats_admin_user: null }, id);
  assert.is(targetFor(store.get(id)!, store.statsAdminPassword(id))?.admin, null, 'no user: public stats only');
  db.close();
});

test.run();
