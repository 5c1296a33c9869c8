// The one definition of the live listen settings (settings key `live_listen`, the seed's
// LiveListenOutput): types, defaults and the errors, which name the field. PUT takes a partial object
// merged over the stored one; read-only keys from a GET body (`status`, `network`) are ignored.
import { z } from 'zod';
import { patchSettings } from '../settings-patch.js';
import type { FieldError } from '../stream/encoder-schema.js';

export const LIVE_LISTEN_KEY = 'live_listen';
export const READ_ONLY_KEYS: readonly string[] = ['status', 'network', 'sources'];

/** master: the capture the encoders get; aux1: capture channels 3/4; encoder:<id>: its output decoded; server:<id>: its mount. */
export const SOURCE_PATTERN = /^(master|aux1|encoder:[1-9]\d{0,9}|server:[1-9]\d{0,9})$/;

export const liveListenSchema = z.strictObject({
  /** The ALSA PCM for the headphones; null: ALSA's default. */
  device_name: z
    .string({ error: 'must be an ALSA device name or null for the default' })
    .max(200, 'must be at most 200 characters')
    // ALSA names: hw:CARD=Headphones,DEV=0, plughw:1,0, default, a named PCM. Nothing a shell or ALSA's config parser would read as more.
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_:,=.-]*$/, 'must be an ALSA device name such as "hw:CARD=Headphones,DEV=0" or "default"')
    .nullable()
    .default(null),
  volume: z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1').default(1),
  source: z.string({ error: 'must be master, aux1, encoder:<id> or server:<id>' }).regex(SOURCE_PATTERN, 'must be master, aux1, encoder:<id> or server:<id>').default('master'),
  enabled: z.boolean({ error: 'must be true or false' }).default(false),
  /** Network listeners of /api/live-listen/stream at once; one more gets 503. */
  max_network_listeners: z
    .number({ error: 'must be a whole number from 1 to 32' })
    .int('must be a whole number from 1 to 32')
    .min(1, 'must be a whole number from 1 to 32')
    .max(32, 'must be a whole number from 1 to 32')
    .default(4),
});

export type LiveListenSettings = z.infer<typeof liveListenSchema>;

export const DEFAULT_LIVE_LISTEN: LiveListenSettings = liveListenSchema.parse({});

export type ParsedSettings = { ok: true; value: LiveListenSettings } | { ok: false; errors: FieldError[] };

/** Validates `input` merged over `current`. */
export function parseLiveListenSettings(input: unknown, current: LiveListenSettings): ParsedSettings {
  return patchSettings(liveListenSchema, input, current, { what: 'live listen settings', readOnly: READ_ONLY_KEYS });
}

/** The stored settings, or the defaults where nothing valid is stored. */
export function storedLiveListen(raw: unknown): LiveListenSettings {
  const parsed = liveListenSchema.safeParse(typeof raw === 'object' && raw !== null ? raw : {});
  return parsed.success ? parsed.data : DEFAULT_LIVE_LISTEN;
}
