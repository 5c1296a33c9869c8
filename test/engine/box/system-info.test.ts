// The system readings: thermal zones from a sysfs-shaped directory (a Pi's cpu-thermal, a zone whose
// sensor answers nothing), MemAvailable, and the whole answer on this machine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockState, memAvailableBytes, readThermalZones, systemInfo } from '../../../src/engine/box/system-info.js';
import { chmodSync } from 'node:fs';

const read = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

test('thermal zones: millidegrees to °C with the sensor name; a silent zone is left out; no directory → none', () => {
  const root = mkdtempSync(join(tmpdir(), 'thermal-'));
  for (const [zone, type, temp] of [['thermal_zone0', 'cpu-thermal', '48312\n'], ['thermal_zone1', 'gpu', ''], ['thermal_zone10', 'acpitz', '27800\n']] as const) {
    mkdirSync(join(root, zone));
    writeFileSync(join(root, zone, 'type'), `${type}\n`);
    writeFileSync(join(root, zone, 'temp'), temp);
  }
  mkdirSync(join(root, 'cooling_device0'));
  assert.equal(readThermalZones(root, read), [
    { zone: 'thermal_zone0', type: 'cpu-thermal', celsius: 48.3 },
    { zone: 'thermal_zone10', type: 'acpitz', celsius: 27.8 },
  ]);
  assert.equal(readThermalZones(join(root, 'nope'), read), []);
});

test('MemAvailable', () => {
  assert.is(memAvailableBytes('MemTotal:        3884360 kB\nMemFree:          201664 kB\nMemAvailable:    2793512 kB\n'), 2793512 * 1024);
  assert.is(memAvailableBytes('MemTotal: 1 kB\n'), null);
});

test('this machine: every reading present or null, the disk of the data directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysinfo-'));
  const info = await systemInfo({ dataDir: dir, engineStartedAt: Date.now() - 5000 });
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.ok(info.hostname.length > 0);
  assert.ok(info.engine_uptime_secs >= 4 && info.engine_uptime_secs <= 6);
  assert.ok(['synchronized', 'unsynchronized', 'unknown'].includes(info.clock.state));
  assert.ok(info.cpu.count >= 1 && info.cpu.load_1m >= 0);
  assert.ok(info.memory.available_bytes > 0 && info.memory.available_bytes <= info.memory.total_bytes);
  assert.ok(info.data_disk && info.data_disk.free_bytes > 0 && info.data_disk.free_bytes <= info.data_disk.total_bytes);
});

test('the clock: timesyncd\'s file, else timedatectl\'s answer, else unknown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clock-'));
  const fake = (answer: string, code = 0): string => {
    const path = join(dir, `timedatectl-${answer || 'none'}-${code}`);
    writeFileSync(path, `#!/bin/sh\n[ "$1 $2 $3" = "show --property=NTPSynchronized --value" ] || exit 9\necho ${answer}\nexit ${code}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const synced = join(dir, 'synchronized');
  writeFileSync(synced, '');
  assert.equal((await clockState(synced)).source, 'systemd-timesyncd');
  const missing = join(dir, 'no-such-file');
  try {
    process.env.RACKCAST_TIMEDATECTL = fake('no');
    assert.is((await clockState(missing)).state, 'unsynchronized');
    process.env.RACKCAST_TIMEDATECTL = fake('yes');
    assert.equal([(await clockState(missing)).state, (await clockState(missing)).source], ['synchronized', 'timedatectl']);
    process.env.RACKCAST_TIMEDATECTL = fake('', 1);
    assert.equal((await clockState(missing)).state, 'unknown');
  } finally {
    delete process.env.RACKCAST_TIMEDATECTL;
  }
});

test.run();
