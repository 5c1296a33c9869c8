import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LevelMeter, SILENCE_DBFS, toDbfs } from '../../../src/engine/audio/meters.js';

function stereoS16(left: (i: number) => number, right: (i: number) => number, frames: number): Buffer {
  const b = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    b.writeInt16LE(left(i), i * 4);
    b.writeInt16LE(right(i), i * 4 + 2);
  }
  return b;
}

test('full-scale square wave reads 0 dBFS peak and RMS', () => {
  const m = new LevelMeter({ sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' });
  m.feed(stereoS16((i) => (i % 2 ? 32767 : -32768), () => 0, 4800));
  const [l, r] = m.read();
  assert.ok(Math.abs(l!.peakDbfs) < 0.01);
  assert.ok(Math.abs(l!.rmsDbfs) < 0.01);
  assert.is(r!.peakDbfs, SILENCE_DBFS);
  assert.is(r!.rmsDbfs, SILENCE_DBFS);
});

test('a sine at half scale: peak -6.0 dBFS, RMS -9.0 dBFS, per channel', () => {
  const m = new LevelMeter({ sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' });
  const sine = (i: number) => Math.round(16384 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
  m.feed(stereoS16(sine, (i) => Math.round(sine(i) / 10), 48000));
  const [l, r] = m.read();
  assert.is(l!.peakDbfs, -6);
  assert.is(l!.rmsDbfs, -9);
  assert.is(r!.peakDbfs, -26);
});

test('S32 mono is read with its own full scale', () => {
  const m = new LevelMeter({ sampleRate: 44100, channels: 1, sampleFormat: 'S32_LE' });
  const b = Buffer.alloc(4 * 100);
  for (let i = 0; i < 100; i++) b.writeInt32LE(i % 2 ? 1073741824 : -1073741824, i * 4);
  const [c] = m.read.call((m.feed(b), m));
  assert.is(c!.peakDbfs, -6);
});

test('reading starts a new window', () => {
  const m = new LevelMeter({ sampleRate: 48000, channels: 1, sampleFormat: 'S16_LE' });
  m.feed(Buffer.from([0xff, 0x7f]));
  assert.ok(m.read()[0]!.peakDbfs > -0.1);
  assert.is(m.read()[0]!.peakDbfs, SILENCE_DBFS);
});

test('toDbfs floors silence instead of -Infinity', () => {
  assert.is(toDbfs(0), SILENCE_DBFS);
  assert.is(toDbfs(1), 0);
  assert.is(toDbfs(0.1), -20);
});

test('a chunk at an odd byte offset reads the same levels as an aligned one', () => {
  const sine = (i: number) => Math.round(16384 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
  const pcm = stereoS16(sine, (i) => -sine(i) >> 2, 4800);
  const odd = Buffer.alloc(pcm.length + 1);
  pcm.copy(odd, 1);
  const format = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' } as const;
  const a = new LevelMeter(format);
  const b = new LevelMeter(format);
  a.feed(pcm);
  b.feed(odd.subarray(1));
  assert.equal(b.read(), a.read());
  assert.equal(a.read(), [{ peakDbfs: SILENCE_DBFS, rmsDbfs: SILENCE_DBFS }, { peakDbfs: SILENCE_DBFS, rmsDbfs: SILENCE_DBFS }]);
});

test('levels accumulate across chunks: a loud chunk then a silent one keeps the peak, halves the power', () => {
  const m = new LevelMeter({ sampleRate: 48000, channels: 1, sampleFormat: 'S16_LE' });
  const loud = Buffer.alloc(2 * 480);
  for (let i = 0; i < 480; i++) loud.writeInt16LE(i % 2 ? 16384 : -16384, i * 2);
  m.feed(loud);
  m.feed(Buffer.alloc(2 * 480));
  const [c] = m.read();
  assert.is(c!.peakDbfs, -6);
  assert.is(c!.rmsDbfs, -9);
});

test.run();
