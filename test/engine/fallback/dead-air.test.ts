// The dead-air sensor as the audio worker runs it, with the real fallback decoder (ffmpeg) on a real
// file and the detectors fed with plain numbers on a clock the test turns.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadAir, type DeadAirPlan } from '../../../src/engine/fallback/dead-air.js';
import type { PcmFormat } from '../../../src/engine/types.js';
import { FanOut } from '../../../src/engine/audio/fanout.js';
import { removeOnExit, spawnTracked, exited, waitFor } from '../../harness/util.js';
import { dominantFrequency, channelSamples, sinePcm } from '../../harness/signal.js';

const FORMAT: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const CHUNK = Buffer.alloc(4800 * 4); // 100 ms of digital silence
let dir = '';

const silent = [{ rmsDbfs: -120, peakDbfs: -120 }, { rmsDbfs: -120, peakDbfs: -120 }];
const audio = [{ rmsDbfs: -12, peakDbfs: -6 }, { rmsDbfs: -12, peakDbfs: -6 }];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rackcast-fallback-'));
  removeOnExit(dir);
  const ff = spawnTracked('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=20:sample_rate=48000', '-ac', '2', join(dir, '01 ident.flac')]);
  assert.is(await exited(ff), 0);
});

function rig(over: Partial<DeadAirPlan> = {}, auxFanout: FanOut | null = null) {
  let now = 1_000_000;
  const silences: boolean[] = [];
  const d = new DeadAir({ format: FORMAT, ffmpeg: () => 'ffmpeg', auxFanout, fallbackWanted: () => true, silence: (a) => silences.push(a), changed: () => {}, now: () => now });
  d.configure({
    detectors: { silenceThresholdDbfs: -50, silenceMs: 1000, recoveryMs: 500, clippingDbfs: -0.1, clippingMs: 3000 },
    fallbackSource: 'folder',
    fallbackDir: dir,
    fallbackOrder: 'in_order',
    crossfadeMs: 100,
    autoReturn: true,
    recordFallback: false,
    ...over,
  });
  const feed = (levels: typeof silent, ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      now += 100;
      d.levels(levels);
    }
  };
  return { d, feed, silences };
}

test('silence past silence_secs switches to the decoded fallback (its own tone), audio back for the recovery time returns', async () => {
  const { d, feed, silences } = rig();
  feed(silent, 500);
  // The decoder starts with the first silent window, so it is ready when the alarm is raised.
  await waitFor(() => d.report().fallback.source?.running === true && d.report().fallback.source?.file === '01 ident.flac', { timeoutMs: 5000, what: 'decoder running' });
  await new Promise((r) => setTimeout(r, 500));
  assert.is(d.process(CHUNK), CHUNK, 'still the programme before silence_secs');
  feed(silent, 600);
  assert.equal(silences, [true]);
  assert.is(d.report().fallback.active, true);
  const out = Buffer.concat([1, 2, 3, 4, 5].map(() => d.process(CHUNK)));
  const tail = channelSamples(out.subarray(CHUNK.length * 2), 2);
  const hz = dominantFrequency(tail, 48000);
  assert.ok(Math.abs(hz - 660) < 10, `the fallback's tone: ${hz} Hz`);
  feed(audio, 400);
  assert.is(d.report().fallback.active, true, 'not before the recovery time');
  feed(audio, 200);
  assert.equal(silences, [true, false]);
  assert.is(d.report().fallback.active, false);
  d.process(CHUNK); // the fade back (100 ms)
  assert.is(d.process(CHUNK), CHUNK, 'the programme again, untouched');
  await d.stop();
});

test('auto_return off: the fallback holds after the audio returns until released', async () => {
  const { d, feed } = rig({ autoReturn: false });
  feed(silent, 1100);
  await waitFor(() => d.report().fallback.source?.running === true, { timeoutMs: 5000, what: 'decoder running' });
  feed(audio, 1000);
  assert.equal([d.report().fallback.active, d.report().fallback.held], [true, true]);
  d.release();
  assert.equal([d.report().fallback.active, d.report().fallback.held], [false, false]);
  await d.stop();
});

test('a folder without audio files: the switch stays on the programme side of nothing and says why', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'rackcast-fallback-empty-'));
  removeOnExit(empty);
  const { d, feed } = rig({ fallbackDir: empty });
  feed(silent, 1100);
  await waitFor(() => d.report().fallback.source?.error !== null, { timeoutMs: 5000, what: 'an error' });
  assert.is(d.report().fallback.source?.error, `the fallback folder ${empty} has no audio files`);
  const out = d.process(CHUNK);
  assert.ok(out.equals(CHUNK), 'silence (nothing to play), never garbage');
  await d.stop();
});

test('fallback_source aux1: during silence the switch airs the capture\'s channels 3/4, frame for frame as they come', async () => {
  const aux = new FanOut(FORMAT);
  const { d, feed } = rig({ fallbackSource: 'aux1', fallbackDir: null, crossfadeMs: 0 }, aux);
  const tone = sinePcm({ freqHz: 440, seconds: 0.1, rate: 48000, channels: 2, amplitude: 0.5 });
  feed(silent, 500);
  await waitFor(() => d.report().fallback.source?.running === true, { timeoutMs: 2000, what: 'the aux source reading' });
  assert.is(d.report().fallback.source?.dir, 'aux1');
  feed(silent, 600);
  assert.is(d.report().fallback.active, true);
  const out: Buffer[] = [];
  for (let i = 0; i < 5; i++) {
    // As the capture does: the aux pair of these frames first, then the programme's chunk.
    aux.publish(tone);
    out.push(d.process(CHUNK));
  }
  const heard = channelSamples(Buffer.concat(out), 2);
  assert.ok(Math.abs(dominantFrequency(heard, 48000) - 440) < 3, `the fallback encoders get ${dominantFrequency(heard, 48000)} Hz`);
  assert.is(d.report().fallback.source?.underrun_ms, 0, 'every chunk had its aux audio');
  await d.stop();
});

test('fallback_source aux1 on a 2-channel capture: silence, and the reason names aux1', async () => {
  const { d, feed } = rig({ fallbackSource: 'aux1', fallbackDir: null });
  feed(silent, 500);
  await waitFor(() => d.report().fallback.source?.error !== null, { timeoutMs: 2000, what: 'an error' });
  assert.match(d.report().fallback.source!.error!, /aux1 needs a capture of 4 channels/);
  feed(silent, 600);
  assert.ok(d.process(CHUNK).equals(CHUNK), 'silence (nothing to play), never garbage');
  await d.stop();
});

test.run();
