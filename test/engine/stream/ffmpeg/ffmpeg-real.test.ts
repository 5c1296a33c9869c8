// Runs the real ffmpeg with buildFfmpegArgv's output for every codec and checks the
// first bytes against the verified outputs of PROTOCOLS.md §7.2.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildFfmpegArgv, ffmpegBinary, type ArgvEncoder } from '../../../../src/engine/stream/ffmpeg/ffmpeg-argv.js';
import { bytesPerFrame, type PcmFormat } from '../../../../src/engine/types.js';

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

async function encode(encoder: ArgvEncoder, input: PcmFormat = S16_48K, pcm: Buffer = sine(input)): Promise<Buffer> {
  const r = await runFfmpeg(buildFfmpegArgv(input, encoder, { metadata: { title: 'Test "Title"', artist: 'Ärtist' } }), pcm);
  assert.is(r.code, 0, `ffmpeg exited ${r.code}: ${r.stderr}`);
  assert.ok(r.out.length > 2000, `output only ${r.out.length} bytes`);
  return r.out;
}

/** True when `needle` occurs in the first `within` bytes. */
function has(buf: Buffer, needle: string | Buffer, within = 256): boolean {
  return buf.subarray(0, within).includes(needle);
}

// ---- MPEG audio frame headers (ISO 11172-3 / 13818-3), Layer III only ----

