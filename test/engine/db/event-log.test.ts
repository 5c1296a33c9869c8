import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { EventLog, DEFAULT_MAX_EVENT_ROWS } from '../../../src/engine/db/event-log.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-events-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => openDatabase(join(dir, `db${++n}.sqlite`));

test('add returns the stored event; recent is newest first', () => {
  const db = fresh();
  const log = new EventLog(db);
  assert.is(log.maxRows, DEFAULT_MAX_EVENT_ROWS);
  const e = log.add({ level: 'info', kind: 'encoder_connected', encoderId: 1, message: 'Connected to localhost:8000/live' });
  assert.is(e.kind, 'encoder_connected');
  assert.is(e.encoder_id, 1);
  assert.is(e.data, null);
  assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  log.add({ level: 'warning', kind: 'encoder_retrying', encoderId: 2, message: 'Retrying', data: { attempt: 1, max: 0, delay_secs: 5 } });
  log.add({ level: 'error', kind: 'capture_lost', message: 'The audio input stopped' });
  const recent = log.recent();
  assert.equal(recent.map((r) => r.kind), ['capture_lost', 'encoder_retrying', 'encoder_connected']);
  assert.equal(recent[1]?.data, { attempt: 1, max: 0, delay_secs: 5 });
  assert.is(recent[0]?.encoder_id, null);
  db.close();
});

test('recent filters by encoder and honours limit', () => {
  const db = fresh();
  const log = new EventLog(db);
  for (let i = 0; i < 10; i++) log.add({ level: 'info', kind: 'encoder_started', encoderId: i % 2, message: `m${i}` });
  assert.equal(log.recent({ limit: 3 }).map((e) => e.message), ['m9', 'm8', 'm7']);
  assert.equal(log.recent({ encoderId: 0, limit: 2 }).map((e) => e.message), ['m8', 'm6']);
  assert.is(log.recent({ encoderId: 1 }).length, 5);
  assert.is(log.recent({ limit: Number.NaN }).length, 10, 'a NaN limit falls back to the default');
  assert.is(log.recent({ limit: 0 }).length, 1, 'limit is at least 1');
  db.close();
});

test('the oldest events are pruned beyond maxRows', () => {
  const db = fresh();
  const log = new EventLog(db, { maxRows: 5 });
  for (let i = 0; i < 12; i++) log.add({ level: 'info', kind: 'config_changed', message: `m${i}` });
  const count = db.prepare('SELECT count(*) AS c FROM events').get() as { c: number };
  assert.is(count.c, 5);
  assert.equal(log.recent({ limit: 100 }).map((e) => e.message), ['m11', 'm10', 'm9', 'm8', 'm7']);
  db.close();
});

test('unserialisable data does not throw into the caller', () => {
  const db = fresh();
  const log = new EventLog(db);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const e = log.add({ level: 'error', kind: 'encoder_process_exited', encoderId: 3, message: 'ffmpeg exited', data: cyclic });
  assert.ok(typeof e.data === 'object' && e.data !== null && 'unserializable' in e.data);
  const big = log.add({ level: 'info', kind: 'x', message: 'y', data: { n: 10n } });
  assert.ok(typeof big.data === 'object' && big.data !== null && 'unserializable' in big.data);
  db.close();
});

test.run();
