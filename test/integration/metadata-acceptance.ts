// Seed criterion 3 on real peers: a title posted to the engine is what a player reads from the
// streams of a real Icecast 2.4 — ICY StreamTitle on MP3 and AAC mounts and on the SHOUTcast v1
// (compat) mount, Vorbis comments and OpusTags inside the Ogg streams — non-ASCII and quotes
// included, and what the server's own status page reports. After a reconnect the title is re-sent.
// For either encoder backend: metadata.test.ts (ffmpeg) and metadata-liquidsoap.test.ts run these same
// tests, and a player sees the same title whichever one an encoder uses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { waitFor } from '../harness/util.js';
import { OggCommentReader, readIcyTitle, readOggComments } from './metadata-readers.js';
import type { Backend } from '../../src/engine/types.js';

const ARTIST = 'Café Müller';
const TITLE = "日本 Don't ';stop";
// What players must show: the `';` pair broken up (U+2019), everything else as sent.
const SONG = "Café Müller - 日本 Don't \u2019;stop";
const STREAM = { timeoutMs: 15_000 };

let icecast: IcecastServer;
let t: TestEngine;
const ids: Record<string, number> = {};

interface MountStats {
  title?: string;
  artist?: string;
}

async function mountStats(mount: string): Promise<MountStats | undefined> {
  const status = (await icecast.statusJson()) as { icestats?: { source?: unknown } };
  const src = status.icestats?.source;
  const list = (Array.isArray(src) ? src : src ? [src] : []) as Array<Record<string, unknown>>;
  const found = list.find((s) => typeof s.listenurl === 'string' && new URL(s.listenurl).pathname === mount);
  return found as MountStats | undefined;
}

async function waitForStatsTitle(mount: string, title: string, timeoutMs = 10_000): Promise<void> {
  let last: MountStats | undefined;
  try {
    await waitFor(async () => (last = await mountStats(mount))?.title === title, { timeoutMs, intervalMs: 100 });
  } catch {
    throw new Error(`${mount}: status-json.xsl title never became ${JSON.stringify(title)}; last ${JSON.stringify(last)}`);
  }
}

async function pushed(id: number, song: string): Promise<void> {
  await t.waitForState(id, (s) => (s as unknown as { metadata: { last_pushed_song: string | null } }).metadata.last_pushed_song === song, 15_000, `title "${song}" pushed`);
}

