// The box's alarm settings (settings key "alarms", GET/PUT /api/alarms/settings): the silence sensor's
// switches, the fallback audio, and who is told. One schema for defaults, validation and API errors;
// a PUT is merged over the stored settings and every error names its field (`email.host`,
// `webhooks.1.url`). The SMTP password is write-only, like every password the engine keeps.
import { X509Certificate } from 'node:crypto';
import { isAbsolute, normalize, sep } from 'node:path';
import { z } from 'zod';
import type { DetectorSettings } from './detectors.js';

export const ALARM_SETTINGS_KEY = 'alarms';

export const FALLBACK_ORDERS = ['in_order', 'shuffle'] as const;
export const FALLBACK_SOURCES = ['folder', 'aux1'] as const;
export const WEBHOOK_TEMPLATES = ['json', 'ntfy', 'slack', 'teams'] as const;
export const SMTP_SECURITY = ['tls', 'starttls', 'none'] as const;
export type WebhookTemplate = (typeof WEBHOOK_TEMPLATES)[number];

export interface WebhookTarget {
  url: string;
  /** The body's shape: RackCast's own JSON (documented in the README), or ntfy / Slack / Teams style. */
  template: WebhookTemplate;
}

export interface EmailSettings {
  host: string;
  port: number;
  /** tls: TLS from the first byte (465); starttls: upgrade required (587); none: plain (a local relay). */
  security: (typeof SMTP_SECURITY)[number];
  username: string | null;
  /** Write-only: never in a response. */
  password?: string | null;
  from: string;
  to: string[];
  /**
   * PEM certificates trusted for this server besides the system's CAs: a station's own CA, or a relay's
   * self-signed certificate. null: the system's CAs only. Never a way round verification.
   */
  ca_cert?: string | null;
}

export interface AlarmSettings {
  silence_threshold_dbfs: number;
  silence_secs: number;
  recovery_secs: number;
  clipping_dbfs: number;
  clipping_secs: number;
  /** What the encoders with on_silence "fallback" air while the programme is silent: the folder's files, or aux1 (capture channels 3/4). */
  fallback_source: (typeof FALLBACK_SOURCES)[number];
  /** Folder of audio files played while the programme is silent (fallback_source "folder"); null: none. */
  fallback_dir: string | null;
  fallback_order: (typeof FALLBACK_ORDERS)[number];
  /** The crossfade at each switch, on whole frames. */
  crossfade_ms: number;
  /** true: back to the programme once it has been back for recovery_secs; false: hold until released. */
  auto_return: boolean;
  /** false (default): recordings keep the programme, the truth; true: they record the fallback too. */
  record_fallback: boolean;
  webhooks: WebhookTarget[];
  email: EmailSettings | null;
  /** Notifications per target per hour; more (a flapping alarm) are held and summarised in one. */
  notify_max_per_hour: number;
}

export const DEFAULT_ALARM_SETTINGS: AlarmSettings = {
  silence_threshold_dbfs: -50,
  silence_secs: 10,
  recovery_secs: 5,
  clipping_dbfs: -0.1,
  clipping_secs: 3,
  fallback_source: 'folder',
  fallback_dir: null,
  fallback_order: 'in_order',
  crossfade_ms: 250,
  auto_return: true,
  record_fallback: false,
  webhooks: [],
  email: null,
  notify_max_per_hour: 12,
};

export interface PathRoots {
  dataDir: string;
  recordingsDir: string;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function num(min: number, max: number, unit = '') {
  const range = `must be a number from ${min} to ${max}${unit}`;
  return z.number({ error: range }).min(min, range).max(max, range);
}

function int(min: number, max: number, unit = '') {
  const range = `must be a whole number from ${min} to ${max}${unit}`;
  return z.number({ error: range }).int(range).min(min, range).max(max, range);
}

const text = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters');

const httpUrl = text(2048).refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const mailbox = text(254).refine((s) => /^[^\s@<>]+@[^\s@<>]+$/.test(s), 'must be an e-mail address like studio@example.org');

const webhook = z.preprocess(
  (v) => (typeof v === 'string' ? { url: v } : v),
  z.strictObject({
    url: httpUrl,
    template: z.enum(WEBHOOK_TEMPLATES, { error: `must be one of ${WEBHOOK_TEMPLATES.join(', ')}` }).default('json'),
  }),
);

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates in a PEM text, each checked by Node's X.509 parser; null when one does not parse. */
function pemCertificates(text: string): string[] | null {
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0 || blocks.length > 10) return null;
  try {
    for (const b of blocks) new X509Certificate(b);
  } catch {
    return null;
  }
  return blocks;
}

const caCert = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
  z
    .string({ error: 'must be PEM text' })
    .max(32_768, 'must be at most 32768 characters')
    // Parsed once: the blocks that pass are what is kept.
    .transform((s, ctx) => {
      const blocks = pemCertificates(s);
      if (blocks) return `${blocks.join('\n')}\n`;
      ctx.addIssue({ code: 'custom', message: 'must be one to ten PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)' });
      return z.NEVER;
    })
    .nullable(),
);

