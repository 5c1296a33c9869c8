// The pusher against a fake HTTP server: what it asks, from which local address, and how it
// retries, gives up and reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetadataPusher, pushMethodFor, type PusherDeps } from '../../../src/engine/metadata/pusher.js';
import type { NowPlaying, Track } from '../../../src/engine/metadata/types.js';
import type { EncoderConfig } from '../../../src/engine/types.js';
import { waitFor } from '../../harness/util.js';

interface Seen {
  path: string;
  from: string;
  auth: string | undefined;
  ua: string | undefined;
  host: string | undefined;
}

let replies: Array<[number, string]> = [];
const seen: Seen[] = [];
let port = 0;
const server = http.createServer((req, res) => {
  seen.push({ path: req.url ?? '', from: req.socket.remoteAddress ?? '', auth: req.headers.authorization, ua: req.headers['user-agent'], host: req.headers.host });
  const [status, body] = replies.shift() ?? [200, '<iceresponse><message>Metadata update successful</message><return>1</return></iceresponse>'];
  res.writeHead(status, { 'Content-Type': 'text/xml' }).end(body);
});

function config(over: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    id: 1, name: 'Main', enabled: true, codec: 'mp3', bitrate_kbps: 128, sample_rate: 44100, channels: 2, quality: null,
    output_type: 'icecast', server_host: 'radio.example', server_port: port, server_username: 'source', mount_point: '/live.mp3',
    shoutcast_sid: null, stream_name: null, stream_genre: null, stream_url: null, stream_description: null, is_public: false,
    file_output_path: null, file_rotation: 'hourly', file_max_size_mb: 500, file_name_template: 'x', send_metadata: true,
    icy_metadata_interval: 8192, reconnect_delay_secs: 5, max_reconnect_attempts: 0, backend: 'ffmpeg', stats_admin_user: null,
    metadata_charset: 'UTF-8', on_silence: 'keep', created_at: '',
    ...over,
  };
}

const np = (song: string): NowPlaying => {
  const [artist, title] = song.split(' - ') as [string, string];
  return { artist, title, song, source: 'http', played_at: '2024-01-01T00:00:00.000Z' };
};

function make(configs: EncoderConfig[], over: Partial<PusherDeps> = {}) {
  const failures: Array<{ encoderId: number; message: string; data: Record<string, unknown> }> = [];
  const tags: Array<[number, Track | null]> = [];
  const byId = new Map(configs.map((c) => [c.id, c]));
  const pusher = new MetadataPusher({
    encoder: (id) => byId.get(id) ?? null,
    password: () => 'hack&me',
    // 127.0.0.2 is another loopback address: the server sees it only if the request was bound to it.
    link: () => ({ remoteAddress: '127.0.0.1', localAddress: '127.0.0.2' }),
    activeIds: () => [...byId.keys()],
    setStreamTags: (id, track) => tags.push([id, track]),
    logFailure: (f) => failures.push(f),
    ...over,
  });
  return { pusher, failures, tags };
}

test.before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
test.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
test.before.each(() => {
  replies = [];
  seen.length = 0;
});

test('push method per encoder', () => {
  assert.is(pushMethodFor(config()), 'icecast-admin');
  assert.is(pushMethodFor(config({ codec: 'aac' })), 'icecast-admin');
  assert.is(pushMethodFor(config({ codec: 'ogg' })), 'ogg-in-stream');
  assert.is(pushMethodFor(config({ codec: 'opus' })), 'ogg-in-stream');
  assert.is(pushMethodFor(config({ output_type: 'shoutcast' })), 'shoutcast-admin');
  assert.is(pushMethodFor(config({ send_metadata: false })), 'off');
});

test('Icecast: source credentials, from the source connection\'s local address, to its remote address', async () => {
  const c = config();
  const { pusher } = make([c]);
  pusher.titleChanged(np('Café - Tea'));
  await waitFor(() => pusher.status(c).last_pushed_song === 'Café - Tea', { timeoutMs: 3000 });
  assert.is(seen.length, 1);
  assert.is(seen[0]!.path, '/admin/metadata?mount=%2Flive.mp3&mode=updinfo&song=Caf%C3%A9%20-%20Tea&charset=UTF-8');
  assert.is(seen[0]!.from, '127.0.0.2');
  assert.is(seen[0]!.auth, 'Basic ' + Buffer.from('source:hack&me').toString('base64'));
  assert.is(seen[0]!.ua, 'RackCast/0.1 (Mozilla compatible)');
  assert.is(seen[0]!.host, `radio.example:${port}`);
  const s = pusher.status(c);
  assert.equal([s.method, s.last_error, s.pending], ['icecast-admin', null, false]);
});

