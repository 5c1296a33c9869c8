// The box-wide recording settings (settings key "recording"): where recordings go, whether that is a
// removable drive, and the retention policy. One schema for defaults, validation and API errors.
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';

export const RECORDING_SETTINGS_KEY = 'recording';

export interface RecordingSettings {
  /** Absolute directory; the encoders' file_output_path is relative to it. */
  recordings_dir: string;
  /** true: the directory must be on its own (USB) filesystem; without the drive nothing is written. */
  recordings_removable: boolean;
  /** Delete recordings older than this many days (0: keep). */
  retention_keep_days: number;
  /** Delete the oldest recordings while less than this % of the drive is free (0: off). */
  retention_min_free_percent: number;
}

export function defaultRecordingSettings(dataDir: string): RecordingSettings {
  return { recordings_dir: join(dataDir, 'recordings'), recordings_removable: false, retention_keep_days: 0, retention_min_free_percent: 0 };
}

const CONTROL = /[\u0000-\u001f\u007f]/;

const schema = z.strictObject({
  recordings_dir: z
    .string({ error: 'must be text' })
    .min(1, 'is required')
    .max(1024, 'must be at most 1024 characters')
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')
    .refine((s) => isAbsolute(s), 'must be an absolute path (e.g. /media/rackcast)')
    .refine((s) => !s.split('/').includes('..'), 'must not contain ".."')
    .refine((s) => s !== '/', 'must not be the root directory'),
  recordings_removable: z.boolean({ error: 'must be true or false' }),
  retention_keep_days: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(36_500, 'must be at most 36500'),
  retention_min_free_percent: z.number({ error: 'must be a number' }).min(0, 'must be from 0 to 90').max(90, 'must be from 0 to 90'),
});

export interface SettingsFieldError {
  field: string;
  message: string;
}

export type SettingsParse = { ok: true; value: RecordingSettings } | { ok: false; errors: SettingsFieldError[] };

/** Validates an update merged over the current settings; errors name the field. */
export function parseRecordingSettings(input: unknown, current: RecordingSettings): SettingsParse {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '', message: 'must be an object with the recording settings' }] };
  }
  const result = schema.safeParse({ ...current, ...input });
  if (result.success) return { ok: true, value: result.data };
  const errors: SettingsFieldError[] = [];
  for (const iss of result.error.issues) {
    if (iss.code === 'unrecognized_keys') for (const key of iss.keys) errors.push({ field: key, message: 'is not a known field' });
    else errors.push({ field: iss.path.map(String).join('.'), message: iss.message });
  }
  return { ok: false, errors };
}

/** The stored settings, with defaults for whatever is missing or invalid. */
export function loadRecordingSettings(stored: unknown, dataDir: string): RecordingSettings {
  const defaults = defaultRecordingSettings(dataDir);
  const parsed = parseRecordingSettings(stored ?? {}, defaults);
  return parsed.ok ? parsed.value : defaults;
}
