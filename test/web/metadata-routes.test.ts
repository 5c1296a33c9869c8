// Every title intake end to end through the real engine and its HTTP API: POST, GET with the
// metadata key, TCP, UDP and the now-playing file; bad input refused with a clear error or dropped
// and counted, without losing anything else; history, repeats and the SSE event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { startTestEngine, type TestEngine } from '../harness/engine.js';
import { freePort, waitFor } from '../harness/util.js';

let t: TestEngine;
let key = '';

async function current(): Promise<{ artist: string; title: string; source: string } | null> {
  return (await t.api('GET', '/api/metadata')).body.now_playing;
}

interface IntakeReply {
  error?: string;
  reason?: string;
  now_playing?: { song: string; title: string };
}

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: IntakeReply }> {
  const res = await fetch(t.web.url + path, { headers });
  return { status: res.status, body: (await res.json()) as IntakeReply };
}

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone:440' });
});

test.after(async () => {
  await t?.stop();
});

test('POST /api/metadata with {artist, title}, {song} and a form; GET returns current and history', async () => {
  const r = await t.api('POST', '/api/metadata', { artist: 'Björk', title: 'Jóga' });
  assert.is(r.status, 200);
  assert.equal([r.body.changed, r.body.now_playing.song, r.body.now_playing.source], [true, 'Björk - Jóga', 'http']);
  const again = await t.api('POST', '/api/metadata', { song: 'Björk - Jóga' });
  assert.equal([again.status, again.body.changed], [200, false], 'a repeat is not a change');
  const form = await fetch(`${t.web.url}/api/metadata`, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from('admin:test-admin-pw').toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'song=Form+%26+Co+-+Posted',
  });
  assert.is(form.status, 200);
  const read = await t.api('GET', '/api/metadata?limit=5');
  assert.equal(read.body.now_playing.song, 'Form & Co - Posted');
  assert.equal(read.body.history.map((h: { song: string }) => h.song), ['Form & Co - Posted', 'Björk - Jóga']);
});

test('the metadata key: created once, posts titles by GET (query or header), and can do nothing else', async () => {
  assert.is((await get('/api/metadata?key=nope&song=X')).status, 401, 'no key set yet');
  const created = await t.api('POST', '/api/metadata/key');
  assert.is(created.status, 201);
  key = created.body.key;
  assert.match(key, /^rcm_/);
  const byQuery = await get(`/api/metadata?key=${encodeURIComponent(key)}&artist=Sigur%20R%C3%B3s&title=Hopp%C3%ADpolla`);
  assert.equal([byQuery.status, byQuery.body.now_playing?.song], [200, 'Sigur Rós - Hoppípolla']);
  const byHeader = await get('/api/metadata?song=Header%20-%20Key', { 'X-RackCast-Metadata-Key': key });
  assert.equal([byHeader.status, byHeader.body.now_playing?.title], [200, 'Key']);
  const wrong = await get('/api/metadata?key=rcm_wrong&song=Evil%20-%20Title');
  assert.equal([wrong.status, wrong.body.error], [401, 'wrong metadata key']);
  assert.is((await current())!.title, 'Key', 'a wrong key changes nothing');
  assert.is((await get(`/api/metadata?key=${key}`)).status, 400, 'the key cannot read the history');
  for (const path of ['/api/status', '/api/encoders', '/api/metadata/settings', '/api/log']) {
    assert.is((await get(`${path}?key=${key}`)).status, 401, path);
    assert.is((await get(path, { 'X-RackCast-Metadata-Key': key })).status, 401, path);
  }
  const rotate = await fetch(`${t.web.url}/api/metadata/key`, { method: 'POST', headers: { 'X-RackCast-Metadata-Key': key } });
  assert.is(rotate.status, 401, 'the key cannot make a new key');
  const next = (await t.api('POST', '/api/metadata/key')).body.key;
  assert.is((await get(`/api/metadata?key=${key}&song=Old%20Key`)).status, 401, 'rotation retires the old key');
  assert.is((await get(`/api/metadata?key=${next}&song=New%20-%20Key`)).status, 200);
  key = next;
});