test('"Source does not exist" right after a connect is retried quickly until it works', async () => {
  const c = config();
  replies = [[400, '<b>Source does not exist</b>'], [400, '<b>Source does not exist</b>']];
  const { pusher, failures } = make([c]);
  pusher.titleChanged(np('A - B'));
  await waitFor(() => pusher.status(c).last_pushed_song === 'A - B', { timeoutMs: 5000 });
  assert.is(seen.length, 3);
  assert.is(failures.length, 0);
});

test('a refusal hidden in a 200 is reported, logged once, not retried', async () => {
  const c = config();
  replies = [[200, '<iceresponse><message>Mountpoint will not accept URL updates</message><return>1</return></iceresponse>']];
  const { pusher, failures } = make([c]);
  pusher.titleChanged(np('A - B'));
  await waitFor(() => failures.length === 1, { timeoutMs: 3000 });
  assert.is(seen.length, 1);
  assert.equal(failures[0], {
    encoderId: 1,
    message: 'Main: title update failed: server refused the title: Mountpoint will not accept URL updates',
    data: { song: 'A - B', attempts: 1, method: 'icecast-admin' },
  });
  const s = pusher.status(c);
  assert.is(s.last_pushed_song, null);
  assert.is(s.last_error, 'server refused the title: Mountpoint will not accept URL updates');
  assert.is(s.pending, false);
});

test('a server that is not there: retried with back-off, then logged', async () => {
  const c = config({ server_port: 1 });
  const { pusher, failures } = make([c], { link: () => ({ remoteAddress: '127.0.0.1' }) });
  pusher.titleChanged(np('A - B'));
  assert.ok(pusher.status(c).pending);
  await waitFor(() => failures.length === 1, { timeoutMs: 12_000 });
  assert.equal(failures[0]!.data, { song: 'A - B', attempts: 3, method: 'icecast-admin' });
  assert.is(pusher.status(c).last_error, 'connection refused');
});

test('a newer title replaces one still being retried', async () => {
  const c = config();
  replies = [[400, 'Source does not exist']];
  const { pusher } = make([c]);
  pusher.titleChanged(np('Old - One'));
  await waitFor(() => seen.length === 1, { timeoutMs: 2000 });
  pusher.titleChanged(np('New - One'));
  await waitFor(() => pusher.status(c).last_pushed_song === 'New - One', { timeoutMs: 3000 });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(seen.map((s) => s.path.includes('Old')), [true, false], 'the old title is not sent again');
});

test('SHOUTcast: admin.cgi on the base port, pass and sid, no credentials header', async () => {
  const c = config({ output_type: 'shoutcast', shoutcast_sid: 2, mount_point: null });
  replies = [[200, '']];
  const { pusher } = make([c]);
  pusher.titleChanged(np('Ä - B'));
  await waitFor(() => pusher.status(c).last_pushed_song === 'Ä - B', { timeoutMs: 3000 });
  assert.is(seen[0]!.path, '/admin.cgi?pass=hack%26me&mode=updinfo&song=%C3%84%20-%20B&sid=2');
  assert.is(seen[0]!.auth, undefined);
});

test('Ogg: the title goes to the codec, not to the server; off encoders get nothing', async () => {
  const ogg = config({ id: 2, codec: 'ogg' });
  const off = config({ id: 3, send_metadata: false });
  const { pusher, tags } = make([ogg, off]);
  pusher.titleChanged(np('A - B'));
  assert.equal(tags, [[2, np('A - B')]]);
  assert.is(pusher.status(ogg).last_pushed_song, 'A - B');
  assert.is(pusher.status(off).method, 'off');
  await new Promise((r) => setTimeout(r, 200));
  assert.is(seen.length, 0);
});

test('after a reconnect the current title goes again; an encoder off air waits for its connect', async () => {
  const c = config();
  let onAir = false;
  const { pusher } = make([c], { link: () => (onAir ? { remoteAddress: '127.0.0.1' } : null) });
  pusher.titleChanged(np('A - B'));
  await new Promise((r) => setTimeout(r, 200));
  assert.is(seen.length, 0);
  assert.is(pusher.status(c).pending, false);
  onAir = true;
  pusher.encoderOnAir(1);
  await waitFor(() => seen.length === 1, { timeoutMs: 3000 });
  pusher.encoderOnAir(1);
  await waitFor(() => seen.length === 2, { timeoutMs: 3000 });
  assert.is(seen[1]!.path, seen[0]!.path);
});

test('the stored title is sent on the first connect after a restart', async () => {
  const c = config();
  const { pusher } = make([c], { initial: np('Stored - Title') });
  pusher.encoderOnAir(1);
  await waitFor(() => pusher.status(c).last_pushed_song === 'Stored - Title', { timeoutMs: 3000 });
});

test.run();
