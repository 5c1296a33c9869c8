// The alarm routes against the real engine: settings validation that names the field, the SMTP password
// write-only, and a silence alarm raised end to end — the capture has no card ("hw:7,0"), so the engine
// feeds silence, the worker's detector sees it, and the alarm reaches /api/status, /api/alarms, the SSE
// stream and the event log. (Its clearing, on real audio that returns: test/integration/dead-air.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../harness/engine.js';
import { readSse } from '../harness/sse.js';
import { waitFor } from '../harness/util.js';
import type { SseEvent } from '../../src/panel/sse-parser.js';

let t: TestEngine;
const basic = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'hw:7,0' });
});

test.after(async () => {
  await t?.stop();
});

test('GET /api/alarms/settings: the documented defaults', async () => {
  const r = await t.api('GET', '/api/alarms/settings');
  assert.is(r.status, 200);
  assert.equal(r.body, {
    silence_threshold_dbfs: -50,
    silence_secs: 10,
    recovery_secs: 5,
    clipping_dbfs: -0.1,
    clipping_secs: 3,
    fallback_source: 'folder',
    fallback_dir: null,
    fallback_order: 'in_order',
    crossfade_ms: 250,
    auto_return: true,
    record_fallback: false,
    webhooks: [],
    email: null,
    notify_max_per_hour: 12,
  });
});

