// Listener history in a real SQLite file (migrations 1 and 2): snapshots, ranges, retention runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase, type Database } from '../../../src/engine/db/database.js';
import { ListenerStore } from '../../../src/engine/stats/listener-store.js';
import { DAY_MS, HOUR_MS, planRetention } from '../../../src/engine/stats/downsample.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-listeners-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function fresh(encoders = 2): { db: Database; store: ListenerStore } {
  const db = openDatabase(join(dir, `db${++n}.sqlite`));
  for (let i = 0; i < encoders; i++) db.prepare("INSERT INTO encoders (name, codec, output_type) VALUES ('e', 'mp3', 'icecast')").run();
  return { db, store: new ListenerStore(db) };
}

const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const counts = (current: number, peak = current) => ({ current, peak, unique: null, bitrate: 128 });

test('snapshots land in the seed columns, ISO UTC times; latest and ranges per encoder', () => {
  const { db, store } = fresh();
  store.add(1, T0, counts(3, 5));
  store.add(1, T0 + 30_000, counts(4, 5));
  store.add(2, T0 + 30_000, counts(9));
  const rows = db.prepare('SELECT encoder_id, snapshot_at, current_listeners, peak_listeners, unique_listeners, stream_bitrate FROM listener_snapshots ORDER BY id').all();
  assert.equal(rows[0], { encoder_id: 1, snapshot_at: '2026-03-01T00:00:00.000Z', current_listeners: 3, peak_listeners: 5, unique_listeners: 0, stream_bitrate: 128 });
  assert.equal(store.latest(1), { at: '2026-03-01T00:00:30.000Z', current: 4, peak: 5, unique: 0, bitrate: 128 });
  assert.is(store.latest(3), null);
  assert.equal(store.samples(1, T0, T0 + 30_000).map((s) => s.currentSum), [3], 'range end is exclusive');
  db.close();
});

test('a snapshot written with the seed default timestamp format is still read at the right time', () => {
  const { db, store } = fresh(1);
  db.prepare("INSERT INTO listener_snapshots (encoder_id, snapshot_at, current_listeners) VALUES (1, '2026-03-01 00:00:10', 6)").run();
  assert.equal(store.latest(1)?.at, '2026-03-01T00:00:10.000Z');
  db.close();
});

test('retention: raw older than 48 h becomes 5-minute buckets, 30-day-old buckets become hours, a year-old hour goes', () => {
  const { db, store } = fresh(1);
  const now = T0 + 400 * DAY_MS;
  const old = now - 3 * DAY_MS; // a whole hour, rolled into 5-minute buckets
  for (let i = 0; i < 20; i++) store.add(1, old + i * 30_000, counts(i));
  store.add(1, now - HOUR_MS, counts(50)); // recent: stays raw
  const first = store.applyRetention(planRetention(now));
  assert.equal(first, { rawRolled: 20, fiveMinRolled: 0, hourDeleted: 0 });
  const buckets = db.prepare('SELECT bucket_secs, bucket_start, samples, current_sum, current_max FROM listener_rollups ORDER BY bucket_start').all();
  assert.equal(buckets, [
    { bucket_secs: 300, bucket_start: old / 1000, samples: 10, current_sum: 45, current_max: 9 },
    { bucket_secs: 300, bucket_start: old / 1000 + 300, samples: 10, current_sum: 145, current_max: 19 },
  ]);
  assert.is((db.prepare('SELECT count(*) AS c FROM listener_snapshots').get() as { c: number }).c, 1);

  // 31 days later the two 5-minute buckets are one hour bucket, average unchanged (190 / 20).
  const later = now + 31 * DAY_MS;
  assert.equal(store.applyRetention(planRetention(later)), { rawRolled: 1, fiveMinRolled: 3, hourDeleted: 0 });
  const hours = db.prepare('SELECT bucket_secs, bucket_start, samples, current_sum, current_max FROM listener_rollups WHERE bucket_secs = 3600 ORDER BY bucket_start').all();
  assert.equal(hours[0], { bucket_secs: 3600, bucket_start: old / 1000, samples: 20, current_sum: 190, current_max: 19 });
  // A year on, it is gone.
  const yearLater = old + 366 * DAY_MS;
  assert.equal(store.applyRetention(planRetention(yearLater)).hourDeleted, 1);
  db.close();
});

test('late raw rows for an already rolled bucket merge into it (clock stepped back)', () => {
  const { db, store } = fresh(1);
  const now = T0 + 10 * DAY_MS;
  const t = now - 3 * DAY_MS;
  store.add(1, t, counts(2));
  store.applyRetention(planRetention(now));
  store.add(1, t + 1000, counts(8));
  store.applyRetention(planRetention(now));
  assert.equal(db.prepare('SELECT samples, current_sum, current_max FROM listener_rollups').all(), [{ samples: 2, current_sum: 10, current_max: 8 }]);
  db.close();
});

test('samples() returns buckets and raw polls together without overlap', () => {
  const { db, store } = fresh(1);
  const now = T0 + 10 * DAY_MS;
  for (let t = now - 3 * DAY_MS; t < now; t += 60_000) store.add(1, t, counts(1));
  store.applyRetention(planRetention(now));
  const s = store.samples(1, now - 7 * DAY_MS, now);
  assert.is(s.reduce((a, b) => a + b.samples, 0), 3 * 24 * 60, 'every poll counted exactly once');
  assert.ok(s.some((x) => x.samples === 5) && s.some((x) => x.samples === 1), 'both kinds present');
  db.close();
});

test('deleting an encoder deletes its snapshots and its buckets (ON DELETE CASCADE)', () => {
  const { db, store } = fresh(2);
  const now = T0 + 10 * DAY_MS;
  store.add(1, now - 3 * DAY_MS, counts(1));
  store.add(1, now, counts(1));
  store.add(2, now, counts(1));
  store.applyRetention(planRetention(now));
  db.prepare('DELETE FROM encoders WHERE id = 1').run();
  assert.equal(db.prepare('SELECT encoder_id FROM listener_snapshots').all(), [{ encoder_id: 2 }]);
  assert.equal(db.prepare('SELECT count(*) AS c FROM listener_rollups').get(), { c: 0 });
  db.close();
});

test.run();
