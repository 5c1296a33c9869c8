// The collector against fake servers: a server that never answers delays nobody else, is not asked
// twice while it hangs, and stop() cuts everything off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ListenerCollector } from '../../../src/engine/stats/collector.js';
import type { StatsTarget } from '../../../src/engine/stats/server-probe.js';
import type { PollResult } from '../../../src/engine/stats/types.js';
import { fakeStatsServer, type FakeServer } from './fake-http.js';
import { sleep, waitFor } from '../../harness/util.js';

let live: FakeServer;
let dead: FakeServer;
let dnas: FakeServer;

test.before(async () => {
  live = await fakeStatsServer(() => 'icecast-status-json-two-sources.http');
  dead = await fakeStatsServer(() => 'hang');
  dnas = await fakeStatsServer((p) => (p === '/statistics?json=1' ? 'dnas2-statistics.http' : 'icecast-statistics-404.http'));
});
test.after(async () => {
  await Promise.all([live, dead, dnas].map((s) => s.close()));
});
test.before.each(() => {
  for (const s of [live, dead, dnas]) s.requests.length = 0;
});

const targets: StatsTarget[] = [];
function icecast(id: number, s: FakeServer, mount: string): StatsTarget {
  return { encoderId: id, kind: 'icecast', host: s.host, port: s.port, mount, sid: 1, admin: null };
}

interface Seen {
  id: number;
  result: PollResult;
  afterMs: number;
}

function collector(timeoutMs: number, pollSecs = 60): { c: ListenerCollector; seen: Seen[]; t0: () => number } {
  const seen: Seen[] = [];
  let t0 = Date.now();
  const c = new ListenerCollector({
    targets: () => {
      t0 = Date.now();
      return targets;
    },
    pollSecs: () => pollSecs,
    timeoutMs,
    onResult: (t, result) => seen.push({ id: t.encoderId, result, afterMs: Date.now() - t0 }),
  });
  return { c, seen, t0: () => t0 };
}

test('a dead server never delays the others: live results arrive at once, the dead one at its deadline', async () => {
  targets.splice(0, targets.length, icecast(1, dead, '/live.mp3'), icecast(2, live, '/live.mp3'), icecast(3, live, '/live.ogg'), { ...icecast(4, dnas, ''), kind: 'shoutcast', mount: null, sid: 2 });
  const { c, seen } = collector(1500);
  const t0 = Date.now();
  const done = c.pollNow();
  await waitFor(() => seen.length === 3, { timeoutMs: 1000, what: 'the live servers' });
  const fast = Date.now() - t0;
  assert.ok(fast < 500, `live servers reported after ${fast} ms`);
  assert.equal(seen.map((s) => s.id).sort(), [2, 3, 4]);
  assert.equal(seen.map((s) => (s.result.kind === 'ok' ? s.result.current : -1)).sort(), [1, 2, 4]);
  await done;
  const slow = Date.now() - t0;
  assert.ok(slow >= 1450 && slow < 2500, `the poll ended after ${slow} ms`);
  assert.equal(seen.at(-1)!.id, 1);
  assert.equal(seen.at(-1)!.result, { kind: 'unreachable', detail: 'no answer within 1.5 s' });
  assert.is(live.requests.length, 1, 'one request for both mounts of the live server');
  assert.is(dead.requests.length, 1, 'the dead server is not asked a second endpoint');
});

test('a server still hanging from the last poll is skipped, the others are polled again', async () => {
  targets.splice(0, targets.length, icecast(1, dead, '/live.mp3'), icecast(2, live, '/live.mp3'));
  const { c, seen } = collector(1000);
  const first = c.pollNow();
  await waitFor(() => seen.length === 1, { timeoutMs: 1000 });
  const second = c.pollNow();
  await waitFor(() => seen.length === 2, { timeoutMs: 1000 });
  assert.equal(seen.map((s) => s.id), [2, 2]);
  assert.is(dead.requests.length, 1);
  await Promise.all([first, second]);
  assert.is(seen.filter((s) => s.id === 1).length, 1);
});

test('start() polls at once and then every pollSecs; stop() cuts a hanging request and drops its result', async () => {
  targets.splice(0, targets.length, icecast(1, dead, '/live.mp3'), icecast(2, live, '/live.mp3'));
  const { c, seen } = collector(10_000, 0.2);
  c.start();
  await waitFor(() => seen.filter((s) => s.id === 2).length >= 3, { timeoutMs: 2000, what: 'three polls of the live server' });
  const t0 = Date.now();
  await c.stop();
  assert.ok(Date.now() - t0 < 200, 'stop() does not wait for the dead server');
  const count = seen.length;
  await sleep(400);
  assert.is(seen.length, count, 'nothing after stop()');
  assert.not.ok(seen.some((s) => s.id === 1), 'the aborted probe reported nothing');
  assert.is(dead.requests.length, 1, 'the hanging server was asked only once meanwhile');
});

test('targets come and go between polls; an empty list asks nobody', async () => {
  targets.splice(0, targets.length);
  const { c, seen } = collector(1000);
  await c.pollNow();
  assert.is(seen.length, 0);
  targets.push(icecast(2, live, '/gone.mp3'));
  await c.pollNow();
  assert.equal(seen.map((s) => s.result), [{ kind: 'not_found' }]);
});

test('an onResult that throws does not stop the other encoders of the server', async () => {
  targets.splice(0, targets.length, icecast(2, live, '/live.mp3'), icecast(3, live, '/live.ogg'));
  const got: number[] = [];
  const c = new ListenerCollector({
    targets: () => targets,
    pollSecs: () => 60,
    onResult: (t) => {
      got.push(t.encoderId);
      if (t.encoderId === 2) throw new Error('database closed');
    },
  });
  await c.pollNow();
  assert.equal(got, [2, 3]);
});

test.run();
