// FLAC and MP3 recordings through real ffmpeg processes, one per file, rotated by size: the FLAC files
// decode and join into exactly the audio fed (every sample), the MP3 files decode to exactly their
// length (the LAME/Xing frame carries delay and padding) and join without a gap.
process.env.TZ = 'UTC';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeToPcm } from '../../harness/signal.js';
import { makeRig, MONO, firstMismatch } from './helpers.js';

const RATE = 48000;

/** Deterministic 16-bit noise: FLAC cannot shrink it, so files fill up in seconds. */
function noise(frame: number): number {
  let x = (frame + 1) * 2654435761;
  x ^= x >>> 15;
  x = Math.imul(x, 2246822519);
  x ^= x >>> 13;
  return x & 0xffff;
}

function sine(frame: number): number {
  return Math.round(12000 * Math.sin((2 * Math.PI * 440 * frame) / RATE));
}

async function decode(path: string): Promise<Buffer> {
  return decodeToPcm(path, { seconds: 3600, rate: RATE, channels: 1, timeoutMs: 30_000 });
}

/** Files in the order the recorder wrote them. */
function inOrder(root: string, rotations: { closedFile: string; newFile: string }[]): string[] {
  return [rotations[0]!.closedFile, ...rotations.map((r) => r.newFile)].map((rel) => join(root, rel));
}

test('FLAC by size: several files that decode and join into every fed sample', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { codec: 'flac', file_rotation: 'by_size', file_max_size_mb: 1 } });
  rig.recorder.start();
  await rig.feed(40, { signal: noise, chunkFrames: 4800 });
  await rig.recorder.stop();
  assert.ok(rig.rotations.length >= 2, `${rig.rotations.length} rotations`);
  const files = inOrder(rig.root, rig.rotations);
  for (const f of files) assert.ok(statSync(f).size < 1.25 * 1024 * 1024, `${f}: ${statSync(f).size} bytes`);
  const pcm = Buffer.concat(await Promise.all(files.map(decode)));
  assert.is(pcm.length / 2, rig.fed, 'decoded length');
  assert.is(firstMismatch(pcm, 1, noise), -1, 'every sample, in order');
  assert.is(rig.open.size, 0);
});

test('MP3 by size: each file decodes to its exact length and the files join without a gap', async () => {
  const rig = makeRig({ format: MONO, startIso: '2024-05-01T10:00:00Z', config: { codec: 'mp3', bitrate_kbps: 320, channels: 1, file_rotation: 'by_size', file_max_size_mb: 1 } });
  rig.recorder.start();
  await rig.feed(75, { signal: sine, chunkFrames: 4800 });
  await rig.recorder.stop();
  assert.ok(rig.rotations.length >= 2, `${rig.rotations.length} rotations`);
  const decoded = await Promise.all(inOrder(rig.root, rig.rotations).map(decode));
  const pcm = Buffer.concat(decoded);
  assert.is(pcm.length / 2, rig.fed, 'the decoded files hold exactly the frames fed: no padding, no gap');
  // A lost or repeated sample would shift the phase of everything after it: compare with the ideal sine.
  let err = 0;
  let sig = 0;
  const joins: number[] = [];
  let at = 0;
  for (const d of decoded.slice(0, -1)) joins.push((at += d.length / 2));
  for (let i = 0; i < pcm.length / 2; i++) {
    const want = sine(i);
    err += (pcm.readInt16LE(i * 2) - want) ** 2;
    sig += want * want;
  }
  const snrDb = 10 * Math.log10(sig / err);
  assert.ok(snrDb > 30, `whole recording: SNR ${snrDb.toFixed(1)} dB`);
  for (const j of joins) {
    let e = 0;
    let s = 0;
    for (let i = j - 4800; i < j + 4800; i++) {
      const want = sine(i);
      e += (pcm.readInt16LE(i * 2) - want) ** 2;
      s += want * want;
    }
    assert.ok(10 * Math.log10(s / e) > 25, `around the join at frame ${j}: SNR ${(10 * Math.log10(s / e)).toFixed(1)} dB`);
  }
});

test.run();
