import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { HistoryStore, MAX_PENDING_ROWS } from '../../../src/engine/metadata/history-store.js';
import { sqliteMetadataHistory } from '../../../src/engine/recording/metadata-history.js';
import { sleep } from '../../harness/util.js';

const count = (db: ReturnType<typeof openDatabase>): number => (db.prepare('SELECT count(*) AS n FROM metadata_history').get() as { n: number }).n;

test('rows in metadata_history, newest first, limit bounded', () => {
  const db = openDatabase(':memory:');
  const h = new HistoryStore(db);
  assert.is(h.latest(), null);
  const a = h.add({ artist: 'A', title: 'One' }, 'tcp', new Date('2024-05-01T10:00:00Z'));
  h.add({ artist: '', title: 'Jingle' }, 'file', new Date('2024-05-01T10:03:00Z'));
  assert.equal(a, { played_at: '2024-05-01T10:00:00.000Z', artist: 'A', title: 'One', song: 'A - One', source: 'tcp' });
  assert.equal(h.latest(), { id: 2, played_at: '2024-05-01T10:03:00.000Z', artist: '', title: 'Jingle', song: 'Jingle', source: 'file' });
  assert.equal(h.recent().map((e) => e.id), [2, 1]);
  assert.equal(h.recent(1).map((e) => e.id), [2]);
  assert.equal(h.recent(Number.NaN).length, 2);
  assert.equal(h.recent(-5).length, 1);
  const raw = db.prepare('SELECT played_at, artist, title, source FROM metadata_history WHERE id = 1').get();
  assert.equal(raw, { played_at: '2024-05-01T10:00:00.000Z', artist: 'A', title: 'One', source: 'tcp' });
  h.close();
});

test('rows are written together: one transaction per flush interval, however many titles', async () => {
  const db = openDatabase(':memory:');
  const h = new HistoryStore(db, 100);
  const recorder = sqliteMetadataHistory(db);
  for (let i = 0; i < 1000; i++) h.add({ artist: 'A', title: `T${i}` }, 'tcp', new Date(Date.UTC(2024, 4, 1, 10, 0, 0, i)));
  assert.is(count(db), 0, 'nothing written yet: the flood costs no fsync per title');
  assert.equal(h.stats(), { batches: 0, rows_written: 0, pending: 1000, rows_lost: 0, last_error: null });
  await sleep(250);
  assert.is(count(db), 1000);
  assert.equal(h.stats(), { batches: 1, rows_written: 1000, pending: 0, rows_lost: 0, last_error: null });
  // Ids follow arrival, as the recorder's cue sheets expect.
  assert.equal(recorder.since(998).map((r) => r.title), ['T998', 'T999']);
  h.close();
});

test('readers of the API see queued rows (recent() flushes); close() writes the rest and every later row at once', () => {
  const db = openDatabase(':memory:');
  const h = new HistoryStore(db, 60_000);
  h.add({ artist: '', title: 'Queued' }, 'http', new Date());
  assert.equal(h.recent().map((e) => e.title), ['Queued']);
  h.add({ artist: '', title: 'At stop' }, 'http', new Date());
  h.close();
  assert.is(count(db), 2);
  h.add({ artist: '', title: 'After stop' }, 'http', new Date());
  assert.is(count(db), 3);
  db.close();
  h.add({ artist: '', title: 'DB closed' }, 'http', new Date());
  assert.is(h.stats().pending, 1, 'kept, not thrown');
});

test('a failing write never throws; the rows wait (bounded) for the next try', () => {
  const db = openDatabase(':memory:');
  const h = new HistoryStore(db, 60_000);
  db.exec('CREATE TRIGGER refuse BEFORE INSERT ON metadata_history BEGIN SELECT RAISE(ABORT, \'disk full\'); END');
  for (let i = 0; i < MAX_PENDING_ROWS + 5; i++) h.add({ artist: '', title: `T${i}` }, 'udp', new Date());
  h.flush();
  const s = h.stats();
  assert.equal([s.pending, s.rows_lost, s.last_error], [MAX_PENDING_ROWS, 5, 'disk full']);
  db.exec('DROP TRIGGER refuse');
  h.flush();
  assert.is(count(db), MAX_PENDING_ROWS);
  assert.is((db.prepare('SELECT title FROM metadata_history ORDER BY id LIMIT 1').get() as { title: string }).title, 'T5', 'the oldest were given up');
  h.close();
});

test.run();