const MP3_KBPS: Record<'v1' | 'v2', readonly number[]> = {
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_RATES: Record<number, readonly number[]> = {
  0b11: [44100, 48000, 32000], // MPEG-1
  0b10: [22050, 24000, 16000], // MPEG-2
  0b00: [11025, 12000, 8000], // MPEG-2.5
};
const CHANNEL_MODES = ['stereo', 'joint stereo', 'dual channel', 'mono'] as const;

interface Mp3Frame {
  offset: number;
  version: 'MPEG-1' | 'MPEG-2' | 'MPEG-2.5';
  bitrateIndex: number;
  kbps: number;
  sampleRate: number;
  /** The two channel-mode bits: 0b11 is mono. */
  channelModeBits: number;
  channelMode: (typeof CHANNEL_MODES)[number];
  length: number;
}

/** Parses the Layer III frame header at `offset`; throws naming what is wrong. */
function mp3FrameAt(buf: Buffer, offset: number): Mp3Frame {
  if (offset + 4 > buf.length) throw new Error(`truncated header at ${offset}`);
  const h = buf.readUInt32BE(offset);
  if (h >>> 21 !== 0x7ff) throw new Error(`no frame sync at ${offset} (0x${h.toString(16)})`);
  const versionBits = (h >>> 19) & 0b11;
  const layerBits = (h >>> 17) & 0b11;
  const bitrateIndex = (h >>> 12) & 0xf;
  const rateIndex = (h >>> 10) & 0b11;
  const padding = (h >>> 9) & 1;
  const channelModeBits = (h >>> 6) & 0b11;
  const rates = MP3_RATES[versionBits];
  if (!rates) throw new Error(`reserved MPEG version at ${offset}`);
  if (layerBits !== 0b01) throw new Error(`not Layer III at ${offset}`);
  if (bitrateIndex === 0 || bitrateIndex === 0xf) throw new Error(`free/bad bitrate index ${bitrateIndex} at ${offset}`);
  const sampleRate = rates[rateIndex];
  if (sampleRate === undefined) throw new Error(`reserved sample-rate index at ${offset}`);
  const v1 = versionBits === 0b11;
  const kbps = MP3_KBPS[v1 ? 'v1' : 'v2'][bitrateIndex] ?? 0;
  // Layer III: 1152 samples per frame in MPEG-1, 576 in MPEG-2/2.5.
  const length = Math.floor(((v1 ? 144 : 72) * kbps * 1000) / sampleRate) + padding;
  return {
    offset,
    version: v1 ? 'MPEG-1' : versionBits === 0b10 ? 'MPEG-2' : 'MPEG-2.5',
    bitrateIndex,
    kbps,
    sampleRate,
    channelModeBits,
    channelMode: CHANNEL_MODES[channelModeBits] ?? 'stereo',
    length,
  };
}

/** Every frame of a bare MP3 stream, walked header to header: any junk between frames throws. */
function mp3Frames(buf: Buffer): Mp3Frame[] {
  const frames: Mp3Frame[] = [];
  for (let off = 0; off < buf.length; ) {
    const f = mp3FrameAt(buf, off);
    frames.push(f);
    off += f.length;
  }
  if (frames.length > 0) {
    const last = frames[frames.length - 1]!;
    assert.ok(last.offset + last.length <= buf.length, 'the last frame is complete');
  }
  return frames;
}

function assertMp3(out: Buffer): Mp3Frame[] {
  assert.is.not(out.subarray(0, 3).toString('latin1'), 'ID3');
  assert.is(out[0], 0xff);
  assert.is((out[1] ?? 0) & 0xe0, 0xe0, 'MPEG frame sync');
  assert.is(out[1], 0xfb, 'MPEG-1 Layer III, no CRC');
  assert.not.ok(has(out, 'Xing') || has(out, 'Info\0'), 'no Xing/Info frame');
  return mp3Frames(out);
}

/** Every frame has this rate and these channel-mode bits. */
function assertEveryFrame(frames: Mp3Frame[], sampleRate: number, modes: readonly number[]): void {
  assert.ok(frames.length > 20, `only ${frames.length} frames`);
  for (const f of frames) {
    assert.is(f.sampleRate, sampleRate, `sample rate of the frame at ${f.offset}`);
    assert.ok(modes.includes(f.channelModeBits), `channel mode of the frame at ${f.offset}: ${f.channelMode}`);
  }
}

const STEREO_MODES = [0b00, 0b01]; // stereo or joint stereo
const MONO_MODE = [0b11];

// ---- Ogg (RFC 3533): the first packet of the first page, the codec's identification header ----

function firstOggPacket(buf: Buffer): Buffer {
  assert.is(buf.subarray(0, 4).toString('latin1'), 'OggS', 'Ogg capture pattern');
  assert.is(buf[5]! & 0x02, 0x02, 'the first page begins the stream (BOS)');
  const segments = buf[26]!;
  const table = buf.subarray(27, 27 + segments);
  let size = 0;
  for (const lacing of table) {
    size += lacing;
    if (lacing < 255) break;
  }
  const start = 27 + segments;
  return buf.subarray(start, start + size);
}

/** OpusHead (RFC 7845 §5.1): channel count and the input sample rate it records. */
function opusHead(buf: Buffer): { channels: number; inputRate: number; mappingFamily: number } {
  const p = firstOggPacket(buf);
  assert.is(p.subarray(0, 8).toString('latin1'), 'OpusHead', 'the first packet is OpusHead');
  assert.is(p[8], 1, 'OpusHead version 1');
  return { channels: p[9]!, inputRate: p.readUInt32LE(12), mappingFamily: p[18]! };
}

/** The Vorbis identification header: channels and sample rate. */
function vorbisId(buf: Buffer): { channels: number; sampleRate: number } {
  const p = firstOggPacket(buf);
  assert.is(p.subarray(0, 7).toString('latin1'), '\x01vorbis', 'the first packet is the Vorbis identification header');
  return { channels: p[11]!, sampleRate: p.readUInt32LE(12) };
}

test('mp3 CBR 128k: frame sync, no ID3, about 16 kB per second, every frame 128k 48 kHz stereo', async () => {
  const out = await encode(enc({}));
  const frames = assertMp3(out);
  assert.ok(out.length > 16000 * 0.8 && out.length < 16000 * 1.2, `size ${out.length}`);
  assertEveryFrame(frames, 48000, STEREO_MODES);
  assert.equal([...new Set(frames.map((f) => f.kbps))], [128], 'constant bitrate');
});

/** A sine for half a second, then silence: content whose needs change, so VBR must change bitrate. */
function sineThenSilence(format: PcmFormat): Buffer {
  const pcm = sine(format);
  pcm.fill(0, pcm.length / 2);
  return pcm;
}

test('mp3 VBR: bitrate varies frame to frame, 48 kHz stereo throughout; CBR on the same input does not vary', async () => {
  const input = S16_48K;
  const vbr = await encode(enc({ bitrate_kbps: null, quality: 2 }), input, sineThenSilence(input));
  const frames = assertMp3(vbr);
  assertEveryFrame(frames, 48000, STEREO_MODES);
  const indices = new Set(frames.map((f) => f.bitrateIndex));
  assert.ok(indices.size >= 2, `VBR frames use bitrate indices ${[...indices].join(', ')}`);

  const cbr = assertMp3(await encode(enc({ bitrate_kbps: 128 }), input, sineThenSilence(input)));
  assert.equal([...new Set(cbr.map((f) => f.bitrateIndex))], [9], 'the same input at CBR 128k keeps index 9');
});

test('mp3 mono from 44.1 kHz S32 input: every frame 44.1 kHz, mono, 64k', async () => {
  const input: PcmFormat = { sampleRate: 44100, channels: 2, sampleFormat: 'S32_LE' };
  const frames = assertMp3(await encode(enc({ channels: 1, sample_rate: 44100, bitrate_kbps: 64 }), input));
  assertEveryFrame(frames, 44100, MONO_MODE);
  assert.equal([...new Set(frames.map((f) => f.kbps))], [64]);
});

test('aac: ADTS', async () => {
  const out = await encode(enc({ codec: 'aac' }));
  assert.is(out.subarray(0, 2).toString('hex'), 'fff1');
});

test('ogg vorbis by bitrate and by quality, stereo and mono at the asked rate', async () => {
  const cases: Partial<ArgvEncoder>[] = [{ bitrate_kbps: 128 }, { bitrate_kbps: null, quality: 4 }, { bitrate_kbps: 64, channels: 1, sample_rate: 44100 }];
  for (const over of cases) {
    const out = await encode(enc({ codec: 'ogg', ...over }));
    const id = vorbisId(out);
    assert.equal(id, { channels: over.channels ?? 2, sampleRate: over.sample_rate ?? 48000 }, JSON.stringify(over));
  }
});

test('opus from 44.1 kHz mono input: OpusHead carries the asked channel count, resampled to 48 kHz', async () => {
  const input: PcmFormat = { sampleRate: 44100, channels: 1, sampleFormat: 'S16_LE' };
  for (const channels of [2, 1] as const) {
    const out = await encode(enc({ codec: 'opus', bitrate_kbps: 96, sample_rate: 44100, channels }), input);
    const head = opusHead(out);
    assert.is(head.channels, channels, `OpusHead channel count for channels=${channels}`);
    assert.is(head.mappingFamily, 0, 'mono/stereo mapping');
    assert.is(head.inputRate, 48000, 'libopus fed at 48 kHz');
  }
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
