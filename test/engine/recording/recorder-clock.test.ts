// The recorder's schedule over hours and days of audio fed in seconds, on a sound card whose clock
// drifts against the system clock: every cut must land on the system clock's hour (or midnight) within
// 50 ms, and the files together must hold every frame exactly once. Files are counted, not written.
process.env.TZ = 'UTC';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Segment } from '../../../src/engine/recording/segment.js';
import type { SegmentFactory } from '../../../src/engine/recording/recording-file.js';
import { makeRig, MONO } from './helpers.js';

interface Counted {
  path: string;
  frames: number;
}

function countingFactory(files: Counted[]): SegmentFactory {
  return async (path, _format, _config, file) => {
    await file.close();
    const counted: Counted = { path, frames: 0 };
    files.push(counted);
    const segment: Segment = {
      path,
      get frames() {
        return counted.frames;
      },
      get bytes() {
        return counted.frames * 2;
      },
      write: async (pcm) => {
        counted.frames += pcm.length / 2;
      },
      sync: async () => undefined,
      close: async () => undefined,
      abort: async () => undefined,
    };
    return segment;
  };
}

/** System time (ms) at which frame `frame` was captured on a card running `ppm` off from `startMs`. */
function captureTime(startMs: number, frame: number, ppm: number): number {
  return startMs + (frame / (48000 * (1 + ppm / 1e6))) * 1000;
}

for (const ppm of [-300, 300]) {
  test(`hourly over 3 hours with the card ${ppm} ppm off: on the hour within 50 ms, no frame lost or repeated`, async () => {
    const files: Counted[] = [];
    const startIso = '2024-05-01T10:20:00Z';
    const rig = makeRig({ format: MONO, startIso, createSegment: countingFactory(files), config: { file_name_template: '{time}' } });
    rig.recorder.start();
    await rig.feed(3 * 3600, { chunkFrames: 4800, ppm, signal: null });
    await rig.recorder.stop();
    assert.equal(files.map((f) => f.path.split('/').pop()), ['10-20-00.wav', '11-00-00.wav', '12-00-00.wav', '13-00-00.wav']);
    assert.is(files.reduce((n, f) => n + f.frames, 0), rig.fed);
    let frame = 0;
    for (const [i, f] of files.slice(0, -1).entries()) {
      frame += f.frames;
      const hour = Date.parse(`2024-05-01T${11 + i}:00:00Z`);
      const offMs = captureTime(Date.parse(startIso), frame, ppm) - hour;
      assert.ok(Math.abs(offMs) <= 50, `cut ${i + 1} lands ${offMs.toFixed(2)} ms from the hour`);
    }
  });
}

test('daily over 50 hours with a slow card: cuts at midnight within 50 ms', async () => {
  const files: Counted[] = [];
  const startIso = '2024-05-01T20:00:00Z';
  const ppm = -150;
  const rig = makeRig({ format: MONO, startIso, createSegment: countingFactory(files), config: { codec: 'flac', file_rotation: 'daily', file_name_template: '{datetime}' } });
  rig.recorder.start();
  await rig.feed(50 * 3600, { chunkFrames: 48000, ppm, signal: null });
  await rig.recorder.stop();
  assert.equal(files.map((f) => f.path.split('/').pop()), ['2024-05-01_20-00-00.flac', '2024-05-02_00-00-00.flac', '2024-05-03_00-00-00.flac']);
  assert.is(files.reduce((n, f) => n + f.frames, 0), rig.fed);
  let frame = 0;
  for (const [i, f] of files.slice(0, -1).entries()) {
    frame += f.frames;
    const midnight = Date.parse(`2024-05-0${2 + i}T00:00:00Z`);
    const offMs = captureTime(Date.parse(startIso), frame, ppm) - midnight;
    assert.ok(Math.abs(offMs) <= 50, `midnight cut ${i + 1} lands ${offMs.toFixed(2)} ms off`);
  }
});

test.run();
