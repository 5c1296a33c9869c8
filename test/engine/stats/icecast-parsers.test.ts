// Icecast stats parsers against replies recorded from the real icecast2 2.4.4 (test/fixtures/stats).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeXml, parseIcecastAdminStats, parseIcecastStatusJson, parseLenientJson } from '../../../src/engine/stats/icecast-parsers.js';
import { fixture } from './fixtures.js';

test('status-json with one source: `source` is an object; mount matched by the listenurl path', () => {
  const reply = fixture('icecast-status-json-one-source.http');
  assert.not.ok(Array.isArray((JSON.parse(reply.body) as { icestats: { source: unknown } }).icestats.source), 'the recording really has an object');
  assert.equal(parseIcecastStatusJson(reply, '/live.mp3'), { kind: 'ok', current: 2, peak: 3, unique: null, bitrate: null, title: '1999' });
  assert.equal(parseIcecastStatusJson(reply, '/live.ogg'), { kind: 'not_found' });
  assert.equal(parseIcecastStatusJson(reply, '/live'), { kind: 'not_found' }, 'no prefix match');
});

test('status-json with two sources: `source` is an array; Ogg bitrate from ice-bitrate', () => {
  const reply = fixture('icecast-status-json-two-sources.http');
  assert.equal(parseIcecastStatusJson(reply, '/live.mp3'), { kind: 'ok', current: 2, peak: 3, unique: null, bitrate: null, title: '1999' });
  assert.equal(parseIcecastStatusJson(reply, '/live.ogg'), { kind: 'ok', current: 1, peak: 1, unique: null, bitrate: 96, title: null });
});

test('status-json without sources: no `source` key, "dummy":null → not found', () => {
  const reply = fixture('icecast-status-json-no-source.http');
  assert.match(reply.body, /"dummy":null/);
  assert.equal(parseIcecastStatusJson(reply, '/live.mp3'), { kind: 'not_found' });
});

test("status-json's own invalid JSON (a title of \"-\") is repaired and still counted", () => {
  const reply = fixture('icecast-status-json-invalid.http');
  assert.match(reply.body, /"title":-,/);
  assert.throws(() => JSON.parse(reply.body));
  assert.equal(parseIcecastStatusJson(reply, '/live.mp3'), { kind: 'ok', current: 2, peak: 3, unique: null, bitrate: null, title: '-' });
  assert.equal(parseIcecastStatusJson(reply, '/live.ogg'), { kind: 'ok', current: 1, peak: 1, unique: null, bitrate: 96, title: null });
});

test('lenient JSON quotes only bare tokens that are not JSON values', () => {
  assert.equal(parseLenientJson('{"a":-,"b":12,"c":-.5x,"d":"x: y, z","e":true}'), { a: '-', b: 12, c: '-.5x', d: 'x: y, z', e: true });
  assert.throws(() => parseLenientJson('{"icestats":"server_start":"x"}'), 'a structurally broken document is not guessed at');
});

test('status-json: broken, truncated, empty, HTML and non-icestats bodies are malformed', () => {
  const cases = [
    '{"icestats":"server_start":"Tue, 24 Nov 2026 15:47:30 +0000"}', // what icecast2 sends in its first second
    '{"icestats":{"source":{"listeners":1,"listenurl":"http://h:8000/live.mp3"',
    '',
    '<html><body>Could not parse XSLT file</body></html>',
    '{"something":"else"}',
    '[1,2,3]',
  ];
  for (const body of cases) {
    const r = parseIcecastStatusJson({ status: 200, body }, '/live.mp3');
    assert.is(r.kind, 'malformed', `${body} → ${JSON.stringify(r)}`);
  }
});

