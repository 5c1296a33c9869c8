// Presets from the image's rackcast-setup.toml for the engine's first start (src/image-setup writes them
// as root at boot; the engine applies them as its own user): the admin password hash, before the engine
// decides whether it is locked, and a configuration export, imported once the engine runs, as
// POST /api/config/import would. The file is removed once applied; what could not be is in the event log.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine.js';
import { ADMIN_HASH_KEY } from '../../web/passwords.js';
import { applyImport, planImport } from './config-backup.js';

export const PRESET_FILE = 'setup-preset.json';

export interface SetupPreset {
  admin_password_hash?: string;
  /** A configuration export (GET /api/config/export). */
  config?: unknown;
}

export function readSetupPreset(dataDir: string): SetupPreset | null {
  const path = join(dataDir, PRESET_FILE);
  if (!existsSync(path)) return null;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof v === 'object' && v !== null ? (v as SetupPreset) : {};
  } catch {
    return {};
  }
}

/** Before the password check: the preset's hash becomes the admin password. */
export function applyPresetPassword(engine: Engine, preset: SetupPreset): void {
  if (typeof preset.admin_password_hash === 'string' && preset.admin_password_hash.startsWith('scrypt$')) {
    engine.settings.set(ADMIN_HASH_KEY, preset.admin_password_hash);
    engine.eventLog.add({ level: 'info', kind: 'password_changed', message: 'The admin password was set from rackcast-setup.toml' });
  }
}

/** After engine.start(): the preset's configuration imported; the preset file removed. Returns one line for the log. */
export async function applyPresetConfig(engine: Engine, dataDir: string, preset: SetupPreset): Promise<string> {
  let line = 'rackcast-setup.toml applied';
  if (preset.config !== undefined) {
    const planned = await planImport(engine, preset.config);
    if (planned.ok) {
      // applyImport logs the import itself.
      const report = await applyImport(engine, planned.plan);
      line = `rackcast-setup.toml: configuration imported (encoders added: ${report.encoders.added.join(', ') || 'none'})`;
    } else {
      line = `rackcast-setup.toml: the configuration was not imported: ${planned.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`;
      engine.eventLog.add({ level: 'warning', kind: 'config_imported', message: line });
    }
  }
  rmSync(join(dataDir, PRESET_FILE), { force: true });
  return line;
}
