// The alarm settings form's model: the inputs' text to and from GET/PUT /api/alarms/settings. The
// engine validates (its schema reads the filesystem's rules for fallback_dir) and its errors come back
// naming the field (`silence_secs`, `webhooks.1.url`, `email.host`), shown beside that field. Pure.
import type { publicAlarmSettings } from '../../../engine/alarms/alarm-settings.js';
import { numberOrText } from './form.js';

export type PublicAlarmSettings = ReturnType<typeof publicAlarmSettings>;
export type WebhookTemplate = PublicAlarmSettings['webhooks'][number]['template'];
export type SmtpSecurity = NonNullable<PublicAlarmSettings['email']>['security'];

export interface AlarmDraft {
  silence_threshold_dbfs: string;
  silence_secs: string;
  recovery_secs: string;
  clipping_dbfs: string;
  clipping_secs: string;
  fallback_source: PublicAlarmSettings['fallback_source'];
  fallback_dir: string;
  fallback_order: PublicAlarmSettings['fallback_order'];
  crossfade_ms: string;
  auto_return: boolean;
  record_fallback: boolean;
  notify_max_per_hour: string;
  webhooks: { url: string; template: WebhookTemplate }[];
  email_on: boolean;
  email_host: string;
  email_port: string;
  email_security: SmtpSecurity;
  email_username: string;
  /** '' keeps the stored password. */
  email_password: string;
  email_password_set: boolean;
  email_from: string;
  /** Addresses separated by commas or new lines. */
  email_to: string;
  /** PEM certificates trusted besides the system's CAs; '' for none. */
  email_ca_cert: string;
}

export function alarmDraftFrom(s: PublicAlarmSettings): AlarmDraft {
  const e = s.email;
  return {
    silence_threshold_dbfs: String(s.silence_threshold_dbfs),
    silence_secs: String(s.silence_secs),
    recovery_secs: String(s.recovery_secs),
    clipping_dbfs: String(s.clipping_dbfs),
    clipping_secs: String(s.clipping_secs),
    fallback_source: s.fallback_source,
    fallback_dir: s.fallback_dir ?? '',
    fallback_order: s.fallback_order,
    crossfade_ms: String(s.crossfade_ms),
    auto_return: s.auto_return,
    record_fallback: s.record_fallback,
    notify_max_per_hour: String(s.notify_max_per_hour),
    webhooks: s.webhooks.map((w) => ({ ...w })),
    email_on: e !== null,
    email_host: e?.host ?? '',
    email_port: String(e?.port ?? 587),
    email_security: e?.security ?? 'starttls',
    email_username: e?.username ?? '',
    email_password: '',
    email_password_set: e?.password_set ?? false,
    email_from: e?.from ?? '',
    email_to: (e?.to ?? []).join(', '),
    email_ca_cert: e?.ca_cert ?? '',
  };
}

export function alarmBodyFrom(d: AlarmDraft): Record<string, unknown> {
  const email = d.email_on
    ? {
        host: d.email_host,
        port: numberOrText(d.email_port),
        security: d.email_security,
        username: d.email_username,
        ...(d.email_password !== '' ? { password: d.email_password } : {}),
        from: d.email_from,
        to: d.email_to.split(/[\s,;]+/).filter(Boolean),
        ca_cert: d.email_ca_cert.trim() === '' ? null : d.email_ca_cert,
      }
    : null;
  return {
    silence_threshold_dbfs: numberOrText(d.silence_threshold_dbfs),
    silence_secs: numberOrText(d.silence_secs),
    recovery_secs: numberOrText(d.recovery_secs),
    clipping_dbfs: numberOrText(d.clipping_dbfs),
    clipping_secs: numberOrText(d.clipping_secs),
    fallback_source: d.fallback_source,
    fallback_dir: d.fallback_dir.trim() === '' ? null : d.fallback_dir.trim(),
    fallback_order: d.fallback_order,
    crossfade_ms: numberOrText(d.crossfade_ms),
    auto_return: d.auto_return,
    record_fallback: d.record_fallback,
    notify_max_per_hour: numberOrText(d.notify_max_per_hour),
    webhooks: d.webhooks.filter((w) => w.url.trim() !== '').map((w) => ({ url: w.url.trim(), template: w.template })),
    email,
  };
}

/** The form's name for an API field: `email.host` is the input `email_host`; `email.to.0` the recipients. */
export function draftFieldOf(apiField: string): string {
  if (apiField.startsWith('email.')) return `email_${apiField.split('.')[1]}`;
  return apiField;
}
