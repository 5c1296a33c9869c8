import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEngineFlags } from '../src/cli-flags.js';

test('defaults', () => {
  const f = parseEngineFlags([], {});
  assert.equal(f, { dataDir: '/var/lib/rackcast', port: 8080, bind: '0.0.0.0', capture: undefined, adminPassword: undefined, format: {} });
});

test('environment variables, and flags winning over them', () => {
  const env = { RACKCAST_DATA_DIR: '/d', RACKCAST_PORT: '9000', RACKCAST_BIND: '127.0.0.1', RACKCAST_CAPTURE: 'hw:1,0', RACKCAST_ADMIN_PASSWORD: 'pw', RACKCAST_SAMPLE_RATE: '44100' };
  const f = parseEngineFlags(['--port', '9100', '--capture', 'tone:440', '--channels', '1', '--sample-format', 'S32_LE'], env);
  assert.equal(f, { dataDir: '/d', port: 9100, bind: '127.0.0.1', capture: 'tone:440', adminPassword: 'pw', format: { sampleRate: 44100, channels: 1, sampleFormat: 'S32_LE' } });
});

test('bad values name the flag', () => {
  assert.throws(() => parseEngineFlags(['--port', 'eighty'], {}), /--port/);
  assert.throws(() => parseEngineFlags([], { RACKCAST_SAMPLE_RATE: '22050' }), /--sample-rate must be 44100 or 48000/);
  assert.throws(() => parseEngineFlags(['--channels', '6'], {}), /--channels/);
  assert.throws(() => parseEngineFlags(['--sample-format', 'FLOAT'], {}), /--sample-format/);
  assert.throws(() => parseEngineFlags(['--capture', 'hw:1;rm -rf /'], {}), /--capture/);
  assert.throws(() => parseEngineFlags(['--bogus'], {}), /bogus/);
});

test.run();
