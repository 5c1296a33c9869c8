// test-timeout: 240
// Live listen on real parts (seed §4.4, criterion 5): the capture is a PulseAudio null sink read through
// ALSA, the engineer's "headphones" a second null sink reached through an ALSA PCM of their own (the
// `pulse` plugin, named in an asoundrc) and read back through its monitor. The tone played into the
// capture comes out of the headphones, at the volume asked for, from every kind of source; aplay killed
// or its card missing never touches an encoder; the network stream plays to ffmpeg and VLC with the listen key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PulseServer, type PlayHandle } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, rms, sinePcm } from '../harness/signal.js';
import { startTestEngine, streamingEncoder, streamingMp3, type TestEngine } from '../harness/engine.js';
import { httpGet, sleep, waitFor } from '../harness/util.js';
import { decodeWithVlc } from '../harness/vlc.js';

const TONE_HZ = 1000;
const PHONES = 'rackcast_phones';
let pulse: PulseServer;
let player: PlayHandle;
let icecast: IcecastServer;
let t: TestEngine;
let mp3Id = 0;
let aacId = 0;

async function listenState(pred: (s: any) => boolean, what: string, timeoutMs = 10_000): Promise<any> {
  let last: any;
  try {
    await waitFor(async () => pred((last = (await t.api('GET', '/api/live-listen')).body)), { timeoutMs, intervalMs: 100 });
  } catch {
    throw new Error(`${what}: live listen is ${JSON.stringify(last?.status)}`);
  }
  return last;
}

/**
 * What the headphones play for `seconds`, skipping nothing: one channel's samples. pacat starved on a
 * loaded machine can hand back less than was asked; that recording is taken again `retries` times, then
 * it is an error (a short recording must never pass for a quiet one, or for one without a gap).
 */
async function headphones(seconds: number, retries = 2): Promise<Int16Array> {
  for (let attempt = 0; ; attempt++) {
    const samples = channelSamples(await pulse.recordSink(PHONES, seconds), 2);
    if (samples.length >= 0.75 * seconds * 48000) return samples;
    if (attempt >= retries) throw new Error(`the headphones' recording held ${(samples.length / 48000).toFixed(2)} s of the ${seconds} s asked`);
  }
}

/** The tone's frequency, and its level as the median of 20 ms windows (a short gap does not move it). */
function toneLevel(samples: Int16Array): { hz: number; rms: number } {
  const windows: number[] = [];
  for (let i = 0; i + 960 <= samples.length; i += 960) windows.push(rms(samples.subarray(i, i + 960)));
  windows.sort((a, b) => a - b);
  return { hz: samples.length >= 16 ? dominantFrequency(samples, 48000) : NaN, rms: windows[Math.floor(windows.length / 2)] ?? 0 };
}

/**
 * Waits until two seconds of the headphones hold the tone (a network source takes a moment to start) and
 * returns that measurement. A recording that comes back empty (pacat starved on a loaded machine) is one
 * more try, not the answer.
 */
async function toneOnHeadphones(what: string): Promise<{ hz: number; rms: number }> {
  let last = { hz: NaN, rms: 0 };
  await waitFor(async () => (last = toneLevel(await headphones(2))).rms > 0.1 && Math.abs(last.hz - TONE_HZ) < 3, { timeoutMs: 20_000, intervalMs: 0, what: `${what}: the tone on the headphones (last ${JSON.stringify(last)})` });
  return last;
}

test.before(async () => {
  pulse = await startPulse();
  player = pulse.play(sinePcm({ freqHz: TONE_HZ, seconds: 2, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true, latencyMs: 200 });
  await pulse.addSink(PHONES);
  // ALSA PCMs that reach the headphones' sink, and one whose sink does not exist yet (a card not plugged in).
  const home = pulse.alsaHome({ phones: PHONES, later: 'rackcast_later' });
  icecast = await startIcecast({ mounts: ['/ll.mp3', '/ll.aac'] });
  t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env, HOME: home } });
  mp3Id = await streamingMp3(t, icecast.port, '/ll.mp3');
  aacId = await streamingEncoder(t, icecast.port, '/ll.aac', { codec: 'aac', bitrate_kbps: 96 });
});

test.after(async () => {
  await t?.stop();
  await icecast?.stop();
  await player?.stop();
  await pulse?.stop();
});

