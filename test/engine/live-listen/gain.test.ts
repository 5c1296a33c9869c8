// Live listen's volume, on plain numbers: the gain of a volume, a change that glides over 20 ms without
// a jump, and the 32-to-16-bit step for a 32-bit capture.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GainRamp, RAMP_MS, s32ToS16, volumeDb } from '../../../src/engine/live-listen/gain.js';

function constant(frames: number, value: number, channels = 2): Buffer {
  const b = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames * channels; i++) b.writeInt16LE(value, i * 2);
  return b;
}

const left = (b: Buffer): number[] => Array.from({ length: b.length / 4 }, (_, f) => b.readInt16LE(f * 4));

test('volume in dB', () => {
  assert.is(Math.round(volumeDb(0.5) * 100) / 100, -6.02);
  assert.is(volumeDb(1), 0);
  assert.is(volumeDb(0), -Infinity);
});

test('unity passes the very buffer; a fixed volume scales every sample, both channels', () => {
  const g = new GainRamp(1, 2, 48000);
  const pcm = constant(10, 10000);
  assert.ok(g.apply(pcm) === pcm, 'no copy at unity');
  const half = new GainRamp(0.5, 2, 48000).apply(constant(10, 10000));
  for (let i = 0; i < 20; i++) assert.is(half.readInt16LE(i * 2), 5000);
  assert.is(new GainRamp(1, 2, 48000).apply(constant(2, -32768)).readInt16LE(0), -32768);
});

test('a change glides over RAMP_MS in equal steps, across chunk boundaries, then holds', () => {
  const rate = 48000;
  const rampFrames = (rate * RAMP_MS) / 1000;
  const g = new GainRamp(1, 2, rate);
  g.set(0);
  const out = [...left(g.apply(constant(rampFrames / 2, 10000))), ...left(g.apply(constant(rampFrames, 10000)))];
  let maxStep = 0;
  for (let i = 1; i < out.length; i++) maxStep = Math.max(maxStep, Math.abs(out[i]! - out[i - 1]!));
  assert.ok(maxStep <= Math.ceil(10000 / rampFrames) + 1, `largest step ${maxStep}`);
  assert.is(out[rampFrames - 1], 0, 'silent once the ramp is over');
  assert.is(out.at(-1), 0);
  // Turned back up halfway through a ramp: it glides from where it is, no jump.
  const h = new GainRamp(1, 2, rate);
  h.set(0);
  const down = left(h.apply(constant(rampFrames / 2, 10000)));
  h.set(1);
  const up = left(h.apply(constant(rampFrames, 10000)));
  assert.ok(Math.abs(up[0]! - down.at(-1)!) <= Math.ceil(10000 / rampFrames) + 1, `${down.at(-1)} then ${up[0]}`);
  assert.is(up.at(-1), 10000);
});

test('S32LE to S16LE keeps the top 16 bits', () => {
  const b = Buffer.alloc(8);
  b.writeInt32LE(0x12345678, 0);
  b.writeInt32LE(-0x80000000, 4);
  const out = s32ToS16(b);
  assert.equal([out.readInt16LE(0), out.readInt16LE(2)], [0x1234, -32768]);
});

test.run();
