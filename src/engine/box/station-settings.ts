// The station: its name (the `{station}` of recording names, the panel's home screen, the page's title,
// the alarm notifications) and what a new encoder gets for the stream fields its creator leaves out.
// Stored as two settings rows: `station_name` (read by the recorders and the notifier as it always was)
// and `encoder_defaults`.
import { z } from 'zod';
import type { SettingsStore } from '../db/settings-store.js';
import { parseStored, parseUpdate, type Parsed } from './settings-parse.js';

export const STATION_NAME_KEY = 'station_name';
export const ENCODER_DEFAULTS_KEY = 'encoder_defaults';
export const DEFAULT_STATION_NAME = 'RackCast';

const CONTROL = /[\u0000-\u001f\u007f]/;

function text(max: number) {
  return z
    .string({ error: 'must be text' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters');
}

/** Absent, null and "" all mean "no default". */
const optionalText = z.preprocess((v) => (v === '' ? null : v), text(255).nullable()).default(null);

export const stationSchema = z.strictObject({
  station_name: text(100).refine((s) => s.length > 0, 'is required').default(DEFAULT_STATION_NAME),
  default_stream_name: optionalText,
  default_stream_genre: optionalText,
  default_stream_url: optionalText,
  default_stream_description: optionalText,
});

export type StationSettings = z.output<typeof stationSchema>;
export const DEFAULT_STATION: StationSettings = stationSchema.parse({});

/** The encoder field each default fills. */
export const ENCODER_DEFAULT_FIELDS = {
  default_stream_name: 'stream_name',
  default_stream_genre: 'stream_genre',
  default_stream_url: 'stream_url',
  default_stream_description: 'stream_description',
} as const;

export function loadStation(settings: SettingsStore): StationSettings {
  const defaults = settings.get<unknown>(ENCODER_DEFAULTS_KEY, {});
  const raw = { station_name: settings.get<unknown>(STATION_NAME_KEY, DEFAULT_STATION_NAME), ...(typeof defaults === 'object' && defaults !== null ? defaults : {}) };
  return parseStored(stationSchema, raw, DEFAULT_STATION);
}

export function parseStation(input: unknown, current: StationSettings): Parsed<StationSettings> {
  return parseUpdate(stationSchema, input, current, 'station settings');
}

/** Both rows in one call; the caller runs it in a transaction. */
export function storeStation(settings: SettingsStore, value: StationSettings): void {
  const { station_name, ...defaults } = value;
  settings.set(STATION_NAME_KEY, station_name);
  settings.set(ENCODER_DEFAULTS_KEY, defaults);
}

/** A create body with the station's defaults where its creator left a stream field out (absent, not null). */
export function withEncoderDefaults(input: unknown, station: StationSettings): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...input };
  for (const [from, to] of Object.entries(ENCODER_DEFAULT_FIELDS)) {
    const value = station[from as keyof typeof ENCODER_DEFAULT_FIELDS];
    if (out[to] === undefined && value !== null) out[to] = value;
  }
  return out;
}
