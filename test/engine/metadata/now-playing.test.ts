import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { openDatabase } from '../../../src/engine/db/database.js';
import { SettingsStore } from '../../../src/engine/db/settings-store.js';
import { MetadataService } from '../../../src/engine/metadata/now-playing.js';
import type { NowPlaying } from '../../../src/engine/metadata/types.js';
import { freePort, waitFor } from '../../harness/util.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function make(db = openDatabase(':memory:'), now = () => NOW) {
  const changes: NowPlaying[] = [];
  const settings = new SettingsStore(db);
  const service = new MetadataService({ db, settings, onChange: (np) => changes.push(np), now });
  return { db, settings, service, changes };
}

const rows = (db: ReturnType<typeof openDatabase>): number => (db.prepare('SELECT count(*) AS n FROM metadata_history').get() as { n: number }).n;

test('a change is stored and handed on; a repeat changes nothing', () => {
  const { db, service, changes } = make();
  const r = service.submit({ artist: 'Café', title: 'Tea' });
  assert.equal(r, { ok: true, changed: true, now_playing: { artist: 'Café', title: 'Tea', song: 'Café - Tea', source: 'http', played_at: '2024-05-01T12:00:00.000Z' } });
  const again = service.submit({ song: 'Café - Tea' });
  assert.ok(again.ok && !again.changed, 'the same title as {song} is a repeat');
  assert.is(changes.length, 1);
  assert.is(service.history.recent().length, 1);
  assert.is(rows(db), 1);
  service.submit({ title: 'Tea' });
  assert.is(changes.length, 2, 'same title without the artist is a change');
  const c = service.view().counters;
  assert.equal([c.accepted.http, c.repeated.http], [2, 1]);
});

test('refusals are counted by source and reason, and change nothing', () => {
  const { service, changes } = make();
  service.submit({ title: 'Kept' });
  assert.equal(service.submit({ title: 'x\u0000y' }), { ok: false, reason: 'binary', message: 'title contains binary data or is not valid UTF-8' });
  assert.equal(service.submitLine(Buffer.from([0x41, 0x00]), 'tcp').ok, false);
  assert.equal(service.submitLine(Buffer.from('   '), 'udp'), { ok: false, reason: 'empty', message: 'no title in the line' });
  service.drop('http', 'bad_key', 'wrong metadata key');
  const c = service.view().counters;
  assert.equal(c.dropped, { http: 2, tcp: 1, udp: 1, file: 0 });
  assert.equal(c.drop_reasons, { empty: 1, too_long: 0, binary: 2, no_match: 0, bad_key: 1, rate_limited: 0 });
  assert.equal(c.last_drop, { at: '2024-05-01T12:00:00.000Z', source: 'http', reason: 'bad_key', message: 'wrong metadata key' });
  assert.is(service.current()!.title, 'Kept');
  assert.is(changes.length, 1);
});

test('the current title survives a restart (read back from metadata_history)', async () => {
  const first = make();
  first.service.submit({ artist: 'A', title: 'B' });
  await first.service.stop();
  const second = make(first.db);
  assert.equal(second.service.current(), first.service.current());
  assert.equal((second.service.submit({ artist: 'A', title: 'B' }) as { changed: boolean }).changed, false, 'still a repeat');
});

test('settings: a TCP listener with a pattern, restarted only when its port changes', async () => {
  const { service, changes } = make();
  const port = await freePort();
  const bad = await service.updateSettings({ tcp_port: 'x' });
  assert.equal(bad, { ok: false, errors: [{ field: 'tcp_port', message: 'must be a port number (1-65535) or null for off' }] });
  assert.equal(await service.updateSettings({ tcp_port: port, bind_address: '127.0.0.1', line_pattern: '^(?<title>[^|]+)\\|(?<artist>.+)$' }), { ok: true });
  assert.equal(service.view().status.tcp, {
    listening: true, port, error: null, connections: 0, max_connections: 16, idle_timeout_secs: 60, closed_idle: 0, closed_for_room: 0,
  });
  const send = (text: string): void => void net.connect(port, '127.0.0.1').end(text);
  send('Song|Band\n');
  await waitFor(() => changes.length === 1, { timeoutMs: 2000 });
  assert.equal([changes[0]!.artist, changes[0]!.title, changes[0]!.source], ['Band', 'Song', 'tcp']);
  send('no pipe here\n');
  await waitFor(() => service.view().counters.drop_reasons.no_match === 1, { timeoutMs: 2000 });
  const before = service.view().status.tcp;
  await service.updateSettings({ line_pattern: null });
  assert.equal(service.view().status.tcp, before, 'pattern change does not restart the listener');
  send('Plain - Default\n');
  await waitFor(() => changes.length === 2, { timeoutMs: 2000 });
  await service.updateSettings({ tcp_port: null });
  assert.is(service.view().status.tcp, null);
  await service.stop();
});

