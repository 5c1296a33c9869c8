import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_INTAKE_SETTINGS, parseIntakeSettings, storedIntakeSettings } from '../../../src/engine/metadata/intake-settings.js';

test('defaults: everything off', () => {
  assert.equal(DEFAULT_INTAKE_SETTINGS, { tcp_port: null, udp_port: null, bind_address: '0.0.0.0', line_pattern: null, file_path: null });
});

test('a partial update merges over the current settings; read-only keys are ignored', () => {
  const r = parseIntakeSettings({ tcp_port: 9000, status: { x: 1 }, counters: {} });
  assert.equal(r, { ok: true, value: { ...DEFAULT_INTAKE_SETTINGS, tcp_port: 9000 } });
  const again = parseIntakeSettings({ udp_port: 9001 }, { ...DEFAULT_INTAKE_SETTINGS, tcp_port: 9000 });
  assert.equal(again, { ok: true, value: { ...DEFAULT_INTAKE_SETTINGS, tcp_port: 9000, udp_port: 9001 } });
  assert.equal(parseIntakeSettings({ line_pattern: '', file_path: '' }), { ok: true, value: DEFAULT_INTAKE_SETTINGS }, '"" means off');
});

test('errors name the field', () => {
  assert.equal(parseIntakeSettings({ tcp_port: 70000, udp_port: 'x', bind_address: 'localhost', file_path: 'np.txt', line_pattern: '(?<artist>.*)', nope: 1 }), {
    ok: false,
    errors: [
      { field: 'tcp_port', message: 'must be a whole number from 1 to 65535' },
      { field: 'udp_port', message: 'must be a port number (1-65535) or null for off' },
      { field: 'bind_address', message: 'must be an IP address such as 0.0.0.0 or 192.168.1.10' },
      { field: 'line_pattern', message: 'must have a named group (?<title>...)' },
      { field: 'file_path', message: 'must be an absolute path' },
      { field: 'nope', message: 'is not a known field' },
    ],
  });
  assert.equal(parseIntakeSettings([]), { ok: false, errors: [{ field: '', message: 'must be an object with the intake settings' }] });
});

test('a stored value that no longer validates falls back to all off', () => {
  assert.equal(storedIntakeSettings({ tcp_port: -1 }), DEFAULT_INTAKE_SETTINGS);
  assert.equal(storedIntakeSettings('garbage'), DEFAULT_INTAKE_SETTINGS);
  assert.equal(storedIntakeSettings({ udp_port: 5000 }).udp_port, 5000);
});

test.run();
