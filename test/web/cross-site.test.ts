// Cross-site requests against the real engine: a state-changing request that rides on the browser's
// ambient credentials (the session cookie, HTTP Basic) is refused unless it comes from the page's own
// origin; scripts without Origin or Referer, API tokens and the metadata key are not affected. And
// GET never changes state except with the metadata key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestEngine, ADMIN_PASSWORD, type TestEngine } from '../harness/engine.js';
import { createApiToken } from '../../src/web/auth.js';
import { isOwnOrigin } from '../../src/web/cross-site.js';

let t: TestEngine;
let cookie = '';
let token = '';
let metadataKey = '';
const basic = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');
const EVIL = 'http://evil.example';

function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return t.request(method, path, headers, body);
}

async function nowPlaying(): Promise<string | null> {
  return (await t.api('GET', '/api/metadata')).body.now_playing?.song ?? null;
}

/** How many times an encoder was started or stopped, from the event log. */
async function startsAndStops(): Promise<number> {
  const log = (await t.api('GET', '/api/log?limit=500')).body as Array<{ kind: string }>;
  return log.filter((e) => e.kind === 'encoder_started' || e.kind === 'encoder_stopped').length;
}

async function keyWorks(key: string, song: string): Promise<boolean> {
  return (await call('GET', `/api/metadata?key=${encodeURIComponent(key)}&song=${encodeURIComponent(song)}`, {})).status === 200;
}

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone:440' });
  const signIn = await fetch(`${t.web.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: ADMIN_PASSWORD }) });
  cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  token = createApiToken(t.engine.settings, 'cross-site test').token;
  metadataKey = (await t.api('POST', '/api/metadata/key')).body.key;
  // An encoder that is on air (its server is unreachable, so it sits retrying): stop-all would take it off.
  const created = await t.api('POST', '/api/encoders', {
    name: 'On air', codec: 'mp3', bitrate_kbps: 128, output_type: 'icecast', server_host: '127.0.0.1', server_port: 1, mount_point: '/x.mp3', reconnect_delay_secs: 30,
  });
  assert.is(created.status, 201, JSON.stringify(created.body));
  await t.api('POST', `/api/encoders/${created.body.id}/start`);
  await t.api('POST', '/api/metadata', { song: 'Before - Attack' });
});

test.after(async () => {
  await t?.stop();
});

// Read when a test runs: the cookie exists only after test.before.
const ambient: Record<string, () => Record<string, string>> = {
  'session cookie': () => ({ cookie }),
  Basic: () => ({ authorization: basic }),
};
const foreign: Array<[string, Record<string, string>]> = [
  ['Origin http://evil.example', { origin: EVIL }],
  ['Origin null', { origin: 'null' }],
  ['no Origin, Referer from evil.example', { referer: `${EVIL}/page.html` }],
  ['Origin of another port on the same host', { origin: 'http://127.0.0.1:1' }],
  ['Origin that is not a URL', { origin: 'not a url' }],
];

for (const [credName, credentials] of Object.entries(ambient)) {
  for (const [originName, origin] of foreign) {
    test(`${credName} with ${originName}: stop-all, start-all, titles and the metadata key are refused`, async () => {
      const headers = { ...credentials(), ...origin };
      const enabledBefore = (await t.api('GET', '/api/encoders')).body.map((e: { enabled: boolean }) => e.enabled);
      const logBefore = await startsAndStops();

      const attempts: Array<[string, string, unknown]> = [
        ['POST', '/api/encoders/stop-all', undefined],
        ['POST', '/api/encoders/start-all', undefined],
        ['POST', '/api/metadata', { song: 'Evil - Title' }],
        ['POST', '/api/metadata/key', undefined],
        ['DELETE', '/api/metadata/key', undefined],
        ['PUT', '/api/stats/settings', { stats_poll_secs: 3600 }],
        ['POST', '/api/encoders', { name: 'Evil', codec: 'mp3', output_type: 'icecast', server_host: 'evil.example', server_port: 8000, mount_point: '/evil' }],
        ['DELETE', '/api/session', undefined],
      ];
      for (const [method, path, body] of attempts) {
        const r = await call(method, path, headers, body);
        assert.is(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.match(r.body.error, /cross-site request refused/, `${method} ${path}`);
        assert.match(r.body.error, /Origin|Referer/, 'the error says why');
      }
      assert.is(await nowPlaying(), 'Before - Attack', 'no title was posted');
      assert.ok(await keyWorks(metadataKey, 'Before - Attack'), 'the metadata key was neither rotated nor deleted');
      assert.equal((await t.api('GET', '/api/encoders')).body.map((e: { enabled: boolean }) => e.enabled), enabledBefore);
      assert.is(await startsAndStops(), logBefore, 'nothing started or stopped');
      assert.is((await t.api('GET', '/api/stats/settings')).body.stats_poll_secs, 30);
      assert.is((await call('GET', '/api/encoders', { cookie })).status, 200, 'the session was not signed out');
    });
  }
}

test('the page\'s own origin passes: Origin equal to the Host (http or https), or a same-origin Referer', async () => {
  const host = new URL(t.web.url).host;
  const cases: Array<Record<string, string>> = [
    { cookie, origin: t.web.url },
    { cookie, origin: `https://${host}` },
    { cookie, origin: t.web.url.toUpperCase() },
    { cookie, referer: `${t.web.url}/#/encoders` },
    { authorization: basic, origin: t.web.url },
  ];
  for (const headers of cases) {
    const ok = await call('PUT', '/api/stats/settings', headers, { stats_poll_secs: 30 });
    assert.is(ok.status, 200, `${JSON.stringify(headers)}: ${JSON.stringify(ok.body)}`);
  }
});

