// /api/health and /metrics against the real engine (the built-in tone, an encoder whose server is not
// there): health without credentials and honest about what is wrong, 503 when the capture is gone;
// metrics behind the normal credentials, parsed by a Prometheus text-format parser.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { freePort, waitFor } from '../harness/util.js';
import { parseMetrics, sample } from '../harness/prometheus.js';
import { createApiToken } from '../../src/web/auth.js';

let t: TestEngine;
let nocard: TestEngine;
let encoderId: number;

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone:440' });
  nocard = await startTestEngine({ captureDevice: 'hw:7,0' });
});

test.after(async () => {
  await t?.stop();
  await nocard?.stop();
});

test('health: 200 "ok" with its checks while all is well, without credentials', async () => {
  await waitFor(async () => (await t.api('GET', '/api/status')).body.capture.state === 'running', { timeoutMs: 5000, what: 'tone running' });
  const r = await t.api('GET', '/api/health', undefined, null);
  assert.is(r.status, 200);
  assert.is(r.body.status, 'ok', JSON.stringify(r.body));
  assert.equal(Object.keys(r.body.checks).sort(), ['audio', 'capture', 'database', 'encoders', 'recordings']);
  assert.equal(r.body.checks.database, { status: 'ok', detail: 'writable' });
  assert.equal(r.body.checks.capture, { status: 'ok', detail: 'running (tone:440)' });
});

test('health: "degraded" (still 200) while an encoder on air retries, naming it; ok again once it is stopped', async () => {
  const created = await t.api('POST', '/api/encoders', icecastEncoder(await freePort(), '/gone.mp3', { name: 'Gone' }));
  encoderId = created.body.id;
  await t.api('POST', `/api/encoders/${encoderId}/start`);
  await t.waitForState(encoderId, (s) => s.state === 'retrying', 15_000, 'retrying');
  const r = await t.api('GET', '/api/health', undefined, null);
  assert.is(r.status, 200);
  assert.is(r.body.status, 'degraded');
  assert.is(r.body.checks.encoders.status, 'degraded');
  assert.match(r.body.checks.encoders.detail, /^Gone: Retrying \(\d+\/∞\)$/);
});

test('health: 503 "down" when the capture device is gone', async () => {
  await waitFor(async () => (await nocard.api('GET', '/api/status')).body.capture.state === 'no_input', { timeoutMs: 5000, what: 'no_input' });
  const r = await nocard.api('GET', '/api/health', undefined, null);
  assert.is(r.status, 503);
  assert.is(r.body.status, 'down');
  assert.equal(r.body.checks.capture, { status: 'down', detail: 'no input from hw:7,0: sound card "hw:7,0" not found' });
});

test('/metrics: 401 without credentials; Basic and an API token both read it', async () => {
  assert.is((await t.request('GET', '/metrics', {})).status, 401);
  const { token } = createApiToken(t.engine.settings, 'prometheus');
  const r = await t.request<string>('GET', '/metrics', { authorization: `Bearer ${token}` });
  assert.is(r.status, 200);
  assert.is((await t.api('GET', '/metrics')).status, 200);
});

test('/metrics: Prometheus text format with RackCast names, types and values that match the status', async () => {
  await waitFor(async () => ((await t.status(encoderId)).attempt ?? 0) >= 1, { timeoutMs: 10_000, what: 'a failed attempt' });
  // The capture's frame count reaches the control thread with the audio worker's 0.5 s snapshots.
  await waitFor(async () => (await t.api('GET', '/api/status')).body.capture.frames > 0, { timeoutMs: 10_000, what: 'the first frames counted' });
  const res = await fetch(`${t.web.url}/metrics`, { headers: { authorization: 'Basic ' + Buffer.from('admin:test-admin-pw').toString('base64') } });
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const m = parseMetrics(text);
  for (const f of m.values()) {
    assert.match(f.name, /^[a-z_:][a-z0-9_:]*$/, f.name);
    if (f.type === 'COUNTER') assert.ok(f.name.endsWith('_total'), `counter ${f.name} ends in _total`);
    assert.ok(f.help.length > 0, `${f.name} has HELP`);
  }
  assert.is(sample(m, 'rackcast_encoder_state', { encoder: 'Gone', state: 'retrying' }), 1);
  assert.is(sample(m, 'rackcast_encoder_state', { encoder: 'Gone', state: 'streaming' }), 0);
  assert.is(sample(m, 'rackcast_encoder_up', { encoder: 'Gone' }), 0);
  assert.is(m.get('rackcast_encoder_bytes_sent_total')?.type, 'COUNTER');
  assert.is(sample(m, 'rackcast_encoder_bytes_sent_total', { encoder: 'Gone' }), 0);
  assert.ok(sample(m, 'rackcast_encoder_bytes_discarded_total', { encoder: 'Gone' })! >= 0);
  assert.ok(sample(m, 'rackcast_encoder_reconnects_total', { encoder: 'Gone' })! >= 1, 'its failed attempts are counted');
  assert.is(sample(m, 'rackcast_encoder_queue_drops_total', { encoder: 'Gone' }), 0);
  assert.is(sample(m, 'rackcast_metadata_pushes_total', { encoder: 'Gone', result: 'ok' }), 0);
  assert.is(sample(m, 'rackcast_metadata_pushes_total', { encoder: 'Gone', result: 'failed' }), 0);
  assert.is(sample(m, 'rackcast_capture_up', { device: 'tone:440' }), 1);
  assert.ok(sample(m, 'rackcast_capture_frames_total')! > 0, 'frames counted');
  const rms = sample(m, 'rackcast_capture_level_dbfs', { channel: '1', measure: 'rms' })!;
  assert.ok(rms > -40 && rms < 0, `the tone's level: ${rms} dBFS`);
  assert.is(sample(m, 'rackcast_silence_seconds'), 0);
  assert.is(sample(m, 'rackcast_fallback_active'), 0);
  assert.is(sample(m, 'rackcast_alarm_active', { kind: 'encoder_retrying' }), 1);
  assert.is(sample(m, 'rackcast_alarm_active', { kind: 'silence' }), 0);
  assert.ok(sample(m, 'rackcast_alarms_raised_total', { kind: 'encoder_retrying' })! >= 1);
  assert.is(sample(m, 'rackcast_recording_storage_present'), 1);
  assert.ok(sample(m, 'rackcast_recording_storage_free_bytes')! > 0);
  assert.ok(sample(m, 'process_resident_memory_bytes')! > 10_000_000, 'process memory');
  assert.ok(sample(m, 'process_cpu_seconds_total')! > 0, 'process CPU');
});

test('health: back to "ok" once the retrying encoder is stopped', async () => {
  await t.api('POST', `/api/encoders/${encoderId}/stop`);
  await waitFor(async () => (await t.api('GET', '/api/health', undefined, null)).body.status === 'ok', { timeoutMs: 5000, what: 'health ok' });
});

test.run();
