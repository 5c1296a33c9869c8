// rackcast-setup.toml's presets (src/image-setup): checked whole with every error named, the Wi-Fi key
// derived as wpa_passphrase derives it, and `rackcast image-setup` writing the files (or nothing).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseToml } from '../../src/image-setup/toml.js';
import { planSetup, wpaSupplicantConf } from '../../src/image-setup/setup-file.js';
import { ImageSetupError, runImageSetup } from '../../src/image-setup/image-setup-cli.js';
import { verifyPassword } from '../../src/web/passwords.js';
import { removeOnExit } from '../harness/util.js';

test('every mistake named at once, nothing planned', () => {
  const r = planSetup(parseToml('hostname = "Studio A"\nhost = "x"\nadmin_password_hash = "hunter2"\n[wifi]\nssid = "S"\npsk = "short"\ncountry = "de"\n[ethernet]\n'));
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.equal(r.errors, [
    'host is not a setting this file takes (hostname, admin_password_hash, config, [wifi])',
    '[ethernet] is not a section this file takes (only [wifi])',
    'hostname must be 1-63 lower-case letters, digits and inner dashes',
    'admin_password_hash must be a hash made by `rackcast image-setup --hash` (scrypt$...)',
    'wifi.psk must be a WPA2 passphrase of 8-63 printable ASCII characters',
    'wifi.country must be a two-letter country code such as "DE"',
  ]);
});

test('Wi-Fi: the PSK as wpa_passphrase derives it (IEEE 802.11i test vector), the SSID in hex', () => {
  const r = planSetup(parseToml('[wifi]\nssid = "IEEE"\npsk = "password"\ncountry = "DE"'));
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.plan.wifi!.pskHex, 'f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e');
  assert.is(wpaSupplicantConf(r.plan.wifi!), 'ctrl_interface=DIR=/run/wpa_supplicant\ncountry=DE\nnetwork={\n\tssid=49454545\n\tpsk=f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e\n}\n');
});

test('rackcast image-setup writes the host name, Wi-Fi and the engine\'s preset; with an error, nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-image-setup-'));
  removeOnExit(dir);
  const [hash] = await runImageSetup(['--hash'], () => 'preset-password-1\n');
  assert.ok(await verifyPassword(hash!, 'preset-password-1'));
  const file = join(dir, 'rackcast-setup.toml');
  writeFileSync(join(dir, 'rackcast-config.json'), JSON.stringify({ format: 'rackcast-config', version: 1 }));
  writeFileSync(file, `hostname = "studio-a"\nadmin_password_hash = "${hash}"\nconfig = "rackcast-config.json"\n[wifi]\nssid = "Studio"\npsk = "long enough"\n`);
  const done = await runImageSetup([file, '--system-dir', dir, '--data-dir', dir]);
  assert.equal(done, ['host name studio-a', 'Wi-Fi network "Studio"', 'the admin password', 'the configuration in rackcast-config.json (imported when the engine starts)']);
  assert.is(readFileSync(join(dir, 'hostname'), 'utf8'), 'studio-a\n');
  assert.is(statSync(join(dir, 'wifi.conf')).mode & 0o777, 0o600);
  assert.match(readFileSync(join(dir, 'wifi.conf'), 'utf8'), /ssid=53747564696f\n/);
  const preset = JSON.parse(readFileSync(join(dir, 'setup-preset.json'), 'utf8'));
  assert.equal(preset, { admin_password_hash: hash, config: { format: 'rackcast-config', version: 1 } });

  const other = mkdtempSync(join(tmpdir(), 'rackcast-image-setup-bad-'));
  removeOnExit(other);
  writeFileSync(join(other, 'rackcast-setup.toml'), 'hostname = "ok-name"\nconfig = "missing.json"\n');
  try {
    await runImageSetup([join(other, 'rackcast-setup.toml'), '--system-dir', other, '--data-dir', other]);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ImageSetupError);
    assert.match((err as Error).message, /config: .*missing\.json is not a readable JSON file/);
  }
  assert.not.ok(existsSync(join(other, 'hostname')), 'nothing written');
});

test.run();
