// The fallback switch's pure parts: the crossfade, the switch across chunks, the playlist and the
// decoder's argv.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crossfade } from '../../../src/engine/fallback/crossfade.js';
import { AirSwitch } from '../../../src/engine/fallback/air-switch.js';
import { Playlist, audioFiles } from '../../../src/engine/fallback/playlist.js';
import { buildDecoderArgv } from '../../../src/engine/fallback/fallback-argv.js';
import type { PcmFormat } from '../../../src/engine/types.js';

const MONO: PcmFormat = { sampleRate: 48000, channels: 1, sampleFormat: 'S16_LE' };
const STEREO: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };

const s16 = (...v: number[]) => {
  const b = Buffer.alloc(v.length * 2);
  v.forEach((x, i) => b.writeInt16LE(x, i * 2));
  return b;
};
const values = (b: Buffer) => Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(i * 2));
const constant = (v: number, frames: number, f = MONO) => s16(...new Array(frames * f.channels).fill(v));

test('crossfade: a linear ramp from one source to the other over fadeFrames, continued by startFrame', () => {
  assert.equal(values(crossfade(s16(1000, 1000, 1000, 1000), s16(0, 0, 0, 0), MONO, 0, 4)), [1000, 750, 500, 250]);
  assert.equal(values(crossfade(s16(1000, 1000, 1000), s16(-1000, -1000, -1000), MONO, 2, 4)), [0, -500, -1000], 'from frame 2 of 4, past the end at full weight');
  assert.equal(values(crossfade(s16(5, 5), s16(9, 9), MONO, 0, 0)), [9, 9], 'no fade: the new source at once');
});

test('crossfade: channels keep their own samples; S32 and clamping', () => {
  assert.equal(values(crossfade(s16(100, -100, 100, -100), s16(0, 0, 0, 0), STEREO, 1, 2)), [50, -50, 0, 0]);
  const a = Buffer.alloc(8);
  a.writeInt32LE(2147483647, 0);
  a.writeInt32LE(2147483647, 4);
  const out = crossfade(a, Buffer.from(a), { sampleRate: 48000, channels: 2, sampleFormat: 'S32_LE' }, 0, 10);
  assert.is(out.readInt32LE(0), 2147483647);
  assert.throws(() => crossfade(s16(1), s16(1, 2), MONO, 0, 4), /same frames/);
});

test('switch: programme untouched (same buffer) until told; then a fade over whole chunks to the fallback', () => {
  const sw = new AirSwitch(MONO, 0);
  sw.setFadeMs(0.125); // 6 frames at 48 kHz
  const prog = constant(600, 4);
  const never = (): Buffer => {
    throw new Error('no fallback read while on the programme');
  };
  assert.is(sw.process(prog, never), prog);
  sw.select('fallback');
  const fb = (n: number) => constant(0, n / 2);
  assert.equal(values(sw.process(constant(600, 4), fb)), [600, 500, 400, 300]);
  assert.ok(sw.fading);
  assert.equal(values(sw.process(constant(600, 4), fb)), [200, 100, 0, 0]);
  assert.is(sw.fading, false);
  assert.equal(values(sw.process(constant(600, 2), fb)), [0, 0], 'then only the fallback');
  assert.is(sw.source, 'fallback');
});

test('switch: turning back mid-fade continues from the same mix, no jump', () => {
  const sw = new AirSwitch(MONO, 0);
  sw.setFadeMs(0.125); // 6 frames
  const fb = (n: number) => constant(0, n / 2);
  sw.select('fallback');
  assert.equal(values(sw.process(constant(600, 2), fb)), [600, 500]);
  sw.select('programme');
  // 2 frames into 6 towards the fallback = 4 frames into 6 towards the programme: 400 → 500 → 600.
  assert.equal(values(sw.process(constant(600, 3), fb)), [400, 500, 600]);
  assert.is(sw.fading, false);
  const prog = constant(600, 2);
  assert.is(sw.process(prog, fb), prog);
});

test('playlist: audio files by natural name order; shuffle plays each once per pass', () => {
  assert.equal(audioFiles(['b.mp3', 'track 10.flac', 'track 2.flac', 'notes.txt', '.hidden.mp3', 'A.OGG']), ['A.OGG', 'b.mp3', 'track 2.flac', 'track 10.flac']);
  const inOrder = new Playlist(['a', 'b', 'c'], 'in_order');
  assert.equal([1, 2, 3, 4, 5].map(() => inOrder.next()), ['a', 'b', 'c', 'a', 'b']);
  let seed = 0.1;
  const shuffled = new Playlist(['a', 'b', 'c', 'd'], 'shuffle', () => (seed = (seed * 9301 + 0.49297) % 1));
  const pass1 = [1, 2, 3, 4].map(() => shuffled.next());
  const pass2 = [1, 2, 3, 4].map(() => shuffled.next());
  assert.equal([...pass1].sort(), ['a', 'b', 'c', 'd']);
  assert.equal([...pass2].sort(), ['a', 'b', 'c', 'd']);
  assert.is(new Playlist([], 'shuffle').next(), null);
});

test('decoder argv: the file as a path (never an option), raw PCM in the capture format on stdout', () => {
  assert.equal(buildDecoderArgv('/var/lib/rackcast/fallback/-odd name.mp3', { sampleRate: 44100, channels: 2, sampleFormat: 'S32_LE' }), [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-i', 'file:/var/lib/rackcast/fallback/-odd name.mp3', '-vn', '-f', 's32le', '-ar', '44100', '-ac', '2', 'pipe:1',
  ]);
});

test.run();
