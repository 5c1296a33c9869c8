// The HTTP API against the real engine (tone capture, no server needed): auth, validation that
// names the field and changes nothing, write-only passwords, SSE, and degraded modes in plain words.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { freePort } from '../harness/util.js';

let t: TestEngine;
let deadPort: number;

test.before(async () => {
  deadPort = await freePort();
  t = await startTestEngine({ captureDevice: 'tone:440' });
});

test.after(async () => {
  await t?.stop();
});

test('without credentials every /api route but health answers 401', async () => {
  assert.is((await t.api('GET', '/api/health', undefined, null)).status, 200);
  for (const [method, path] of [
    ['GET', '/api/encoders'],
    ['POST', '/api/encoders'],
    ['GET', '/api/status'],
    ['GET', '/api/events'],
    ['POST', '/api/encoders/start-all'],
    ['DELETE', '/api/encoders/1'],
  ] as const) {
    const r = await t.api(method, path, undefined, null);
    assert.is(r.status, 401, `${method} ${path}`);
  }
  const wrong = await t.api('GET', '/api/encoders', undefined, 'Basic ' + Buffer.from('admin:nope').toString('base64'));
  assert.is(wrong.status, 401);
});

test('a session cookie from POST /api/session works like Basic', async () => {
  const res = await fetch(`${t.web.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'test-admin-pw' }) });
  assert.is(res.status, 200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const list = await fetch(`${t.web.url}/api/encoders`, { headers: { cookie } });
  assert.is(list.status, 200);
});

const invalid: Array<[string, Record<string, unknown>, string]> = [
  ['unknown codec', { codec: 'wma' }, 'codec'],
  ['bitrate the codec cannot do', { codec: 'mp3', bitrate_kbps: 100 }, 'bitrate_kbps'],
  ['port out of range', { server_port: 70000 }, 'server_port'],
  ['mount without /', { mount_point: 'live.mp3' }, 'mount_point'],
  ['SHOUTcast with Ogg', { output_type: 'shoutcast', codec: 'ogg', bitrate_kbps: 128 }, 'codec'],
  ['missing host', { server_host: '' }, 'server_host'],
  ['unknown field', { colour: 'red' }, 'colour'],
];

for (const [what, patch, field] of invalid) {
  test(`invalid encoder (${what}) → 400 naming ${field}, nothing stored`, async () => {
    const before = (await t.api('GET', '/api/encoders')).body;
    const r = await t.api('POST', '/api/encoders', { ...icecastEncoder(8000, '/x.mp3'), ...patch });
    assert.is(r.status, 400, JSON.stringify(r.body));
    assert.is(r.body.field, field, JSON.stringify(r.body));
    assert.ok(r.body.errors.some((e: { field: string; message: string }) => e.field === field && e.message.length > 0));
    assert.equal((await t.api('GET', '/api/encoders')).body, before);
  });
}

test('malformed JSON → 400 and a plain message', async () => {
  const r = await t.api('POST', '/api/encoders', '{"name": ');
  assert.is(r.status, 400);
  assert.is(r.body.error, 'request body is not valid JSON');
});

test('an invalid update changes nothing; a valid one keeps the write-only password', async () => {
  const created = await t.api('POST', '/api/encoders', icecastEncoder(deadPort, '/keep.mp3', { server_password: 's3cret' }));
  const id = created.body.id as number;
  const bad = await t.api('PUT', `/api/encoders/${id}`, { bitrate_kbps: 7 });
  assert.is(bad.status, 400);
  assert.is(bad.body.field, 'bitrate_kbps');
  assert.is((await t.api('GET', `/api/encoders/${id}`)).body.bitrate_kbps, 128);
  const ok = await t.api('PUT', `/api/encoders/${id}`, { name: 'Renamed', server_password: '' });
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.is(ok.body.name, 'Renamed');
  assert.is(t.engine.encoders.password(id), 's3cret');
  for (const body of [ok.body, (await t.api('GET', '/api/encoders')).body, (await t.api('GET', '/api/status')).body]) {
    assert.not.ok(JSON.stringify(body).includes('s3cret'), 'no response contains a server password');
    assert.not.ok(JSON.stringify(body).includes('server_password'), 'not even the key');
  }
  assert.is((await t.api('GET', '/api/encoders/9999')).status, 404);
  assert.is((await t.api('GET', '/api/encoders/abc')).status, 400);
  await t.api('DELETE', `/api/encoders/${id}`);
  assert.is((await t.api('GET', `/api/encoders/${id}`)).status, 404);
});

test('an unreachable server shows up in status in plain words; the engine stays up', async () => {
  const r = await t.api('POST', '/api/encoders', icecastEncoder(deadPort, '/nowhere.mp3', { reconnect_delay_secs: 1 }));
  const id = r.body.id as number;
  assert.equal((await t.api('POST', `/api/encoders/${id}/test`)).body, { success: false, error: 'server unreachable (connection refused)' });
  await t.api('POST', `/api/encoders/${id}/start`);
  const s = await t.waitForState(id, (x) => x.state === 'retrying', 10_000, 'retrying');
  assert.is(s.last_error, 'server unreachable (connection refused)');
  assert.match(s.status_text, /^Retrying \(1\/∞\)$/);
  const alarms = ((await t.api('GET', '/api/status')).body.alarms as { text: string }[]).map((a) => a.text);
  assert.ok(alarms.includes(`${s.name}: Retrying (1/∞): server unreachable (connection refused)`), alarms.join('; '));
  await t.api('POST', `/api/encoders/${id}/stop`);
  assert.is((await t.status(id)).status_text, 'Stopped');
  await t.api('DELETE', `/api/encoders/${id}`);
});

test('a missing ffmpeg shows up in status in plain words', async () => {
  process.env.RACKCAST_FFMPEG = '/nonexistent/ffmpeg';
  try {
    const r = await t.api('POST', '/api/encoders', icecastEncoder(deadPort, '/noffmpeg.mp3', { reconnect_delay_secs: 1 }));
    const id = r.body.id as number;
    await t.api('POST', `/api/encoders/${id}/start`);
    const s = await t.waitForState(id, (x) => x.state === 'retrying', 10_000, 'retrying');
    assert.is(s.last_error, 'encoder process stopped: /nonexistent/ffmpeg is not installed (not found on PATH)');
    assert.is((await t.api('GET', '/api/health', undefined, null)).status, 200, 'the engine is still up');
    await t.api('DELETE', `/api/encoders/${id}`);
  } finally {
    delete process.env.RACKCAST_FFMPEG;
  }
});

test('/api/events streams levels about ten times a second', async () => {
  const controller = new AbortController();
  const res = await fetch(`${t.web.url}/api/events`, { headers: { authorization: 'Basic ' + Buffer.from('admin:test-admin-pw').toString('base64') }, signal: controller.signal });
  assert.is(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  let text = '';
  const started = Date.now();
  while (Date.now() - started < 1000) {
    const { value } = await reader.read();
    text += Buffer.from(value!).toString();
  }
  controller.abort();
  const levels = text.split('\n\n').filter((e) => e.startsWith('event: levels'));
  assert.ok(levels.length >= 7 && levels.length <= 13, `${levels.length} levels events in 1 s`);
  const data = JSON.parse(levels.at(-1)!.split('\ndata: ')[1]!);
  assert.is(data.channels.length, 2);
  // The tone is a sine at a quarter of full scale: peak -12 dBFS, RMS -15 dBFS.
  assert.ok(Math.abs(data.channels[0].peakDbfs + 12) < 0.2, JSON.stringify(data));
  assert.ok(Math.abs(data.channels[0].rmsDbfs + 15) < 0.2, JSON.stringify(data));
  assert.is(data.capture, 'running');
});

test.run();
