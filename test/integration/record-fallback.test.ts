// record_fallback: with it on, the recorders take what the fallback encoders air. The engine has no sound
// card ("hw:7,0": digital silence), so after silence_secs the recording carries the fallback folder's
// 660 Hz tone, decoded by the real ffmpeg; before that, the silence. (Off, the default, the recording
// keeps the programme: test/integration/dead-air.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEngine, type TestEngine } from '../harness/engine.js';
import { exited, spawnTracked, waitFor } from '../harness/util.js';
import { channelSamples, dominantFrequency, rms } from '../harness/signal.js';
import { wavData } from '../engine/recording/helpers.js';

let t: TestEngine | undefined;

test.after(async () => {
  await t?.stop();
});

test('record_fallback on: silence, then the fallback tone in the recording', async () => {
  t = await startTestEngine({ captureDevice: 'hw:7,0' });
  const dir = join(t.dataDir, 'fallback');
  mkdirSync(dir);
  const ff = spawnTracked('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=30:sample_rate=48000', '-ac', '2', join(dir, 'ident.flac')]);
  assert.is(await exited(ff), 0);
  const put = await t.api('PUT', '/api/alarms/settings', { silence_secs: 2, fallback_dir: dir, record_fallback: true, crossfade_ms: 100 });
  assert.is(put.status, 200, JSON.stringify(put.body));
  assert.is(put.body.record_fallback, true);
  const rec = await t.api('POST', '/api/encoders', { name: 'Logger', codec: 'wav', output_type: 'file', file_output_path: 'logger', file_rotation: 'none' });
  assert.is(rec.status, 201, JSON.stringify(rec.body));
  assert.is((await t.api('POST', `/api/encoders/${rec.body.id}/start`)).status, 200);
  await waitFor(async () => (await t!.api('GET', '/api/status')).body.dead_air.fallback?.active === true, { timeoutMs: 10_000, what: 'fallback active' });
  await new Promise((r) => setTimeout(r, 2000));
  await t.api('POST', `/api/encoders/${rec.body.id}/stop`);

  const root = (await t.api('GET', '/api/recording')).body.settings.recordings_dir as string;
  const [wav] = readdirSync(join(root, 'logger')).filter((f) => f.endsWith('.wav'));
  const left = channelSamples(wavData(join(root, 'logger', wav!)), 2);
  assert.ok(rms(left.subarray(0, 48000)) < 0.0001, 'the first second: the silent programme');
  const tail = left.subarray(left.length - 48000);
  const hz = dominantFrequency(tail, 48000);
  assert.ok(Math.abs(hz - 660) < 10 && rms(tail) > 0.02, `the last second: the fallback (${hz} Hz, RMS ${rms(tail)})`);
});

test.run();
