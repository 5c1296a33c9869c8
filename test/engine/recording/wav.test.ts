// The WAV container: headers (16-bit plain, 32-bit extensible, both read by ffmpeg), size limits, and the
// repair of files a crash or a pulled drive left with stale sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWavLayout, repairWav, wavHeader, wavMaxFrames, WAV_MAX_FILE_BYTES } from '../../../src/engine/recording/wav.js';
import { WavSegment } from '../../../src/engine/recording/wav-segment.js';
import { SafeDir } from '../../../src/engine/recording/safe-dir.js';
import { decodeToPcm } from '../../harness/signal.js';
import { removeOnExit } from '../../harness/util.js';
import type { PcmFormat } from '../../../src/engine/types.js';

const S16: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const S32: PcmFormat = { sampleRate: 44100, channels: 1, sampleFormat: 'S32_LE' };
const dir = mkdtempSync(join(tmpdir(), 'rackcast-wav-'));
removeOnExit(dir);

function pcm(frames: number, frameBytes: number): Buffer {
  const b = Buffer.alloc(frames * frameBytes);
  for (let i = 0; i < b.length; i += 2) b.writeInt16LE(((i / 2) % 20000) - 10000, i);
  return b;
}

test('16-bit header: 44 bytes, sizes, and ffmpeg reads it back sample for sample', async () => {
  const data = pcm(4800, 4);
  const h = wavHeader(S16, data.length);
  assert.is(h.length, 44);
  assert.equal(parseWavLayout(h), { dataOffset: 44, dataBytes: data.length, blockAlign: 4 });
  const path = join(dir, 'a.wav');
  writeFileSync(path, Buffer.concat([h, data]));
  const decoded = await decodeToPcm(path, { seconds: 10, rate: 48000, channels: 2 });
  assert.ok(decoded.equals(data));
});

test('32-bit header is WAVE_FORMAT_EXTENSIBLE and ffmpeg reads it', async () => {
  const frames = 4410;
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) data.writeInt32LE(i * 65536, i * 4);
  const h = wavHeader(S32, data.length);
  assert.is(h.length, 68);
  assert.is(h.readUInt16LE(20), 0xfffe);
  const path = join(dir, 'b.wav');
  writeFileSync(path, Buffer.concat([h, data]));
  const decoded = await decodeToPcm(path, { seconds: 10, rate: 44100, channels: 1 });
  assert.is(decoded.length, frames * 2);
  assert.is(decoded.readInt16LE(2 * 1234), 1234);
});

test('size limits: whole frames below 4 GiB (RIFF and FAT), or the configured size', () => {
  assert.is(wavMaxFrames(S16, 1024 * 1024), Math.floor((1024 * 1024 - 44) / 4));
  assert.is(wavMaxFrames(S16, 2 ** 40), Math.floor((WAV_MAX_FILE_BYTES - 44) / 4));
  assert.ok(44 + wavMaxFrames(S16, 2 ** 40) * 4 < 2 ** 32 - 1);
});

test('repair: stale sizes from a crash are set from the length; a partial frame is cut off', async () => {
  const path = join(dir, 'crashed.wav');
  writeFileSync(path, Buffer.concat([wavHeader(S16, 0), pcm(1000, 4), Buffer.from([1, 2, 3])]));
  assert.equal(await repairWav(path), { repaired: true, dataBytes: 4000 });
  const fixed = readFileSync(path);
  assert.is(fixed.length, 44 + 4000);
  assert.is(fixed.readUInt32LE(4), fixed.length - 8);
  assert.is(parseWavLayout(fixed)!.dataBytes, 4000);
  assert.equal(await repairWav(path), { repaired: false, dataBytes: 4000 }, 'a good file is left alone');
  writeFileSync(join(dir, 'not.wav'), 'hello, this is not a wave file');
  assert.is(await repairWav(join(dir, 'not.wav')), null);
});

test('a WAV segment never overwrites, keeps its header current, and finishes cleanly', async () => {
  const path = join(dir, 'seg.wav');
  const root = await SafeDir.openRoot(dir);
  const seg = await WavSegment.create(path, S16, await root.createFile('seg.wav'));
  await seg.write(pcm(480, 4));
  await seg.write(pcm(480, 4));
  assert.is(parseWavLayout(readFileSync(path))!.dataBytes, 960 * 4, 'the header is current before close');
  await seg.sync();
  assert.is(seg.frames, 960);
  assert.is(seg.bytes, 44 + 3840);
  await seg.close();
  await seg.close();
  await root.createFile('seg.wav').then(
    () => assert.unreachable('overwrote a recording'),
    (err: Error) => assert.match(err.message, /cannot create "seg.wav": the name is taken/),
  );
  await root.close();
});

test.run();
