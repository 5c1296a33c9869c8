import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MAX_PATH_CHARS,
  classifyIcecastMetadataReply,
  classifyShoutcastMetadataReply,
  icecastMetadataPath,
  icyTitle,
  percentEncode,
  pushRetryDelayMs,
  shoutcastMetadataPath,
  toLatin1,
} from '../../../src/engine/metadata/push-requests.js';

const SONG = "Café Müller - 日本 Don't';x";

test('percentEncode leaves only unreserved characters', () => {
  assert.is(percentEncode(Buffer.from('a-Z_0.~ +%&=#?/', 'utf8')), 'a-Z_0.~%20%2B%25%26%3D%23%3F%2F');
  assert.is(percentEncode(Buffer.from('é', 'utf8')), '%C3%A9');
});

test('toLatin1: Latin-1 as is, typographic quotes to ASCII, the rest "?"', () => {
  assert.equal([...toLatin1('é ü ß')], [0xe9, 0x20, 0xfc, 0x20, 0xdf]);
  assert.is(toLatin1('‘x’ “y” – …').toString('latin1'), `'x' "y" - ...`);
  assert.is(toLatin1('日本').toString('latin1'), '??');
});

test('Icecast /admin/metadata, UTF-8 with charset', () => {
  assert.is(
    icecastMetadataPath({ mount: '/live.mp3', song: SONG, charset: 'UTF-8' }),
    '/admin/metadata?mount=%2Flive.mp3&mode=updinfo&song=Caf%C3%A9%20M%C3%BCller%20-%20%E6%97%A5%E6%9C%AC%20Don%27t%E2%80%99%3Bx&charset=UTF-8',
  );
});

test('Icecast /admin/metadata, ISO-8859-1 bytes with charset, and raw UTF-8 without', () => {
  assert.is(
    icecastMetadataPath({ mount: 'live', song: SONG, charset: 'ISO-8859-1' }),
    "/admin/metadata?mount=%2Flive&mode=updinfo&song=Caf%E9%20M%FCller%20-%20%3F%3F%20Don%27t%27%20%3Bx&charset=ISO-8859-1",
  );
  assert.is(
    icecastMetadataPath({ mount: '/a b+c', song: 'A&B - 50%', charset: 'none' }),
    '/admin/metadata?mount=%2Fa%20b%2Bc&mode=updinfo&song=A%26B%20-%2050%25',
  );
});

test('a huge CJK title is cut to keep the request under Icecast\'s 4 KiB head', () => {
  const path = icecastMetadataPath({ mount: '/m', song: '日'.repeat(510), charset: 'UTF-8' });
  assert.ok(path.length <= MAX_PATH_CHARS, String(path.length));
  assert.ok(path.endsWith('&charset=UTF-8'));
  assert.ok(path.includes('%E6%97%A5'.repeat(300)));
});

test('SHOUTcast admin.cgi: pass, mode, song and sid only when set', () => {
  assert.is(
    shoutcastMetadataPath({ password: 'p@ss&word', song: "It's';on", sid: null, charset: 'UTF-8' }),
    '/admin.cgi?pass=p%40ss%26word&mode=updinfo&song=It%27s%E2%80%99%3Bon',
  );
  assert.is(shoutcastMetadataPath({ password: 'x', song: 'é', sid: 2, charset: 'ISO-8859-1' }), '/admin.cgi?pass=x&mode=updinfo&song=%E9&sid=2');
});

test('icyTitle', () => {
  assert.is(icyTitle("a';b", 'UTF-8'), 'a\u2019;b');
  assert.is(icyTitle("a';b", 'none'), 'a\u2019;b');
  assert.is(icyTitle("a';b", 'ISO-8859-1'), "a' ;b");
});

test('Icecast replies: the <message>, not <return>, decides', () => {
  const xml = (m: string, r: number): string => `<?xml version="1.0"?>\n<iceresponse><message>${m}</message><return>${r}</return></iceresponse>\n`;
  assert.equal(classifyIcecastMetadataReply(200, xml('Metadata update successful', 1)), { ok: true });
  assert.equal(classifyIcecastMetadataReply(200, xml('Mountpoint will not accept URL updates', 1)), {
    ok: false, error: 'server refused the title: Mountpoint will not accept URL updates', retry: 'never',
  });
  assert.equal(classifyIcecastMetadataReply(400, '<b>Source does not exist</b>'), { ok: false, error: 'mount not registered on the server yet', retry: 'soon' });
  assert.equal(classifyIcecastMetadataReply(404, 'Source does not exist'), { ok: false, error: 'mount not registered on the server yet', retry: 'soon' });
  assert.equal(classifyIcecastMetadataReply(401, 'You need to authenticate'), { ok: false, error: 'server refused the source credentials for title updates (401)', retry: 'never' });
  assert.equal(classifyIcecastMetadataReply(400, '<b>Missing parameter</b>'), { ok: false, error: 'HTTP 400: Missing parameter', retry: 'never' });
  assert.equal(classifyIcecastMetadataReply(503, ''), { ok: false, error: 'HTTP 503', retry: 'backoff' });
});

test('SHOUTcast replies: DNAS 2 empty 200, Icecast compat HTML, refusals', () => {
  assert.equal(classifyShoutcastMetadataReply(200, ''), { ok: true });
  assert.equal(
    classifyShoutcastMetadataReply(200, '<html><head><title>Admin request successful</title></head><body><p>Metadata update successful</p></body></html>'),
    { ok: true },
  );
  assert.equal(classifyShoutcastMetadataReply(400, 'illegal metadata call'), { ok: false, error: 'HTTP 400: illegal metadata call', retry: 'never' });
  assert.equal(classifyShoutcastMetadataReply(401, ''), { ok: false, error: 'server refused the password for title updates (401)', retry: 'never' });
  assert.equal(classifyShoutcastMetadataReply(400, 'Source does not exist'), { ok: false, error: 'stream not registered on the server yet', retry: 'soon' });
});

test('retry delays: quick while the mount registers, slow for other faults, none when hopeless', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7].map((n) => pushRetryDelayMs(n, 'soon')), [300, 700, 1000, 2000, 2000, 3000, null]);
  assert.equal([1, 2, 3].map((n) => pushRetryDelayMs(n, 'backoff')), [2000, 6000, null]);
  assert.is(pushRetryDelayMs(1, 'never'), null);
});

test('a password the server echoes in its error page never reaches the status or the log', () => {
  const page = '<html><body>Bad request: /admin.cgi?pass=s3cret&mode=updinfo&song=x (password=s3cret)</body></html>';
  for (const verdict of [classifyShoutcastMetadataReply(500, page), classifyIcecastMetadataReply(502, page)]) {
    assert.is(verdict.ok, false);
    const error = verdict.ok ? '' : verdict.error;
    assert.not.match(error, 's3cret');
    assert.match(error, 'pass=(hidden)&mode=updinfo');
  }
});

test.run();