const email = z.strictObject({
  host: text(255).refine((s) => s.length > 0, 'is required').refine((s) => !/[\s/]/.test(s), 'must be a host name or address'),
  port: int(1, 65535).default(587),
  security: z.enum(SMTP_SECURITY, { error: `must be one of ${SMTP_SECURITY.join(', ')}` }).default('starttls'),
  username: z.preprocess((v) => (v === '' ? null : v), text(255).nullable()).default(null),
  password: z.string({ error: 'must be text' }).max(255, 'must be at most 255 characters').refine((s) => !CONTROL.test(s), 'must not contain control characters').nullable().optional(),
  from: mailbox,
  to: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(mailbox, { error: 'must be a list of e-mail addresses' }).min(1, 'needs at least one address').max(20, 'at most 20 addresses')),
  ca_cert: caCert.default(null),
});

function schemaFor(roots: PathRoots) {
  return z.strictObject({
    silence_threshold_dbfs: num(-90, -10, ' dBFS'),
    silence_secs: num(2, 300, ' seconds'),
    recovery_secs: num(1, 300, ' seconds'),
    clipping_dbfs: num(-6, 0, ' dBFS'),
    clipping_secs: num(0.5, 60, ' seconds'),
    fallback_dir: z.preprocess(
      (v) => (v === '' ? null : v),
      text(1024)
        .refine((s) => isAbsolute(s), 'must be an absolute path')
        .refine((s) => !s.split('/').includes('..'), 'must not contain ".."')
        .refine((s) => within(s, roots.dataDir) || within(s, roots.recordingsDir), `must be inside the data directory (${roots.dataDir}) or the recordings directory (${roots.recordingsDir})`)
        .nullable(),
    ),
    fallback_order: z.enum(FALLBACK_ORDERS, { error: `must be one of ${FALLBACK_ORDERS.join(', ')}` }),
    fallback_source: z.enum(FALLBACK_SOURCES, { error: `must be one of ${FALLBACK_SOURCES.join(', ')} (aux1: capture channels 3/4, with a 4-channel capture)` }),
    crossfade_ms: int(0, 5000, ' ms'),
    auto_return: z.boolean({ error: 'must be true or false' }),
    record_fallback: z.boolean({ error: 'must be true or false' }),
    webhooks: z.array(webhook, { error: 'must be a list of {url} objects or URLs' }).max(10, 'at most 10 webhooks'),
    email: email.nullable(),
    notify_max_per_hour: int(1, 600),
  });
}

/** `dir` is `root` or below it (as written; links are the reader's problem, and it never writes there). */
function within(dir: string, root: string): boolean {
  const d = normalize(dir).replace(/\/+$/, '');
  const r = normalize(root).replace(/\/+$/, '');
  return d === r || d.startsWith(r + sep);
}

export interface FieldError {
  field: string;
  message: string;
}

export type AlarmSettingsParse = { ok: true; value: AlarmSettings } | { ok: false; errors: FieldError[] };

/** Validates a PUT body merged over `current`. An email without a password keeps the stored one. */
export function parseAlarmSettings(input: unknown, current: AlarmSettings, roots: PathRoots): AlarmSettingsParse {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '', message: 'must be an object with the alarm settings' }] };
  }
  const body = input as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...current, ...body };
  const mail = body.email;
  if (typeof mail === 'object' && mail !== null && !Array.isArray(mail)) {
    const m = mail as Record<string, unknown>;
    const keep = m.password === undefined || m.password === '';
    merged.email = { ...m, password: keep ? (current.email?.password ?? null) : m.password };
  }
  const result = schemaFor(roots).safeParse(merged);
  if (result.success) return { ok: true, value: result.data as AlarmSettings };
  const errors = new Map<string, string>();
  for (const iss of result.error.issues) {
    if (iss.code === 'unrecognized_keys') {
      const prefix = iss.path.map(String).join('.');
      for (const key of iss.keys) if (!errors.has(prefix ? `${prefix}.${key}` : key)) errors.set(prefix ? `${prefix}.${key}` : key, 'is not a known field');
    } else {
      const field = iss.path.map(String).join('.');
      if (!errors.has(field)) errors.set(field, iss.message);
    }
  }
  return { ok: false, errors: [...errors].map(([field, message]) => ({ field, message })) };
}

/** The stored settings, with defaults for anything missing or no longer valid (a hand-edited row). */
export function loadAlarmSettings(stored: unknown, roots: PathRoots): AlarmSettings {
  const parsed = parseAlarmSettings(typeof stored === 'object' && stored !== null ? stored : {}, DEFAULT_ALARM_SETTINGS, roots);
  return parsed.ok ? parsed.value : DEFAULT_ALARM_SETTINGS;
}

/** What GET returns: the SMTP password replaced by whether one is stored. */
export function publicAlarmSettings(s: AlarmSettings): Omit<AlarmSettings, 'email'> & { email: (Omit<EmailSettings, 'password'> & { password_set: boolean }) | null } {
  if (!s.email) return { ...s, email: null };
  const { password, ...rest } = s.email;
  return { ...s, email: { ...rest, password_set: typeof password === 'string' && password !== '' } };
}

export function detectorSettings(s: AlarmSettings): DetectorSettings {
  return {
    silenceThresholdDbfs: s.silence_threshold_dbfs,
    silenceMs: s.silence_secs * 1000,
    recoveryMs: s.recovery_secs * 1000,
    clippingDbfs: s.clipping_dbfs,
    clippingMs: s.clipping_secs * 1000,
  };
}
