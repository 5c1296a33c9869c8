// The encoder editor's model: the form's text (what the inputs hold) to and from the API's encoder, and
// validation with the engine's own schema (parseEncoderInput), so the page shows beside each field the
// same words the API would answer with, before anything is sent. Pure.
import { parseEncoderInput } from '../../../engine/stream/encoder-schema.js';
import { bitrateAllowed, codecInfo } from '../../../engine/stream/codecs.js';
import type { Codec, EncoderConfig, OutputType } from '../../../engine/types.js';

export const TABS = ['general', 'codec', 'server', 'metadata', 'recording', 'advanced'] as const;
export type Tab = (typeof TABS)[number];
export const TAB_LABEL: Record<Tab, string> = { general: 'General', codec: 'Codec', server: 'Server', metadata: 'Metadata', recording: 'Recording', advanced: 'Advanced' };

/** What the inputs hold: text for every typed value (so "abc" in a number field reaches the schema as text and gets its message). */
export interface Draft {
  name: string;
  enabled: boolean;
  codec: Codec;
  rate_mode: 'cbr' | 'vbr';
  bitrate_kbps: string;
  quality: string;
  sample_rate: string;
  channels: string;
  output_type: OutputType;
  server_host: string;
  server_port: string;
  server_username: string;
  server_password: string;
  mount_point: string;
  shoutcast_sid: string;
  stream_name: string;
  stream_genre: string;
  stream_url: string;
  stream_description: string;
  is_public: boolean;
  send_metadata: boolean;
  metadata_charset: EncoderConfig['metadata_charset'];
  icy_metadata_interval: string;
  file_output_path: string;
  file_rotation: EncoderConfig['file_rotation'];
  file_max_size_mb: string;
  file_name_template: string;
  reconnect_delay_secs: string;
  max_reconnect_attempts: string;
  backend: EncoderConfig['backend'];
  stats_admin_user: string;
  stats_admin_password: string;
  on_silence: EncoderConfig['on_silence'];
}

/** Which tab shows each field the schema can name (rate_mode is the page's own). */
export const FIELD_TAB: Record<string, Tab> = {
  name: 'general', enabled: 'general', on_silence: 'general', output_type: 'server',
  codec: 'codec', bitrate_kbps: 'codec', quality: 'codec', sample_rate: 'codec', channels: 'codec',
  server_host: 'server', server_port: 'server', server_username: 'server', server_password: 'server', mount_point: 'server', shoutcast_sid: 'server',
  stream_name: 'metadata', stream_genre: 'metadata', stream_url: 'metadata', stream_description: 'metadata', is_public: 'metadata',
  send_metadata: 'metadata', metadata_charset: 'metadata', icy_metadata_interval: 'metadata',
  file_output_path: 'recording', file_rotation: 'recording', file_max_size_mb: 'recording', file_name_template: 'recording',
  reconnect_delay_secs: 'advanced', max_reconnect_attempts: 'advanced', backend: 'advanced', stats_admin_user: 'advanced', stats_admin_password: 'advanced',
};

const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** The schema's own defaults: a minimal valid encoder parsed, so the page never restates them. */
function schemaDefaults(): Omit<EncoderConfig, 'id' | 'created_at'> {
  const parsed = parseEncoderInput({ name: 'x', codec: 'mp3', output_type: 'file', file_output_path: 'x' });
  if (!parsed.ok) throw new Error('the encoder schema refused its own minimal encoder');
  return { ...parsed.value, server_password: null, stats_admin_password: null };
}

/** A form for an encoder (or a new one: MP3 to an Icecast server on the standard port). */
export function draftFrom(config?: EncoderConfig): Draft {
  const c = config ?? { ...schemaDefaults(), name: '', output_type: 'icecast' as const, server_host: '', server_port: 8000, file_output_path: null };
  return {
    name: c.name,
    enabled: c.enabled,
    codec: c.codec,
    rate_mode: c.quality !== null && c.bitrate_kbps === null ? 'vbr' : 'cbr',
    bitrate_kbps: text(c.bitrate_kbps),
    quality: text(c.quality),
    sample_rate: text(c.sample_rate),
    channels: text(c.channels),
    output_type: c.output_type,
    server_host: text(c.server_host),
    server_port: text(c.server_port),
    server_username: c.server_username,
    server_password: '',
    mount_point: text(c.mount_point),
    shoutcast_sid: text(c.shoutcast_sid),
    stream_name: text(c.stream_name),
    stream_genre: text(c.stream_genre),
    stream_url: text(c.stream_url),
    stream_description: text(c.stream_description),
    is_public: c.is_public,
    send_metadata: c.send_metadata,
    metadata_charset: c.metadata_charset,
    icy_metadata_interval: text(c.icy_metadata_interval),
    file_output_path: text(c.file_output_path),
    file_rotation: c.file_rotation,
    file_max_size_mb: text(c.file_max_size_mb),
    file_name_template: c.file_name_template,
    reconnect_delay_secs: text(c.reconnect_delay_secs),
    max_reconnect_attempts: text(c.max_reconnect_attempts),
    backend: c.backend,
    stats_admin_user: text(c.stats_admin_user),
    stats_admin_password: '',
    on_silence: c.on_silence,
  };
}

