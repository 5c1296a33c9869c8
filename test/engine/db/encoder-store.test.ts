import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase, type Database } from '../../../src/engine/db/database.js';
import { EncoderStore, type EncoderWrite } from '../../../src/engine/db/encoder-store.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-encoders-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function fresh(): { db: Database; store: EncoderStore; file: string } {
  const file = join(dir, `db${++n}.sqlite`);
  const db = openDatabase(file);
  return { db, store: new EncoderStore(db), file };
}

function sample(overrides: Partial<EncoderWrite> = {}): EncoderWrite {
  return {
    name: 'Main 128kbps', enabled: true, codec: 'mp3', bitrate_kbps: 128, sample_rate: 44100, channels: 2,
    quality: null, output_type: 'icecast', server_host: 'localhost', server_port: 8000,
    server_password: 'hackme', server_username: 'source', mount_point: '/live', shoutcast_sid: null,
    stream_name: 'Radio X', stream_genre: 'Various', stream_url: 'https://radio.example', stream_description: null,
    is_public: false, file_output_path: null, file_rotation: 'hourly', file_max_size_mb: 500,
    file_name_template: '{date}-{time}-{station}.mp3', send_metadata: true, icy_metadata_interval: 8192,
    reconnect_delay_secs: 5, max_reconnect_attempts: 0, backend: 'ffmpeg', stats_admin_user: null,
    metadata_charset: 'UTF-8',
    on_silence: 'keep',
    ...overrides,
  };
}

test('create, get and list map rows to EncoderConfig without the password', () => {
  const { db, store } = fresh();
  const w = sample();
  const id = store.create(w);
  const got = store.get(id);
  assert.ok(got);
  const { server_password: _omitted, ...expected } = w;
  assert.equal({ ...got, created_at: 'x' }, { ...expected, id, created_at: 'x' });
  assert.not.ok('server_password' in got, 'get() has no server_password key at all');
  assert.match(got.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'created_at is ISO UTC');
  assert.is(typeof got.enabled, 'boolean');
  const all = store.list();
  assert.is(all.length, 1);
  assert.not.ok('server_password' in (all[0] ?? {}));
  assert.not.ok(JSON.stringify(all).includes('hackme'));
  assert.is(store.password(id), 'hackme');
  assert.is(store.get(999), null);
  assert.is(store.password(999), null);
  db.close();
});

test('booleans are stored as INTEGER 0/1 and read back as booleans', () => {
  const { db, store } = fresh();
  const id = store.create(sample({ enabled: false, is_public: true, send_metadata: false }));
  const raw = db.prepare('SELECT enabled, is_public, send_metadata FROM encoders WHERE id = ?').get(id);
  assert.equal(raw, { enabled: 0, is_public: 1, send_metadata: 0 });
  const got = store.get(id);
  assert.equal([got?.enabled, got?.is_public, got?.send_metadata], [false, true, false]);
  db.close();
});

test('a row with only the NOT NULL columns reads back with the seed defaults', () => {
  const { db, store } = fresh();
  const id = Number(db.prepare("INSERT INTO encoders (name, codec, output_type) VALUES ('A', 'mp3', 'file')").run().lastInsertRowid);
  const got = store.get(id);
  assert.is(got?.enabled, true);
  assert.is(got?.sample_rate, 44100);
  assert.is(got?.file_rotation, 'hourly');
  assert.is(got?.server_username, 'source');
  assert.is(got?.backend, 'ffmpeg');
  assert.is(got?.icy_metadata_interval, 8192);
  db.close();
});

test('update replaces fields; undefined password keeps it, null and empty clear it', () => {
  const { db, store } = fresh();
  const id = store.create(sample());
  const { server_password: _p, ...withoutPassword } = sample({ name: 'Renamed', bitrate_kbps: 192 });
  assert.ok(store.update(id, withoutPassword));
  assert.is(store.get(id)?.name, 'Renamed');
  assert.is(store.get(id)?.bitrate_kbps, 192);
  assert.is(store.password(id), 'hackme', 'missing password keeps the stored one');
  assert.ok(store.update(id, sample({ server_password: undefined })));
  assert.is(store.password(id), 'hackme', 'explicit undefined keeps it too');
  assert.ok(store.update(id, sample({ server_password: 'new-secret' })));
  assert.is(store.password(id), 'new-secret');
  assert.ok(store.update(id, sample({ server_password: '' })));
  assert.is(store.password(id), null, "'' clears it");
  store.update(id, sample({ server_password: 'again' }));
  assert.ok(store.update(id, sample({ server_password: null })));
  assert.is(store.password(id), null, 'null clears it');
  assert.not.ok(store.update(12345, sample()), 'unknown id');
  db.close();
});

test('delete removes the encoder and cascades its listener snapshots', () => {
  const { db, store } = fresh();
  const a = store.create(sample({ name: 'A' }));
  const b = store.create(sample({ name: 'B' }));
  const snap = db.prepare('INSERT INTO listener_snapshots (encoder_id, current_listeners) VALUES (?, ?)');
  snap.run(a, 3);
  snap.run(a, 4);
  snap.run(b, 7);
  assert.ok(store.delete(a));
  assert.not.ok(store.delete(a), 'second delete finds nothing');
  assert.equal(store.list().map((e) => e.name), ['B']);
  const left = db.prepare('SELECT encoder_id, current_listeners FROM listener_snapshots').all();
  assert.equal(left, [{ encoder_id: b, current_listeners: 7 }]);
  db.close();
});

test('writes are durable across reopen', () => {
  const { db, store, file } = fresh();
  const id = store.create(sample({ name: 'Durable' }));
  db.close();
  const again = openDatabase(file);
  assert.is(new EncoderStore(again).get(id)?.name, 'Durable');
  again.close();
});

test.run();
