// Seed criteria 1, 6 and 7 on real peers: a real Icecast 2.4 (with its SHOUTcast v1 source port),
// a real ALSA PCM (PulseAudio null sink through the ALSA pulse plugin), real ffmpeg encoders and
// the real engine driven through its HTTP API.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PulseServer, type PlayHandle } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, sinePcm } from '../harness/signal.js';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { freePort, sleep, waitFor } from '../harness/util.js';
import type { EncoderStatus } from '../../src/engine/encoder-runner.js';

const TONE_HZ = 1234;
let icecast: IcecastServer;
let pulse: PulseServer;
let player: PlayHandle;
let t: TestEngine;
const ids: Record<string, number> = {};

async function frequencyOf(mount: string): Promise<number> {
  const pcm = await decodeToPcm(`${icecast.baseUrl}${mount}`, { seconds: 3, rate: 48000, channels: 1, timeoutMs: 20_000 });
  const samples = channelSamples(pcm, 1).subarray(48000); // skip the burst's start and codec ramp-up
  return dominantFrequency(samples, 48000);
}

test.before(async () => {
  pulse = await startPulse();
  player = pulse.play(sinePcm({ freqHz: TONE_HZ, seconds: 2, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true });
  icecast = await startIcecast({ mounts: ['/main.mp3', '/main.ogg', '/busy.mp3'], shoutcastMount: '/sc.mp3' });
  t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env } });
});

test.after(async () => {
  await t?.stop();
  await player?.stop();
  await icecast?.stop();
  await pulse?.stop();
});

test('criterion 1: two encoders stream the captured signal to two Icecast mounts at once', async () => {
  const mp3 = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/main.mp3'));
  assert.is(mp3.status, 201, JSON.stringify(mp3.body));
  const ogg = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/main.ogg', { codec: 'ogg', bitrate_kbps: 96 }));
  assert.is(ogg.status, 201, JSON.stringify(ogg.body));
  ids.mp3 = mp3.body.id;
  ids.ogg = ogg.body.id;
  const started = await t.api('POST', '/api/encoders/start-all');
  assert.equal(started.body.started.sort(), [ids.mp3, ids.ogg].sort());
  await t.waitForState(ids.mp3!, (s) => s.state === 'streaming', 15_000, 'mp3 streaming');
  await t.waitForState(ids.ogg!, (s) => s.state === 'streaming', 15_000, 'ogg streaming');
  // Icecast lists a source in its stats a moment after accepting it.
  await waitFor(() => icecast.mountIsLive('/main.mp3'), { timeoutMs: 3000, what: '/main.mp3 listed' });
  await waitFor(() => icecast.mountIsLive('/main.ogg'), { timeoutMs: 3000, what: '/main.ogg listed' });
  const [fMp3, fOgg] = await Promise.all([frequencyOf('/main.mp3'), frequencyOf('/main.ogg')]);
  assert.ok(Math.abs(fMp3 - TONE_HZ) < 5, `mp3 mount decodes to ${fMp3} Hz`);
  assert.ok(Math.abs(fOgg - TONE_HZ) < 5, `ogg mount decodes to ${fOgg} Hz`);
  const status = await t.status(ids.mp3!);
  assert.ok(status.bytes_sent > 16_000, `bytes sent ${status.bytes_sent}`);
  assert.is(status.status_text, 'Streaming');
  const all = await t.api('GET', '/api/status');
  assert.is(all.body.capture.state, 'running');
  assert.is(all.body.capture.levels.length, 2);
  assert.ok(all.body.capture.levels[0].peakDbfs > -10 && all.body.capture.levels[0].peakDbfs < -3, JSON.stringify(all.body.capture.levels));
});

test('criterion 7: a SHOUTcast v1 encoder and the Icecast encoders on air together', async () => {
  const sc = await t.api('POST', '/api/encoders', {
    ...icecastEncoder(icecast.port, '/ignored'),
    name: 'SHOUTcast',
    output_type: 'shoutcast',
    mount_point: null,
  });
  assert.is(sc.status, 201, JSON.stringify(sc.body));
  ids.sc = sc.body.id;
  const r = await t.api('POST', `/api/encoders/${ids.sc}/start`);
  assert.is(r.status, 200, JSON.stringify(r.body));
  await t.waitForState(ids.sc!, (s) => s.state === 'streaming', 15_000, 'shoutcast streaming');
  await waitFor(() => icecast.mountIsLive('/sc.mp3'), { timeoutMs: 3000, what: 'the SHOUTcast source mounted at the shoutcast-mount' });
  const f = await frequencyOf('/sc.mp3');
  assert.ok(Math.abs(f - TONE_HZ) < 5, `shoutcast mount decodes to ${f} Hz`);
  for (const id of [ids.mp3!, ids.ogg!]) assert.is((await t.status(id)).state, 'streaming');
});

