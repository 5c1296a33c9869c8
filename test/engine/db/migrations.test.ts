import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../../../src/engine/db/database.js';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from '../../../src/engine/db/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-migrations-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(dir, `db${++n}.sqlite`);

// The seed document's `encoders` table (seed/000_15756b421cec74f7.txt): column -> default as SQLite reports it.
const SEED_ENCODER_COLUMNS: Record<string, string | null> = {
  id: null, name: null, enabled: '1', codec: null, bitrate_kbps: null, sample_rate: '44100', channels: '2',
  quality: null, output_type: null, server_host: null, server_port: null, server_password: null,
  mount_point: null, stream_name: null, stream_genre: null, stream_url: null, stream_description: null,
  is_public: '0', file_output_path: null, file_rotation: "'hourly'", file_max_size_mb: '500',
  file_name_template: "'{date}-{time}-{station}.mp3'", send_metadata: '1', icy_metadata_interval: '8192',
  reconnect_delay_secs: '5', max_reconnect_attempts: '0', created_at: 'CURRENT_TIMESTAMP',
};

interface ColumnInfo { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }

test('a new file is migrated to the latest version, once', () => {
  const file = freshFile();
  const db = openDatabase(file);
  assert.is(schemaVersion(db), MIGRATIONS.length);
  const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
  assert.equal(rows, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  assert.equal(migrate(db), [], 'migrating again applies nothing');
  db.close();

  const again = openDatabase(file);
  assert.is(schemaVersion(again), MIGRATIONS.length);
  const count = again.prepare('SELECT count(*) AS c FROM schema_migrations').get() as { c: number };
  assert.is(count.c, MIGRATIONS.length, 're-opening does not re-apply');
  again.close();
});

test('encoders has every seed column with the seed default, plus the implementation columns', () => {
  const db = openDatabase(freshFile());
  const cols = new Map((db.pragma('table_info(encoders)') as ColumnInfo[]).map((c) => [c.name, c]));
  for (const [name, dflt] of Object.entries(SEED_ENCODER_COLUMNS)) {
    const c = cols.get(name);
    assert.ok(c, `column ${name} exists`);
    assert.is(c.dflt_value, dflt, `default of ${name}`);
  }
  for (const name of ['name', 'codec', 'output_type']) assert.is(cols.get(name)?.notnull, 1, `${name} NOT NULL`);
  assert.is(cols.get('id')?.pk, 1);
  assert.is(cols.get('server_username')?.dflt_value, "'source'");
  assert.is(cols.get('backend')?.dflt_value, "'ffmpeg'");
  assert.ok(cols.has('shoutcast_sid'));
  assert.is(cols.get('metadata_charset')?.dflt_value, "'UTF-8'");
  // +3 (migration 1: server_username, shoutcast_sid, backend), +2 (migration 2: stats_admin_user/password),
  // +1 (migration 3: metadata_charset), +1 (migration 5: on_silence).
  assert.is(cols.get('on_silence')?.dflt_value, "'keep'");
  assert.is(cols.size, Object.keys(SEED_ENCODER_COLUMNS).length + 3 + 2 + 1 + 1, 'no other columns');
  db.close();
});

test('the other tables and the snapshot index exist; snapshots cascade', () => {
  const db = openDatabase(freshFile());
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  for (const t of ['encoders', 'listener_snapshots', 'metadata_history', 'events', 'settings', 'schema_migrations']) {
    assert.ok(tables.includes(t), t);
  }
  const idx = db.pragma('index_list(listener_snapshots)') as { name: string }[];
  const idxCols = idx.flatMap((i) => (db.pragma(`index_info(${i.name})`) as { name: string }[]).map((c) => c.name));
  assert.equal(idxCols, ['encoder_id', 'snapshot_at']);
  const fks = db.pragma('foreign_key_list(listener_snapshots)') as { table: string; on_delete: string }[];
  assert.equal(fks.map((f) => [f.table, f.on_delete]), [['encoders', 'CASCADE']]);
  db.close();
});

test('events.at defaults to ISO UTC with milliseconds', () => {
  const db = openDatabase(freshFile());
  db.prepare("INSERT INTO events (level, kind, message) VALUES ('info', 'x', 'y')").run();
  const { at } = db.prepare('SELECT at FROM events').get() as { at: string };
  assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  db.close();
});

test('each migration runs in its own transaction: a failing one leaves the previous version intact', () => {
  const db = new BetterSqlite3(freshFile());
  const list: Migration[] = [
    { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE a (x)') },
    { version: 2, name: 'two', up: (d) => { d.exec('CREATE TABLE b (x)'); throw new Error('boom'); } },
  ];
  assert.throws(() => migrate(db, list), /boom/);
  assert.is(schemaVersion(db), 1);
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  assert.ok(names.includes('a'));
  assert.not.ok(names.includes('b'), 'the failed migration was rolled back');
  // Fixed firmware: version 2 now applies on the next start, version 1 is not re-run.
  list[1] = { version: 2, name: 'two', up: (d) => d.exec('CREATE TABLE b (x)') };
  assert.equal(migrate(db, list), [2]);
  db.close();
});

test('refuses a database written by newer firmware, and a broken migration list', () => {
  const file = freshFile();
  const db = new BetterSqlite3(file);
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => openDatabase(file), /newer than this firmware/);
  const mem = new BetterSqlite3(':memory:');
  assert.throws(() => migrate(mem, [{ version: 2, name: 'gap', up: () => {} }]), /expected 1/);
  mem.close();
});

test.run();
