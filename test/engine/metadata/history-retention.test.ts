import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { HistoryPruner, pruneHistoryBatch } from '../../../src/engine/metadata/history-retention.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const DAY = 86_400_000;

function withRows(ages: number[]): ReturnType<typeof openDatabase> {
  const db = openDatabase(':memory:');
  const insert = db.prepare('INSERT INTO metadata_history (played_at, artist, title, source) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const [i, ageMs] of ages.entries()) insert.run(new Date(NOW - ageMs).toISOString(), 'A', `T${i}`, 'tcp');
  })();
  return db;
}

const titles = (db: ReturnType<typeof openDatabase>): string[] => (db.prepare('SELECT title FROM metadata_history ORDER BY id').all() as Array<{ title: string }>).map((r) => r.title);

test('rows older than the retention go, in batches; younger ones stay', () => {
  const db = withRows([100 * DAY, 95 * DAY, 91 * DAY, 89 * DAY, 1 * DAY, 0]);
  assert.is(pruneHistoryBatch(db, { days: 90, maxRows: 1000 }, NOW, 2), 2, 'one batch of at most 2');
  assert.is(pruneHistoryBatch(db, { days: 90, maxRows: 1000 }, NOW, 2), 1);
  assert.is(pruneHistoryBatch(db, { days: 90, maxRows: 1000 }, NOW, 2), 0);
  assert.equal(titles(db), ['T3', 'T4', 'T5']);
});

test('the row cap keeps the newest rows; the newest row is never deleted, however old', () => {
  const db = withRows([5000, 4000, 3000, 2000, 1000]);
  assert.is(pruneHistoryBatch(db, { days: 90, maxRows: 2 }, NOW), 3);
  assert.equal(titles(db), ['T3', 'T4']);
  const old = withRows([400 * DAY, 300 * DAY]);
  assert.is(pruneHistoryBatch(old, { days: 90, maxRows: 1000 }, NOW), 1);
  assert.equal(titles(old), ['T1'], 'the current title survives a restart');
  assert.is(pruneHistoryBatch(openDatabase(':memory:'), { days: 1, maxRows: 1000 }, NOW), 0, 'empty table');
});

test('the pruner deletes a big backlog batch by batch, yielding to the event loop between them', async () => {
  const ages = Array.from({ length: 5000 }, (_, i) => (200 - i / 100) * DAY);
  const db = withRows([...ages, 0]);
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  const pruner = new HistoryPruner(db, { retention: () => ({ days: 90, maxRows: 100_000 }), now: () => NOW, batchRows: 500, pauseMs: 5 });
  const deleted = await pruner.run();
  clearInterval(ticker);
  assert.is(deleted, 5000);
  assert.equal(titles(db), ['T5000']);
  assert.ok(ticks >= 5, `the event loop ran between batches (${ticks} ticks)`);
  assert.equal(pruner.status(), { deleted_rows: 5000, last_error: null });
});

test('start() prunes at once and then every interval; stop() ends it', async () => {
  const db = withRows([100 * DAY, 0]);
  let nowMs = NOW;
  const pruner = new HistoryPruner(db, { retention: () => ({ days: 90, maxRows: 1000 }), now: () => nowMs, everyMs: 50 });
  pruner.start();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(titles(db), ['T1'], 'at start');
  db.prepare('INSERT INTO metadata_history (played_at, artist, title, source) VALUES (?, ?, ?, ?)').run(new Date(NOW).toISOString(), '', 'T2', 'tcp');
  nowMs = NOW + 91 * DAY;
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(titles(db), ['T2'], 'on the interval');
  pruner.stop();
});

test.run();
