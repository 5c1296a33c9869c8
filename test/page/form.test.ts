// The editor's model: form text to API bodies and back, validated by the engine's own schema.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adaptToCodec, bodyFrom, draftFrom, type Draft, errorsPerTab, firstTabWithError, numberOrText, validate, FIELD_TAB, TABS } from '../../src/web/page/lib/form.js';
import { parseEncoderInput } from '../../src/engine/stream/encoder-schema.js';
import type { EncoderConfig } from '../../src/engine/types.js';

function stored(over: Partial<EncoderConfig> = {}): EncoderConfig {
  const r = parseEncoderInput({ name: 'Main', codec: 'mp3', output_type: 'icecast', server_host: 'h', server_port: 8000, mount_point: '/live', server_password: 'secret' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const { server_password: _p, stats_admin_password: _s, ...rest } = r.value;
  return { ...rest, id: 4, created_at: '2025-01-01 00:00:00', ...over };
}

test('a new draft takes the schema defaults and asks only for what has none', () => {
  const d = draftFrom();
  assert.is(d.codec, 'mp3');
  assert.is(d.bitrate_kbps, '128');
  assert.is(d.server_port, '8000');
  assert.is(d.reconnect_delay_secs, '5');
  assert.is(d.file_name_template, '{date}-{time}-{station}.mp3');
  assert.equal(Object.keys(validate(d)).sort(), ['mount_point', 'name', 'server_host']);
});

test('numbers typed as text: "" is not set, digits are numbers, anything else goes to the schema as text', () => {
  assert.equal(['', ' 8000 ', '1.5', '-3', 'abc', '80a'].map(numberOrText), [null, 8000, 1.5, -3, 'abc', '80a']);
  const d = { ...draftFrom(), name: 'x', server_host: 'h', mount_point: '/m', server_port: 'abc' };
  assert.equal(validate(d), { server_port: 'must be a number' });
  assert.equal(validate({ ...d, server_port: '70000' }), { server_port: 'must be a whole number from 1 to 65535' });
});

test('the errors are the API\'s own: a field error for the field the schema names', () => {
  const d = { ...draftFrom(), name: 'x', server_host: 'http://h', mount_point: 'live', codec: 'wav' as const };
  const errors = validate(d);
  assert.equal(errors, {
    server_host: 'must be a host name or address, without "http://"',
    codec: 'WAV (PCM) cannot be streamed; use it for file output',
    mount_point: 'must start with "/"',
  });
  assert.equal(validate({ ...d, codec: 'wav', output_type: 'file', file_output_path: 'studio' }), {}, 'WAV is fine for a file output');
});

test('an existing encoder round-trips; the password fields start empty and empty ones are not sent', () => {
  const config = stored({ stream_name: 'Radio', shoutcast_sid: null, quality: null });
  const d = draftFrom(config);
  assert.is(d.server_password, '');
  assert.equal(validate(d, config), {});
  const body = bodyFrom(d);
  assert.not.ok('server_password' in body);
  assert.not.ok('stats_admin_password' in body);
  const r = parseEncoderInput(body, config);
  assert.ok(r.ok);
  if (r.ok) {
    assert.is(r.value.server_password, undefined, 'the stored password is kept');
    assert.is(r.value.stream_name, 'Radio');
  }
  assert.is(bodyFrom({ ...d, server_password: 'new' }).server_password, 'new');
});

test('VBR sends quality and no bitrate; a codec without a bitrate sends neither', () => {
  const d = { ...draftFrom(), codec: 'ogg' as const, rate_mode: 'vbr' as const, quality: '5' };
  assert.equal([bodyFrom(d).bitrate_kbps, bodyFrom(d).quality], [null, 5]);
  assert.equal([bodyFrom({ ...d, rate_mode: 'cbr' }).bitrate_kbps, bodyFrom({ ...d, rate_mode: 'cbr' }).quality], [128, null]);
  const flac = { ...draftFrom(), codec: 'flac' as const };
  assert.equal([bodyFrom(flac).bitrate_kbps, bodyFrom(flac).quality], [null, null]);
  assert.is(draftFrom(stored({ codec: 'ogg', bitrate_kbps: null, quality: 4 })).rate_mode, 'vbr');
});

test('switching codec keeps a bitrate the new codec takes and replaces one it does not', () => {
  const d: Draft = { ...draftFrom(), codec: 'aac', bitrate_kbps: '100' };
  adaptToCodec(d);
  assert.is(d.bitrate_kbps, '100', 'AAC takes any 32..320');
  d.codec = 'mp3';
  adaptToCodec(d);
  assert.is(d.bitrate_kbps, '128', 'MP3 has no 100 kbps: its default');
  d.codec = 'opus';
  d.rate_mode = 'vbr';
  adaptToCodec(d);
  assert.is(d.rate_mode, 'cbr', 'Opus has no VBR quality setting here');
});

test('every schema field has a tab, and errors are counted per tab in tab order', () => {
  for (const field of Object.keys(draftFrom())) if (field !== 'rate_mode') assert.ok(FIELD_TAB[field], `${field} has a tab`);
  const errors = { server_port: 'x', name: 'y', backend: 'z', mount_point: 'w' };
  const counts = errorsPerTab(errors);
  assert.equal(TABS.map((t) => counts[t]), [1, 0, 2, 0, 0, 1]);
  assert.is(firstTabWithError(errors), 'general');
  assert.is(firstTabWithError({ backend: 'z' }), 'advanced');
  assert.is(firstTabWithError({}), null);
});

test.run();