test('settings: off by default; bad values are refused naming the field; sources that cannot play now are refused', async () => {
  const first = await t.api('GET', '/api/live-listen');
  assert.equal([first.body.enabled, first.body.source, first.body.volume, first.body.status.state], [false, 'master', 1, 'off']);
  for (const [body, field] of [[{ volume: 1.5 }, 'volume'], [{ device_name: 'hw:0; rm -rf /' }, 'device_name'], [{ source: 'deck_a' }, 'source'], [{ colour: 'red' }, 'colour']] as const) {
    const r = await t.api('PUT', '/api/live-listen', body);
    assert.is(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.errors.map((e: { field: string }) => e.field), [field]);
  }
  const aux = await t.api('PUT', '/api/live-listen', { source: 'aux1', enabled: true });
  assert.is(aux.status, 400);
  assert.match(aux.body.errors[0].message, /4 channels.*has 2/);
  const missing = await t.api('PUT', '/api/live-listen', { source: 'encoder:999' });
  assert.match(missing.body.errors[0].message, /does not exist/);
  assert.is((await t.api('GET', '/api/live-listen')).body.enabled, false, 'a refused update changed nothing');
  const devices = await t.api('GET', '/api/audio/devices');
  assert.ok(devices.body.outputs.some((d: { name: string }) => d.name === 'pulse'), JSON.stringify(devices.body.outputs.map((d: { name: string }) => d.name)));
});

test('master on the headphones: the captured tone; volume 0.5 is -6 dB within 0.5 dB', async () => {
  const on = await t.api('PUT', '/api/live-listen', { enabled: true, device_name: 'phones', source: 'master', volume: 1 });
  assert.is(on.status, 200, JSON.stringify(on.body));
  await listenState((s) => s.status.state === 'playing', 'playing');
  const full = await toneOnHeadphones('master');
  assert.ok(Math.abs(full.hz - TONE_HZ) < 3, `headphones play ${full.hz} Hz`);
  await t.api('PUT', '/api/live-listen', { volume: 0.5 });
  await sleep(300);
  const half = toneLevel(await headphones(2));
  const db = 20 * Math.log10(half.rms / full.rms);
  assert.ok(Math.abs(db - -6.02) < 0.5, `volume 0.5 measured ${db.toFixed(2)} dB`);
  const view = (await t.api('GET', '/api/live-listen')).body;
  assert.is(view.status.volume_db, -6);
  await t.api('PUT', '/api/live-listen', { volume: 1 });
});

test('an encoder\'s own output and its mount on the server both play the tone, MP3 and AAC (joined mid-stream)', async () => {
  for (const source of [`encoder:${mp3Id}`, `server:${mp3Id}`, `encoder:${aacId}`, `server:${aacId}`]) {
    const r = await t.api('PUT', '/api/live-listen', { source });
    assert.is(r.status, 200, JSON.stringify(r.body));
    await listenState((s) => s.source === source && s.status.state === 'playing', `${source} playing`);
    const heard = await toneOnHeadphones(source);
    assert.ok(Math.abs(heard.hz - TONE_HZ) < 3 && heard.rms > 0.1, `${source}: ${heard.hz.toFixed(1)} Hz at rms ${heard.rms.toFixed(3)}`);
  }
  await t.api('PUT', '/api/live-listen', { source: 'master' });
});

test('aplay killed: it comes back alone; the encoder keeps its connection', async () => {
  const before = await t.status(mp3Id);
  const view = await listenState((s) => s.status.state === 'playing' && s.status.output.pid, 'playing with a pid');
  process.kill(view.status.output.pid, 'SIGKILL');
  const back = await listenState((s) => s.status.state === 'playing' && s.status.output.restarts === 1 && s.status.output.pid !== view.status.output.pid, 'aplay restarted');
  assert.ok(back.status.output.running);
  const after = await t.status(mp3Id);
  assert.equal([after.state, after.connected_since, after.queue.dropped_ms], ['streaming', before.connected_since, 0]);
});

test('criterion 5: every encoder stopped and started again while live listen plays master: no gap on the headphones', async () => {
  await t.api('PUT', '/api/live-listen', { enabled: true, device_name: 'phones', source: 'master' });
  await listenState((s) => s.source === 'master' && s.status.state === 'playing', 'master playing');
  await sleep(500);
  const recording = headphones(6, 0);
  await sleep(1000);
  await t.api('POST', '/api/encoders/stop-all');
  await sleep(1500);
  await t.api('POST', '/api/encoders/start-all');
  const samples = await recording;
  // The tone at 0.5 peaks near 16384; a gap is any 10 ms window whose peak falls below a quarter of that.
  let worst = Infinity;
  for (let i = 4800; i + 480 <= samples.length - 4800; i += 480) {
    let peak = 0;
    for (let k = i; k < i + 480; k++) peak = Math.max(peak, Math.abs(samples[k]!));
    worst = Math.min(worst, peak);
  }
  assert.ok(worst > 4096, `the quietest 10 ms of the headphones peaked at ${worst}`);
  await t.waitForState(mp3Id, (s) => s.state === 'streaming', 20_000, 'streaming again');
});