test('bad input gets a clear 4xx naming the field, is counted, and loses nothing', async () => {
  const before = await current();
  const cases: Array<[unknown, number, string | undefined]> = [
    [{ title: 'x'.repeat(5000) }, 413, 'title'],
    [{ title: 'bin\u0000ary' }, 400, 'title'],
    [{ artist: 'Only artist' }, 400, 'title'],
    [{ title: 42 }, 400, 'title'],
    [{ song: ['a', 'b'] }, 400, 'song'],
    [{ title: '\u0001\u0002\u0003' }, 400, 'title'],
    [[1, 2], 400, ''],
  ];
  for (const [body, status, field] of cases) {
    const r = await t.api('POST', '/api/metadata', body);
    assert.is(r.status, status, JSON.stringify(body).slice(0, 60));
    assert.is(r.body.field, field, JSON.stringify(r.body));
    assert.ok(r.body.error);
  }
  const badUtf8 = await get(`/api/metadata?key=${key}&title=%FF%FE`);
  assert.equal([badUtf8.status, badUtf8.body.reason], [400, 'binary']);
  assert.equal(await current(), before, 'the current title survived all of it');
  const settings = await t.api('GET', '/api/metadata/settings');
  assert.ok(settings.body.counters.dropped.http >= 8, JSON.stringify(settings.body.counters));
  assert.ok(settings.body.counters.drop_reasons.bad_key >= 2);
  // Injection attempts are just text: stored and shown as sent, never interpreted.
  const sneaky = "$(reboot); `id` & mode=updinfo&song=x%00 ../../etc/passwd '; DROP TABLE metadata_history;--";
  const r = await t.api('POST', '/api/metadata', { title: sneaky });
  assert.equal([r.status, r.body.now_playing.title], [200, sneaky]);
  assert.is((await current())!.title, sneaky);
  assert.is((await t.api('POST', '/api/metadata', { artist: 'Still', title: 'Works' })).body.changed, true);
});

test('titles over the rate limit get 429 naming the field, and the limit can be lifted', async () => {
  assert.is((await t.api('PUT', '/api/metadata/settings', { max_titles_per_minute: 1, title_burst: 1 })).status, 200);
  const replies = [];
  for (let i = 0; i < 3; i++) replies.push(await t.api('POST', '/api/metadata', { song: `Limited - ${i}` }));
  const limited = replies.filter((r) => r.status === 429);
  assert.ok(limited.length >= 1, JSON.stringify(replies.map((r) => r.status)));
  assert.is(limited[0]!.body.reason, 'rate_limited');
  assert.is(limited[0]!.body.field, 'title');
  assert.match(limited[0]!.body.error, 'max_titles_per_minute');
  assert.is((await t.api('PUT', '/api/metadata/settings', { max_titles_per_minute: 60, title_burst: 10 })).status, 200);
});

