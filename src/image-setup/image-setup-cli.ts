// `rackcast image-setup FILE --system-dir DIR --data-dir DIR`: applies rackcast-setup.toml at the image's
// boot (os-image's rackcast-image-boot, as root, before the engine starts). Checked whole first: with any
// error nothing is written, the errors are printed (the console shows them) and it exits 2, so the file
// stays on the boot partition to be fixed. Writes the host name and Wi-Fi files to the system directory,
// and hands the password hash and the configuration export to the engine's first start (setup-preset.ts).
// `rackcast image-setup --hash` reads a password on stdin and prints its hash for admin_password_hash.
import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { TomlError, parseToml } from './toml.js';
import { planSetup, wpaSupplicantConf } from './setup-file.js';
import { PRESET_FILE, type SetupPreset } from '../engine/box/setup-preset.js';
import { hashPassword } from '../web/passwords.js';
import { passwordProblem } from '../passwd.js';
import { IMAGE_SETUP_USAGE } from './usage.js';

export class ImageSetupError extends Error {}


export async function runImageSetup(args: string[], stdin: () => string = () => readFileSync(0, 'utf8')): Promise<string[]> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'system-dir': { type: 'string' }, 'data-dir': { type: 'string' }, hash: { type: 'boolean' } } });
  if (values.hash) {
    const password = stdin().replace(/\r?\n$/, '');
    const problem = passwordProblem(password);
    if (problem) throw new ImageSetupError(problem);
    return [await hashPassword(password)];
  }
  const file = positionals[0];
  const systemDir = values['system-dir'];
  const dataDir = values['data-dir'];
  if (!file || !systemDir || !dataDir) throw new ImageSetupError(IMAGE_SETUP_USAGE);
  let doc;
  try {
    doc = parseToml(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof TomlError) throw new ImageSetupError(`${file}: ${err.message}`);
    throw err;
  }
  const planned = planSetup(doc);
  if (!planned.ok) throw new ImageSetupError(planned.errors.map((e) => `${file}: ${e}`).join('\n'));
  const { plan } = planned;
  let config: unknown;
  if (plan.configFile) {
    const path = join(dirname(file), plan.configFile);
    try {
      config = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ImageSetupError(`${file}: config: ${path} is not a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  const done: string[] = [];
  if (plan.hostname) {
    writeFileSync(join(systemDir, 'hostname'), `${plan.hostname}\n`, { mode: 0o644 });
    done.push(`host name ${plan.hostname}`);
  }
  if (plan.wifi) {
    writeFileSync(join(systemDir, 'wifi.conf'), wpaSupplicantConf(plan.wifi), { mode: 0o600 });
    done.push(`Wi-Fi network "${plan.wifi.ssid}"`);
  }
  if (plan.adminPasswordHash || config !== undefined) {
    const preset: SetupPreset = { ...(plan.adminPasswordHash ? { admin_password_hash: plan.adminPasswordHash } : {}), ...(config !== undefined ? { config } : {}) };
    const path = join(dataDir, PRESET_FILE);
    writeFileSync(path, JSON.stringify(preset), { mode: 0o600 });
    // The engine's, like everything in its data directory.
    const owner = statSync(dataDir);
    chownSync(path, owner.uid, owner.gid);
    if (plan.adminPasswordHash) done.push('the admin password');
    if (config !== undefined) done.push(`the configuration in ${plan.configFile} (imported when the engine starts)`);
  }
  return done;
}
