// The one definition of a valid encoder: field types, the seed's column defaults and
// the cross-field rules (codec ↔ bitrate/quality ↔ output). The API validates POST/PUT
// bodies with parseEncoderInput, and the page reads the same rules for its form.
//
// Conventions (documented here because the API and page rely on them):
// - Booleans are accepted as true/false or 1/0 (the seed stores INTEGER).
// - Optional text fields treat "" as null (an empty form input means "not set").
// - Unknown keys are rejected, one error per key. The read-only keys the API returns
//   (IGNORED_KEYS) are dropped silently, so the page may send an encoder back as it got it.
// - At most one error per field (the first found), which is what a form can show.
//   Cross-field rules are skipped while any field has the wrong type (zod aborts),
//   so a form may see those on the next submit.
import { z } from 'zod';
import { CODECS, bitrateAllowed, bitrateRule, codecInfo, describeBitrateRule } from './codecs.js';
import type { EncoderConfig } from '../types.js';
import { METADATA_CHARSETS } from '../metadata/types.js';
import { relativePathProblem, templateProblem } from '../recording/file-names.js';
import { DEFAULT_PATH_RULES, filePathErrors, type PathRules } from '../recording/path-rules.js';

/** What gets stored: EncoderConfig without the keys the database assigns. */
export type EncoderWrite = Omit<EncoderConfig, 'id' | 'created_at' | 'server_password'> & {
  /** undefined: keep the stored password (update without a new one); null: none. */
  server_password?: string | null;
};

export interface FieldError {
  /** The EncoderConfig key at fault; '' means the input as a whole. */
  field: string;
  message: string;
}

export type ParseResult = { ok: true; value: EncoderWrite } | { ok: false; errors: FieldError[] };

/** Keys the API returns but never accepts; ignored on input so a GET body can be PUT back. */
export const IGNORED_KEYS: readonly string[] = ['id', 'created_at', 'state'];

export const OUTPUT_TYPES = ['icecast', 'shoutcast', 'file'] as const;
export const FILE_ROTATIONS = ['none', 'hourly', 'daily', 'by_size'] as const;
export const BACKENDS = ['ffmpeg', 'liquidsoap'] as const;
export const ON_SILENCE = ['keep', 'fallback', 'stop'] as const;

const CONTROL = /[\u0000-\u001f\u007f]/;
const NO_CONTROL = 'must not contain control characters';

function required(type: string) {
  return (iss: { input: unknown }): string => (iss.input === undefined ? 'is required' : `must be ${type}`);
}

