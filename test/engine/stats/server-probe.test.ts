// Which endpoints a server is asked and in which order, against fake servers replaying recorded replies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { groupByServer, probeServer, targetFor, type StatsTarget } from '../../../src/engine/stats/server-probe.js';
import { httpGetReply } from '../../../src/engine/stats/http-get.js';
import type { EncoderConfig } from '../../../src/engine/types.js';
import { fakeStatsServer, type Answer, type FakeServer } from './fake-http.js';
import { freePort } from '../../harness/util.js';

const servers: FakeServer[] = [];
test.after.each(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(routes: Record<string, Answer>): Promise<FakeServer> {
  const s = await fakeStatsServer((path) => routes[path] ?? 'icecast-statistics-404.http');
  servers.push(s);
  return s;
}

function target(s: { host: string; port: number }, over: Partial<StatsTarget> = {}): StatsTarget {
  return { encoderId: 1, kind: 'icecast', host: s.host, port: s.port, mount: '/live.mp3', sid: 1, admin: null, ...over };
}

function probe(targets: StatsTarget[], preferred: Parameters<typeof probeServer>[2]['preferred'] = null) {
  const [group] = groupByServer(targets);
  return probeServer(group!, httpGetReply, { deadlineMs: Date.now() + 3000, now: Date.now, preferred });
}

test('targetFor: file outputs have none; sid defaults to 1; admin needs user and password', () => {
  const base = { id: 7, output_type: 'icecast', server_host: 'radio.example', server_port: 8000, mount_point: '/a.mp3', shoutcast_sid: null, stats_admin_user: 'admin' } as EncoderConfig;
  assert.equal(targetFor(base, 'pw'), { encoderId: 7, kind: 'icecast', host: 'radio.example', port: 8000, mount: '/a.mp3', sid: 1, admin: { user: 'admin', password: 'pw' } });
  assert.is(targetFor(base, null)!.admin, null);
  assert.is(targetFor({ ...base, stats_admin_user: null }, 'pw')!.admin, null);
  assert.is(targetFor({ ...base, output_type: 'file' }, null), null);
  assert.is(targetFor({ ...base, output_type: 'shoutcast', shoutcast_sid: 3 }, null)!.sid, 3);
});

test('groupByServer: one group per host+port; any Icecast encoder makes it Icecast; first admin credentials win', () => {
  const a = { host: 'Radio.example', port: 8000 };
  const groups = groupByServer([
    target(a, { encoderId: 1, kind: 'shoutcast' }),
    target({ host: 'radio.example', port: 8000 }, { encoderId: 2, admin: { user: 'admin', password: 'x' } }),
    target({ host: 'radio.example', port: 8002 }, { encoderId: 3, kind: 'shoutcast' }),
    target({ host: '::1', port: 8000 }, { encoderId: 4 }),
  ]);
  assert.equal(groups.map((g) => [g.baseUrl, g.kind, g.targets.map((t) => t.encoderId), g.admin?.user ?? null]), [
    ['http://Radio.example:8000', 'icecast', [1, 2], 'admin'],
    ['http://radio.example:8002', 'shoutcast', [3], null],
    ['http://[::1]:8000', 'icecast', [4], null],
  ]);
});

test('an Icecast server with a SHOUTcast source on its compatibility port: one status-json for both', async () => {
  const s = await server({ '/status-json.xsl': 'icecast-status-json-two-sources.http' });
  const out = await probe([target(s, { encoderId: 1 }), target(s, { encoderId: 2, kind: 'shoutcast', mount: '/live.ogg' })]);
  assert.equal(s.requests.map((r) => r.path), ['/status-json.xsl']);
  assert.equal([out.results.get(1)?.kind, out.results.get(2)?.kind], ['ok', 'ok']);
});

test('Icecast: two mounts on one server cost one status-json request', async () => {
  const s = await server({ '/status-json.xsl': 'icecast-status-json-two-sources.http' });
  const out = await probe([target(s, { encoderId: 1 }), target(s, { encoderId: 2, mount: '/live.ogg' })]);
  assert.equal(s.requests.map((r) => r.path), ['/status-json.xsl']);
  assert.is(out.answeredBy, 'status-json');
  assert.equal([out.results.get(1)?.kind, out.results.get(2)?.kind], ['ok', 'ok']);
  assert.match(s.requests[0]!.headers.get('user-agent') ?? '', /^Mozilla\//);
  assert.not.ok(s.requests[0]!.headers.has('authorization'), 'no credentials on the public page');
});

test('Icecast: a mount status-json does not list (hidden) falls back to /admin/stats with the admin credentials', async () => {
  const s = await server({ '/status-json.xsl': 'icecast-status-json-one-source.http', '/admin/stats': 'icecast-admin-stats.http' });
  const admin = { user: 'admin', password: 'adminpass' };
  const out = await probe([target(s, { encoderId: 1, admin }), target(s, { encoderId: 2, mount: '/live.ogg', admin })]);
  assert.equal(s.requests.map((r) => r.path), ['/status-json.xsl', '/admin/stats']);
  assert.is(s.requests[1]!.headers.get('authorization'), 'Basic ' + Buffer.from('admin:adminpass').toString('base64'));
  assert.equal(out.results.get(2), { kind: 'ok', current: 1, peak: 1, unique: null, bitrate: 96, title: null });
  assert.equal([out.via.get(1), out.via.get(2)], ['status-json', 'admin-stats']);
  assert.is(out.answeredBy, 'admin-stats');
  s.requests.length = 0;
  const next = await probe([target(s, { encoderId: 1, admin }), target(s, { encoderId: 2, mount: '/live.ogg', admin })], out.answeredBy);
  assert.equal(s.requests.map((r) => r.path), ['/admin/stats'], 'next time one request covers both');
  assert.equal([next.results.get(1)?.kind, next.results.get(2)?.kind], ['ok', 'ok']);
});

test('Icecast: XSLT deleted (404) → /admin/stats; a refused password is what gets reported', async () => {
  const s = await server({ '/admin/stats': 'icecast-admin-stats-401.http' });
  const out = await probe([target(s, { admin: { user: 'admin', password: 'wrong' } })]);
  assert.equal(s.requests.map((r) => r.path), ['/status-json.xsl', '/admin/stats']);
  assert.equal(out.results.get(1), { kind: 'unauthorized' });
  assert.is(out.answeredBy, null);
});

test('Icecast without admin credentials: a missing mount is "not found" after one request', async () => {
  const s = await server({ '/status-json.xsl': 'icecast-status-json-no-source.http' });
  const out = await probe([target(s)]);
  assert.equal(s.requests.map((r) => r.path), ['/status-json.xsl']);
  assert.equal(out.results.get(1), { kind: 'not_found' });
});

test('SHOUTcast DNAS 1: 404s lead to /7.html; next time /7.html is asked first and alone', async () => {
  const s = await server({ '/7.html': 'dnas1-7.html.http' });
  const t = target(s, { kind: 'shoutcast', mount: null });
  const first = await probe([t]);
  assert.equal(s.requests.map((r) => r.path), ['/statistics?json=1', '/stats?sid=1&json=1', '/7.html']);
  assert.is(first.answeredBy, 'seven-html');
  assert.is(first.results.get(1)?.kind, 'ok');
  s.requests.length = 0;
  await probe([t], first.answeredBy);
  assert.equal(s.requests.map((r) => r.path), ['/7.html']);
});

test('SHOUTcast DNAS 2: two stream ids on one server cost one /statistics request', async () => {
  const s = await server({ '/statistics?json=1': 'dnas2-statistics.http' });
  const out = await probe([target(s, { kind: 'shoutcast', encoderId: 1, mount: null }), target(s, { kind: 'shoutcast', encoderId: 2, sid: 2, mount: null })]);
  assert.equal(s.requests.map((r) => r.path), ['/statistics?json=1']);
  assert.equal([out.results.get(1), out.results.get(2)].map((r) => (r?.kind === 'ok' ? r.current : r?.kind)), [3, 4]);
});

test('SHOUTcast DNAS 2 without /statistics: one /stats?sid=N request per stream', async () => {
  const s = await server({ '/stats?sid=1&json=1': 'dnas2-stats-sid1.http' });
  const out = await probe([target(s, { kind: 'shoutcast', mount: null })]);
  assert.equal(s.requests.map((r) => r.path), ['/statistics?json=1', '/stats?sid=1&json=1']);
  assert.is(out.answeredBy, 'dnas2-stats');
});

test("SHOUTcast source on Icecast's compatibility port: with a mount, Icecast's status-json answers", async () => {
  const s = await server({ '/status-json.xsl': 'icecast-status-json-two-sources.http' });
  const out = await probe([target(s, { kind: 'shoutcast', mount: '/live.mp3' })]);
  assert.equal(s.requests.map((r) => r.path), ['/statistics?json=1', '/stats?sid=1&json=1', '/7.html', '/status-json.xsl']);
  assert.is(out.answeredBy, 'status-json');
  const noMount = await probe([target(s, { kind: 'shoutcast', mount: null })]);
  assert.equal(noMount.results.get(1), { kind: 'unavailable', detail: 'HTTP 404' });
});

test('a server that is down is asked once, not once per endpoint', async () => {
  const port = await freePort();
  const out = await probe([target({ host: '127.0.0.1', port }, { kind: 'shoutcast', mount: '/x.mp3', admin: { user: 'a', password: 'b' } })]);
  assert.equal(out.results.get(1), { kind: 'unreachable', detail: 'connection refused' });
});

test.run();
