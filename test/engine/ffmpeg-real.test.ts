// Runs the real ffmpeg with buildFfmpegArgv's output for every codec and checks the
// first bytes against the verified outputs of PROTOCOLS.md §7.2.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFfmpegArgv, ffmpegBinary, type ArgvEncoder } from '../../src/engine/ffmpeg-argv.js';
import { bytesPerFrame, type PcmFormat } from '../../src/engine/types.js';

/** One second of a 440 Hz sine at half scale, interleaved little-endian. */
function sine(format: PcmFormat, seconds = 1): Buffer {
  const frames = format.sampleRate * seconds;
  const buf = Buffer.alloc(frames * bytesPerFrame(format));
  const s16 = format.sampleFormat === 'S16_LE';
  let off = 0;
  for (let i = 0; i < frames; i++) {
    const v = 0.5 * Math.sin((2 * Math.PI * 440 * i) / format.sampleRate);
    for (let c = 0; c < format.channels; c++) {
      if (s16) off = buf.writeInt16LE(Math.round(v * 32767), off);
      else off = buf.writeInt32LE(Math.round(v * 2147483647), off);
    }
  }
  return buf;
}

interface Run { out: Buffer; code: number | null; stderr: string }

function runFfmpeg(argv: string[], pcm: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegBinary(), argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ out: Buffer.concat(chunks), code, stderr }));
    child.stdin.end(pcm);
  });
}

const S16_48K: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };

function enc(over: Partial<ArgvEncoder>): ArgvEncoder {
  return { codec: 'mp3', bitrate_kbps: 128, sample_rate: 48000, channels: 2, quality: null, output_type: 'icecast', ...over };
}

async function encode(encoder: ArgvEncoder, input: PcmFormat = S16_48K): Promise<Buffer> {
  const r = await runFfmpeg(buildFfmpegArgv(input, encoder, { metadata: { title: 'Test "Title"', artist: 'Ärtist' } }), sine(input));
  assert.is(r.code, 0, `ffmpeg exited ${r.code}: ${r.stderr}`);
  assert.ok(r.out.length > 2000, `output only ${r.out.length} bytes`);
  return r.out;
}

/** True when `needle` occurs in the first `within` bytes. */
function has(buf: Buffer, needle: string | Buffer, within = 256): boolean {
  return buf.subarray(0, within).includes(needle);
}

function assertMp3(out: Buffer): void {
  assert.is.not(out.subarray(0, 3).toString('latin1'), 'ID3');
  assert.is(out[0], 0xff);
  assert.is((out[1] ?? 0) & 0xe0, 0xe0, 'MPEG frame sync');
  assert.is(out[1], 0xfb, 'MPEG-1 Layer III, no CRC');
  assert.not.ok(has(out, 'Xing') || has(out, 'Info\0'), 'no Xing/Info frame');
}

test('mp3 CBR 128k: frame sync, no ID3, about 16 kB per second', async () => {
  const out = await encode(enc({}));
  assertMp3(out);
  assert.ok(out.length > 16000 * 0.8 && out.length < 16000 * 1.2, `size ${out.length}`);
});

test('mp3 VBR', async () => {
  assertMp3(await encode(enc({ bitrate_kbps: null, quality: 2 })));
});

test('mp3 mono from 44.1 kHz S32 input', async () => {
  const input: PcmFormat = { sampleRate: 44100, channels: 2, sampleFormat: 'S32_LE' };
  assertMp3(await encode(enc({ channels: 1, sample_rate: 44100, bitrate_kbps: 64 }), input));
});

test('aac: ADTS', async () => {
  const out = await encode(enc({ codec: 'aac' }));
  assert.is(out.subarray(0, 2).toString('hex'), 'fff1');
});

test('ogg vorbis by bitrate and by quality', async () => {
  for (const over of [{ bitrate_kbps: 128 }, { bitrate_kbps: null, quality: 4 }]) {
    const out = await encode(enc({ codec: 'ogg', ...over }));
    assert.is(out.subarray(0, 4).toString('latin1'), 'OggS');
    assert.ok(has(out, '\x01vorbis'));
  }
});

test('opus from 44.1 kHz mono input', async () => {
  const input: PcmFormat = { sampleRate: 44100, channels: 1, sampleFormat: 'S16_LE' };
  const out = await encode(enc({ codec: 'opus', bitrate_kbps: 96, sample_rate: 44100 }), input);
  assert.is(out.subarray(0, 4).toString('latin1'), 'OggS');
  assert.ok(has(out, 'OpusHead'));
});

test('flac stream: Ogg FLAC', async () => {
  const out = await encode(enc({ codec: 'flac', bitrate_kbps: null }));
  assert.is(out.subarray(0, 4).toString('latin1'), 'OggS');
  assert.ok(has(out, Buffer.from('\x7fFLAC', 'latin1')));
});

test('flac file: native FLAC', async () => {
  const out = await encode(enc({ codec: 'flac', bitrate_kbps: null, output_type: 'file' }));
  assert.is(out.subarray(0, 4).toString('latin1'), 'fLaC');
});

test('wav file: RIFF/WAVE with 1 s of 16-bit PCM', async () => {
  const out = await encode(enc({ codec: 'wav', bitrate_kbps: null, output_type: 'file' }));
  assert.is(out.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.is(out.subarray(8, 12).toString('latin1'), 'WAVE');
  assert.ok(out.length >= 48000 * 4, `size ${out.length}`);
});

test.run();
