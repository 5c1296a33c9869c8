// The AAC aligner on a real ADTS stream from ffmpeg: joined at any byte, in any chunking, it passes the
// stream on from the next real frame, exactly; a planted false header (the kind a decoder locks onto,
// channel configuration 0, its length landing on a real frame) is passed over; and what it passes
// decodes to the tone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { AdtsAligner } from '../../../src/engine/live-listen/adts-align.js';
import { channelSamples, dominantFrequency } from '../../harness/signal.js';

const stream = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=f=1000:d=3:r=48000', '-ac', '2', '-c:a', 'aac', '-b:a', '96k', '-f', 'adts', 'pipe:1'], { maxBuffer: 1 << 24 });

/** The real frame starts, read from the stream's own beginning. */
const frames: number[] = [];
for (let at = 0; at + 7 <= stream.length; ) {
  frames.push(at);
  at += ((stream[at + 3]! & 0x03) << 11) | (stream[at + 4]! << 3) | (stream[at + 5]! >> 5);
}

function run(input: Buffer, chunk: number): { out: Buffer; aligner: AdtsAligner } {
  const aligner = new AdtsAligner();
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(aligner.push(input.subarray(i, i + chunk)));
  return { out: Buffer.concat(parts), aligner };
}

test('joined at every byte of the first frames, in every chunking: the stream from the next frame on, byte for byte', () => {
  assert.ok(frames.length > 100, `${frames.length} frames`);
  for (const chunk of [1, 7, 333, 4096]) {
    for (let start = 0; start < frames[4]!; start += chunk === 1 ? 37 : 1) {
      const next = frames.find((f) => f >= start)!;
      const { out, aligner } = run(stream.subarray(start), chunk);
      assert.ok(out.equals(stream.subarray(next)), `joined at ${start} in ${chunk}-byte chunks: ${out.length} bytes out, ${stream.length - next} expected`);
      assert.is(aligner.skipped, next - start);
    }
  }
});

test('a false header inside a frame, its length landing on the next real one, is passed over', () => {
  const s = Buffer.from(stream);
  const real = frames[3]!;
  const fake = real + 20;
  const len = frames[4]! - fake;
  // Sync, MPEG-4, no CRC; the real stream's profile and rate, channel configuration 0 (a PCE would follow).
  s[fake] = 0xff;
  s[fake + 1] = 0xf1;
  s[fake + 2] = stream[real + 2]! & 0xfe;
  s[fake + 3] = (len >> 11) & 0x03;
  s[fake + 4] = (len >> 3) & 0xff;
  s[fake + 5] = ((len & 0x07) << 5) | 0x1f;
  s[fake + 6] = 0xfc;
  const { out } = run(s.subarray(fake - 5), 512);
  assert.ok(out.equals(s.subarray(frames[4]!)), `started ${s.length - out.length - frames[4]!} bytes off the next real frame`);
});

test('bytes that are no ADTS stream pass nothing, and what is held stays bounded', () => {
  let seed = 7;
  const noise = Buffer.alloc(300_000);
  for (let i = 0; i < noise.length; i++) noise[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const { out, aligner } = run(noise, 1000);
  assert.is(out.length, 0);
  assert.ok(aligner.skipped >= noise.length - 64 * 1024, `${aligner.skipped} skipped`);
  assert.not.ok(aligner.aligned);
});

test('what it passes decodes to the tone in ffmpeg, in mono as the off-air monitor may ask', () => {
  const { out } = run(stream.subarray(frames[2]! + 11), 1500);
  const pcm = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'aac', '-i', 'pipe:0', '-f', 's16le', '-ar', '48000', '-ac', '1', 'pipe:1'], { input: out, maxBuffer: 1 << 24 });
  const hz = dominantFrequency(channelSamples(pcm, 1).subarray(4800), 48000);
  assert.ok(Math.abs(hz - 1000) < 3, `${hz.toFixed(1)} Hz`);
});

test.run();
