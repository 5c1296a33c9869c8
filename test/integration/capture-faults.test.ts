// Capture faults on real peers, through the engine's HTTP API: a missing sound card and a sound
// card that vanishes and comes back (the PulseAudio daemon behind the ALSA "pulse" PCM stopped and
// started on the same socket). The engine stays up, says "no input", keeps its encoders on air
// with silence, and reopens the device by itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PlayHandle, type PulseServer } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, rms, sinePcm } from '../harness/signal.js';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { sleep, waitFor } from '../harness/util.js';
import type { EncoderStatus } from '../../src/engine/stream/encoder-runner.js';
import type { OperatorEvent } from '../../src/engine/db/event-log.js';

const TONE_HZ = 1234;
let icecast: IcecastServer | undefined;
let pulse: PulseServer | undefined;
let player: PlayHandle | undefined;
const engines: TestEngine[] = [];

function ice(): IcecastServer {
  if (!icecast) throw new Error('icecast not started (test.before failed)');
  return icecast;
}

async function engineStatus(t: TestEngine): Promise<any> {
  const r = await t.api('GET', '/api/status');
  if (r.status !== 200) throw new Error(`GET /api/status: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function events(t: TestEngine): Promise<OperatorEvent[]> {
  const r = await t.api<OperatorEvent[]>('GET', '/api/log?limit=500');
  if (r.status !== 200 || !Array.isArray(r.body)) throw new Error(`GET /api/log: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Creates and starts an MP3 encoder on `mount` and waits until it is on air and listed by Icecast. */
async function onAir(t: TestEngine, mount: string): Promise<EncoderStatus> {
  const created = await t.api('POST', '/api/encoders', icecastEncoder(ice().port, mount));
  assert.is(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as number;
  const started = await t.api('POST', `/api/encoders/${id}/start`);
  assert.is(started.status, 200, JSON.stringify(started.body));
  const s = await t.waitForState(id, (x) => x.state === 'streaming', 15_000, `${mount} streaming`);
  await waitFor(() => ice().mountIsLive(mount), { timeoutMs: 3000, what: `${mount} listed by Icecast` });
  return s;
}

test.before(async () => {
  icecast = await startIcecast({ mounts: ['/nocard.mp3', '/pulse.mp3'] });
});

test.after(async () => {
  await Promise.all(engines.map((t) => t.stop()));
  await player?.stop();
  await pulse?.stop();
  await icecast?.stop();
});

test('a missing sound card ("hw:7,0"): the encoder still goes on air with silence; status and alarms say "No input"', async () => {
  const t = await startTestEngine({ captureDevice: 'hw:7,0' });
  engines.push(t);
  const enc = await onAir(t, '/nocard.mp3');
  assert.is(enc.status_text, 'Streaming');

  const status = await engineStatus(t);
  assert.is(status.capture.device, 'hw:7,0');
  assert.is(status.capture.state, 'no_input');
  assert.is(status.capture.error, 'sound card "hw:7,0" not found');
  assert.ok(status.capture.restarts >= 1, `arecord retried: restarts ${status.capture.restarts}`);
  assert.ok(status.alarms.some((a: { kind: string; text: string }) => a.kind === 'no_input' && a.text === 'No input: sound card "hw:7,0" not found'), JSON.stringify(status.alarms));
  assert.equal(
    status.encoders.map((e: EncoderStatus) => e.state),
    ['streaming'],
    'the encoder is on air although there is no input',
  );

  // Listeners get a real stream of digital silence, not a dead mount.
  const pcm = await decodeToPcm(`${ice().baseUrl}/nocard.mp3`, { seconds: 2, rate: 48000, channels: 1, timeoutMs: 15_000 });
  assert.ok(pcm.length >= 48000 * 2 * 1.5, `decoded ${pcm.length} bytes`);
  assert.ok(rms(channelSamples(pcm, 1)) < 0.001, `the mount carries silence (RMS ${rms(channelSamples(pcm, 1))})`);

  const log = await events(t);
  assert.ok(
    log.some((e) => e.kind === 'capture_lost' && e.level === 'warning' && e.message === 'No input: sound card "hw:7,0" not found'),
    JSON.stringify(log.map((e) => [e.kind, e.message])),
  );
  assert.not.ok(log.some((e) => e.kind === 'capture_restored'), 'the missing card was never "restored"');

  // Still on air a moment later, still reporting the missing card.
  await sleep(1500);
  const later = await engineStatus(t);
  assert.is(later.capture.state, 'no_input');
  assert.is(later.encoders[0].state, 'streaming');
  assert.is(later.encoders[0].connected_since, enc.connected_since, 'the encoder never reconnected');
  await t.stop();
  engines.splice(engines.indexOf(t), 1);
});

test('the sound card vanishes for ~4 s and returns: encoder never leaves the air, status running → no_input → running, events logged', async () => {
  pulse = await startPulse();
  const sine = sinePcm({ freqHz: TONE_HZ, seconds: 1, rate: 48000, channels: 2, amplitude: 0.5 });
  player = pulse.play(sine, { rate: 48000, channels: 2 }, { loop: true });
  const t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env } });
  engines.push(t);
  await waitFor(async () => (await engineStatus(t)).capture.state === 'running', { timeoutMs: 5000, what: 'capture running' });
  const before = await onAir(t, '/pulse.mp3');
  assert.ok(before.connected_since, 'connected_since is set');
  const bootLog = await events(t);
  assert.not.ok(bootLog.some((e) => e.kind === 'capture_lost' || e.kind === 'capture_restored'), `a healthy boot logs no capture alarm: ${JSON.stringify(bootLog.map((e) => e.kind))}`);
  const lastEventId = Math.max(0, ...bootLog.map((e) => e.id));

  // Watch the encoder and the capture through the API the whole time.
  let leftAir = '';
  const captureStates: string[] = [];
  const outageAlarms = new Set<string>();
  let polling = true;
  const watcher = (async () => {
    while (polling) {
      const s = await engineStatus(t).catch(() => null);
      if (s) {
        const e = s.encoders.find((x: EncoderStatus) => x.id === before.id);
        if (!e || e.state !== 'streaming' || e.connected_since !== before.connected_since) leftAir ||= JSON.stringify(e);
        if (captureStates.at(-1) !== s.capture.state) captureStates.push(s.capture.state);
        if (s.capture.state === 'no_input') for (const a of s.alarms as { text: string }[]) outageAlarms.add(a.text);
      }
      await sleep(100);
    }
  })();

  let back: any;
  let outage = { bytes: 0, ms: 0 };
  try {
    await sleep(500);
    const stoppedAt = Date.now();
    await pulse.stop(); // the device disappears under arecord (and the player with it)
    player = undefined;
    await waitFor(async () => (await engineStatus(t)).capture.state === 'no_input', { timeoutMs: 3000, intervalMs: 50, what: 'capture no_input' });
    const during = await engineStatus(t);
    assert.match(during.capture.error ?? '', /^sound card "pulse" /, `a plain reason naming the device: ${during.capture.error}`);
    const lostStatus = await engineStatus(t);
    const lostAt = Date.now();
    await sleep(4000 - (Date.now() - stoppedAt));
    const stillLost = await engineStatus(t);
    assert.is(stillLost.capture.state, 'no_input');
    outage = {
      bytes: stillLost.encoders[0].bytes_sent - lostStatus.encoders[0].bytes_sent,
      ms: Date.now() - lostAt,
    };
    await pulse.start(); // same socket path: the PCM works again
    player = pulse.play(sine, { rate: 48000, channels: 2 }, { loop: true });
    await waitFor(async () => (await engineStatus(t)).capture.state === 'running', { timeoutMs: 12_000, intervalMs: 100, what: 'capture running again (back-off reopen)' });
    await sleep(1000);
    back = await engineStatus(t);
  } finally {
    polling = false;
    await watcher;
  }

  assert.is(leftAir, '', 'the encoder left the air or reconnected');
  assert.equal(captureStates, ['running', 'no_input', 'running'], 'capture states seen through /api/status');
  assert.ok([...outageAlarms].some((a) => /^No input: sound card "pulse" /.test(a)), `alarms during the outage: ${JSON.stringify([...outageAlarms])}`);
  assert.is(back.capture.error, null);
  assert.equal(back.alarms, [], 'no alarm once the input is back');
  assert.ok(back.capture.restarts >= 2, `arecord reopened ${back.capture.restarts} times`);
  const enc = back.encoders.find((x: EncoderStatus) => x.id === before.id) as EncoderStatus;
  assert.is(enc.state, 'streaming');
  assert.is(enc.connected_since, before.connected_since);
  // 128 kbps CBR is 16 000 bytes/s: the encoder kept sending (silence) while there was no input.
  assert.ok(outage.ms > 2000 && outage.bytes > (16_000 * 0.7 * outage.ms) / 1000, `${outage.bytes} bytes sent in ${outage.ms} ms without input`);

  const log = (await events(t)).filter((e) => e.id > lastEventId).reverse(); // oldest first
  const lost = log.findIndex((e) => e.kind === 'capture_lost');
  const restored = log.findIndex((e) => e.kind === 'capture_restored');
  assert.ok(lost >= 0 && restored > lost, `capture_lost then capture_restored: ${JSON.stringify(log.map((e) => [e.kind, e.message]))}`);
  assert.is(log[lost]!.level, 'warning');
  assert.match(log[lost]!.message, /^No input: sound card "pulse" /);
  assert.is(log[restored]!.message, 'Capturing from pulse');
  assert.not.ok(log.some((e) => e.kind.startsWith('encoder_')), `no encoder event during the outage: ${JSON.stringify(log.map((e) => e.kind))}`);

  // The tone is on the mount again. Icecast's burst (64 KB ≈ 4 s at 128 kbps) still holds the
  // silence of the outage, so look at the live part after it.
  const pcm = await decodeToPcm(`${ice().baseUrl}/pulse.mp3`, { seconds: 6, rate: 48000, channels: 1, timeoutMs: 20_000 });
  const tail = channelSamples(pcm, 1).subarray(-48000);
  const f = dominantFrequency(tail, 48000);
  assert.ok(Math.abs(f - TONE_HZ) < 5, `the mount decodes to ${f} Hz after the reopen`);
  assert.ok(rms(tail) > 0.2, `the mount is not silent after the reopen (RMS ${rms(tail)})`);
});

test.run();