test('a killed ffmpeg comes back alone; the other encoders never leave the server', async () => {
  const before = await Promise.all([ids.mp3!, ids.ogg!, ids.sc!].map((id) => t.status(id)));
  const victim = before[0]!;
  assert.ok(victim.process.pid, 'the encoder has a process');
  const others = before.slice(1);
  let leftAir = '';
  const watcher = setInterval(async () => {
    for (const o of others) {
      const s = await t.status(o.id).catch(() => null);
      if (s && (s.state !== 'streaming' || s.connected_since !== o.connected_since)) leftAir = `${o.name}: ${JSON.stringify(s)}`;
    }
  }, 100);
  process.kill(victim.process.pid!, 'SIGKILL');
  const back = await t.waitForState(victim.id, (s) => s.process.restarts === 1 && s.process.running && s.process.pid !== victim.process.pid, 10_000, 'ffmpeg restarted');
  const sentAtRestart = back.bytes_sent;
  await t.waitForState(victim.id, (s) => s.state === 'streaming' && s.bytes_sent > sentAtRestart + 8000, 15_000, 'audio flowing again');
  await sleep(500);
  clearInterval(watcher);
  assert.is(leftAir, '', 'another encoder left the server');
  assert.ok(await icecast.mountIsLive('/main.mp3'));
  const f = await frequencyOf('/main.mp3');
  assert.ok(Math.abs(f - TONE_HZ) < 5, `after the restart the mount decodes to ${f} Hz`);
});

test('criterion 6: server down → every encoder retries; back → all streaming within delay + 1 s', async () => {
  const all = [ids.mp3!, ids.ogg!, ids.sc!];
  await icecast.stop();
  const seen = new Set<string>();
  for (const id of all) {
    const s = await t.waitForState(id, (x) => x.state === 'retrying', 15_000, 'retrying');
    assert.match(s.status_text, /^Retrying \(\d+\/∞\)$/);
    assert.ok(s.last_error, 'a reason is shown');
    seen.add(s.last_error!);
  }
  // Let at least one more retry fail against the dead server.
  await t.waitForState(ids.mp3!, (x) => x.state === 'retrying' && x.attempt >= 2, 10_000, 'second retry');
  assert.ok([...seen].some((e) => /server unreachable|server closed the connection/.test(e)), [...seen].join('; '));
  await icecast.start();
  const upAt = Date.now();
  const delayMs = 2000;
  const times: number[] = [];
  for (const id of all) {
    await t.waitForState(id, (x) => x.state === 'streaming', delayMs + 5000, 'streaming again');
    times.push(Date.now() - upAt);
  }
  const worst = Math.max(...times);
  assert.ok(worst <= delayMs + 1000 + 300, `back on air after ${worst} ms (polling adds up to 100 ms per encoder)`);
  const history = (await t.status(ids.mp3!)).reconnect_history.map((h) => h.state);
  assert.ok(history.includes('Streaming') && history.some((h) => h.startsWith('Retrying')), history.join(', '));
});

test('limited max_reconnect_attempts ends in Failed with the reason', async () => {
  const deadPort = await freePort();
  const r = await t.api('POST', '/api/encoders', icecastEncoder(deadPort, '/dead.mp3', { reconnect_delay_secs: 1, max_reconnect_attempts: 2 }));
  const id = r.body.id as number;
  await t.api('POST', `/api/encoders/${id}/start`);
  const texts = new Set<string>();
  const final = await t.waitForState(id, (s) => (texts.add(s.status_text), s.state === 'failed'), 15_000, 'failed');
  assert.ok(texts.has('Retrying (1/2)') && texts.has('Retrying (2/2)'), [...texts].join(', '));
  assert.is(final.status_text, 'Failed: server unreachable (connection refused)');
  assert.is(final.process.running, false, 'a failed encoder stops its codec');
  await t.api('DELETE', `/api/encoders/${id}`);
});

test('wrong password and a busy mount are reported in plain words', async () => {
  const bad = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/busy.mp3', { server_password: 'nope', reconnect_delay_secs: 1 }));
  const test1 = await t.api('POST', `/api/encoders/${bad.body.id}/test`);
  assert.equal(test1.body, { success: false, error: 'wrong password' });
  await t.api('POST', `/api/encoders/${bad.body.id}/start`);
  const s = await t.waitForState(bad.body.id, (x) => x.state === 'retrying', 10_000, 'retrying after 401');
  assert.is(s.last_error, 'wrong password');
  assert.ok(Date.parse(s.next_retry_at!) - Date.now() > 9000, 'a wrong password backs off longer than the 1 s delay');
  await t.api('POST', `/api/encoders/${bad.body.id}/stop`);

  const dup = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/main.mp3', { name: 'Duplicate', reconnect_delay_secs: 1 }));
  const test2 = await t.api('POST', `/api/encoders/${dup.body.id}/test`);
  assert.equal(test2.body, { success: false, error: 'mount in use' });
  const good = await t.api('POST', `/api/encoders/${ids.mp3}/test`);
  assert.equal(good.body.success, true);
  await t.api('DELETE', `/api/encoders/${bad.body.id}`);
  await t.api('DELETE', `/api/encoders/${dup.body.id}`);
});

test('stop-all takes everything off air and frees the mounts', async () => {
  await t.api('POST', '/api/encoders/stop-all');
  const statuses = (await t.api<{ encoders: EncoderStatus[] }>('GET', '/api/status')).body.encoders;
  for (const s of statuses) assert.is(s.state, 'disabled', s.name);
  await waitFor(async () => !(await icecast.mountIsLive('/main.mp3')), { timeoutMs: 5000, intervalMs: 100 });
});

test.run();
