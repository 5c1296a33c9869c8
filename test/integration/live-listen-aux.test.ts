// test-timeout: 180
// aux1 on real parts: a 4-channel "sound card" (a PulseAudio null sink with 4 channels, captured through
// ALSA's pulse plugin) carries the programme's tone on channels 1/2 and another tone on 3/4, as a rack
// interface with an off-air receiver on its second pair would. Switched to 4 channels from the API, the
// encoder's mount carries only the programme's tone, live listen's aux1 only the other, master the first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PulseServer, type PlayHandle } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, sinePcm } from '../harness/signal.js';
import { icecastEncoder, startTestEngine, streamingMp3, type TestEngine } from '../harness/engine.js';
import { waitFor } from '../harness/util.js';

const PROGRAMME_HZ = 1000;
const AUX_HZ = 440;
const QUAD = 'rackcast_quad';
const PHONES = 'rackcast_phones';
let pulse: PulseServer;
let player: PlayHandle;
let icecast: IcecastServer;
let t: TestEngine;
let mp3Id = 0;

/** Power of one frequency in the samples (Goertzel), normalised so a full-scale sine is about 0.5. */
function power(samples: Int16Array, hz: number, rate = 48000): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x / 32768 + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (samples.length * samples.length) * 2;
}

/** Which of the two tones the samples carry, and how far below it the other one is (dB). */
function tones(samples: Int16Array): { programme: number; aux: number; ratioDb: number } {
  const programme = power(samples, PROGRAMME_HZ);
  const aux = power(samples, AUX_HZ);
  return { programme, aux, ratioDb: 10 * Math.log10(Math.max(programme, aux) / Math.max(1e-12, Math.min(programme, aux))) };
}

/** Interleaves two stereo buffers into 4-channel frames: a's pair on 1/2, b's on 3/4. */
function quad(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length * 2);
  for (let f = 0; f < a.length / 4; f++) {
    a.copy(out, f * 8, f * 4, f * 4 + 4);
    b.copy(out, f * 8 + 4, f * 4, f * 4 + 4);
  }
  return out;
}

/** The 4-channel card's inputs: the programme's tone on 1/2 (or silence: dead air), the aux tone on 3/4. */
function playQuad(programmeOn: boolean): PlayHandle {
  const aux = sinePcm({ freqHz: AUX_HZ, seconds: 2, rate: 48000, channels: 2, amplitude: 0.5 });
  const programme = programmeOn ? sinePcm({ freqHz: PROGRAMME_HZ, seconds: 2, rate: 48000, channels: 2, amplitude: 0.5 }) : Buffer.alloc(aux.length);
  return pulse.play(quad(programme, aux), { rate: 48000, channels: 4 }, { loop: true, latencyMs: 200, sink: QUAD });
}

/**
 * The tones a listener hears on a mount now: 6 s decoded, the last 2 s measured. The first 4 s are
 * Icecast's burst on connect (64 kB, 4 s of 128 kbit/s): audio from before the listener came.
 */
async function mountTones(mount: string): Promise<ReturnType<typeof tones>> {
  const pcm = await decodeToPcm(`${icecast.baseUrl}${mount}`, { seconds: 6, rate: 48000, channels: 1, timeoutMs: 25_000 });
  return tones(channelSamples(pcm, 1).subarray(4 * 48000));
}

async function headphones(seconds: number): Promise<Int16Array> {
  return channelSamples(await pulse.recordSink(PHONES, seconds), 2);
}

/** Waits until the headphones carry `hz` clearly above the other tone, and returns what they carry. */
async function onHeadphones(hz: number, what: string): Promise<ReturnType<typeof tones>> {
  let last = tones(new Int16Array(0));
  await waitFor(async () => {
    last = tones(await headphones(1));
    const wanted = hz === PROGRAMME_HZ ? last.programme : last.aux;
    return wanted > 0.01 && wanted === Math.max(last.programme, last.aux) && last.ratioDb > 30;
  }, { timeoutMs: 15_000, intervalMs: 0, what: `${what}: ${hz} Hz alone on the headphones (last ${JSON.stringify(last)})` });
  return last;
}

test.before(async () => {
  pulse = await startPulse();
  await pulse.addSink(QUAD, 4);
  await pulse.addSink(PHONES);
  player = playQuad(true);
  const home = pulse.alsaHome({ quad: `${QUAD}.monitor`, phones: PHONES });
  icecast = await startIcecast({ mounts: ['/aux.mp3', '/standby.mp3'] });
  t = await startTestEngine({ captureDevice: 'quad', captureEnv: { ...process.env, ...pulse.env, HOME: home } });
  mp3Id = await streamingMp3(t, icecast.port, '/aux.mp3');
});

