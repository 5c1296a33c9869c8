// Exact argv per codec: the command lines of PROTOCOLS.md §7 are the contract.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CODECS, bitrateAllowed, codecInfo, estimateBitrateKbps, estimateBytesPerHour } from '../../../../src/engine/stream/codecs.js';
import { buildFfmpegArgv, ffmpegBinary, type ArgvEncoder } from '../../../../src/engine/stream/ffmpeg/ffmpeg-argv.js';
import type { PcmFormat } from '../../../../src/engine/types.js';

const S16_48K: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };

function head(fmt: string, rate: number, layout: string): string[] {
  return ['-hide_banner', '-loglevel', 'warning', '-nostats', '-nostdin', '-probesize', '32', '-analyzeduration', '0',
    '-f', fmt, '-ar', String(rate), '-ch_layout', layout, '-i', 'pipe:0'];
}
const IN = head('s16le', 48000, 'stereo');

function enc(over: Partial<ArgvEncoder>): ArgvEncoder {
  return { codec: 'mp3', bitrate_kbps: 128, sample_rate: 48000, channels: 2, quality: null, output_type: 'icecast', ...over };
}

function end(format: string): string[] {
  return ['-flush_packets', '1', '-f', format, 'pipe:1'];
}

test('mp3 CBR', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({})), [
    ...IN, '-ar', '48000', '-ac', '2',
    '-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '0', '-write_xing', '0', ...end('mp3'),
  ]);
});

test('mp3 VBR when quality is set and bitrate is null', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ bitrate_kbps: null, quality: 2 })), [
    ...IN, '-ar', '48000', '-ac', '2',
    '-c:a', 'libmp3lame', '-q:a', '2', '-id3v2_version', '0', '-write_xing', '0', ...end('mp3'),
  ]);
});

test('mp3 with neither bitrate nor quality falls back to the default bitrate', () => {
  const argv = buildFfmpegArgv(S16_48K, enc({ bitrate_kbps: null, quality: null }));
  assert.ok(argv.join(' ').includes('-c:a libmp3lame -b:a 128k'));
});

test('aac', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ codec: 'aac', bitrate_kbps: 64, quality: 3 })), [
    ...IN, '-ar', '48000', '-ac', '2', '-c:a', 'aac', '-b:a', '64k', ...end('adts'),
  ]);
});

test('ogg vorbis by bitrate', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ codec: 'ogg', bitrate_kbps: 160 })), [
    ...IN, '-ar', '48000', '-ac', '2', '-c:a', 'libvorbis', '-b:a', '160k', '-page_duration', '100000', ...end('ogg'),
  ]);
});

test('ogg vorbis by quality', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ codec: 'ogg', bitrate_kbps: null, quality: 6 })), [
    ...IN, '-ar', '48000', '-ac', '2', '-c:a', 'libvorbis', '-q:a', '6', '-page_duration', '100000', ...end('ogg'),
  ]);
});

test('opus', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ codec: 'opus', bitrate_kbps: 96 })), [
    ...IN, '-ar', '48000', '-ac', '2',
    '-c:a', 'libopus', '-b:a', '96k', '-application', 'audio', '-frame_duration', '20',
    '-page_duration', '100000', ...end('ogg'),
  ]);
});

test('opus output is 48 kHz even when the encoder says 44100', () => {
  const argv = buildFfmpegArgv(S16_48K, enc({ codec: 'opus', bitrate_kbps: 64, sample_rate: 44100 }));
  assert.equal(argv.slice(IN.length, IN.length + 4), ['-ar', '48000', '-ac', '2']);
});

test('flac to a server is Ogg FLAC', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ codec: 'flac', bitrate_kbps: null })), [
    ...IN, '-ar', '48000', '-ac', '2', '-c:a', 'flac', '-page_duration', '100000', ...end('ogg'),
  ]);
});

test('flac to a file is native FLAC', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ codec: 'flac', bitrate_kbps: null, output_type: 'file' })), [
    ...IN, '-ar', '48000', '-ac', '2', '-c:a', 'flac', ...end('flac'),
  ]);
});

test('wav file', () => {
  assert.equal(buildFfmpegArgv(S16_48K, enc({ codec: 'wav', bitrate_kbps: null, output_type: 'file' })), [
    ...IN, '-ar', '48000', '-ac', '2', '-c:a', 'pcm_s16le', ...end('wav'),
  ]);
});

test('wav to a server is refused', () => {
  assert.throws(() => buildFfmpegArgv(S16_48K, enc({ codec: 'wav', bitrate_kbps: null })), /cannot be streamed/);
});

