import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';
import { HistoryStore } from '../../../src/engine/metadata/history-store.js';

test('rows in metadata_history, newest first, limit bounded', () => {
  const db = openDatabase(':memory:');
  const h = new HistoryStore(db);
  assert.is(h.latest(), null);
  const a = h.add({ artist: 'A', title: 'One' }, 'tcp', new Date('2024-05-01T10:00:00Z'));
  h.add({ artist: '', title: 'Jingle' }, 'file', new Date('2024-05-01T10:03:00Z'));
  assert.equal(a, { id: 1, played_at: '2024-05-01T10:00:00.000Z', artist: 'A', title: 'One', song: 'A - One', source: 'tcp' });
  assert.equal(h.latest(), { id: 2, played_at: '2024-05-01T10:03:00.000Z', artist: '', title: 'Jingle', song: 'Jingle', source: 'file' });
  assert.equal(h.recent().map((e) => e.id), [2, 1]);
  assert.equal(h.recent(1).map((e) => e.id), [2]);
  assert.equal(h.recent(Number.NaN).length, 2);
  assert.equal(h.recent(-5).length, 1);
  const raw = db.prepare('SELECT played_at, artist, title, source FROM metadata_history WHERE id = 1').get();
  assert.equal(raw, { played_at: '2024-05-01T10:00:00.000Z', artist: 'A', title: 'One', source: 'tcp' });
});

test.run();