test('status-json: HTTP errors are typed (401/403 unauthorized, 404/500 unavailable)', () => {
  assert.equal(parseIcecastStatusJson(fixture('icecast-admin-stats-401.http'), '/live.mp3'), { kind: 'unauthorized' });
  assert.equal(parseIcecastStatusJson({ status: 403, body: '' }, '/live.mp3'), { kind: 'unauthorized' });
  assert.equal(parseIcecastStatusJson(fixture('icecast-statistics-404.http'), '/live.mp3'), { kind: 'unavailable', detail: 'HTTP 404' });
  assert.equal(parseIcecastStatusJson({ status: 500, body: '' }, '/live.mp3'), { kind: 'unavailable', detail: 'HTTP 500' });
});

test('status-json: every field is `unknown`: strings, booleans, nulls, negative and fractional numbers', () => {
  const body = JSON.stringify({
    icestats: {
      source: [
        { listenurl: 'not a url', listeners: 9 },
        { listenurl: 42, listeners: 9 },
        { listenurl: 'http://radio.example.org:8000/caf%C3%A9.mp3', listeners: '7', listener_peak: true, audio_info: 'channels=2;bitrate=192', title: null },
        { listenurl: 'http://radio.example.org:8000/neg.mp3', listeners: -3, listener_peak: 2.7, 'audio_bitrate': 64000 },
      ],
    },
  });
  assert.equal(parseIcecastStatusJson({ status: 200, body }, '/café.mp3'), { kind: 'ok', current: 7, peak: 0, unique: null, bitrate: 192, title: null });
  assert.equal(parseIcecastStatusJson({ status: 200, body }, '/neg.mp3'), { kind: 'ok', current: 0, peak: 2, unique: null, bitrate: 64, title: null });
});

test('/admin/stats XML with admin credentials: every mount, mount from the attribute', () => {
  const reply = fixture('icecast-admin-stats.http');
  assert.equal(parseIcecastAdminStats(reply, '/live.mp3'), { kind: 'ok', current: 2, peak: 3, unique: null, bitrate: null, title: '1999' });
  assert.equal(parseIcecastAdminStats(reply, '/live.ogg'), { kind: 'ok', current: 1, peak: 1, unique: null, bitrate: 96, title: null });
  assert.equal(parseIcecastAdminStats(reply, '/other.mp3'), { kind: 'not_found' });
});

test('/admin/stats?mount= with source credentials lists just that mount', () => {
  const reply = fixture('icecast-admin-stats-mount-source-auth.http');
  assert.equal(parseIcecastAdminStats(reply, '/live.mp3'), { kind: 'ok', current: 2, peak: 3, unique: null, bitrate: null, title: '1999' });
  assert.equal(parseIcecastAdminStats(reply, '/live.ogg'), { kind: 'not_found' });
});

test('/admin/stats: 401 recorded from icecast2, and malformed bodies', () => {
  const denied = fixture('icecast-admin-stats-401.http');
  assert.is(denied.headers.get('www-authenticate'), 'Basic realm="Icecast2 Server"');
  assert.equal(parseIcecastAdminStats(denied, '/live.mp3'), { kind: 'unauthorized' });
  assert.is(parseIcecastAdminStats({ status: 200, body: '<html>login</html>' }, '/live.mp3').kind, 'malformed');
  assert.is(parseIcecastAdminStats({ status: 200, body: '<?xml version="1.0"?><icestats><source mount="/live.mp3"><listeners>3' }, '/live.mp3').kind, 'malformed');
});

test('/admin/stats: escaped mounts and titles, self-closing and empty elements', () => {
  const body = `<?xml version="1.0"?><icestats><source mount="/a&amp;b.mp3"><listeners>4</listeners><listener_peak/><title>Tom &amp; Jerry &#233;&#x65E5;</title><ice-bitrate>128</ice-bitrate></source></icestats>`;
  assert.equal(parseIcecastAdminStats({ status: 200, body }, '/a&b.mp3'), { kind: 'ok', current: 4, peak: 0, unique: null, bitrate: 128, title: 'Tom & Jerry é日' });
  assert.is(decodeXml('&lt;&gt;&quot;&apos;&unknown;&#0;'), `<>"'&unknown;&#0;`);
});

test.run();
