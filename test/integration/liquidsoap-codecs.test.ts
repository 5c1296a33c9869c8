// test-timeout: 180
// Every codec an ffmpeg encoder has, on the Liquidsoap backend, on a real Icecast: MP3 VBR, mono MP3 at
// 44.1 kHz from a 48 kHz capture, AAC-LC (ADTS), Vorbis by quality, Opus and Ogg FLAC each go on air and
// decode to the captured tone, with the content type and audio info a player needs. (MP3 CBR, Vorbis
// CBR and SHOUTcast v1 are in streams-liquidsoap.test.ts.) Each stream is decoded as a listener gets
// it; Ogg FLAC is recorded for 3 s and the file decoded, because ffmpeg stops early on a live Ogg FLAC
// stream read over HTTP, whichever encoder made it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { channelSamples, decodeToPcm, dominantFrequency } from '../harness/signal.js';
import { icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnExit, waitFor } from '../harness/util.js';

const TONE_HZ = 440;
let icecast: IcecastServer;
let t: TestEngine;

const CODECS: Array<{ mount: string; over: Record<string, unknown>; contentType: RegExp; decoded: string }> = [
  { mount: '/vbr.mp3', over: { bitrate_kbps: null, quality: 4 }, contentType: /^audio\/mpeg/, decoded: 'mp3' },
  { mount: '/mono.mp3', over: { channels: 1, sample_rate: 44100, bitrate_kbps: 64 }, contentType: /^audio\/mpeg/, decoded: 'mp3' },
  { mount: '/live.aac', over: { codec: 'aac', bitrate_kbps: 96 }, contentType: /^audio\/aac/, decoded: 'aac' },
  { mount: '/q5.ogg', over: { codec: 'ogg', bitrate_kbps: null, quality: 5 }, contentType: /^application\/ogg|^audio\/ogg/, decoded: 'vorbis' },
  { mount: '/live.opus', over: { codec: 'opus', bitrate_kbps: 64 }, contentType: /^application\/ogg|^audio\/ogg/, decoded: 'opus' },
  { mount: '/live.flac', over: { codec: 'flac', bitrate_kbps: null }, contentType: /^application\/ogg|^audio\/ogg/, decoded: 'flac' },
];
const ids = new Map<string, number>();

/** What a listener of `url` receives in `ms`: its Content-Type and the bytes. */
function listen(url: string, ms: number): Promise<{ contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      setTimeout(() => {
        res.destroy();
        resolve({ contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      }, ms);
    });
    req.setTimeout(ms + 5000, () => req.destroy(new Error(`GET ${url}: no answer`)));
    req.on('error', reject);
  });
}

test.before(async () => {
  icecast = await startIcecast({ mounts: CODECS.map((c) => c.mount) });
  t = await startTestEngine({ captureDevice: `tone:${TONE_HZ}` });
  for (const c of CODECS) {
    const r = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, c.mount, { backend: 'liquidsoap', name: c.mount, ...c.over }));
    assert.is(r.status, 201, `${c.mount}: ${JSON.stringify(r.body)}`);
    ids.set(c.mount, r.body.id);
  }
  await t.api('POST', '/api/encoders/start-all');
});

test.after(async () => {
  await t?.stop();
  await icecast?.stop();
});

test('every codec goes on air on Liquidsoap and decodes to the captured tone', async () => {
  for (const c of CODECS) {
    const s = await t.waitForState(ids.get(c.mount)!, (x) => x.state === 'streaming' || x.state === 'failed', 30_000, `${c.mount} streaming`);
    assert.is(s.state, 'streaming', `${c.mount}: ${s.status_text} ${s.last_error ?? ''}`);
    await waitFor(() => icecast.mountIsLive(c.mount), { timeoutMs: 5000, what: `${c.mount} listed` });
  }
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-lq-codecs-'));
  removeOnExit(dir);
  const heard: string[] = [];
  await Promise.all(
    CODECS.map(async (c, i) => {
      const url = `${icecast.baseUrl}${c.mount}`;
      const got = await listen(url, 3000);
      assert.match(got.contentType, c.contentType, `${c.mount} content type`);
      const file = join(dir, `stream-${i}`);
      writeFileSync(file, got.body);
      const pcm = await decodeToPcm(c.decoded === 'flac' ? file : url, { seconds: 3, rate: 48000, channels: 1, timeoutMs: 20_000, adts: c.decoded === 'aac' });
      const samples = channelSamples(pcm, 1).subarray(24000);
      const f = samples.length >= 4800 ? dominantFrequency(samples, 48000) : NaN;
      heard[i] = `${c.mount} (${c.decoded}): ${f.toFixed(1)} Hz from ${(pcm.length / 96000).toFixed(1)} s`;
    }),
  );
  for (const line of heard) assert.match(line, new RegExp(`: 4(39|40)\\.\\d Hz`), heard.join('; '));
  const mono = await t.status(ids.get('/mono.mp3')!);
  assert.ok(mono.bytes_sent > 4000, `the mono stream sent ${mono.bytes_sent} bytes`);
});

test.run();