test('mono output from a stereo input', () => {
  const argv = buildFfmpegArgv(S16_48K, enc({ channels: 1, bitrate_kbps: 64 }));
  assert.equal(argv.slice(IN.length, IN.length + 6), ['-ar', '48000', '-ac', '1', '-c:a', 'libmp3lame']);
});

test('mono input', () => {
  const argv = buildFfmpegArgv({ sampleRate: 48000, channels: 1, sampleFormat: 'S16_LE' }, enc({ channels: 1 }));
  assert.equal(argv.slice(0, 17), head('s16le', 48000, 'mono'));
});

test('44.1 kHz input resampled to 48 kHz', () => {
  const argv = buildFfmpegArgv({ sampleRate: 44100, channels: 2, sampleFormat: 'S16_LE' }, enc({}));
  assert.equal(argv.slice(0, 21), [...head('s16le', 44100, 'stereo'), '-ar', '48000', '-ac', '2']);
});

test('S32 input', () => {
  const argv = buildFfmpegArgv({ sampleRate: 48000, channels: 2, sampleFormat: 'S32_LE' }, enc({ sample_rate: 44100 }));
  assert.equal(argv.slice(0, 21), [...head('s32le', 48000, 'stereo'), '-ar', '44100', '-ac', '2']);
});

test('metadata values stay one argv element each', () => {
  const title = `It's "Live" — Ünïcødé ☃ $(rm -rf /) ; & | *`;
  const artist = 'The  Band\nName';
  const argv = buildFfmpegArgv(S16_48K, enc({ codec: 'ogg' }), { metadata: { title, artist } });
  assert.equal(argv.slice(-9), [
    '-metadata', `title=${title}`, '-metadata', 'artist=The  Band Name', ...end('ogg'),
  ]);
});

test('empty metadata adds nothing', () => {
  const a = buildFfmpegArgv(S16_48K, enc({}), { metadata: { title: '', artist: undefined } });
  assert.equal(a, buildFfmpegArgv(S16_48K, enc({})));
});

test('ffmpegBinary honours RACKCAST_FFMPEG', () => {
  const saved = process.env.RACKCAST_FFMPEG;
  try {
    delete process.env.RACKCAST_FFMPEG;
    assert.is(ffmpegBinary(), 'ffmpeg');
    process.env.RACKCAST_FFMPEG = '/nonexistent/ffmpeg';
    assert.is(ffmpegBinary(), '/nonexistent/ffmpeg');
    process.env.RACKCAST_FFMPEG = '';
    assert.is(ffmpegBinary(), 'ffmpeg');
  } finally {
    if (saved === undefined) delete process.env.RACKCAST_FFMPEG;
    else process.env.RACKCAST_FFMPEG = saved;
  }
});

// The codec table feeds the argv defaults, so its own consistency is checked here too.
test('codec table: defaults and presets are valid for mono and stereo', () => {
  for (const codec of CODECS) {
    const info = codecInfo(codec);
    assert.is(info.defaultBitrateKbps === null, info.bitrates === null, codec);
    for (const ch of [1, 2] as const) {
      if (info.defaultBitrateKbps !== null) assert.ok(bitrateAllowed(codec, ch, info.defaultBitrateKbps), codec);
      for (const b of info.bitratePresets) assert.ok(bitrateAllowed(codec, ch, b), `${codec} ${ch}ch ${b}`);
    }
    assert.is(info.contentType === null, !info.streamable, codec);
  }
  assert.equal(CODECS.filter((c) => codecInfo(c).shoutcastRelayable), ['mp3', 'aac']);
  assert.ok(bitrateAllowed('ogg', 2, 500) && !bitrateAllowed('ogg', 1, 500) && !bitrateAllowed('ogg', 2, 32));
  assert.ok(bitrateAllowed('opus', 2, 510) && !bitrateAllowed('opus', 1, 510));
});

test('bitrate estimates', () => {
  const base = { codec: 'mp3' as const, bitrate_kbps: 128, sample_rate: 44100, channels: 2 as const, quality: null };
  assert.is(estimateBitrateKbps(base), 128);
  assert.is(estimateBitrateKbps({ ...base, bitrate_kbps: null, quality: 2 }), 190);
  assert.is(estimateBitrateKbps({ ...base, codec: 'ogg', bitrate_kbps: null, quality: 4 }), 128);
  assert.is(estimateBitrateKbps({ ...base, codec: 'opus', bitrate_kbps: null }), 96);
  assert.is(estimateBitrateKbps({ ...base, codec: 'flac', bitrate_kbps: null }), 847);
  assert.is(estimateBitrateKbps({ ...base, codec: 'wav', bitrate_kbps: null, sample_rate: 48000 }), 1536);
  assert.is(estimateBytesPerHour(base), 57_600_000);
});

test.run();
