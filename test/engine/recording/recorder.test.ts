// The recorder on real WAV files, fed synthetic PCM by a driven clock: hourly rotation on the hour,
// clock steps forwards and backwards, exact size rotation, and a crash-safe header while it records.
process.env.TZ = 'UTC';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { filesIn, firstMismatch, makeRig, MONO, STEREO, wavData } from './helpers.js';
import { parseWavLayout } from '../../../src/engine/recording/wav.js';

const RATE = 48000;

function joined(root: string): Buffer {
  return Buffer.concat(filesIn(root, '.wav').map(wavData));
}

test('hourly: the file is cut on the hour at the exact frame, and the two files join into the fed audio', async () => {
  const rig = makeRig({ startIso: '2024-05-01T10:59:50Z' });
  rig.recorder.start();
  await rig.feed(20);
  await rig.recorder.stop();
  const files = filesIn(rig.root, '.wav');
  assert.equal(files.map((f) => relative(rig.root, f)), ['archive/2024-05-01/10-59-50-Radio Test.wav', 'archive/2024-05-01/11-00-00-Radio Test.wav']);
  assert.is(wavData(files[0]!).length / 4, 10 * RATE, 'the first file holds exactly the 10 s before 11:00');
  const all = joined(rig.root);
  assert.is(all.length / 4, rig.fed);
  assert.is(firstMismatch(all, 2, (f) => f), -1, 'no frame lost or repeated');
  assert.equal(rig.rotations, [{ encoderId: 7, closedFile: 'archive/2024-05-01/10-59-50-Radio Test.wav', newFile: 'archive/2024-05-01/11-00-00-Radio Test.wav' }]);
  assert.equal(rig.open.size, 0, 'every file was finished');
  const status = rig.recorder.snapshot();
  assert.is(status.state, 'stopped');
  assert.is(status.filesClosed, 2);
  assert.is(status.lastRotation?.reason, 'time');
});

test('a clock step backwards: no cut at the old 11:00, one at the new 11:00, no frame twice', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:59:00Z' });
  rig.recorder.start();
  await rig.feed(30);
  rig.clock.ms -= 60_000; // NTP: it is really 10:58:30
  await rig.feed(100);
  await rig.recorder.stop();
  const files = filesIn(rig.root, '.wav');
  assert.equal(files.map((f) => basename(f)), ['10-59-00-Radio Test.wav', '11-00-00-Radio Test.wav']);
  const first = wavData(files[0]!).length / 2;
  assert.ok(Math.abs(first - 120 * RATE) <= 2400, `cut after ${first / RATE} s of audio (30 s + 90 s)`);
  const all = Buffer.concat(files.map(wavData));
  assert.is(all.length / 2, rig.fed);
  assert.is(firstMismatch(all, 1, (f) => f), -1);
});

test('a clock step forwards past the hour cuts at once; the new file carries the new time', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:40:00Z' });
  rig.recorder.start();
  await rig.feed(10);
  rig.clock.ms += 25 * 60_000; // 10:40:10 → 11:05:10
  await rig.feed(10);
  await rig.recorder.stop();
  const files = filesIn(rig.root, '.wav');
  assert.equal(files.map((f) => basename(f)), ['10-40-00-Radio Test.wav', '11-05-10-Radio Test.wav']);
  assert.is(wavData(files[0]!).length / 2, 10 * RATE, 'the cut is at the first frame after the step');
  assert.is(rig.rotations.length, 1);
  assert.is(rig.recorder.snapshot().lastRotation?.reason, 'clock_step');
  const all = Buffer.concat(files.map(wavData));
  assert.is(firstMismatch(all, 1, (f) => f), -1);
});

test('two recordings in the same second get distinct names; nothing is overwritten', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00.100Z' });
  rig.recorder.start();
  await rig.feed(0.3);
  await rig.recorder.stop();
  rig.recorder.start();
  await rig.feed(0.3);
  await rig.recorder.stop();
  assert.equal(filesIn(rig.root, '.wav').map((f) => basename(f)), ['10-00-00-Radio Test-1.wav', '10-00-00-Radio Test.wav']);
  assert.equal(filesIn(rig.root, '.cue').map((f) => basename(f)), ['10-00-00-Radio Test-1.cue', '10-00-00-Radio Test.cue']);
  assert.is(wavData(filesIn(rig.root, '.wav')[1]!).length / 2, 0.3 * RATE);
});

test('by size: every closed file holds exactly as many frames as fit in 1 MiB', async () => {
  const rig = makeRig({ startIso: '2024-05-01T10:00:00Z', config: { file_rotation: 'by_size', file_max_size_mb: 1 } });
  rig.recorder.start();
  await rig.feed(20, { chunkFrames: 1000 });
  await rig.recorder.stop();
  const files = filesIn(rig.root, '.wav').sort((a, b) => readFileSync(b).length - readFileSync(a).length);
  const perFile = Math.floor((1024 * 1024 - 44) / 4);
  assert.is(files.length, Math.ceil(rig.fed / perFile));
  const sizes = filesIn(rig.root, '.wav').map((f) => wavData(f).length / 4);
  assert.equal(sizes.filter((n) => n === perFile).length, files.length - 1, JSON.stringify(sizes));
  for (const f of files) assert.ok(readFileSync(f).length <= 1024 * 1024);
  assert.is(rig.rotations.length, files.length - 1);
  // File names sort by time only at one-second resolution: join in rotation order instead.
  const order = [rig.rotations[0]!.closedFile, ...rig.rotations.map((r) => r.newFile)];
  const all = Buffer.concat(order.map((rel) => wavData(`${rig.root}/${rel}`)));
  assert.is(all.length / 4, rig.fed);
  assert.is(firstMismatch(all, 2, (f) => f), -1);
});

test('while recording, the header always describes the audio on disk', async () => {
  const rig = makeRig({ startIso: '2024-05-01T10:00:00Z' });
  rig.recorder.start();
  await rig.feed(3);
  const [file] = filesIn(rig.root, '.wav');
  const bytes = readFileSync(file!);
  const layout = parseWavLayout(bytes)!;
  assert.is(layout.dataBytes, bytes.length - 44);
  assert.is(bytes.readUInt32LE(4), bytes.length - 8);
  assert.is(layout.dataBytes, 3 * RATE * 4);
  assert.ok(rig.open.has(file!), 'an open file is in the repair registry');
  const status = rig.recorder.snapshot();
  assert.is(status.state, 'recording');
  assert.is(status.frames, 3 * RATE);
  assert.is(status.bytes, 44 + 3 * RATE * 4);
  await rig.recorder.stop();
  assert.is(rig.open.size, 0);
});

test.run();
