// The box-wide recording settings (settings key "recording"): where recordings go, whether that is a
// removable drive, and the retention policy. One schema for defaults, validation and API errors.
// recordings_dir is checked twice: as typed (the schema: absolute, no "..", not a system path such as
// /proc/self/cwd), then on the filesystem (checkRecordingsDir: it exists, is a directory, and its
// canonical path, which is what gets stored, is not a system path either).
import { stat, realpath } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { systemPathProblem } from './system-paths.js';

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
    .superRefine((s, ctx) => {
      const problem = isAbsolute(s) ? systemPathProblem(s) : null;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
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
  // One error per field (the first found), as the encoder schema does.
  const errors = new Map<string, string>();
  const add = (field: string, message: string): void => {
    if (!errors.has(field)) errors.set(field, message);
  };
  for (const iss of result.error.issues) {
    if (iss.code === 'unrecognized_keys') for (const key of iss.keys) add(key, 'is not a known field');
    else add(iss.path.map(String).join('.'), iss.message);
  }
  return { ok: false, errors: [...errors].map(([field, message]) => ({ field, message })) };
}

/** The stored settings, with defaults for whatever is missing or invalid. */
export function loadRecordingSettings(stored: unknown, dataDir: string): RecordingSettings {
  const defaults = defaultRecordingSettings(dataDir);
  const parsed = parseRecordingSettings(stored ?? {}, defaults);
  return parsed.ok ? parsed.value : defaults;
}

/**
 * The canonical recordings directory for `dir` (already through the schema), or why it cannot be one:
 * it must exist and be a directory, and neither it nor where it leads may be a system directory, the
 * data directory (`dataDir`, canonical) or one above it.
 */
export async function checkRecordingsDir(dir: string, dataDir: string): Promise<{ ok: true; dir: string } | { ok: false; message: string }> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, message: `${dir} does not exist; create the directory (or mount the drive) first` };
    if (code === 'ENOTDIR') return { ok: false, message: `${dir} is not a directory` };
    return { ok: false, message: `cannot read ${dir}: ${(err as Error).message}` };
  }
  const st = await stat(real).catch(() => null);
  if (!st?.isDirectory()) return { ok: false, message: `${dir} is not a directory` };
  const problem = systemPathProblem(real, dataDir);
  if (problem) return { ok: false, message: real === dir ? problem : `leads to ${real}, which ${problem}` };
  return { ok: true, dir: real };
}
