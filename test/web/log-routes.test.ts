// GET /api/log on the real engine: newest first, filtered by kind and encoder, paged with `before`, cut
// with `since`; bad parameters refused naming them; each new event on /api/events as it is stored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestEngine, type TestEngine } from '../harness/engine.js';
import { readSse } from '../harness/sse.js';
import { waitFor } from '../harness/util.js';

let t: TestEngine;

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone' });
  for (let i = 0; i < 30; i++) t.engine.eventLog.add({ level: 'info', kind: i % 3 === 0 ? 'encoder_connected' : 'encoder_retrying', encoderId: i % 2 === 0 ? 7 : 8, message: `event ${i}` });
});

test.after(async () => {
  await t?.stop();
});

const messages = (body: { message: string }[]) => body.map((e) => e.message);

test('filters: kind (several), encoder_id, newest first; paging with before', async () => {
  const connected7 = (await t.api('GET', '/api/log?kind=encoder_connected&encoder_id=7')).body;
  assert.equal(messages(connected7), ['event 24', 'event 18', 'event 12', 'event 6', 'event 0']);
  const both = (await t.api('GET', '/api/log?kind=encoder_connected,encoder_retrying&limit=4')).body;
  assert.equal(messages(both), ['event 29', 'event 28', 'event 27', 'event 26']);
  const next = (await t.api('GET', `/api/log?kind=encoder_connected,encoder_retrying&limit=4&before=${both.at(-1).id}`)).body;
  assert.equal(messages(next), ['event 25', 'event 24', 'event 23', 'event 22']);
  const kinds = (await t.api('GET', '/api/log/kinds')).body as string[];
  assert.ok(kinds.includes('encoder_connected') && kinds.includes('encoder_retrying'), JSON.stringify(kinds));
});

test('since: at or after a time', async () => {
  const newest = (await t.api('GET', '/api/log?limit=1')).body[0];
  const future = new Date(Date.parse(newest.at) + 1).toISOString();
  assert.equal((await t.api('GET', `/api/log?since=${encodeURIComponent(future)}`)).body, []);
  assert.is((await t.api('GET', `/api/log?since=${encodeURIComponent(newest.at)}`)).body[0].id, newest.id);
});

test('bad parameters: 400 naming each', async () => {
  const r = await t.api('GET', '/api/log?limit=0&encoder_id=x&since=yesterday&kind=DROP%20TABLE&colour=red');
  assert.is(r.status, 400);
  assert.equal(r.body.errors.map((e: { field: string }) => e.field).sort(), ['colour', 'encoder_id', 'kind', 'limit', 'since']);
  const twice = await t.api('GET', '/api/log?kind=a&kind=b');
  assert.equal([twice.status, twice.body.field], [400, 'kind']);
});

test('live: a new event arrives on /api/events as event_logged', async () => {
  const controller = new AbortController();
  const res = await fetch(`${t.web.url}/api/events`, { headers: { authorization: 'Basic ' + Buffer.from('admin:test-admin-pw').toString('base64') }, signal: controller.signal });
  const seen: any[] = [];
  readSse(res.body!, (e) => e.event === 'event_logged' && seen.push(JSON.parse(e.data)));
  await t.api('PUT', '/api/station', { station_name: 'Live Log FM' });
  await waitFor(() => seen.some((e) => e.kind === 'config_changed' && /Live Log FM/.test(e.message)), { timeoutMs: 3000, what: 'event_logged' });
  controller.abort();
});

test('live log lines go only to those who may read the log: a read token gets them, a control token does not', async () => {
  const make = async (scope: string) => (await t.api('POST', '/api/access/tokens', { label: scope, scope })).body.token as string;
  const streams: { scope: string; seen: string[]; controller: AbortController }[] = [];
  for (const scope of ['read', 'control']) {
    const controller = new AbortController();
    const res = await fetch(`${t.web.url}/api/events`, { headers: { authorization: `Bearer ${await make(scope)}` }, signal: controller.signal });
    assert.is(res.status, 200);
    const entry = { scope, seen: [] as string[], controller };
    readSse(res.body!, (e) => entry.seen.push(e.event ?? ''));
    streams.push(entry);
  }
  await t.api('PUT', '/api/station', { station_name: 'Scoped Log FM' });
  await waitFor(() => streams[0]!.seen.includes('event_logged'), { timeoutMs: 3000, what: 'the read token gets it' });
  await waitFor(() => streams[1]!.seen.includes('levels'), { timeoutMs: 3000, what: 'the control stream is live' });
  assert.not.ok(streams[1]!.seen.includes('event_logged'), 'the control token does not');
  for (const s of streams) s.controller.abort();
});

test.run();
