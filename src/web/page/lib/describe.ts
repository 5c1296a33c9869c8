// One-line descriptions of an encoder for lists and cards. Pure.
import { codecInfo, estimateBitrateKbps } from '../../../engine/stream/codecs.js';
import type { EncoderConfig } from './types.js';

type RateFields = Pick<EncoderConfig, 'codec' | 'bitrate_kbps' | 'quality' | 'sample_rate' | 'channels'>;

/** "128 kbps", "VBR q5 (≈160 kbps)", "≈847 kbps" (lossless: an estimate). */
export function bitrateSummary(c: RateFields): string {
  const info = codecInfo(c.codec);
  const estimate = estimateBitrateKbps({ ...c, channels: c.channels === 1 ? 1 : 2 });
  if (c.bitrate_kbps !== null && info.bitrates !== null) return `${c.bitrate_kbps} kbps`;
  if (c.quality !== null && info.quality !== null) return `VBR q${c.quality} (≈${estimate} kbps)`;
  return `≈${estimate} kbps`;
}

/** "MP3 128 kbps", "Ogg Vorbis VBR q5 (≈160 kbps)", "FLAC ≈847 kbps". */
export function codecSummary(c: RateFields): string {
  return `${codecInfo(c.codec).label} ${bitrateSummary(c)}`;
}

/** Where the audio goes: "Icecast 10.0.0.5:8000/live.mp3", "SHOUTcast 10.0.0.5:8000 #1", "File recordings/studio". */
export function destination(c: Pick<EncoderConfig, 'output_type' | 'server_host' | 'server_port' | 'mount_point' | 'shoutcast_sid' | 'file_output_path'>): string {
  if (c.output_type === 'file') return `File ${c.file_output_path ?? ''}`.trim();
  const server = `${c.server_host ?? '?'}:${c.server_port ?? '?'}`;
  if (c.output_type === 'shoutcast') return `SHOUTcast ${server}${c.shoutcast_sid !== null ? ` #${c.shoutcast_sid}` : ''}`;
  return `Icecast ${server}${c.mount_point ?? ''}`;
}
