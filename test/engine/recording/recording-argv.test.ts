// ffmpeg argv for recording files: exact output, and the rules that matter for gapless files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildRecordingArgv } from '../../../src/engine/recording/recording-argv.js';
import type { PcmFormat } from '../../../src/engine/types.js';

const IN: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const HEAD = ['-hide_banner', '-loglevel', 'error', '-nostats', '-nostdin', '-y', '-probesize', '32', '-analyzeduration', '0', '-f', 's16le', '-ar', '48000', '-ch_layout', 'stereo', '-i', 'pipe:0'];
const enc = { codec: 'mp3' as const, bitrate_kbps: 192, sample_rate: 44100, channels: 2 as const, quality: null };

test('MP3 file: the encoder rate and channels, and the Xing/LAME frame left on', () => {
  const argv = buildRecordingArgv(IN, enc);
  assert.equal(argv, [...HEAD, '-ar', '44100', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k', '-flush_packets', '1', '-f', 'mp3', '/proc/self/fd/3']);
  assert.not.ok(argv.includes('-write_xing'), 'no -write_xing 0 for files');
  assert.equal(buildRecordingArgv(IN, { ...enc, bitrate_kbps: null, quality: 2 }).slice(24, 26), ['-q:a', '2']);
});

test('FLAC keeps the capture format whatever the encoder says; S32 input is read as such', () => {
  const argv = buildRecordingArgv({ ...IN, sampleFormat: 'S32_LE', channels: 1 }, { ...enc, codec: 'flac', bitrate_kbps: null });
  assert.equal(argv, [...HEAD.slice(0, 11), 's32le', '-ar', '48000', '-ch_layout', 'mono', '-i', 'pipe:0', '-ar', '48000', '-ac', '1', '-c:a', 'flac', '-flush_packets', '1', '-f', 'flac', '/proc/self/fd/3']);
});

test('Opus is 48 kHz in Ogg; AAC is ADTS', () => {
  const opus = buildRecordingArgv(IN, { ...enc, codec: 'opus', bitrate_kbps: 96 });
  assert.equal(opus.slice(18, 30), ['-ar', '48000', '-ac', '2', '-c:a', 'libopus', '-b:a', '96k', '-application', 'audio', '-flush_packets', '1']);
  assert.equal(buildRecordingArgv(IN, { ...enc, codec: 'aac', bitrate_kbps: 128 }).slice(-3), ['-f', 'adts', '/proc/self/fd/3']);
});

test('ffmpeg is never given a path: only the descriptor of the file the engine created', () => {
  const argv = buildRecordingArgv(IN, enc, 4);
  assert.is(argv[argv.length - 1], '/proc/self/fd/4');
  assert.not.ok(argv.includes('-n'), '-n would refuse the empty file the engine made for it');
});

test.run();
