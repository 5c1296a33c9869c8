// The engine's public types: what the API, the page and the panel see.
// Field names of EncoderConfig are the seed's `encoders` column names.

export type Codec = 'mp3' | 'aac' | 'ogg' | 'opus' | 'flac' | 'wav';
export type OutputType = 'icecast' | 'shoutcast' | 'file';
export type FileRotation = 'none' | 'hourly' | 'daily' | 'by_size';
export type Backend = 'ffmpeg' | 'liquidsoap';
export type SampleFormat = 'S16_LE' | 'S32_LE';
export type OnSilence = 'keep' | 'fallback' | 'stop';

/** The PCM the capture delivers: interleaved little-endian integers. */
export interface PcmFormat {
  sampleRate: 44100 | 48000;
  channels: 1 | 2;
  sampleFormat: SampleFormat;
}

/**
 * How many channels the capture opens on the card. With 4, channels 1/2 are the programme (what every
 * encoder, recorder, meter and alarm gets, as stereo) and 3/4 the aux pair (live listen's aux1).
 */
export type CaptureChannels = 1 | 2 | 4;

export function bytesPerFrame(format: PcmFormat): number {
  return format.channels * (format.sampleFormat === 'S16_LE' ? 2 : 4);
}

export function bytesPerMs(format: PcmFormat): number {
  return (format.sampleRate * bytesPerFrame(format)) / 1000;
}

/** One row of the `encoders` table as the API sends it (server_password never leaves the engine). */
export interface EncoderConfig {
  id: number;
  name: string;
  enabled: boolean;
  codec: Codec;
  bitrate_kbps: number | null;
  sample_rate: number;
  channels: 1 | 2;
  quality: number | null;
  output_type: OutputType;
  server_host: string | null;
  server_port: number | null;
  /** Write-only: accepted on create/update, never returned. */
  server_password?: string | null;
  server_username: string;
  mount_point: string | null;
  shoutcast_sid: number | null;
  stream_name: string | null;
  stream_genre: string | null;
  stream_url: string | null;
  stream_description: string | null;
  is_public: boolean;
  file_output_path: string | null;
  file_rotation: FileRotation;
  file_max_size_mb: number;
  file_name_template: string;
  send_metadata: boolean;
  icy_metadata_interval: number;
  reconnect_delay_secs: number;
  max_reconnect_attempts: number;
  backend: Backend;
  /** Icecast admin user for /admin/stats (listener stats); null: public stats only. */
  stats_admin_user: string | null;
  /** Write-only, like server_password. */
  stats_admin_password?: string | null;
  /** How titles are sent to the server: 'UTF-8' (with charset=UTF-8), 'ISO-8859-1', or 'none' (raw UTF-8, no charset). */
  metadata_charset: 'UTF-8' | 'ISO-8859-1' | 'none';
  /** During silence (the alarm settings' silence_secs): 'keep' the programme, play the 'fallback', or 'stop' (off air until it returns). */
  on_silence: OnSilence;
  created_at: string;
}

export type EncoderStateName = 'disabled' | 'connecting' | 'streaming' | 'retrying' | 'failed';
