// The collector's GET: deadline, refusal, abort, body cap, headers. It never rejects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_STATS_BODY_BYTES, httpGetReply } from '../../../src/engine/stats/http-get.js';
import { fakeStatsServer, rawReply, type FakeServer } from './fake-http.js';
import { freePort } from '../../harness/util.js';

let s: FakeServer;
test.before(async () => {
  s = await fakeStatsServer((path) => {
    if (path === '/hang') return 'hang';
    if (path === '/big') return rawReply(200, 'x'.repeat(MAX_STATS_BODY_BYTES + 10));
    return 'icecast-status-json-one-source.http';
  });
});
test.after(() => s.close());

const url = (p: string): string => `http://${s.host}:${s.port}${p}`;

test('a recorded reply comes back as status + body, with the UA DNAS 1 wants and Basic auth', async () => {
  const r = await httpGetReply({ url: url('/status-json.xsl'), timeoutMs: 2000, auth: { user: 'admin', password: 'p:w é' } });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.reply.status, 200);
  assert.match(r.reply.body, /^\{"icestats":/);
  const seen = s.requests.at(-1)!;
  assert.match(seen.headers.get('user-agent')!, /Mozilla/);
  assert.is(Buffer.from(seen.headers.get('authorization')!.slice(6), 'base64').toString(), 'admin:p:w é');
});

test('a server that never answers is given up on at the deadline', async () => {
  const t0 = Date.now();
  const r = await httpGetReply({ url: url('/hang'), timeoutMs: 300 });
  const took = Date.now() - t0;
  assert.equal(r, { ok: false, error: 'no answer within 0.3 s' });
  assert.ok(took >= 290 && took < 1000, `took ${took} ms`);
});

test('refused, aborted, oversized, unparseable URL', async () => {
  const port = await freePort();
  assert.equal(await httpGetReply({ url: `http://127.0.0.1:${port}/`, timeoutMs: 1000 }), { ok: false, error: 'connection refused' });
  const ac = new AbortController();
  const pending = httpGetReply({ url: url('/hang'), timeoutMs: 5000, signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  assert.equal(await pending, { ok: false, error: 'stopped' });
  assert.equal(await httpGetReply({ url: url('/big'), timeoutMs: 5000 }), { ok: false, error: `reply larger than ${MAX_STATS_BODY_BYTES} bytes` });
  const bad = await httpGetReply({ url: 'http://exa mple:80/', timeoutMs: 1000 });
  assert.is(bad.ok, false);
});

test.run();