test('settings: validated with errors naming the field; TCP and UDP listeners, off by default', async () => {
  const initial = await t.api('GET', '/api/metadata/settings');
  assert.equal([initial.body.tcp_port, initial.body.udp_port, initial.body.status.tcp, initial.body.status.udp], [null, null, null, null]);
  const bad = await t.api('PUT', '/api/metadata/settings', { tcp_port: 0, line_pattern: '(', surprise: true });
  assert.is(bad.status, 400);
  assert.equal(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['line_pattern', 'surprise', 'tcp_port']);
  const [tcpPort, udpPort] = [await freePort(), await freePort()];
  const ok = await t.api('PUT', '/api/metadata/settings', { ...initial.body, tcp_port: tcpPort, udp_port: udpPort, bind_address: '127.0.0.1' });
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.equal([ok.body.status.tcp.listening, ok.body.status.udp.listening], [true, true]);

  const sock = net.connect(tcpPort, '127.0.0.1');
  sock.write('Über Artist - TCP Title\n');
  await waitFor(async () => (await current())?.title === 'TCP Title', { timeoutMs: 3000, what: 'TCP title' });
  sock.write(Buffer.concat([Buffer.from('bin'), Buffer.from([0, 1, 2]), Buffer.from('\n')]));
  sock.write(Buffer.alloc(10_000, 0x41));
  sock.write('\nSecond - On Same Connection\n');
  await waitFor(async () => (await current())?.title === 'On Same Connection', { timeoutMs: 3000, what: 'TCP after garbage' });
  sock.end();
  assert.is((await current())!.source, 'tcp');

  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.send(Buffer.from('UDP Artist - UDP Title'), udpPort, '127.0.0.1', () => r()));
  await waitFor(async () => (await current())?.title === 'UDP Title', { timeoutMs: 3000, what: 'UDP title' });
  udp.close();

  const after = (await t.api('GET', '/api/metadata/settings')).body;
  assert.equal([after.counters.accepted.tcp, after.counters.accepted.udp], [2, 1]);
  assert.equal([after.counters.dropped.tcp, after.counters.drop_reasons.binary >= 2, after.counters.drop_reasons.too_long >= 2], [2, true, true]);
  const off = await t.api('PUT', '/api/metadata/settings', { tcp_port: null, udp_port: null });
  assert.equal([off.body.status.tcp, off.body.status.udp], [null, null]);
});

test('the now-playing file: first line wins, changes picked up within a poll', async () => {
  const path = join(t.dataDir, 'nowplaying.txt');
  writeFileSync(path, 'File Artist - File Title\nnext: something else\n');
  const r = await t.api('PUT', '/api/metadata/settings', { file_path: path });
  assert.is(r.status, 200);
  await waitFor(async () => (await current())?.title === 'File Title', { timeoutMs: 3000, what: 'file title' });
  writeFileSync(path, 'Caf\xe9 Latin1 - Written By Windows\r\n', 'latin1');
  await waitFor(async () => (await current())?.artist === 'Café Latin1', { timeoutMs: 3000, what: 'changed file' });
  assert.is((await current())!.source, 'file');
  const relative = await t.api('PUT', '/api/metadata/settings', { file_path: 'nowplaying.txt' });
  assert.equal([relative.status, relative.body.field], [400, 'file_path']);
  await t.api('PUT', '/api/metadata/settings', { file_path: null });
});

test('metadata_changed goes out over SSE; encoder status carries the push state', async () => {
  const controller = new AbortController();
  const res = await fetch(`${t.web.url}/api/events`, { headers: { authorization: 'Basic ' + Buffer.from('admin:test-admin-pw').toString('base64') }, signal: controller.signal });
  const reader = res.body!.getReader();
  await t.api('POST', '/api/metadata', { artist: 'SSE', title: 'Event' });
  let text = '';
  await waitFor(async () => {
    const { value } = await reader.read();
    text += new TextDecoder().decode(value);
    return text.includes('event: metadata_changed');
  }, { timeoutMs: 3000, what: 'the SSE event' });
  controller.abort();
  const line = text.split('\n').find((l, i, all) => all[i - 1] === 'event: metadata_changed' && l.startsWith('data: '))!;
  assert.equal(JSON.parse(line.slice(6)).song, 'SSE - Event');
  const created = await t.api('POST', '/api/encoders', { name: 'Off air', codec: 'mp3', output_type: 'icecast', server_host: '127.0.0.1', server_port: 1, mount_point: '/x' });
  const status = await t.status(created.body.id);
  assert.equal((status as unknown as { metadata: unknown }).metadata, {
    method: 'icecast-admin', last_pushed_song: null, last_pushed_at: null, last_error: null, last_error_at: null, pending: false,
  });
  const enc = await t.api('GET', `/api/encoders/${created.body.id}`);
  assert.is(enc.body.metadata_charset, 'UTF-8');
  const bad = await t.api('PUT', `/api/encoders/${created.body.id}`, { metadata_charset: 'latin1' });
  assert.equal([bad.status, bad.body.field], [400, 'metadata_charset']);
});

test.run();
