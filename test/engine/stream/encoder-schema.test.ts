// The encoder schema: defaults, every cross-field rule naming its field, updates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEncoderInput, type EncoderWrite } from '../../../src/engine/stream/encoder-schema.js';
import type { EncoderConfig } from '../../../src/engine/types.js';

const ICECAST = {
  name: 'Main 128k', codec: 'mp3', output_type: 'icecast',
  server_host: 'radio.example.org', server_port: 8000, mount_point: '/live', server_password: 'hackme',
};

function ok(input: unknown, existing?: EncoderConfig): EncoderWrite {
  const r = parseEncoderInput(input, existing);
  if (!r.ok) throw new Error(`expected valid, got ${JSON.stringify(r.errors)}`);
  return r.value;
}

/** Asserts the input is rejected with exactly one error, on `field`; returns its message. */
function failsOn(field: string, input: unknown, existing?: EncoderConfig): string {
  const r = parseEncoderInput(input, existing);
  if (r.ok) throw new Error(`expected an error on ${field}, got a valid encoder`);
  assert.equal(r.errors.map((e) => e.field), [field], JSON.stringify(r.errors));
  return r.errors[0]?.message ?? '';
}

function stored(over: Partial<EncoderConfig> = {}): EncoderConfig {
  const v = ok(ICECAST);
  return { ...v, id: 7, created_at: '2025-01-01 00:00:00', server_password: 'stored-secret', ...over };
}

test('a minimal icecast encoder gets the seed defaults', () => {
  assert.equal(ok(ICECAST), {
    name: 'Main 128k', enabled: true, codec: 'mp3', bitrate_kbps: 128, sample_rate: 44100, channels: 2,
    quality: null, output_type: 'icecast', server_host: 'radio.example.org', server_port: 8000,
    server_password: 'hackme', server_username: 'source', mount_point: '/live', shoutcast_sid: null,
    stream_name: null, stream_genre: null, stream_url: null, stream_description: null, is_public: false,
    file_output_path: null, file_rotation: 'hourly', file_max_size_mb: 500,
    file_name_template: '{date}-{time}-{station}.mp3', send_metadata: true, icy_metadata_interval: 8192,
    reconnect_delay_secs: 5, max_reconnect_attempts: 0, backend: 'ffmpeg',
    stats_admin_user: null, stats_admin_password: null, metadata_charset: 'UTF-8', on_silence: 'keep',
  });
});

test('booleans from 0/1 and true/false', () => {
  const v = ok({ ...ICECAST, enabled: 0, is_public: 1, send_metadata: false });
  assert.is(v.enabled, false);
  assert.is(v.is_public, true);
  assert.is(v.send_metadata, false);
  failsOn('enabled', { ...ICECAST, enabled: 'yes' });
  failsOn('is_public', { ...ICECAST, is_public: 2 });
});

test('default bitrate when a lossy codec has neither bitrate nor quality', () => {
  assert.is(ok({ ...ICECAST, codec: 'opus', bitrate_kbps: null, quality: null }).bitrate_kbps, 96);
  assert.is(ok({ ...ICECAST, codec: 'ogg' }).bitrate_kbps, 128);
  const vbr = ok({ ...ICECAST, quality: 2 });
  assert.is(vbr.bitrate_kbps, null);
  assert.is(vbr.quality, 2);
  assert.is(ok({ ...ICECAST, codec: 'flac' }).bitrate_kbps, null);
});

test('codec', () => {
  assert.match(failsOn('codec', { ...ICECAST, codec: 'wma' }), 'must be one of mp3, aac, ogg, opus, flac, wav');
  assert.is(failsOn('codec', { ...ICECAST, codec: undefined }), 'is required');
  for (const codec of ['ogg', 'opus', 'flac']) {
    assert.is(failsOn('codec', { ...ICECAST, codec, output_type: 'shoutcast' }), 'SHOUTcast servers relay only MP3 and AAC');
  }
  ok({ ...ICECAST, codec: 'aac', output_type: 'shoutcast' });
  assert.match(failsOn('codec', { ...ICECAST, codec: 'wav' }), 'cannot be streamed');
  failsOn('codec', { ...ICECAST, codec: 'wav', output_type: 'shoutcast' });
});