test('isOwnOrigin: same Host over http or https, default ports folded, case-insensitive', () => {
  assert.ok(isOwnOrigin('http://rackcast.local:8080', 'rackcast.local:8080'));
  assert.ok(isOwnOrigin('http://rackcast.local', 'rackcast.local:80'));
  assert.ok(isOwnOrigin('https://rackcast.local', 'rackcast.local:443'));
  assert.ok(isOwnOrigin('https://rackcast.local', 'RackCast.Local'));
  assert.ok(isOwnOrigin('http://[::1]:8080', '[::1]:8080'));
  assert.not.ok(isOwnOrigin('http://rackcast.local:8081', 'rackcast.local:8080'));
  assert.not.ok(isOwnOrigin('https://rackcast.local', 'rackcast.local:80'), 'https on port 80 is another origin');
  assert.not.ok(isOwnOrigin('http://rackcast.local.evil.example', 'rackcast.local'));
  assert.not.ok(isOwnOrigin('http://rackcast.local', undefined), 'no Host: nothing to compare with');
  assert.not.ok(isOwnOrigin('http://rackcast.local', 'rackcast.local/evil'));
});

test('sign-in from another site is refused before the password is checked; from the page it works', async () => {
  const evil = await call('POST', '/api/session', { origin: EVIL }, { password: ADMIN_PASSWORD });
  assert.is(evil.status, 403, JSON.stringify(evil.body));
  const wrong = await call('POST', '/api/session', { origin: 'null' }, { password: 'guess' });
  assert.is(wrong.status, 403, 'a guess from another site never reaches the throttle');
  const own = await call('POST', '/api/session', { origin: t.web.url }, { password: ADMIN_PASSWORD });
  assert.is(own.status, 200);
});

test('scripts without Origin or Referer (curl, playout, the panel) keep working with Basic and the cookie', async () => {
  assert.is((await call('POST', '/api/metadata', { authorization: basic }, { song: 'Curl - Basic' })).status, 200);
  assert.is((await call('PUT', '/api/stats/settings', { cookie }, { stats_poll_secs: 30 })).status, 200);
  assert.is((await call('POST', '/api/encoders/start-all', { authorization: basic })).status, 200);
});

