// The ffmpeg backend's polled output with a real ffmpeg and no server (its bytes are counted as discarded):
// polled as the audio core polls it, every 50 ms, the encoded stream keeps up with the PCM fed in 200 ms
// writes, 50 ms behind; and one large write, as after a stall of the audio worker (5 s of PCM at once into an MP3 320k,
// more output than a pipe holds), is encoded to its end with no further write, however long ffmpeg has to
// wait on its full output pipe for the next read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FfmpegBackend } from '../../../../src/engine/stream/ffmpeg/ffmpeg-backend.js';
import { parseEncoderInput } from '../../../../src/engine/stream/encoder-schema.js';
import type { BackendHost } from '../../../../src/engine/stream/backend.js';
import type { EncoderConfig, PcmFormat } from '../../../../src/engine/types.js';
import { removeOnExit, sleep, waitFor } from '../../../harness/util.js';

const format: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const runDir = mkdtempSync(join(tmpdir(), 'rackcast-ffmpeg-output-'));
removeOnExit(runDir);

function mp3_320(): EncoderConfig {
  const parsed = parseEncoderInput({ name: 'Polled', codec: 'mp3', bitrate_kbps: 320, sample_rate: 48000, channels: 2, output_type: 'icecast', server_host: '127.0.0.1', server_port: 9, mount_point: '/polled.mp3' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return { ...parsed.value, id: 1, created_at: '' } as EncoderConfig;
}

function backend(): FfmpegBackend {
  const config = mp3_320();
  const host: BackendHost = {
    config: () => config,
    password: () => '',
    captureFormat: () => format,
    runDir: () => runDir,
    connected: () => undefined,
    connectFailed: () => undefined,
    disconnected: () => undefined,
    processExited: (detail) => assert.unreachable(`ffmpeg stopped: ${detail}`),
    drained: () => undefined,
  };
  return new FfmpegBackend(host);
}

/** A 440 Hz tone, `ms` long. */
function tone(ms: number, from = 0): Buffer {
  const frames = (format.sampleRate * ms) / 1000;
  const b = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (from + i)) / format.sampleRate));
    b.writeInt16LE(v, i * 4);
    b.writeInt16LE(v, i * 4 + 2);
  }
  return b;
}

/** 320 kbit/s, in bytes per second of audio. */
const BYTES_PER_S = 40_000;

test('polled every 50 ms, the output keeps up with 200 ms writes', async () => {
  const b = backend();
  b.start();
  await waitFor(() => b.writable, { timeoutMs: 5000, what: 'ffmpeg taking PCM' });
  for (let i = 0; i < 20; i++) {
    // As the audio core does at each capture chunk: the poll, then the chunk (and every fourth, a write).
    b.poll();
    if (i % 4 === 0) b.write(tone(200, i * 2400));
    await sleep(50);
  }
  for (let i = 0; i < 4; i++) (b.poll(), await sleep(50));
  const out = b.counters().bytesDiscarded;
  await b.stop();
  // 1 s of audio went in; the encoder holds back at most a few frames (LAME's delay).
  assert.ok(out > 0.8 * BYTES_PER_S && out < 1.05 * BYTES_PER_S, `${out} bytes out for 1 s in`);
});

test('one 5 s write (after a stall) is encoded to its end, polled with no further write', async () => {
  const b = backend();
  b.start();
  await waitFor(() => b.writable, { timeoutMs: 5000, what: 'ffmpeg taking PCM' });
  b.write(tone(5000));
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline && b.counters().bytesDiscarded < 4.8 * BYTES_PER_S) {
    await sleep(50);
    b.poll();
  }
  const out = b.counters().bytesDiscarded;
  await b.stop();
  assert.ok(out >= 4.8 * BYTES_PER_S, `${out} bytes out for 5 s in (ffmpeg held on a full output pipe: ${out <= 70_000})`);
});

test.run();