test('bitrate_kbps must suit the codec', () => {
  assert.is(failsOn('bitrate_kbps', { ...ICECAST, bitrate_kbps: 100 }),
    'MP3 must be one of 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 kbps');
  assert.is(failsOn('bitrate_kbps', { ...ICECAST, codec: 'opus', bitrate_kbps: 600 }), 'Ogg Opus for stereo must be 6 to 510 kbps');
  assert.match(failsOn('bitrate_kbps', { ...ICECAST, codec: 'opus', channels: 1, bitrate_kbps: 300 }), 'for mono must be 6 to 256');
  failsOn('bitrate_kbps', { ...ICECAST, codec: 'ogg', bitrate_kbps: 40 });
  failsOn('bitrate_kbps', { ...ICECAST, codec: 'aac', bitrate_kbps: 16 });
  failsOn('bitrate_kbps', { ...ICECAST, codec: 'flac', bitrate_kbps: 128 });
  failsOn('bitrate_kbps', { ...ICECAST, bitrate_kbps: 128.5 });
  failsOn('bitrate_kbps', { ...ICECAST, bitrate_kbps: -128 });
  failsOn('bitrate_kbps', { ...ICECAST, bitrate_kbps: '128' });
  ok({ ...ICECAST, codec: 'aac', bitrate_kbps: 100 });
});

test('quality must suit the codec', () => {
  assert.match(failsOn('quality', { ...ICECAST, bitrate_kbps: null, quality: 10 }), 'from 0 to 9');
  ok({ ...ICECAST, codec: 'ogg', bitrate_kbps: null, quality: 10 });
  failsOn('quality', { ...ICECAST, codec: 'ogg', bitrate_kbps: null, quality: 11 });
  failsOn('quality', { ...ICECAST, codec: 'aac', bitrate_kbps: null, quality: 3 });
  assert.match(failsOn('quality', { ...ICECAST, bitrate_kbps: null, quality: -1 }), 'from 0 to 9');
  failsOn('quality', { ...ICECAST, bitrate_kbps: null, quality: 1.5 });
  assert.match(failsOn('quality', { ...ICECAST, bitrate_kbps: 128, quality: 2 }), 'not both');
});

test('server fields for network outputs', () => {
  failsOn('server_port', { ...ICECAST, server_port: 0 });
  failsOn('server_port', { ...ICECAST, server_port: 65536 });
  failsOn('server_port', { ...ICECAST, server_port: 80.5 });
  failsOn('server_port', { ...ICECAST, server_port: null });
  assert.match(failsOn('server_host', { ...ICECAST, server_host: null }), 'required');
  failsOn('server_host', { ...ICECAST, server_host: '' });
  failsOn('server_host', { ...ICECAST, output_type: 'shoutcast', server_host: undefined });
  assert.match(failsOn('server_host', { ...ICECAST, server_host: 'http://radio.example.org' }), 'http://');
  failsOn('server_host', { ...ICECAST, server_host: 'radio example.org' });
  assert.is(ok({ ...ICECAST, server_host: ' radio.example.org ' }).server_host, 'radio.example.org');
  failsOn('server_username', { ...ICECAST, server_username: 'a:b' });
  failsOn('server_password', { ...ICECAST, server_password: 'pa\r\nss' });
  failsOn('shoutcast_sid', { ...ICECAST, shoutcast_sid: 0 });
  failsOn('shoutcast_sid', { ...ICECAST, shoutcast_sid: 2147483648 });
  assert.is(ok({ ...ICECAST, output_type: 'shoutcast', mount_point: null, shoutcast_sid: 2 }).shoutcast_sid, 2);
});

test('mount_point', () => {
  assert.is(failsOn('mount_point', { ...ICECAST, mount_point: 'live' }), 'must start with "/"');
  failsOn('mount_point', { ...ICECAST, mount_point: null });
  for (const bad of ['/li ve', '/live?x=1', '/live#a', '/live\u0000']) failsOn('mount_point', { ...ICECAST, mount_point: bad });
});

test('audio format and reconnect ranges', () => {
  assert.is(failsOn('sample_rate', { ...ICECAST, sample_rate: 22050 }), 'must be 44100 or 48000');
  failsOn('channels', { ...ICECAST, channels: 6 });
  failsOn('reconnect_delay_secs', { ...ICECAST, reconnect_delay_secs: 0 });
  failsOn('reconnect_delay_secs', { ...ICECAST, reconnect_delay_secs: 3601 });
  failsOn('max_reconnect_attempts', { ...ICECAST, max_reconnect_attempts: -1 });
  failsOn('max_reconnect_attempts', { ...ICECAST, max_reconnect_attempts: 10001 });
  ok({ ...ICECAST, sample_rate: 48000, channels: 1, reconnect_delay_secs: 3600, max_reconnect_attempts: 10000 });
});

