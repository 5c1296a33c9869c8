// A 4-channel capture split into the programme (channels 1/2) and the aux pair (3/4), on plain numbers:
// every sample lands in its own pair and place, in S16 and S32, from aligned and unaligned memory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitPairs } from '../../../src/engine/capture/channel-split.js';

/** Frames whose sample value says where it came from: frame * 10 + channel (1-4). */
function quadFrames(frames: number, sampleBytes: 2 | 4, offset = 0): Buffer {
  const backing = Buffer.alloc(offset + frames * 4 * sampleBytes);
  const buf = backing.subarray(offset);
  for (let f = 0; f < frames; f++) {
    for (let ch = 1; ch <= 4; ch++) {
      const at = (f * 4 + ch - 1) * sampleBytes;
      if (sampleBytes === 2) buf.writeInt16LE(f * 10 + ch, at);
      else buf.writeInt32LE(-(f * 10 + ch) * 65536, at);
    }
  }
  return buf;
}

function samples(buf: Buffer, sampleBytes: 2 | 4): number[] {
  const out: number[] = [];
  for (let i = 0; i < buf.length; i += sampleBytes) out.push(sampleBytes === 2 ? buf.readInt16LE(i) : buf.readInt32LE(i) / -65536);
  return out;
}

for (const sampleBytes of [2, 4] as const) {
  for (const offset of [0, 1, 2]) {
    test(`S${sampleBytes * 8}, memory offset ${offset}: channels 1/2 are the programme, 3/4 the aux pair, frame by frame`, () => {
      const frames = 3000;
      const { programme, aux } = splitPairs(quadFrames(frames, sampleBytes, offset), sampleBytes);
      assert.is(programme.length, frames * 2 * sampleBytes);
      assert.is(aux.length, frames * 2 * sampleBytes);
      const p = samples(programme, sampleBytes);
      const a = samples(aux, sampleBytes);
      for (let f = 0; f < frames; f++) {
        if (p[2 * f] !== f * 10 + 1 || p[2 * f + 1] !== f * 10 + 2) assert.unreachable(`programme frame ${f}: ${p[2 * f]}, ${p[2 * f + 1]}`);
        if (a[2 * f] !== f * 10 + 3 || a[2 * f + 1] !== f * 10 + 4) assert.unreachable(`aux frame ${f}: ${a[2 * f]}, ${a[2 * f + 1]}`);
      }
    });
  }
}

test('a trailing partial frame is left out of both pairs', () => {
  const whole = quadFrames(3, 2);
  const { programme, aux } = splitPairs(Buffer.concat([whole, Buffer.from([1, 2, 3])]), 2);
  assert.equal(samples(programme, 2), [1, 2, 11, 12, 21, 22]);
  assert.equal(samples(aux, 2), [3, 4, 13, 14, 23, 24]);
});

test.run();