test('the rate limit: per source, new titles only, each drop counted as rate_limited', () => {
  let nowMs = NOW;
  const { db, service, changes } = make(openDatabase(':memory:'), () => nowMs);
  const titles = Array.from({ length: 25 }, (_, i) => Buffer.from(`Flood - ${i}`));
  const results = titles.map((line) => service.submitLine(line, 'tcp'));
  assert.equal(results.filter((r) => r.ok).length, 10, 'the burst');
  assert.equal(results[10], { ok: false, reason: 'rate_limited', message: 'title refused: more than 60 new titles a minute (burst 10) from tcp (max_titles_per_minute)' });
  assert.ok(service.submitLine(Buffer.from('Flood - 9'), 'tcp').ok, 'a repeat of the current title costs nothing and is not a drop');
  assert.ok(service.submit({ title: 'From HTTP' }).ok, 'another source has its own allowance');
  nowMs += 2000;
  assert.equal([service.submitLine(Buffer.from('Later - 1'), 'tcp').ok, service.submitLine(Buffer.from('Later - 2'), 'tcp').ok, service.submitLine(Buffer.from('Later - 3'), 'tcp').ok], [true, true, false]);
  const c = service.view().counters;
  assert.equal([c.accepted.tcp, c.repeated.tcp, c.dropped.tcp, c.drop_reasons.rate_limited, c.accepted.http], [12, 1, 16, 16, 1]);
  assert.equal(c.last_drop?.reason, 'rate_limited');
  assert.is(changes.length, 13, 'one metadata_changed per accepted title');
  assert.is(service.history.recent(100).length, 13, 'and one history row');
  assert.is(rows(db), 13);
});

test('the limit is a setting; history rows are written in batches and all of them on stop', async () => {
  const { db, service } = make();
  assert.equal(await service.updateSettings({ max_titles_per_minute: 6000, title_burst: 1000 }), { ok: true });
  for (let i = 0; i < 500; i++) assert.ok(service.submit({ title: `T${i}` }).ok);
  assert.is(rows(db), 0, 'queued, not one fsync per title');
  assert.is(service.view().status.history.pending, 500);
  await service.stop();
  assert.is(rows(db), 500);
  assert.equal([service.view().status.history.batches, service.view().status.history.pending], [1, 0]);
});

test('history is pruned at start (retention days, row cap), and again when the retention changes', async () => {
  const db = openDatabase(':memory:');
  const insert = db.prepare('INSERT INTO metadata_history (played_at, artist, title, source) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < 1500; i++) insert.run(new Date(NOW - (200 - i / 10) * 86_400_000).toISOString(), '', `Old ${i}`, 'file');
  insert.run(new Date(NOW).toISOString(), 'Now', 'Current', 'http');
  const { service } = make(db);
  await service.start();
  await waitFor(() => rows(db) === 1001, { timeoutMs: 3000, what: '90 days kept' });
  assert.is(service.current()?.title, 'Current');
  assert.equal(await service.updateSettings({ history_retention_days: 30 }), { ok: true });
  await waitFor(() => rows(db) === 1, { timeoutMs: 3000, what: '30 days kept' });
  assert.is(service.view().status.history.pruned_rows, 1500);
  await service.stop();
});

test('a stored line_pattern that RE2 refuses: the listeners stay, lines are dropped and say why, until a pattern is saved', async () => {
  const db = openDatabase(':memory:');
  const port = await freePort();
  new SettingsStore(db).set('metadata_intake', { tcp_port: port, bind_address: '127.0.0.1', line_pattern: '^(?<title>.+)(?=!)' });
  const { service, changes } = make(db);
  await service.start();
  assert.ok(service.view().status.tcp?.listening);
  assert.equal(service.view().status.stored_errors.map((e) => e.field), ['line_pattern']);
  const r = service.submitLine(Buffer.from('Title!'), 'tcp');
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.message, /^line_pattern cannot be matched in linear time/);
  assert.ok(!(await service.updateSettings({ line_pattern: '(?<title>(a)\\1)' })).ok, 'still refused when saved');
  assert.equal(await service.updateSettings({ line_pattern: '^(?<title>.+)!$' }), { ok: true });
  assert.ok(service.submitLine(Buffer.from('Title!'), 'tcp').ok);
  assert.is(changes[0]?.title, 'Title');
  assert.equal(service.view().status.stored_errors, []);
  await service.stop();
});

test.run();