test('a bearer token and the metadata key are not ambient credentials: no Origin check', async () => {
  const viaToken = await call('POST', '/api/metadata', { authorization: `Bearer ${token}`, origin: EVIL }, { song: 'Token - From Anywhere' });
  assert.is(viaToken.status, 200, JSON.stringify(viaToken.body));
  const viaKeyPost = await call('POST', '/api/metadata', { 'x-rackcast-metadata-key': metadataKey, origin: 'null' }, { song: 'Key - Posted' });
  assert.is(viaKeyPost.status, 200, JSON.stringify(viaKeyPost.body));
  const viaKeyGet = await call('GET', `/api/metadata?key=${encodeURIComponent(metadataKey)}&song=Key%20-%20Got`, { origin: EVIL });
  assert.is(viaKeyGet.status, 200, JSON.stringify(viaKeyGet.body));
  assert.is(await nowPlaying(), 'Key - Got');
});

test('GET with normal credentials never posts a title, whatever its Origin; it points to POST', async () => {
  await t.api('POST', '/api/metadata', { song: 'Stays - Put' });
  const cases: Array<Record<string, string>> = [
    { cookie, origin: EVIL },
    { cookie },
    { authorization: basic, origin: EVIL },
    { authorization: basic },
    { authorization: `Bearer ${token}` },
  ];
  for (const headers of cases) {
    for (const query of ['song=Evil%20-%20Get', 'artist=Evil&title=Get', 'title=Get']) {
      const r = await call('GET', `/api/metadata?${query}`, headers);
      assert.is(r.status, 405, `${JSON.stringify(headers)} ?${query}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, /POST \/api\/metadata/);
      assert.ok(['song', 'artist', 'title'].includes(r.body.field), JSON.stringify(r.body));
    }
    const head = await fetch(`${t.web.url}/api/metadata?song=Evil%20-%20Head`, { method: 'HEAD', headers });
    assert.is(head.status, 405, 'HEAD is a GET too');
  }
  assert.is(await nowPlaying(), 'Stays - Put');
  const read = await call('GET', '/api/metadata?limit=3', { cookie, origin: EVIL });
  assert.equal([read.status, read.body.now_playing.song], [200, 'Stays - Put'], 'reading still works');
});

test('no GET route changes anything, whatever query it is given', async () => {
  const snapshot = (): string => JSON.stringify([
    t.engine.db.prepare("SELECT key, value FROM settings WHERE key <> 'running_encoders' ORDER BY key").all(),
    t.engine.db.prepare('SELECT * FROM encoders ORDER BY id').all(),
    t.engine.db.prepare('SELECT count(*) AS n FROM metadata_history').get(),
  ]);
  const before = snapshot();
  const queries = [
    '?song=Get%20-%20Write',
    '?artist=A&title=T&name=Renamed&enabled=false&stats_poll_secs=5&sse_max_clients=1&tcp_port=9999&recordings_dir=%2Ftmp&limit=5&period=1h',
  ];
  const id = (await t.api('GET', '/api/encoders')).body[0].id;
  for (const path of [
    '/api/health', '/api/session', '/api/status', '/api/log', '/api/encoders', `/api/encoders/${id}`, `/api/encoders/${id}/status`,
    `/api/encoders/${id}/listeners`, `/api/encoders/${id}/listeners/current`, `/api/encoders/${id}/recording`, '/api/stats/settings',
    '/api/metadata', '/api/metadata/settings', '/api/metadata/key', '/api/recording', '/api/web/settings', '/api/panel/frame.png',
    '/api/encoders/start-all', '/api/encoders/stop-all', `/api/encoders/${id}/start`, `/api/encoders/${id}/stop`, `/api/encoders/${id}/test`,
  ]) {
    for (const headers of [{ cookie, origin: EVIL }, { authorization: basic }] as Array<Record<string, string>>) {
      for (const query of queries) {
        const r = await call('GET', path + query, headers);
        assert.ok(r.status < 500, `${path}: ${r.status}`);
      }
    }
  }
  assert.is(snapshot(), before, 'settings, encoders and the title history are as they were');
});

test.run();
