// Defaults of the box (the Debian package's /etc/default/rackcast) applied at the first start, when
// the database has no such setting yet; what the operator stores later always wins.
import type { Engine } from './engine/engine.js';
import { RECORDING_SETTINGS_KEY } from './engine/recording/recording-settings.js';

/**
 * RACKCAST_DEFAULT_RECORDINGS_DIR (the USB drive's mount point, /media/rackcast-usb): the recordings
 * directory, removable, so without a drive nothing is written. Returns a line for the log, or null.
 */
export async function applyApplianceDefaults(engine: Engine, env: NodeJS.ProcessEnv): Promise<string | null> {
  const dir = env.RACKCAST_DEFAULT_RECORDINGS_DIR;
  if (!dir || engine.settings.get<unknown>(RECORDING_SETTINGS_KEY, null) !== null) return null;
  try {
    await engine.recordings.updateSettings({ ...engine.recordings.settings(), recordings_dir: dir, recordings_removable: true });
    return `recordings go to the removable drive at ${dir}`;
  } catch (err) {
    return `RACKCAST_DEFAULT_RECORDINGS_DIR=${dir} not applied: ${err instanceof Error ? err.message : String(err)}`;
  }
}
