// test-timeout: 300
// How big a year of listener history is: 366 days of synthetic 30 s polls for
// eight encoders goes through the real store and the real hourly retention into a real SQLite file,
// which is then VACUUMed and measured. Measured: 7,565,312 bytes (7.6 MB) = 3.7 MB of buckets
// (28 days of 5-minute + 335 days of 1-hour, ~29 bytes a row) + 3.8 MB for the last 48 h of raw polls
// (table and index, ISO text timestamps). About 0.95 MB per encoder-year; the run takes ~35 s.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { ListenerStore } from '../../../src/engine/stats/listener-store.js';
import { DAY_MS, HOUR_MS, planRetention } from '../../../src/engine/stats/downsample.js';

const ENCODERS = 8;
const POLL_MS = 30_000;
const DAYS = 366; // one more day than the hour buckets keep: the steady state
const dir = mkdtempSync(join(tmpdir(), 'rackcast-year-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A station's day: quiet at night, busy at breakfast and drive time, a little noise. */
function listeners(encoder: number, t: number): number {
  const hour = (t % DAY_MS) / HOUR_MS;
  const shape = 0.15 + Math.max(0, Math.sin(((hour - 5) / 24) * 2 * Math.PI)) * 0.85;
  const noise = ((t / POLL_MS) * 7919 + encoder * 104729) % 23;
  return Math.round((40 + encoder * 30) * shape + noise);
}

test('a year of history for 8 encoders stays small', () => {
  const file = join(dir, 'year.db');
  const db = openDatabase(file);
  db.pragma('synchronous = OFF'); // speed only: the file's content and size are the same
  for (let i = 1; i <= ENCODERS; i++) db.prepare("INSERT INTO encoders (name, codec, output_type) VALUES (?, 'mp3', 'icecast')").run(`e${i}`);
  const store = new ListenerStore(db);
  const start = Date.UTC(2025, 0, 1);
  const addHour = db.transaction((from: number) => {
    for (let t = from; t < from + HOUR_MS; t += POLL_MS) {
      for (let e = 1; e <= ENCODERS; e++) {
        const current = listeners(e, t);
        store.add(e, t, { current, peak: current + 10, unique: current, bitrate: 128 });
      }
    }
  });
  const started = Date.now();
  for (let h = 0; h < DAYS * 24; h++) {
    const from = start + h * HOUR_MS;
    addHour(from);
    store.applyRetention(planRetention(from + HOUR_MS)); // the engine's hourly run
  }
  const count = (sql: string): number => (db.prepare(sql).get() as { c: number }).c;
  const raw = count('SELECT count(*) AS c FROM listener_snapshots');
  const five = count('SELECT count(*) AS c FROM listener_rollups WHERE bucket_secs = 300');
  const hours = count('SELECT count(*) AS c FROM listener_rollups WHERE bucket_secs = 3600');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.close();
  const bytes = statSync(file).size;
  console.log(
    `year of history, ${ENCODERS} encoders: ${bytes} bytes (${(bytes / 1e6).toFixed(2)} MB) after VACUUM; ` +
      `rows: ${raw} raw, ${five} 5-min, ${hours} 1-hour; simulated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  // The steady state, per encoder: raw polls for the last 48 h, 5-minute buckets from 48 h to 30 days
  // back (28 days), hour buckets from 30 to 365 days back (335 days); each tier plus less than one
  // of its own buckets not yet rolled.
  assert.ok(Math.abs(raw - ENCODERS * 2 * 24 * 120) <= ENCODERS * 10, `raw rows ${raw}`);
  assert.ok(Math.abs(five - ENCODERS * 28 * 288) <= ENCODERS * 12, `5-min rows ${five}`);
  assert.ok(Math.abs(hours - ENCODERS * 335 * 24) <= ENCODERS, `hour rows ${hours}`);
  assert.ok(bytes < 8 * 1024 * 1024, `${bytes} bytes`);
});

test.run();