test('the network stream, with the headphones off: WAV and MP3 decode to the tone in ffmpeg and in VLC; the listen key opens that stream only; the cap answers 503', async () => {
  await t.api('PUT', '/api/live-listen', { enabled: false });
  const noKey = await httpGet(`${t.web.url}/api/live-listen/stream?key=wrong`, 3000);
  assert.is(noKey.status, 401);
  const made = await t.api('POST', '/api/live-listen/key');
  assert.is(made.status, 201);
  const key: string = made.body.key;
  assert.match(made.body.url, /\/api\/live-listen\/stream\?key=rcl_/);
  assert.is((await httpGet(`${t.web.url}/api/status?key=${key}`, 3000)).status, 401, 'the key is no credential for anything else');
  for (const format of ['wav', 'mp3']) {
    const pcm = await decodeToPcm(`${t.web.url}/api/live-listen/stream?key=${key}&format=${format}`, { seconds: 3, rate: 48000, channels: 1, timeoutMs: 20_000 });
    const f = dominantFrequency(channelSamples(pcm, 1).subarray(24000), 48000);
    assert.ok(Math.abs(f - TONE_HZ) < 3, `${format} stream decodes to ${f} Hz`);
    // And in VLC, the player an engineer on the LAN opens the URL with.
    const heard = await decodeWithVlc(`${t.web.url}/api/live-listen/stream?key=${key}&format=${format}`, 6);
    assert.ok(heard.length > 2 * 48000, `VLC played ${(heard.length / 48000).toFixed(2)} s of the ${format} stream`);
    const inVlc = dominantFrequency(heard.subarray(48000), 48000);
    assert.ok(Math.abs(inVlc - TONE_HZ) < 3 && rms(heard.subarray(48000)) > 0.1, `${format} stream in VLC: ${inVlc} Hz at rms ${rms(heard.subarray(48000))}`);
  }
  await t.api('PUT', '/api/live-listen', { max_network_listeners: 1 });
  const holder = decodeToPcm(`${t.web.url}/api/live-listen/stream?key=${key}&format=wav`, { seconds: 4, rate: 48000, channels: 1, timeoutMs: 20_000 });
  await listenState((s) => s.network.listeners === 1, 'one network listener');
  const refused = await httpGet(`${t.web.url}/api/live-listen/stream?key=${key}`, 3000);
  assert.is(refused.status, 503);
  assert.match(refused.body, /max_network_listeners is 1/);
  await holder;
  await t.api('PUT', '/api/live-listen', { max_network_listeners: 4 });
});

test('access withdrawn cuts the player off: a new listen key, a revoked token', async () => {
  const open = (url: string, headers: Record<string, string> = {}): Promise<{ status: number; ended: Promise<void> }> =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent: false, headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, ended: new Promise((r) => res.once('close', () => r())) });
      });
      req.on('error', reject);
    });
  const key: string = (await t.api('POST', '/api/live-listen/key')).body.key;
  const byKey = await open(`${t.web.url}/api/live-listen/stream?key=${key}&format=wav`);
  assert.is(byKey.status, 200);
  await listenState((s) => s.network.listeners === 1, 'the key\'s player counted');
  await t.api('POST', '/api/live-listen/key');
  await byKey.ended;
  const token = await t.api('POST', '/api/access/tokens', { label: 'studio monitor', scope: 'read' });
  assert.is(token.status, 201, JSON.stringify(token.body));
  const byToken = await open(`${t.web.url}/api/live-listen/stream?format=wav`, { authorization: `Bearer ${token.body.token}` });
  assert.is(byToken.status, 200);
  await listenState((s) => s.network.listeners === 1, 'the token\'s player counted');
  await t.api('DELETE', `/api/access/tokens/${token.body.id}`);
  await byToken.ended;
  await listenState((s) => s.network.listeners === 0, 'no network listener left');
});

test('a card that is not there: plain words, retried; plugged in, it plays by itself; the encoder never notices', async () => {
  const before = await t.status(mp3Id);
  await t.api('PUT', '/api/live-listen', { device_name: 'later', enabled: true });
  const missing = await listenState((s) => s.status.state === 'device_missing', 'device missing');
  assert.match(missing.status.status_text, /device "later" not found/);
  const index = await pulse.addSink('rackcast_later');
  await listenState((s) => s.status.state === 'playing', 'playing once the card is there', 20_000);
  const heard = toneLevel(channelSamples(await pulse.recordSink('rackcast_later', 1.5), 2));
  assert.ok(Math.abs(heard.hz - TONE_HZ) < 3, `the new card plays ${heard.hz} Hz`);
  await pulse.removeSink(index);
  const log = (await t.api('GET', '/api/log?limit=200')).body as Array<{ kind: string; message: string }>;
  assert.ok(log.some((e) => e.kind === 'live_listen' && /not found/.test(e.message)), 'the event log says the card was missing');
  const after = await t.status(mp3Id);
  assert.equal([after.state, after.connected_since], ['streaming', before.connected_since]);
  await t.api('PUT', '/api/live-listen', { enabled: false });
});

test.run();