/** Form text to a JSON value: "" is "not set" (null), a decimal number becomes a number, anything else stays text for the schema to name. */
export function numberOrText(value: string): number | string | null {
  const v = value.trim();
  if (v === '') return null;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

/** The body for POST (create) or PUT (update). Empty password fields are left out: the stored password stays. */
export function bodyFrom(d: Draft): Record<string, unknown> {
  const info = codecInfo(d.codec);
  const vbr = d.rate_mode === 'vbr' && info.quality !== null;
  const body: Record<string, unknown> = {
    name: d.name,
    enabled: d.enabled,
    codec: d.codec,
    bitrate_kbps: info.bitrates === null || vbr ? null : numberOrText(d.bitrate_kbps),
    quality: vbr ? numberOrText(d.quality) : null,
    sample_rate: numberOrText(d.sample_rate),
    channels: numberOrText(d.channels),
    output_type: d.output_type,
    server_host: d.server_host,
    server_port: numberOrText(d.server_port),
    server_username: d.server_username,
    mount_point: d.mount_point,
    shoutcast_sid: numberOrText(d.shoutcast_sid),
    stream_name: d.stream_name,
    stream_genre: d.stream_genre,
    stream_url: d.stream_url,
    stream_description: d.stream_description,
    is_public: d.is_public,
    send_metadata: d.send_metadata,
    metadata_charset: d.metadata_charset,
    icy_metadata_interval: numberOrText(d.icy_metadata_interval),
    file_output_path: d.file_output_path,
    file_rotation: d.file_rotation,
    file_max_size_mb: numberOrText(d.file_max_size_mb),
    file_name_template: d.file_name_template,
    reconnect_delay_secs: numberOrText(d.reconnect_delay_secs),
    max_reconnect_attempts: numberOrText(d.max_reconnect_attempts),
    backend: d.backend,
    stats_admin_user: d.stats_admin_user,
    on_silence: d.output_type === 'file' ? 'keep' : d.on_silence,
  };
  // A file output has no server: fields left over from a server type it had before are not its settings.
  if (d.output_type === 'file') Object.assign(body, { server_host: null, server_port: null, mount_point: null, shoutcast_sid: null, stats_admin_user: null });
  if (d.server_password !== '') body.server_password = d.server_password;
  if (d.stats_admin_password !== '') body.stats_admin_password = d.stats_admin_password;
  return body;
}

/** Field → message, exactly as the API would answer (the same schema, the same merge over the stored encoder). */
export function validate(d: Draft, existing?: EncoderConfig): Record<string, string> {
  const result = parseEncoderInput(bodyFrom(d), existing);
  if (result.ok) return {};
  return Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
}

/** How many errors each tab holds, for the badges on the tabs. */
export function errorsPerTab(errors: Record<string, string>): Record<Tab, number> {
  const out = Object.fromEntries(TABS.map((t) => [t, 0])) as Record<Tab, number>;
  for (const field of Object.keys(errors)) out[FIELD_TAB[field] ?? 'general'] += 1;
  return out;
}

/** The first tab (in tab order) with an error, to open on a failed save. */
export function firstTabWithError(errors: Record<string, string>): Tab | null {
  const counts = errorsPerTab(errors);
  return TABS.find((t) => counts[t] > 0) ?? null;
}

/** After a codec change: a bitrate the new codec cannot use becomes its default, so the form stays valid. */
export function adaptToCodec(d: Draft): void {
  const info = codecInfo(d.codec);
  if (info.quality === null) d.rate_mode = 'cbr';
  const channels = d.channels === '1' ? 1 : 2;
  if (info.bitrates !== null && !bitrateAllowed(d.codec, channels, Number(d.bitrate_kbps))) d.bitrate_kbps = text(info.defaultBitrateKbps);
  if (info.quality !== null && d.quality === '') d.quality = String(info.quality.best === 'min' ? 2 : 5);
}
