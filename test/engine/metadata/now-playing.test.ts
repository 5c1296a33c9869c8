import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { openDatabase } from '../../../src/engine/db/database.js';
import { SettingsStore } from '../../../src/engine/db/settings-store.js';
import { MetadataService } from '../../../src/engine/metadata/now-playing.js';
import type { NowPlaying } from '../../../src/engine/metadata/types.js';
import { freePort, waitFor } from '../../harness/util.js';

function make(db = openDatabase(':memory:')) {
  const changes: NowPlaying[] = [];
  const settings = new SettingsStore(db);
  const service = new MetadataService({ db, settings, onChange: (np) => changes.push(np), now: () => Date.parse('2024-05-01T12:00:00Z') });
  return { db, settings, service, changes };
}

test('a change is stored and handed on; a repeat changes nothing', () => {
  const { db, service, changes } = make();
  const r = service.submit({ artist: 'Café', title: 'Tea' });
  assert.equal(r, { ok: true, changed: true, now_playing: { artist: 'Café', title: 'Tea', song: 'Café - Tea', source: 'http', played_at: '2024-05-01T12:00:00.000Z' } });
  const again = service.submit({ song: 'Café - Tea' });
  assert.ok(again.ok && !again.changed, 'the same title as {song} is a repeat');
  assert.is(changes.length, 1);
  assert.is((db.prepare('SELECT count(*) AS n FROM metadata_history').get() as { n: number }).n, 1);
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
  assert.equal(c.drop_reasons, { empty: 1, too_long: 0, binary: 2, no_match: 0, bad_key: 1 });
  assert.equal(c.last_drop, { at: '2024-05-01T12:00:00.000Z', source: 'http', reason: 'bad_key', message: 'wrong metadata key' });
  assert.is(service.current()!.title, 'Kept');
  assert.is(changes.length, 1);
});

test('the current title survives a restart (read back from metadata_history)', () => {
  const first = make();
  first.service.submit({ artist: 'A', title: 'B' });
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
  assert.equal(service.view().status.tcp, { listening: true, port, error: null });
  const send = (text: string): void => void net.connect(port, '127.0.0.1').end(text);
  send('Song|Band\n');
  await waitFor(() => changes.length === 1, { timeoutMs: 2000 });
  assert.equal([changes[0]!.artist, changes[0]!.title, changes[0]!.source], ['Band', 'Song', 'tcp']);
  send('no pipe here\n');
  await waitFor(() => service.view().counters.drop_reasons.no_match === 1, { timeoutMs: 2000 });
  const before = service.view().status.tcp;
  await service.updateSettings({ line_pattern: null });
  assert.is(service.view().status.tcp, before, 'pattern change does not restart the listener');
  send('Plain - Default\n');
  await waitFor(() => changes.length === 2, { timeoutMs: 2000 });
  await service.updateSettings({ tcp_port: null });
  assert.is(service.view().status.tcp, null);
  await service.stop();
});

test.run();