test.after(async () => {
  await t?.stop();
  await icecast?.stop();
  await player?.stop();
  await pulse?.stop();
});

test('a 2-channel capture refuses aux1 naming source; 4 channels from the API restart the audio path and make it available', async () => {
  const refused = await t.api('PUT', '/api/live-listen', { source: 'aux1', enabled: true, device_name: 'phones' });
  assert.is(refused.status, 400);
  assert.equal(refused.body.errors.map((e: { field: string }) => e.field), ['source']);
  const bad = await t.api('PUT', '/api/capture', { channels: 3 });
  assert.is(bad.status, 400);
  assert.equal(bad.body.errors.map((e: { field: string }) => e.field), ['channels']);
  const changed = await t.api('PUT', '/api/capture', { channels: 4 });
  assert.is(changed.status, 200, JSON.stringify(changed.body));
  assert.is(changed.body.restarted, 'audio_path');
  assert.is(changed.body.channels, 4);
  assert.is(changed.body.status.format.channels, 2, 'every consumer gets the programme in stereo');
  const sources = (await t.api('GET', '/api/live-listen')).body.sources as { source: string; available: boolean }[];
  assert.ok(sources.find((s) => s.source === 'aux1')?.available, JSON.stringify(sources));
  await t.waitForState(mp3Id, (s) => s.state === 'streaming', 20_000, 'mp3 streaming after the restart');
});

test('the encoder gets channels 1/2 only; live listen aux1 plays channels 3/4 only; master the programme', async () => {
  const pcm = await decodeToPcm(`${icecast.baseUrl}/aux.mp3`, { seconds: 3, rate: 48000, channels: 2, timeoutMs: 20_000 });
  for (const channel of [0, 1]) {
    const onAir = tones(channelSamples(pcm, 2, channel).subarray(48000));
    assert.ok(onAir.programme > 0.01 && onAir.programme > onAir.aux && onAir.ratioDb > 30, `the mount's channel ${channel + 1}: ${JSON.stringify(onAir)}`);
  }
  const aux = await t.api('PUT', '/api/live-listen', { source: 'aux1', enabled: true, device_name: 'phones', volume: 1 });
  assert.is(aux.status, 200, JSON.stringify(aux.body));
  const heardAux = await onHeadphones(AUX_HZ, 'aux1');
  assert.ok(heardAux.ratioDb > 30, JSON.stringify(heardAux));
  await t.api('PUT', '/api/live-listen', { source: 'master' });
  const heardMaster = await onHeadphones(PROGRAMME_HZ, 'master');
  assert.ok(heardMaster.ratioDb > 30, JSON.stringify(heardMaster));
});

test('dead air on the programme: an encoder with on_silence "fallback" and fallback_source aux1 airs channels 3/4; the programme back, it returns', async () => {
  const settings = await t.api('PUT', '/api/alarms/settings', { fallback_source: 'aux1', silence_secs: 2, recovery_secs: 1, crossfade_ms: 100 });
  assert.is(settings.status, 200, JSON.stringify(settings.body));
  const created = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/standby.mp3', { name: 'Standby', sample_rate: 48000, on_silence: 'fallback' }));
  const id = created.body.id as number;
  await t.api('POST', `/api/encoders/${id}/start`);
  await t.waitForState(id, (s) => s.state === 'streaming', 20_000, 'standby streaming');
  const before = await mountTones('/standby.mp3');
  assert.ok(before.programme > before.aux && before.ratioDb > 30, `the programme on air first: ${JSON.stringify(before)}`);
  await player.stop();
  player = playQuad(false);
  await waitFor(async () => (await t.api('GET', '/api/status')).body.dead_air?.fallback?.active === true, { timeoutMs: 15_000, intervalMs: 200, what: 'the fallback on air' });
  const during = await mountTones('/standby.mp3');
  assert.ok(during.aux > 0.01 && during.aux > during.programme && during.ratioDb > 30, `the aux pair on air during the silence: ${JSON.stringify(during)}`);
  const plain = await mountTones('/aux.mp3');
  assert.ok(plain.aux < 1e-4 && plain.programme < 1e-4, `an encoder without the fallback carries the silence: ${JSON.stringify(plain)}`);
  await player.stop();
  player = playQuad(true);
  await waitFor(async () => (await t.api('GET', '/api/status')).body.dead_air?.fallback?.active === false, { timeoutMs: 15_000, intervalMs: 200, what: 'back to the programme' });
  const after = await mountTones('/standby.mp3');
  assert.ok(after.programme > after.aux && after.ratioDb > 30, `the programme back on air: ${JSON.stringify(after)}`);
});

test.run();
