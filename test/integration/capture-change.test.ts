// Changing the capture on air through PUT /api/capture, on real peers: the engine starts on the built-in
// tone, an MP3 encoder streams it to a real Icecast, and the capture moves to a PulseAudio-backed ALSA PCM
// playing another tone. One listener connection, open across the change, hears the first tone then the
// second (FFT), and the encoder never reconnects. A device that cannot open is refused naming the field,
// the setting is stored for the next start, and a start flag wins over it (and says so).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PlayHandle, type PulseServer } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, rms, sinePcm } from '../harness/signal.js';
import { startTestEngine, icecastEncoder, type TestEngine } from '../harness/engine.js';
import { sleep, waitFor } from '../harness/util.js';

const PULSE_HZ = 1000;
let icecast: IcecastServer;
let pulse: PulseServer;
let player: PlayHandle;
let t: TestEngine | undefined;
let env: NodeJS.ProcessEnv;

test.before(async () => {
  [icecast, pulse] = await Promise.all([startIcecast({ mounts: ['/change.mp3'] }), startPulse()]);
  player = pulse.play(sinePcm({ freqHz: PULSE_HZ, seconds: 1, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true });
  env = { ...process.env, ...pulse.env };
});

test.after(async () => {
  await t?.stop();
  await player?.stop();
  await pulse?.stop();
  await icecast?.stop();
});

test('tone → PulseAudio PCM on air: one listener hears both, the encoder never reconnects; a bad device is refused', async () => {
  t = await startTestEngine({ captureEnv: env });
  const toTone = await t.api('PUT', '/api/capture', { device: 'tone:440' });
  assert.is(toTone.status, 200, JSON.stringify(toTone.body));
  assert.is(toTone.body.device, 'tone:440');

  const created = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/change.mp3'));
  const id = created.body.id as number;
  await t.api('POST', `/api/encoders/${id}/start`);
  const before = await t.waitForState(id, (s) => s.state === 'streaming', 15_000, 'streaming');
  await waitFor(() => icecast.mountIsLive('/change.mp3'), { timeoutMs: 3000, what: 'mount listed' });

  // One connection across the change. Icecast's burst (≈ 4 s at 128 kbps) comes first, then live audio.
  const listening = decodeToPcm(`${icecast.baseUrl}/change.mp3`, { seconds: 14, rate: 48000, channels: 1, timeoutMs: 30_000 });
  await sleep(4000);
  const switchStart = Date.now();
  const toPulse = await t.api('PUT', '/api/capture', { device: pulse.pcm });
  const switchMs = Date.now() - switchStart;
  assert.is(toPulse.status, 200, JSON.stringify(toPulse.body));
  assert.is(toPulse.body.restarted, 'capture');
  await waitFor(async () => (await t!.api('GET', '/api/capture')).body.status.state === 'running', { timeoutMs: 5000, what: 'capture running on pulse' });
  const samples = channelSamples(await listening, 1);
  assert.ok(samples.length >= 48000 * 13, `the listener got ${samples.length / 48000} s without being cut off`);
  const first = dominantFrequency(samples.subarray(48000, 48000 * 3), 48000);
  const last = dominantFrequency(samples.subarray(-48000), 48000);
  assert.ok(Math.abs(first - 440) < 5, `the tone first (${first} Hz)`);
  assert.ok(Math.abs(last - PULSE_HZ) < 5, `then the PulseAudio input (${last} Hz)`);
  assert.ok(rms(samples.subarray(-48000)) > 0.2, 'not silent');
  // The moment of silence the encoders got while the capture moved: the longest run of 10 ms blocks
  // below -40 dBFS between the two tones.
  let run = 0;
  let longest = 0;
  for (let i = 48000; i + 480 <= samples.length - 48000; i += 480) {
    run = rms(samples.subarray(i, i + 480)) < 0.01 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  console.log(`capture switch: ${longest * 10} ms of silence on the mount, PUT answered in ${switchMs} ms`);
  assert.ok(longest * 10 < 1000, `silence during the switch: ${longest * 10} ms`);
  const after = await t.status(id);
  assert.is(after.state, 'streaming');
  assert.is(after.connected_since, before.connected_since, 'the encoder never reconnected');

  const bad = await t.api('PUT', '/api/capture', { device: 'hw:9,0' });
  assert.is(bad.status, 400);
  assert.is(bad.body.field, 'device');
  assert.is(bad.body.errors[0].message, 'sound card "hw:9,0" not found');
  const kept = (await t.api('GET', '/api/capture')).body;
  assert.is(kept.device, pulse.pcm, 'nothing changed');
  assert.is(kept.status.state, 'running');
  assert.is((await t.status(id)).connected_since, before.connected_since);

  const wrongType = await t.api('PUT', '/api/capture', { sample_rate: 96000, colour: 'red' });
  assert.is(wrongType.status, 400);
  assert.equal(wrongType.body.errors, [{ field: 'sample_rate', message: 'must be 44100 or 48000' }, { field: 'colour', message: 'is not a known field' }]);

  const log = (await t.api('GET', '/api/log?limit=50')).body as { kind: string; message: string }[];
  assert.ok(log.some((e) => e.kind === 'capture_changed' && e.message === 'Capture changed: device tone:440 → pulse'), JSON.stringify(log.map((e) => e.message)));
});

test('a new format restarts the audio path and the encoder comes back; stored for the next start; a flag wins and says so', async () => {
  const dataDir = t!.dataDir;
  const id = (await t!.api('GET', '/api/encoders')).body[0].id as number;
  const formatStart = Date.now();
  const changed = await t!.api('PUT', '/api/capture', { sample_rate: 44100, channels: 1 });
  assert.is(changed.status, 200, JSON.stringify(changed.body));
  assert.is(changed.body.restarted, 'audio_path');
  assert.equal(changed.body.status.format, { sampleRate: 44100, channels: 1, sampleFormat: 'S16_LE' });
  await t!.waitForState(id, (s) => s.state === 'streaming', 15_000, 'back on air');
  console.log(`format change: PUT answered in ${changed.body.restarted && Date.now() - formatStart} ms (back on air by then or just after)`);
  await t!.stop();

  t = await startTestEngine({ dataDir, captureEnv: env });
  const stored = (await t.api('GET', '/api/capture')).body;
  assert.equal([stored.device, stored.sample_rate, stored.channels, stored.overridden], [pulse.pcm, 44100, 1, []]);
  await waitFor(async () => (await t!.api('GET', '/api/capture')).body.status.state === 'running', { timeoutMs: 5000, what: 'running' });
  await t.stop();

  t = await startTestEngine({ dataDir, captureEnv: env, captureDevice: 'tone' });
  const flagged = (await t.api('GET', '/api/capture')).body;
  assert.is(flagged.device, 'tone');
  assert.equal(flagged.overridden, ['device']);
  assert.is(flagged.stored.device, pulse.pcm, 'the flag is not written back');
});

test.run();
