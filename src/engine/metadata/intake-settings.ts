// The one definition of the title-intake settings (settings key `metadata_intake`): field types,
// defaults (every listener off) and the error messages, which name the field. GET returns the
// settings with read-only `status` and `counters`; PUT accepts a partial object merged over the
// stored one, and ignores those read-only keys so a GET body can be sent back as it came.
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { patchSettings } from '../settings-patch.js';
import { compilePattern } from './line-parser.js';

export const INTAKE_SETTINGS_KEY = 'metadata_intake';
export const READ_ONLY_KEYS: readonly string[] = ['status', 'counters'];

const port = z
  .number({ error: 'must be a port number (1-65535) or null for off' })
  .int('must be a whole number from 1 to 65535')
  .min(1, 'must be a whole number from 1 to 65535')
  .max(65535, 'must be a whole number from 1 to 65535')
  .nullable();

function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

export const intakeSettingsSchema = z.strictObject({
  /** TCP line listener; null = off. */
  tcp_port: port.default(null),
  /** UDP listener; null = off. */
  udp_port: port.default(null),
  /** Where both listen: every interface, or one address (e.g. the studio LAN's). */
  bind_address: z
    .string({ error: 'must be an IP address' })
    .refine((s) => isIP(s) !== 0, 'must be an IP address such as 0.0.0.0 or 192.168.1.10')
    .default('0.0.0.0'),
  /** For lines that are not "Artist - Title": a regular expression with (?<title>…) and optionally (?<artist>…). */
  line_pattern: z
    .string({ error: 'must be text or null' })
    .nullable()
    .transform((s) => (s === '' ? null : s))
    .superRefine((s, ctx) => {
      if (s === null) return;
      const compiled = compilePattern(s);
      if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.message });
    })
    .default(null),
  /** A now-playing text file written by playout software (first line wins); null = not watched. */
  file_path: z
    .string({ error: 'must be an absolute path or null' })
    .max(1024, 'must be at most 1024 characters')
    .nullable()
    .transform((s) => (s === '' ? null : s))
    .refine((s) => s === null || !/[\u0000-\u001f]/.test(s), 'must not contain control characters')
    .refine((s) => s === null || isAbsolute(s), 'must be an absolute path')
    .default(null),
  /** New titles each source (http, tcp, udp, file) may bring per minute, each counted on its own; more are dropped as `rate_limited`. */
  max_titles_per_minute: wholeNumber(1, 6000).default(60),
  /** How many titles a source may send at once above that rate (a playout system skipping through tracks). */
  title_burst: wholeNumber(1, 1000).default(10),
  /** A TCP connection that sends no line for this long is closed. */
  tcp_idle_secs: wholeNumber(5, 86_400).default(60),
  /** metadata_history rows older than this are deleted (hourly and at start); the newest row always stays. */
  history_retention_days: wholeNumber(1, 3650).default(90),
  /** And at most this many rows are kept, newest first. */
  history_max_rows: wholeNumber(1000, 10_000_000).default(100_000),
});

export type IntakeSettings = z.output<typeof intakeSettingsSchema>;

export const DEFAULT_INTAKE_SETTINGS: IntakeSettings = intakeSettingsSchema.parse({});

export interface FieldError {
  field: string;
  message: string;
}

export type IntakeParse = { ok: true; value: IntakeSettings } | { ok: false; errors: FieldError[] };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates `input` merged over `current`; errors name the field. */
export function parseIntakeSettings(input: unknown, current: IntakeSettings = DEFAULT_INTAKE_SETTINGS): IntakeParse {
  return patchSettings(intakeSettingsSchema, input, current, { what: 'intake settings', readOnly: READ_ONLY_KEYS });
}

/**
 * The stored settings. A field that no longer validates (hand-edited, or saved before a rule was added:
 * a `line_pattern` that needs backtracking) falls back to its default, and the others are kept, so an
 * upgrade never turns the listeners off. The fields that fell back are returned for the status.
 */
export function storedIntakeSettings(raw: unknown): IntakeSettings {
  return storedIntakeSettingsWithErrors(raw).value;
}

export function storedIntakeSettingsWithErrors(raw: unknown): { value: IntakeSettings; errors: FieldError[] } {
  if (!isRecord(raw)) return { value: DEFAULT_INTAKE_SETTINGS, errors: [] };
  const parsed = parseIntakeSettings(raw);
  if (parsed.ok) return { value: parsed.value, errors: [] };
  const bad = new Set(parsed.errors.map((e) => e.field.split('.')[0]!));
  const kept = Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k)));
  const retry = parseIntakeSettings(kept);
  return { value: retry.ok ? retry.value : DEFAULT_INTAKE_SETTINGS, errors: parsed.errors };
}