export function metadataAcceptance(backend: Backend): void {
  const encoder = (port: number, mount: string, over: Record<string, unknown> = {}): Record<string, unknown> =>
    icecastEncoder(port, mount, { backend, ...over });

  test.before(async () => {
    icecast = await startIcecast({ mounts: ['/np.mp3', '/np.aac', '/np.ogg', '/np.opus'], shoutcastMount: '/sc.mp3' });
    t = await startTestEngine({ captureDevice: 'tone:440' });
    const bodies: Record<string, Record<string, unknown>> = {
      mp3: encoder(icecast.port, '/np.mp3'),
      aac: encoder(icecast.port, '/np.aac', { codec: 'aac', bitrate_kbps: 96 }),
      ogg: encoder(icecast.port, '/np.ogg', { codec: 'ogg', bitrate_kbps: 96 }),
      opus: encoder(icecast.port, '/np.opus', { codec: 'opus', bitrate_kbps: 64 }),
      sc: { ...encoder(icecast.port, '/ignored'), name: 'SHOUTcast', output_type: 'shoutcast', mount_point: null },
      // Not declared in icecast.xml: Icecast's default Latin-1 mount, fed ISO-8859-1 titles.
      latin: encoder(icecast.port, '/latin.mp3', { metadata_charset: 'ISO-8859-1' }),
    };
    for (const [key, body] of Object.entries(bodies)) {
      const r = await t.api('POST', '/api/encoders', body);
      assert.is(r.status, 201, `${key}: ${JSON.stringify(r.body)}`);
      ids[key] = r.body.id;
    }
    await t.api('POST', '/api/encoders/start-all');
    for (const id of Object.values(ids)) await t.waitForState(id, (s) => s.state === 'streaming', 20_000, 'streaming');
    for (const mount of ['/np.mp3', '/np.aac', '/np.ogg', '/np.opus', '/sc.mp3', '/latin.mp3']) {
      await waitFor(() => icecast.mountIsLive(mount), { timeoutMs: 5000, what: `${mount} listed` });
    }
  });

  test.after(async () => {
    await t?.stop();
    await icecast?.stop();
  });

  test('criterion 3: the posted title is what players and the status page show, on every kind of mount', async () => {
    // A listener that is already on the Ogg mount must get the new title in the same connection.
    const oggReader = new OggCommentReader();
    const oggListener = readOggComments(`${icecast.baseUrl}/np.ogg`, (c) => c.tags.TITLE === TITLE, { timeoutMs: 20_000 }, oggReader);
    await waitFor(() => oggReader.seen.length > 0, { timeoutMs: 5000, what: 'the first Ogg headers' });
    const firstSerial = oggReader.seen[0]!.serial;

    const r = await t.api('POST', '/api/metadata', { artist: ARTIST, title: TITLE });
    assert.is(r.status, 200, JSON.stringify(r.body));
    assert.equal([r.body.changed, r.body.now_playing.song], [true, `${ARTIST} - ${TITLE}`]);

    for (const key of ['mp3', 'aac', 'sc']) await pushed(ids[key]!, `${ARTIST} - ${TITLE}`);
    for (const mount of ['/np.mp3', '/np.aac', '/sc.mp3']) {
      const title = await readIcyTitle(`${icecast.baseUrl}${mount}`, (b) => b.toString('utf8') === SONG, STREAM);
      assert.is(title.toString('utf8'), SONG, `${mount} ICY StreamTitle`);
      await waitForStatsTitle(mount, SONG);
    }

    const latinIcy = await readIcyTitle(`${icecast.baseUrl}/latin.mp3`, (b) => b.toString('latin1').startsWith('Café'), STREAM);
    assert.is(latinIcy.toString('latin1'), "Café Müller - ?? Don't ' ;stop", 'Latin-1 bytes on a Latin-1 mount');
    await waitForStatsTitle('/latin.mp3', "Café Müller - ?? Don't ' ;stop");

    const chained = await oggListener;
    assert.is(chained.tags.ARTIST, ARTIST);
    assert.is(chained.tags.TITLE, TITLE, 'Vorbis comments carry the title verbatim: no ICY quoting inside Ogg');
    assert.ok(chained.serial !== firstSerial, 'a new chained logical stream on the same connection');
    // IC-2.4.4 reads title and artist of Vorbis streams from the comments (not for Opus, PROTOCOLS.md §2.5).
    await waitFor(async () => (await mountStats('/np.ogg'))?.title === TITLE, { timeoutMs: 10_000, what: 'Ogg title in status-json' });
    assert.is((await mountStats('/np.ogg'))?.artist, ARTIST);

    const opus = await readOggComments(`${icecast.baseUrl}/np.opus`, (c) => c.codec === 'opus' && c.tags.TITLE === TITLE, STREAM);
    assert.is(opus.tags.ARTIST, ARTIST);

    const status = await t.status(ids.mp3!);
    const metadata = (status as unknown as { metadata: Record<string, unknown> }).metadata;
    assert.equal([metadata.method, metadata.last_error, metadata.pending], [backend === 'liquidsoap' ? 'liquidsoap' : 'icecast-admin', null, false]);
    const oggStatus = await t.status(ids.ogg!);
    assert.is(oggStatus.process.restarts, 0, 'the in-stream title change is not counted as a codec crash');
    const log = await t.api('GET', '/api/log?limit=200');
    assert.not.ok(log.body.some((e: { kind: string }) => e.kind === 'metadata_push_failed'), JSON.stringify(log.body.filter((e: { kind: string }) => e.kind === 'metadata_push_failed')));
  });

  test('the Ogg title change keeps the other encoders on air, untouched', async () => {
    const before = await Promise.all([ids.mp3!, ids.aac!, ids.sc!].map((id) => t.status(id)));
    await t.api('POST', '/api/metadata', { song: 'Other - Song' });
    const reader = new OggCommentReader();
    await readOggComments(`${icecast.baseUrl}/np.ogg`, (c) => c.tags.TITLE === 'Song', STREAM, reader);
    for (const b of before) {
      const now = await t.status(b.id);
      assert.equal([now.state, now.connected_since, now.process.pid], ['streaming', b.connected_since, b.process.pid], b.name);
    }
  });

  test('after the server restarts, every encoder reconnects and the current title is sent again', async () => {
    await t.api('POST', '/api/metadata', { artist: 'Zoë', title: 'After Restart' });
    await waitForStatsTitle('/np.mp3', 'Zoë - After Restart');
    await icecast.restart();
    for (const id of Object.values(ids)) await t.waitForState(id, (s) => s.state === 'streaming' && s.reconnect_history.length > 2, 20_000, 'streaming again');
    for (const mount of ['/np.mp3', '/np.aac', '/sc.mp3']) {
      await waitForStatsTitle(mount, 'Zoë - After Restart', 15_000);
      const title = await readIcyTitle(`${icecast.baseUrl}${mount}`, (b) => b.toString('utf8') === 'Zoë - After Restart', STREAM);
      assert.is(title.toString('utf8'), 'Zoë - After Restart');
    }
    // The Ogg encoders replay their cached headers, which carry the title, to the new connection.
    const ogg = await readOggComments(`${icecast.baseUrl}/np.ogg`, (c) => c.tags.TITLE !== undefined, STREAM);
    assert.equal([ogg.tags.ARTIST, ogg.tags.TITLE], ['Zoë', 'After Restart']);
    await waitFor(async () => (await mountStats('/np.ogg'))?.title === 'After Restart', { timeoutMs: 10_000, what: 'Ogg title after restart' });
  });

  test.run();
}
