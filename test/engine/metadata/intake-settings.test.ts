import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_INTAKE_SETTINGS, parseIntakeSettings, storedIntakeSettings, storedIntakeSettingsWithErrors } from '../../../src/engine/metadata/intake-settings.js';

test('defaults: everything off; 60 titles a minute per source (burst 10), 60 s TCP idle, 90 days or 100,000 rows of history', () => {
  assert.equal(DEFAULT_INTAKE_SETTINGS, {
    tcp_port: null,
    udp_port: null,
    bind_address: '0.0.0.0',
    line_pattern: null,
    file_path: null,
    max_titles_per_minute: 60,
    title_burst: 10,
    tcp_idle_secs: 60,
    history_retention_days: 90,
    history_max_rows: 100_000,
  });
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
  assert.equal(parseIntakeSettings({ max_titles_per_minute: 0, title_burst: 1.5, tcp_idle_secs: '60', history_retention_days: 0, history_max_rows: 10 }), {
    ok: false,
    errors: [
      { field: 'max_titles_per_minute', message: 'must be a whole number from 1 to 6000' },
      { field: 'title_burst', message: 'must be a whole number from 1 to 1000' },
      { field: 'tcp_idle_secs', message: 'must be a whole number from 5 to 86400' },
      { field: 'history_retention_days', message: 'must be a whole number from 1 to 3650' },
      { field: 'history_max_rows', message: 'must be a whole number from 1000 to 10000000' },
    ],
  });
});

test('line_pattern: a pattern that needs backtracking is refused, naming the field', () => {
  const r = parseIntakeSettings({ line_pattern: '^(?<title>.+?)(?= - )' });
  assert.is(r.ok, false);
  if (!r.ok) {
    assert.is(r.errors.length, 1);
    assert.is(r.errors[0]!.field, 'line_pattern');
    assert.match(r.errors[0]!.message, /^cannot be matched in linear time/);
  }
  assert.ok(parseIntakeSettings({ line_pattern: '^(?<title>(\\w+\\s?)*)$' }).ok, 'RE2 runs this one in linear time');
});

test('a stored field that no longer validates falls back to its default; the others are kept', () => {
  assert.equal(storedIntakeSettings({ tcp_port: -1 }), DEFAULT_INTAKE_SETTINGS);
  assert.equal(storedIntakeSettings('garbage'), DEFAULT_INTAKE_SETTINGS);
  assert.equal(storedIntakeSettings({ udp_port: 5000 }).udp_port, 5000);
  // Saved before RE2: an upgrade must not turn the listeners off.
  const old = storedIntakeSettingsWithErrors({ tcp_port: 9000, udp_port: 9001, line_pattern: '(?<title>.+)\\1', retired: true });
  assert.equal(old.value, { ...DEFAULT_INTAKE_SETTINGS, tcp_port: 9000, udp_port: 9001 });
  assert.equal(old.errors.map((e) => e.field), ['line_pattern', 'retired']);
});

test.run();
