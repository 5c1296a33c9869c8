// ListenerStats with a fake HTTP getter replaying recorded replies: results become snapshots, events,
// the latest count and graph series; the poll interval setting is validated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase, type Database } from '../../../src/engine/db/database.js';
import { SettingsStore } from '../../../src/engine/db/settings-store.js';
import { ListenerStats, POLL_SECS_KEY, type ListenerUpdate } from '../../../src/engine/stats/listener-stats.js';
import type { StatsTarget } from '../../../src/engine/stats/server-probe.js';
import type { Fetched, HttpGetter } from '../../../src/engine/stats/http-get.js';
import { fixture } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-lstats-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

function setup(answer: () => Fetched, over: { pollSecsOverride?: number } = {}) {
  const db: Database = openDatabase(join(dir, `db${++n}.sqlite`));
  db.prepare("INSERT INTO encoders (name, codec, output_type) VALUES ('e', 'mp3', 'icecast')").run();
  const settings = new SettingsStore(db);
  const targets: StatsTarget[] = [{ encoderId: 1, kind: 'icecast', host: '127.0.0.1', port: 8000, mount: '/live.mp3', sid: 1, admin: null }];
  const events: ListenerUpdate[] = [];
  const urls: string[] = [];
  const get: HttpGetter = async (req) => {
    urls.push(req.url);
    return answer();
  };
  let now = NOW;
  const stats = new ListenerStats({ db, settings, targets: () => targets, emit: (u) => events.push(u), get, now: () => now, ...over });
  return { db, settings, stats, targets, events, urls, setNow: (ms: number) => (now = ms) };
}

const ok = (name: string): Fetched => ({ ok: true, reply: fixture(name) });

test('a poll writes a snapshot, sends listener_count_updated and sets the latest count', async () => {
  const { db, stats, events, urls } = setup(() => ok('icecast-status-json-two-sources.http'));
  await stats.pollNow();
  assert.equal(urls, ['http://127.0.0.1:8000/status-json.xsl']);
  assert.equal(events, [{ encoderId: 1, count: 2, peak: 3, at: '2026-05-01T12:00:00.000Z', error: null }]);
  assert.equal(db.prepare('SELECT encoder_id, snapshot_at, current_listeners, peak_listeners FROM listener_snapshots').all(), [
    { encoder_id: 1, snapshot_at: '2026-05-01T12:00:00.000Z', current_listeners: 2, peak_listeners: 3 },
  ]);
  assert.equal(stats.latestFor(1), { encoder_id: 1, current: 2, peak: 3, unique: null, bitrate: null, at: '2026-05-01T12:00:00.000Z', error: null, live: true });
  const series = stats.history(1, '1h');
  assert.equal(series.points, [{ t: '2026-05-01T12:00:00.000Z', current: 2, current_max: 2, peak: 3 }]);
  assert.equal([series.step_secs, series.from, series.to], [10, '2026-05-01T11:00:10.000Z', '2026-05-01T12:00:10.000Z']);
  db.close();
});

test('a failed poll sends count null with the reason, and writes nothing', async () => {
  let answer: Fetched = ok('icecast-status-json-one-source.http');
  const { db, stats, events } = setup(() => answer);
  await stats.pollNow();
  answer = { ok: false, error: 'no answer within 5 s' };
  await stats.pollNow();
  answer = ok('icecast-status-json-no-source.http');
  await stats.pollNow();
  assert.equal(events.map((e) => [e.count, e.error]), [
    [2, null],
    [null, 'stats server unreachable (no answer within 5 s)'],
    [null, 'the server does not list this mount'],
  ]);
  assert.is((db.prepare('SELECT count(*) AS c FROM listener_snapshots').get() as { c: number }).c, 1);
  assert.equal(stats.latestFor(1)?.error, 'the server does not list this mount');
  db.close();
});

test('an encoder that leaves the air has no live count; /current falls back to its last snapshot', async () => {
  const { db, stats, targets } = setup(() => ok('icecast-status-json-one-source.http'));
  await stats.pollNow();
  targets.length = 0;
  await stats.pollNow();
  assert.is(stats.latestFor(1), null);
  assert.equal(stats.current(1), { encoder_id: 1, current: 2, peak: 3, unique: 0, bitrate: null, at: '2026-05-01T12:00:00.000Z', error: null, live: false });
  assert.equal(stats.current(2), { encoder_id: 2, current: null, peak: null, unique: null, bitrate: null, at: null, error: null, live: false });
  db.close();
});

test('history over 7 days spans raw polls and rolled buckets', async () => {
  const { db, stats, setNow } = setup(() => ok('icecast-status-json-one-source.http'));
  for (let h = 0; h < 96; h += 1) {
    setNow(NOW - h * 3600_000);
    await stats.pollNow();
  }
  setNow(NOW);
  assert.ok(stats.runRetention());
  assert.ok((db.prepare('SELECT count(*) AS c FROM listener_rollups').get() as { c: number }).c > 0, 'some polls were rolled');
  const week = stats.history(1, '7d');
  assert.is(week.step_secs, 1800);
  assert.is(week.points.length, 96);
  assert.ok(week.points.every((p) => p.current === 2 && p.peak === 3));
  db.close();
});

test('poll interval: 30 s by default, 5–3600 s accepted, a bad stored value ignored, the test override wins', () => {
  const { db, stats, settings } = setup(() => ok('icecast-status-json-one-source.http'));
  assert.is(stats.pollSecs(), 30);
  assert.equal(stats.setPollSecs(4), { ok: false, message: 'must be a whole number of seconds from 5 to 3600' });
  assert.is(stats.setPollSecs(2.5).ok, false);
  assert.is(stats.setPollSecs('10').ok, false);
  assert.equal(stats.setPollSecs(10), { ok: true, value: 10 });
  assert.is(stats.pollSecs(), 10);
  settings.set(POLL_SECS_KEY, 'often');
  assert.is(stats.pollSecs(), 30);
  db.close();
  const fast = setup(() => ok('icecast-status-json-one-source.http'), { pollSecsOverride: 1 });
  assert.is(fast.stats.pollSecs(), 1);
  fast.db.close();
});

test.run();