test('name and stream_* text', () => {
  assert.is(failsOn('name', { ...ICECAST, name: undefined }), 'is required');
  failsOn('name', { ...ICECAST, name: '   ' });
  failsOn('name', { ...ICECAST, name: 'x'.repeat(101) });
  ok({ ...ICECAST, name: 'x'.repeat(100) });
  failsOn('stream_name', { ...ICECAST, stream_name: 'x'.repeat(256) });
  failsOn('stream_genre', { ...ICECAST, stream_genre: 'Rock\nPop' });
  failsOn('stream_description', { ...ICECAST, stream_description: 42 });
  assert.is(ok({ ...ICECAST, stream_url: '' }).stream_url, null);
  assert.is(ok({ ...ICECAST, stream_name: 'Radio “Ü” ☃' }).stream_name, 'Radio “Ü” ☃');
});

test('file output', () => {
  const FILE = { name: 'Archive', codec: 'wav', output_type: 'file', file_output_path: 'archive/main' };
  assert.is(ok(FILE).file_output_path, 'archive/main');
  assert.is(failsOn('file_output_path', { ...FILE, file_output_path: null }), 'is required for file output');
  failsOn('file_output_path', { ...FILE, file_output_path: '' });
  failsOn('file_output_path', { ...FILE, file_output_path: '/var/recordings' });
  failsOn('file_output_path', { ...FILE, file_output_path: 'a/../../etc' });
  failsOn('file_output_path', { ...FILE, file_output_path: 'a\u0000b' });
  failsOn('file_rotation', { ...FILE, file_rotation: 'weekly' });
  failsOn('file_max_size_mb', { ...FILE, file_max_size_mb: 0 });
  ok({ ...FILE, codec: 'flac' });
});

test('unknown keys are rejected by name; round-tripped read-only keys are ignored', () => {
  const r = parseEncoderInput({ ...ICECAST, bitrate: 128, colour: 'red' });
  assert.equal(r.ok ? [] : r.errors.map((e) => e.field), ['bitrate', 'colour']);
  ok({ ...ICECAST, id: 3, created_at: '2025-01-01', state: 'streaming' });
  assert.is(failsOn('', 'not an object'), 'must be an object with the encoder fields');
  failsOn('', [ICECAST]);
});

test('update merges over the stored encoder and keeps the password when none is given', () => {
  const existing = stored();
  for (const pw of [undefined, '', null]) {
    const v = ok({ name: 'Renamed', server_password: pw }, existing);
    assert.is(v.name, 'Renamed');
    assert.is(v.server_host, 'radio.example.org');
    assert.is(v.server_password, undefined);
    assert.not.ok('id' in v || 'created_at' in v);
  }
  assert.is(ok({ server_password: 'new' }, existing).server_password, 'new');
  failsOn('mount_point', { mount_point: 'nope' }, existing);
});

test('update changing the codec drops the old codec bitrate unless given', () => {
  const existing = stored({ bitrate_kbps: 320 });
  assert.is(ok({ codec: 'opus' }, existing).bitrate_kbps, 96);
  assert.is(ok({ codec: 'opus', bitrate_kbps: 64 }, existing).bitrate_kbps, 64);
  assert.is(ok({ name: 'x' }, existing).bitrate_kbps, 320);
});

test('create: empty password is stored as null', () => {
  assert.is(ok({ ...ICECAST, server_password: '' }).server_password, null);
  assert.is(ok({ ...ICECAST, server_password: undefined }).server_password, null);
});

test('backend: ffmpeg by default; Liquidsoap streams every codec to Icecast and SHOUTcast, never to a file', () => {
  assert.is(ok(ICECAST).backend, 'ffmpeg');
  for (const codec of ['mp3', 'aac', 'ogg', 'opus', 'flac'] as const) {
    const bitrate = codec === 'flac' ? { bitrate_kbps: null } : codec === 'opus' ? { bitrate_kbps: 64 } : {};
    assert.is(ok({ ...ICECAST, backend: 'liquidsoap', codec, ...bitrate }).backend, 'liquidsoap', codec);
  }
  assert.is(ok({ ...ICECAST, backend: 'liquidsoap', output_type: 'shoutcast', mount_point: null }).backend, 'liquidsoap');
  const file = { name: 'Archive', codec: 'flac', output_type: 'file', file_output_path: 'archive/main', backend: 'liquidsoap' };
  assert.match(failsOn('backend', file), /file output is recorded by RackCast/);
  assert.match(failsOn('backend', { ...ICECAST, backend: 'gstreamer' }), /ffmpeg/);
});

test.run();
