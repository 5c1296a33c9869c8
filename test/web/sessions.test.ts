// Sign-in sessions kept in the database: only hashes stored, a new store (the engine restarted) knows them,
// an idle one expires and is deleted, a use is written back at most every EXTEND_WRITE_MS, and a password
// change keeps only the session that made it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/engine/db/database.js';
import { EXTEND_WRITE_MS, SESSION_IDLE_MS, SessionStore, SessionTable } from '../../src/web/sessions.js';

function setup() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'sessions-')), 'rackcast.db'));
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const make = () => new SessionStore({ now: clock.now, persist: new SessionTable(db) });
  const rows = () => db.prepare('SELECT token_sha256, expires_at_ms FROM sessions').all() as { token_sha256: string; expires_at_ms: number }[];
  return { db, clock, make, rows };
}

test('a restart keeps the sessions; only hashes are stored; idle ones expire', () => {
  const { clock, make, rows } = setup();
  const a = make().create();
  assert.is(rows().length, 1);
  assert.is.not(rows()[0]!.token_sha256, a.token);
  const again = make();
  assert.ok(again.validate(a.token), 'known after the restart');
  clock.advance(SESSION_IDLE_MS + 1);
  assert.not.ok(make().validate(a.token), 'idle too long');
  assert.is(rows().length, 0, 'and deleted');
});

test('uses are written back at most every EXTEND_WRITE_MS', () => {
  const { clock, make, rows } = setup();
  const store = make();
  const { token } = store.create();
  const first = rows()[0]!.expires_at_ms;
  clock.advance(1000);
  store.validate(token);
  assert.is(rows()[0]!.expires_at_ms, first, 'a quick second use writes nothing');
  clock.advance(EXTEND_WRITE_MS);
  store.validate(token);
  assert.ok(rows()[0]!.expires_at_ms > first, 'a later one extends the stored expiry');
});

test('destroyAllBut keeps only that session, in memory and on disk', () => {
  const { make, rows } = setup();
  const store = make();
  const [a, b, c] = [store.create(), store.create(), store.create()];
  store.destroyAllBut(b.token);
  assert.equal([store.validate(a.token), store.validate(b.token), store.validate(c.token)], [false, true, false]);
  assert.is(rows().length, 1);
  const restarted = make();
  assert.ok(restarted.validate(b.token));
  assert.not.ok(restarted.validate(a.token));
});

test('sessions deleted by another process (rackcast passwd) end in the running store at once', () => {
  const { db, make } = setup();
  const store = make();
  const { token } = store.create();
  assert.ok(store.validate(token));
  new SessionTable(db).removeAllBut(null);
  assert.not.ok(store.validate(token));
});

test.run();