function oneOf(values: readonly string[]) {
  return (iss: { input: unknown }): string =>
    iss.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`;
}

/** A whole number whose range depends on other fields (checked in checkCodec). */
const wholeNumber = z.number({ error: 'must be a number' }).int('must be a whole number');

function int(min: number, max: number) {
  const range = `must be a whole number from ${min} to ${max}`;
  return z.number({ error: 'must be a number' }).int(range).min(min, range).max(max, range);
}

/** true/false or the seed's 1/0, always stored as a boolean. */
const bool = z
  .union([z.boolean(), z.literal(0), z.literal(1)], { error: 'must be true or false (or 1/0)' })
  .transform((v) => v === true || v === 1);

/** Trimmed text without control characters. */
function text(max: number) {
  return z
    .string({ error: required('text') })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), NO_CONTROL);
}

/** Optional text: absent, null and "" all mean null. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === '' ? null : v), schema.nullable()).default(null);
}

// A directory below the configured recordings root: relative (no "C:\x" either), never climbing out of it.
// (Reaching it from the root without following links is the recorder's job; whether the drive can hold
// the names is checked in parseEncoderInput, which knows the drive.)
const recordingDir = z
  .string({ error: 'must be text' })
  .max(1024, 'must be at most 1024 characters')
  .refine((s) => !CONTROL.test(s), NO_CONTROL)
  .superRefine((s, ctx) => {
    const problem = relativePathProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const fields = z.strictObject({
  name: text(100).refine((s) => s.length > 0, 'is required'),
  enabled: bool.default(true),
  codec: z.enum(CODECS, { error: oneOf(CODECS) }),
  bitrate_kbps: optional(wholeNumber),
  sample_rate: z
    .union([z.literal(44100), z.literal(48000)], { error: 'must be 44100 or 48000' })
    .default(44100),
  channels: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 (mono) or 2 (stereo)' }).default(2),
  quality: optional(wholeNumber),
  output_type: z.enum(OUTPUT_TYPES, { error: oneOf(OUTPUT_TYPES) }),
  server_host: optional(
    text(255)
      .refine((s) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s), 'must be a host name or address, without "http://"')
      .refine((s) => !/[\s/]/.test(s), 'must be a host name or address (no spaces or "/")'),
  ),
  server_port: optional(int(1, 65535)),
  // Not trimmed: spaces may be part of a password. CR/LF would break the ICY handshake.
  server_password: z
    .string({ error: 'must be text' })
    .max(255, 'must be at most 255 characters')
    .refine((s) => !CONTROL.test(s), NO_CONTROL)
    .nullable()
    .optional(),
  // HTTP Basic auth cannot carry a ":" in the user name.
  server_username: text(255)
    .refine((s) => s.length > 0, 'is required')
    .refine((s) => !s.includes(':'), 'must not contain ":"')
    .default('source'),
  mount_point: optional(
    text(255).refine((s) => !/[\s?#]/.test(s), 'must not contain spaces, "?" or "#"'),
  ),
  shoutcast_sid: optional(int(1, 2147483647)),
  stream_name: optional(text(255)),
  stream_genre: optional(text(255)),
  stream_url: optional(text(255)),
  stream_description: optional(text(255)),
  is_public: bool.default(false),
  file_output_path: optional(recordingDir),
  file_rotation: z.enum(FILE_ROTATIONS, { error: oneOf(FILE_ROTATIONS) }).default('hourly'),
  file_max_size_mb: int(1, 1_000_000).default(500),
  file_name_template: text(255)
    .refine((s) => s.length > 0, 'is required')
    .refine((s) => !s.split(/[/\\]/).includes('..'), 'must not contain ".."')
    // Absolute paths and unknown placeholders (recording/file-names.ts has the full rule).
    .superRefine((s, ctx) => {
      const problem = templateProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('{date}-{time}-{station}.mp3'),
  send_metadata: bool.default(true),
  icy_metadata_interval: int(256, 65536).default(8192),
  reconnect_delay_secs: int(1, 3600).default(5),
  max_reconnect_attempts: int(0, 10000).default(0),
  backend: z.enum(BACKENDS, { error: oneOf(BACKENDS) }).default('ffmpeg'),
  // Icecast admin credentials for /admin/stats (listener stats of hidden mounts, or without the XSLT).
  stats_admin_user: optional(text(255).refine((s) => !s.includes(':'), 'must not contain ":"')),
  stats_admin_password: z
    .string({ error: 'must be text' })
    .max(255, 'must be at most 255 characters')
    .refine((s) => !CONTROL.test(s), NO_CONTROL)
    .nullable()
    .optional(),
  // How now-playing titles are encoded for the server (PROTOCOLS.md §2.2).
  metadata_charset: z.enum(METADATA_CHARSETS, { error: oneOf(METADATA_CHARSETS) }).default('UTF-8'),
  // What this encoder airs while the programme is silent (the alarm settings say how long counts as silent).
  on_silence: z.enum(ON_SILENCE, { error: oneOf(ON_SILENCE) }).default('keep'),
});

type Fields = z.output<typeof fields>;
type Ctx = z.core.$RefinementCtx<Fields>;

function issue(ctx: Ctx, field: keyof Fields, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

function checkCodec(v: Fields, ctx: Ctx): void {
  const info = codecInfo(v.codec);
  if (v.output_type !== 'file' && !info.streamable) {
    issue(ctx, 'codec', `${info.label} cannot be streamed; use it for file output`);
  } else if (v.output_type === 'shoutcast' && !info.shoutcastRelayable) {
    issue(ctx, 'codec', 'SHOUTcast servers relay only MP3 and AAC');
  }
  if (v.bitrate_kbps !== null) {
    const rule = bitrateRule(v.codec, v.channels);
    if (rule === null) {
      issue(ctx, 'bitrate_kbps', `${info.label} has no bitrate setting; leave it empty`);
    } else if (!bitrateAllowed(v.codec, v.channels, v.bitrate_kbps)) {
      const b = info.bitrates;
      const same = b !== null && describeBitrateRule(b.mono) === describeBitrateRule(b.stereo);
      const which = same ? '' : v.channels === 1 ? ' for mono' : ' for stereo';
      const allowed = rule.kind === 'list' ? `one of ${describeBitrateRule(rule)}` : describeBitrateRule(rule);
      issue(ctx, 'bitrate_kbps', `${info.label}${which} must be ${allowed} kbps`);
    }
  }
  if (v.quality !== null) {
    if (info.quality === null) {
      issue(ctx, 'quality', `${info.label} has no VBR quality setting; leave it empty`);
    } else if (v.quality < info.quality.min || v.quality > info.quality.max) {
      issue(ctx, 'quality', `${info.label} quality must be from ${info.quality.min} to ${info.quality.max}`);
    } else if (v.bitrate_kbps !== null) {
      // Both set would be ambiguous (ffmpeg would silently prefer the bitrate).
      issue(ctx, 'quality', 'set either bitrate_kbps (constant bitrate) or quality (VBR), not both');
    }
  }
}

function checkOutput(v: Fields, ctx: Ctx): void {
  if (v.output_type === 'file') {
    if (v.file_output_path === null) issue(ctx, 'file_output_path', 'is required for file output');
    return;
  }
  const what = `is required for ${v.output_type} output`;
  if (v.server_host === null) issue(ctx, 'server_host', what);
  if (v.server_port === null) issue(ctx, 'server_port', what);
  if (v.output_type === 'icecast') {
    if (v.mount_point === null) issue(ctx, 'mount_point', what);
    else if (!v.mount_point.startsWith('/')) issue(ctx, 'mount_point', 'must start with "/"');
  }
}

/** The encoder schema: input (create body, or update merged over the stored row) → EncoderWrite. */
export const encoderSchema = z
  .preprocess((input) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
    return Object.fromEntries(Object.entries(input).filter(([k]) => !IGNORED_KEYS.includes(k)));
  }, fields)
  .superRefine((v, ctx) => {
    checkCodec(v, ctx);
    checkOutput(v, ctx);
    // Recordings are written by the recorder (WAV by RackCast itself, other codecs by ffmpeg), whatever the backend.
    if (v.backend === 'liquidsoap' && v.output_type === 'file') issue(ctx, 'backend', 'file output is recorded by RackCast (WAV) or ffmpeg; Liquidsoap streams only to Icecast and SHOUTcast');
  })
  .transform((v): EncoderWrite => {
    // A lossy codec with neither bitrate nor quality gets its default bitrate.
    const fallback = codecInfo(v.codec).defaultBitrateKbps;
    const bitrate = v.bitrate_kbps === null && v.quality === null ? fallback : v.bitrate_kbps;
    return { ...v, bitrate_kbps: bitrate, server_password: v.server_password ?? null, stats_admin_password: v.stats_admin_password ?? null };
  });

function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const out = new Map<string, string>();
  const add = (field: string, message: string): void => {
    if (!out.has(field)) out.set(field, message);
  };
  for (const iss of issues) {
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) add(key, 'is not a known field');
    } else if (iss.path.length === 0) {
      add('', 'must be an object with the encoder fields');
    } else {
      add(iss.path.map(String).join('.'), iss.message);
    }
  }
  return [...out].map(([field, message]) => ({ field, message }));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A password value that means "no new password" on update. */
function keepsPassword(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/**
 * Validates a create body, or (with `existing`) an update: the input is merged over
 * the stored encoder and the whole result is validated. On update an absent, null or
 * empty server_password yields value.server_password === undefined: keep the stored one.
 * If an update changes the codec without giving bitrate_kbps/quality, the stored ones
 * (chosen for the old codec) are dropped so the new codec's default applies.
 */
export interface ParseOptions {
  /**
   * What the recordings drive can hold (Recordings.pathRules(): FAT names, the directory's length). Without
   * it, file paths are held to what every Linux filesystem allows.
   */
  paths?: PathRules;
}

export function parseEncoderInput(input: unknown, existing?: EncoderConfig, options: ParseOptions = {}): ParseResult {
  if (!isRecord(input)) return { ok: false, errors: [{ field: '', message: 'must be an object with the encoder fields' }] };
  let candidate: Record<string, unknown> = input;
  if (existing !== undefined) {
    // Only the schema's own keys (never the stored password) carry over from the row.
    const stored = Object.entries(existing).filter(([k]) => k in fields.shape && k !== 'server_password' && k !== 'stats_admin_password');
    candidate = { ...Object.fromEntries(stored), ...input };
    if ('codec' in input && input.codec !== existing.codec) {
      if (!('bitrate_kbps' in input)) candidate.bitrate_kbps = null;
      if (!('quality' in input)) candidate.quality = null;
    }
    if (keepsPassword(input.server_password)) delete candidate.server_password;
    if (keepsPassword(input.stats_admin_password)) delete candidate.stats_admin_password;
  }
  const result = encoderSchema.safeParse(candidate);
  if (!result.success) return { ok: false, errors: toFieldErrors(result.error.issues) };
  const value = result.data;
  // Paths that could never be written on the recordings drive are refused now, not at recording time.
  if (value.output_type === 'file') {
    const pathErrors = filePathErrors(value, options.paths ?? DEFAULT_PATH_RULES);
    if (pathErrors.length > 0) return { ok: false, errors: pathErrors };
  }
  if (existing !== undefined && keepsPassword(input.server_password)) value.server_password = undefined;
  else if (value.server_password === '') value.server_password = null;
  if (existing !== undefined && keepsPassword(input.stats_admin_password)) value.stats_admin_password = undefined;
  else if (value.stats_admin_password === '') value.stats_admin_password = null;
  return { ok: true, value };
}