const invalid: Array<[string, Record<string, unknown>, string]> = [
  ['silence shorter than 2 s', { silence_secs: 1 }, 'silence_secs'],
  ['silence longer than 5 min', { silence_secs: 301 }, 'silence_secs'],
  ['threshold as text', { silence_threshold_dbfs: '-50' }, 'silence_threshold_dbfs'],
  ['order unknown', { fallback_order: 'random' }, 'fallback_order'],
  ['fallback source unknown', { fallback_source: 'aux2' }, 'fallback_source'],
  ['fallback folder relative', { fallback_dir: 'fallback' }, 'fallback_dir'],
  ['fallback folder outside the data and recordings directories', { fallback_dir: '/etc' }, 'fallback_dir'],
  ['fallback folder climbing out', { fallback_dir: '/tmp/../etc' }, 'fallback_dir'],
  ['webhook not http', { webhooks: ['ftp://example.org/hook'] }, 'webhooks.0.url'],
  ['webhook url in an object', { webhooks: [{ url: 'http://ok.example/hook' }, { url: 'nope' }] }, 'webhooks.1.url'],
  ['webhook template unknown', { webhooks: [{ url: 'http://ok.example/hook', template: 'irc' }] }, 'webhooks.0.template'],
  ['email without host', { email: { from: 'a@b.c', to: ['d@e.f'] } }, 'email.host'],
  ['email recipient not an address', { email: { host: 'smtp.example', from: 'a@b.c', to: ['studio'] } }, 'email.to.0'],
  ['email unknown key', { email: { host: 'smtp.example', from: 'a@b.c', to: 'd@e.f', colour: 1 } }, 'email.colour'],
  ['email ca_cert not a certificate', { email: { host: 'smtp.example', from: 'a@b.c', to: 'd@e.f', ca_cert: 'trust me' } }, 'email.ca_cert'],
  ['email ca_cert a damaged certificate', { email: { host: 'smtp.example', from: 'a@b.c', to: 'd@e.f', ca_cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' } }, 'email.ca_cert'],
  ['unknown field', { colour: 'red' }, 'colour'],
  ['auto_return as 1', { auto_return: 1 }, 'auto_return'],
];

for (const [what, body, field] of invalid) {
  test(`PUT /api/alarms/settings (${what}) → 400 naming ${field}, nothing stored`, async () => {
    const before = (await t.api('GET', '/api/alarms/settings')).body;
    const r = await t.api('PUT', '/api/alarms/settings', body);
    assert.is(r.status, 400, JSON.stringify(r.body));
    assert.is(r.body.field, field, JSON.stringify(r.body));
    assert.equal((await t.api('GET', '/api/alarms/settings')).body, before);
  });
}

test('a body that is not an object is refused as a whole', async () => {
  const r = await t.api('PUT', '/api/alarms/settings', [1, 2]);
  assert.is(r.status, 400);
  assert.is(r.body.field, '');
});

test('webhooks as URLs or objects; the SMTP password is write-only and kept when not sent', async () => {
  const fallback = join(t.dataDir, 'fallback');
  mkdirSync(fallback);
  const r = await t.api('PUT', '/api/alarms/settings', {
    webhooks: ['http://127.0.0.1:9/hook', { url: 'https://ntfy.example/studio', template: 'ntfy' }],
    email: { host: 'smtp.example', port: 465, security: 'tls', username: 'rackcast', password: 's3cret', from: 'rack@example.org', to: 'studio@example.org' },
    fallback_dir: fallback,
  });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.webhooks, [{ url: 'http://127.0.0.1:9/hook', template: 'json' }, { url: 'https://ntfy.example/studio', template: 'ntfy' }]);
  assert.equal(r.body.email, { host: 'smtp.example', port: 465, security: 'tls', username: 'rackcast', from: 'rack@example.org', to: ['studio@example.org'], ca_cert: null, password_set: true });
  assert.not.ok(JSON.stringify(r.body).includes('s3cret'));
  const kept = await t.api('PUT', '/api/alarms/settings', { email: { host: 'smtp2.example', from: 'rack@example.org', to: ['a@example.org'] } });
  assert.is(kept.body.email.password_set, true, 'an update without a password keeps it');
  assert.is(kept.body.email.host, 'smtp2.example');
  const cleared = await t.api('PUT', '/api/alarms/settings', { email: null, webhooks: [] });
  assert.is(cleared.body.email, null);
  assert.is(JSON.stringify((await t.api('GET', '/api/status')).body).includes('s3cret'), false);
});

test('silence end to end: raised after silence_secs in status, /api/alarms, SSE and the log', async () => {
  const events: SseEvent[] = [];
  const controller = new AbortController();
  const res = await fetch(`${t.web.url}/api/events`, { headers: { authorization: basic }, signal: controller.signal });
  readSse(res.body!, (e) => events.push(e));
  try {
    const put = await t.api('PUT', '/api/alarms/settings', { silence_secs: 2, recovery_secs: 1 });
    assert.is(put.status, 200, JSON.stringify(put.body));
    await waitFor(() => events.some((e) => e.event === 'alarm_raised' && JSON.parse(e.data).kind === 'silence'), { timeoutMs: 15_000, what: 'alarm_raised silence' });
    const raised = JSON.parse(events.find((e) => e.event === 'alarm_raised' && JSON.parse(e.data).kind === 'silence')!.data);
    assert.is(raised.subject, 'programme');
    assert.match(raised.text, /^Silence: the programme has been below -50 dBFS since \d\d:\d\d:\d\d$/);
    assert.is(raised.cleared, null);

    const status = (await t.api('GET', '/api/status')).body;
    const kinds = status.alarms.map((a: { kind: string }) => a.kind).sort();
    assert.equal(kinds, ['no_input', 'silence'], JSON.stringify(status.alarms));
    const silence = status.alarms.find((a: { kind: string }) => a.kind === 'silence');
    assert.equal(Object.keys(silence).sort(), ['encoder_id', 'kind', 'level', 'since', 'subject', 'text']);
    assert.ok(Date.parse(silence.since) <= Date.now() - 1500, `since is when the silence began: ${silence.since}`);
    assert.ok(status.dead_air.silent_secs >= 2, JSON.stringify(status.dead_air));

    const alarms = (await t.api('GET', '/api/alarms')).body;
    assert.ok(alarms.active.some((a: { kind: string }) => a.kind === 'silence'));
    assert.ok(alarms.history.some((a: { kind: string; cleared: string | null }) => a.kind === 'silence' && a.cleared === null));
    const log = (await t.api('GET', '/api/log?limit=50')).body as { kind: string; data: { alarm_kind?: string } }[];
    assert.ok(log.some((e) => e.kind === 'alarm_raised' && e.data?.alarm_kind === 'silence'), JSON.stringify(log.slice(0, 5)));

  } finally {
    controller.abort();
  }
});

test.run();
