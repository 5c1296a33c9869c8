// Seed criterion 4 on real peers: a real Icecast 2.4, the real engine (tone capture) streaming to it,
// real listener connections. Counted within one poll, in the history API, as SSE events; and the
// collector asks the server once per poll however many of its mounts are on air.
import { readSse } from '../harness/sse.js';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { ADMIN_PASSWORD, icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import { sleep, waitFor } from '../harness/util.js';
import { STATS_USER_AGENT } from '../../src/engine/stats/http-get.js';
import type { ListenerUpdate } from '../../src/engine/stats/listener-stats.js';

const POLL_SECS = 1;
const LISTENERS = 3;
let icecast: IcecastServer;
let t: TestEngine;
let mainId: number;
const sse: Array<ListenerUpdate & { receivedAt: number }> = [];
const stopSse = new AbortController();

async function readEvents(): Promise<void> {
  const res = await fetch(`${t.web.url}/api/events`, {
    headers: { authorization: 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64') },
    signal: stopSse.signal,
  });
  readSse(res.body!, (e) => {
    if (e.event === 'listener_count_updated') sse.push({ ...(JSON.parse(e.data) as ListenerUpdate), receivedAt: Date.now() });
  });
}

/** A real listener: GET on the mount, reading the audio until closed. */
function listen(mount: string): http.ClientRequest {
  const req = http.get(`${icecast.baseUrl}${mount}`, { agent: false }, (res) => res.resume());
  req.on('error', () => {});
  return req;
}

function eventsFor(id: number, since = 0): Array<ListenerUpdate & { receivedAt: number }> {
  return sse.filter((e) => e.encoderId === id && e.receivedAt >= since);
}

async function countReported(id: number, count: number, since: number, withinMs: number): Promise<number> {
  await waitFor(() => eventsFor(id, since).some((e) => e.count === count), { timeoutMs: withinMs, intervalMs: 20, what: `listener_count_updated ${count} for encoder ${id}` });
  return eventsFor(id, since).find((e) => e.count === count)!.receivedAt - since;
}

test.before(async () => {
  icecast = await startIcecast({ mounts: ['/listen.mp3', '/second.mp3'], shoutcastMount: '/sc.mp3' });
  t = await startTestEngine({ captureDevice: 'tone:440', statsPollSecs: POLL_SECS });
  await readEvents();
  const r = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/listen.mp3'));
  assert.is(r.status, 201, JSON.stringify(r.body));
  mainId = r.body.id;
  await t.api('POST', `/api/encoders/${mainId}/start`);
  await t.waitForState(mainId, (s) => s.state === 'streaming', 15_000, 'streaming');
  await waitFor(() => icecast.mountIsLive('/listen.mp3'), { timeoutMs: 5000, what: '/listen.mp3 listed' });
});

test.after(async () => {
  stopSse.abort();
  await t?.stop();
  await icecast?.stop();
});

test(`criterion 4: ${LISTENERS} real listeners are counted within one poll, and counted out again`, async () => {
  await countReported(mainId, 0, 0, 5000);
  const listeners = Array.from({ length: LISTENERS }, () => listen('/listen.mp3'));
  await waitFor(async () => (await icecast.listenerCount('/listen.mp3')) === LISTENERS, { timeoutMs: 5000, intervalMs: 20, what: 'Icecast counting the listeners' });
  const connectedAt = Date.now();
  const tookMs = await countReported(mainId, LISTENERS, connectedAt, POLL_SECS * 1000 + 2000);
  assert.ok(tookMs <= POLL_SECS * 1000 + 1000, `reported ${tookMs} ms after Icecast counted them (poll every ${POLL_SECS} s)`);
  const event = eventsFor(mainId, connectedAt).find((e) => e.count === LISTENERS)!;
  assert.ok(event.peak !== null && event.peak >= LISTENERS, JSON.stringify(event));
  assert.is(event.error, null);

  const current = await t.api('GET', `/api/encoders/${mainId}/listeners/current`);
  assert.is(current.status, 200);
  assert.equal([current.body.current, current.body.live, current.body.error], [LISTENERS, true, null]);
  const status = await t.api('GET', '/api/status');
  assert.is(status.body.encoders.find((e: { id: number }) => e.id === mainId).listeners.current, LISTENERS);
  assert.is((await t.api('GET', `/api/encoders/${mainId}/status`)).body.listeners.current, LISTENERS);

  const history = await t.api('GET', `/api/encoders/${mainId}/listeners?period=1h`);
  assert.is(history.status, 200);
  assert.is(history.body.step_secs, 10);
  assert.ok(history.body.points.length > 0 && history.body.points.length <= 400);
  assert.ok(history.body.points.some((p: { current_max: number }) => p.current_max === LISTENERS), JSON.stringify(history.body.points));

  for (const l of listeners) l.destroy();
  await waitFor(async () => (await icecast.listenerCount('/listen.mp3')) === 0, { timeoutMs: 5000, intervalMs: 20, what: 'Icecast counting them out' });
  const goneAt = Date.now();
  const dropMs = await countReported(mainId, 0, goneAt, POLL_SECS * 1000 + 2000);
  assert.ok(dropMs <= POLL_SECS * 1000 + 1000, `drop reported after ${dropMs} ms`);
  const rows = t.engine.db.prepare('SELECT count(*) AS c, max(current_listeners) AS m FROM listener_snapshots WHERE encoder_id = ?').get(mainId) as { c: number; m: number };
  assert.ok(rows.c >= 3 && rows.m === LISTENERS, JSON.stringify(rows));
});

test('every period answers a series; a bad period is a 400 naming `period`; unknown encoder 404', async () => {
  for (const [period, step] of [['6h', 60], ['24h', 300], ['7d', 1800]] as const) {
    const r = await t.api('GET', `/api/encoders/${mainId}/listeners?period=${period}`);
    assert.is(r.status, 200, period);
    assert.is(r.body.step_secs, step);
    assert.ok(r.body.points.length >= 1 && r.body.points.length <= 400, period);
  }
  const dflt = await t.api('GET', `/api/encoders/${mainId}/listeners`);
  assert.is(dflt.body.period, '24h');
  for (const bad of ['2h', '', '1h&period=6h']) {
    const r = await t.api('GET', `/api/encoders/${mainId}/listeners?period=${bad}`);
    assert.is(r.status, 400, bad);
    assert.is(r.body.field, 'period');
  }
  assert.is((await t.api('GET', '/api/encoders/999/listeners?period=1h')).status, 404);
  assert.is((await t.api('GET', '/api/encoders/999/listeners/current')).status, 404);
  assert.is((await t.api('GET', `/api/encoders/${mainId}/listeners?period=1h`, undefined, null)).status, 401);
});

test('two mounts and a SHOUTcast source on one server: one stats request per poll; each counted', async () => {
  const second = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/second.mp3', { name: 'Second' }));
  // A SHOUTcast v1 source on Icecast's compatibility port: stats come from Icecast once it has a mount.
  const sc = await t.api('POST', '/api/encoders', { ...icecastEncoder(icecast.port, '/sc.mp3'), name: 'SHOUTcast', output_type: 'shoutcast' });
  const ids = [second.body.id as number, sc.body.id as number];
  for (const id of ids) await t.api('POST', `/api/encoders/${id}/start`);
  for (const id of ids) await t.waitForState(id, (s) => s.state === 'streaming', 15_000, 'streaming');
  await waitFor(async () => (await icecast.mountIsLive('/second.mp3')) && (await icecast.mountIsLive('/sc.mp3')), { timeoutMs: 5000 });
  const l = [listen('/second.mp3'), listen('/sc.mp3'), listen('/sc.mp3')];
  const since = Date.now();
  await countReported(ids[0]!, 1, since, 6000);
  await countReported(ids[1]!, 2, since, 6000);

  // Icecast's access log names every client; count ours over a few polls.
  const ours = (): number => readFileSync(join(icecast.dir, 'access.log'), 'utf8').split('\n').filter((line) => line.includes(STATS_USER_AGENT) && line.includes('/status-json.xsl')).length;
  const pollsBefore = sse.filter((e) => e.encoderId === mainId).length;
  const before = ours();
  await sleep(4 * POLL_SECS * 1000 + 300);
  const polls = sse.filter((e) => e.encoderId === mainId).length - pollsBefore;
  const requests = ours() - before;
  assert.ok(polls >= 3, `${polls} polls`);
  assert.ok(requests <= polls + 1, `${requests} status-json requests for ${polls} polls of three encoders`);
  for (const x of l) x.destroy();
});

test('the poll interval setting: 5–3600 s, errors name the field', async () => {
  const bad = await t.api('PUT', '/api/stats/settings', { stats_poll_secs: 2 });
  assert.is(bad.status, 400);
  assert.is(bad.body.field, 'stats_poll_secs');
  assert.is((await t.api('PUT', '/api/stats/settings', { colour: 1 })).body.field, 'colour');
  const good = await t.api('PUT', '/api/stats/settings', { stats_poll_secs: 15 });
  assert.is(good.status, 200);
  assert.is(t.engine.settings.get('stats_poll_secs', 0), 15);
  assert.is((await t.api('GET', '/api/stats/settings')).body.stats_poll_secs, POLL_SECS, 'the test override stays in force');
});

test.run();
