// The box settings' schemas with plain values: capture (stored rows old and new, the start flags over
// them), the probe's reading of arecord's complaints, the station and the defaults a new encoder gets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyOverrides, deviceFormat, loadCapture, parseCapture, toFormat, DEFAULT_CAPTURE_CONFIG } from '../../../src/engine/capture/capture-settings.js';
import { probeFailure } from '../../../src/engine/capture/capture-probe.js';
import { DEFAULT_STATION, parseStation, withEncoderDefaults } from '../../../src/engine/box/station-settings.js';
import { parseStored } from '../../../src/engine/box/settings-parse.js';
import { captureSchema } from '../../../src/engine/capture/capture-settings.js';

test('capture: older firmware\'s {device, format} row, a damaged field falls back alone', () => {
  assert.equal(loadCapture({ device: 'hw:1,0', format: { sampleRate: 44100, channels: 2, sampleFormat: 'S32_LE' } }), { device: 'hw:1,0', sample_rate: 44100, channels: 2, sample_format: 'S32_LE' });
  assert.equal(loadCapture(null), DEFAULT_CAPTURE_CONFIG);
  assert.equal(parseStored(captureSchema, { device: 'hw:1,0', sample_rate: 'x' }, DEFAULT_CAPTURE_CONFIG), { ...DEFAULT_CAPTURE_CONFIG, device: 'hw:1,0' });
});

test('capture: a partial PUT merged over the current one; errors name the field; GET\'s read-only keys ignored', () => {
  const current = { ...DEFAULT_CAPTURE_CONFIG, device: 'pulse' };
  assert.equal(parseCapture({ channels: 1, status: {}, overridden: [] }, current), { ok: true, value: { ...current, channels: 1 } });
  assert.equal(parseCapture({ device: 'hw:1,0; rm -rf /' }, current), { ok: false, errors: [{ field: 'device', message: 'must be an ALSA device name such as hw:1,0, plughw:CARD=Device,DEV=0 or default (or tone for the test signal)' }] });
  assert.equal(parseCapture({ sample_format: 'S24_3LE' }, current), { ok: false, errors: [{ field: 'sample_format', message: 'must be one of S16_LE, S32_LE' }] });
  assert.equal(parseCapture([], current), { ok: false, errors: [{ field: '', message: 'must be an object with the capture settings' }] });
});

test('capture: 4 channels open the card with 4 and give every consumer the programme in stereo; 3 is refused naming the field', () => {
  const parsed = parseCapture({ channels: 4 }, DEFAULT_CAPTURE_CONFIG);
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.is(toFormat(parsed.value).channels, 2);
  assert.is(deviceFormat(parsed.value).channels, 4);
  assert.is(toFormat({ ...DEFAULT_CAPTURE_CONFIG, channels: 1 }).channels, 1);
  assert.equal(parseCapture({ channels: 3 }, DEFAULT_CAPTURE_CONFIG), { ok: false, errors: [{ field: 'channels', message: 'must be 1 (mono), 2 (stereo) or 4 (the programme on 1/2, aux1 on 3/4)' }] });
});

test('capture: start flags over the stored settings, and which fields they hold', () => {
  const stored = { device: 'hw:1,0', sample_rate: 48000 as const, channels: 2 as const, sample_format: 'S16_LE' as const };
  assert.equal(applyOverrides(stored, {}), { effective: stored, overridden: [] });
  assert.equal(applyOverrides(stored, { device: 'tone', format: { sampleRate: 44100 } }), { effective: { ...stored, device: 'tone', sample_rate: 44100 }, overridden: ['device', 'sample_rate'] });
});

test('probe: arecord\'s words to the field they concern', () => {
  assert.equal(probeFailure('arecord: main:831: audio open error: No such file or directory', 'hw:9,0'), { ok: false, field: 'device', message: 'sound card "hw:9,0" not found', busy: false });
  assert.equal(probeFailure('arecord: set_params:1352: Sample format non available\nAvailable formats:\n- S16_LE', 'hw:1,0').field, 'sample_format');
  assert.equal(probeFailure('arecord: set_params:1368: Channels count non available', 'hw:1,0').field, 'channels');
  assert.equal(probeFailure('Warning: rate is not accurate (requested = 44100Hz, got = 48000Hz)', 'hw:1,0').field, 'sample_rate');
  assert.equal(probeFailure('arecord: main:831: audio open error: Device or resource busy', 'hw:1,0'), { ok: false, field: 'device', message: 'sound card "hw:1,0" is busy (used by another program)', busy: true });
});

test('station: name required, defaults optional ("" is none), unknown keys named', () => {
  assert.equal(DEFAULT_STATION.station_name, 'RackCast');
  assert.equal(parseStation({ station_name: '  Radio X ', default_stream_genre: 'Jazz', default_stream_url: '' }, DEFAULT_STATION), {
    ok: true,
    value: { ...DEFAULT_STATION, station_name: 'Radio X', default_stream_genre: 'Jazz', default_stream_url: null },
  });
  assert.equal(parseStation({ station_name: '', genre: 1 }, DEFAULT_STATION), { ok: false, errors: [{ field: 'station_name', message: 'is required' }, { field: 'genre', message: 'is not a known field' }] });
});

test('a new encoder gets the station\'s defaults only for the stream fields its creator left out', () => {
  const station = { ...DEFAULT_STATION, default_stream_name: 'Radio X', default_stream_genre: 'Jazz' };
  assert.equal(withEncoderDefaults({ name: 'a', stream_genre: null }, station), { name: 'a', stream_genre: null, stream_name: 'Radio X' });
  assert.equal(withEncoderDefaults({ name: 'b', stream_name: 'Own' }, station), { name: 'b', stream_name: 'Own', stream_genre: 'Jazz' });
});

test.run();
