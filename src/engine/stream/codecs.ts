// What each codec can do, in one table: the schema validates against it, the ffmpeg
// argv builder reads defaults from it, and the page builds its codec form and preview
// from it. Limits were checked against Debian 12's ffmpeg 5.1 (libmp3lame, native aac,
// libvorbis, libopus): see PROTOCOLS.md §7.
import type { Codec, EncoderConfig } from '../types.js';

/** Bitrates a codec accepts, in kbps: either a fixed set or an inclusive integer range. */
export type BitrateRule =
  | { kind: 'list'; values: readonly number[] }
  | { kind: 'range'; min: number; max: number };

export interface CodecInfo {
  codec: Codec;
  label: string;
  lossy: boolean;
  /** null: the codec has no bitrate setting (FLAC, WAV). Limits can depend on the channel count. */
  bitrates: { mono: BitrateRule; stereo: BitrateRule } | null;
  /** Values the page offers in its drop-down (all valid for stereo and mono). */
  bitratePresets: readonly number[];
  /** Used when neither a bitrate nor a VBR quality is configured. */
  defaultBitrateKbps: number | null;
  /** VBR quality passed as ffmpeg `-q:a` (integer, inclusive); null: no VBR mode offered. */
  quality: { min: number; max: number; best: 'min' | 'max' } | null;
  sampleRates: readonly (44100 | 48000)[];
  /** Content-Type for an Icecast/SHOUTcast source; null when the codec is file-only. */
  contentType: string | null;
  streamable: boolean;
  /** SHOUTcast DNAS only frame-syncs MP3 and AAC (PROTOCOLS.md §3.1). */
  shoutcastRelayable: boolean;
  /** Extension of a recording file, without the dot. */
  fileExtension: string;
}

// MPEG-1 Layer III bitrates. 44.1 and 48 kHz are both MPEG-1, so one set covers every
// sample rate we allow (MPEG-2's 8..160 set would only matter at 16/22.05/24 kHz).
const MP3_BITRATES = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;

// Both sample rates work for every codec: ffmpeg resamples to the encoder's rate, and
// libopus output is always 48 kHz (the argv builder forces it).
const RATES = [44100, 48000] as const;

const TABLE: Record<Codec, CodecInfo> = {
  mp3: {
    codec: 'mp3',
    label: 'MP3',
    lossy: true,
    bitrates: { mono: { kind: 'list', values: MP3_BITRATES }, stereo: { kind: 'list', values: MP3_BITRATES } },
    bitratePresets: MP3_BITRATES,
    defaultBitrateKbps: 128,
    quality: { min: 0, max: 9, best: 'min' }, // LAME -V0 (best) .. -V9
    sampleRates: RATES,
    contentType: 'audio/mpeg',
    streamable: true,
    shoutcastRelayable: true,
    fileExtension: 'mp3',
  },
  aac: {
    codec: 'aac',
    label: 'AAC-LC',
    lossy: true,
    bitrates: { mono: { kind: 'range', min: 32, max: 320 }, stereo: { kind: 'range', min: 32, max: 320 } },
    bitratePresets: [32, 48, 64, 96, 128, 160, 192, 256, 320],
    defaultBitrateKbps: 128,
    quality: null, // ffmpeg's native aac VBR mode is experimental; CBR only
    sampleRates: RATES,
    contentType: 'audio/aac',
    streamable: true,
    shoutcastRelayable: true,
    fileExtension: 'aac',
  },
  ogg: {
    codec: 'ogg',
    label: 'Ogg Vorbis',
    lossy: true,
    // libvorbis refuses ("encoder setup failed") outside these, at 44.1 and 48 kHz alike (measured).
    bitrates: { mono: { kind: 'range', min: 32, max: 240 }, stereo: { kind: 'range', min: 45, max: 500 } },
    bitratePresets: [48, 64, 96, 128, 160, 192, 224],
    defaultBitrateKbps: 128,
    quality: { min: 0, max: 10, best: 'max' },
    sampleRates: RATES,
    contentType: 'audio/ogg',
    streamable: true,
    shoutcastRelayable: false,
    fileExtension: 'ogg',
  },
  opus: {
    codec: 'opus',
    label: 'Ogg Opus',
    lossy: true,
    // libopus: "Please choose a value between 500 and 256000" bps per mono stream (measured).
    bitrates: { mono: { kind: 'range', min: 6, max: 256 }, stereo: { kind: 'range', min: 6, max: 510 } },
    bitratePresets: [32, 48, 64, 96, 128, 160, 192, 256],
    defaultBitrateKbps: 96,
    quality: null,
    sampleRates: RATES,
    contentType: 'audio/ogg',
    streamable: true,
    shoutcastRelayable: false,
    fileExtension: 'opus',
  },
  flac: {
    codec: 'flac',
    label: 'FLAC',
    lossy: false,
    bitrates: null,
    bitratePresets: [],
    defaultBitrateKbps: null,
    quality: null,
    sampleRates: RATES,
    // Streamed as Ogg FLAC (Icecast's Ogg handler); recordings are native .flac.
    contentType: 'audio/ogg',
    streamable: true,
    shoutcastRelayable: false,
    fileExtension: 'flac',
  },
  wav: {
    codec: 'wav',
    label: 'WAV (PCM)',
    lossy: false,
    bitrates: null,
    bitratePresets: [],
    defaultBitrateKbps: null,
    quality: null,
    sampleRates: RATES,
    contentType: null, // no server relays WAV; recording only
    streamable: false,
    shoutcastRelayable: false,
    fileExtension: 'wav',
  },
};

export const CODECS = ['mp3', 'aac', 'ogg', 'opus', 'flac', 'wav'] as const satisfies readonly Codec[];

export function isCodec(value: unknown): value is Codec {
  return typeof value === 'string' && (CODECS as readonly string[]).includes(value);
}

export function codecInfo(codec: Codec): CodecInfo {
  return TABLE[codec];
}

/** The bitrate rule for a codec at a channel count; null when the codec has no bitrate. */
export function bitrateRule(codec: Codec, channels: 1 | 2): BitrateRule | null {
  const b = TABLE[codec].bitrates;
  return b === null ? null : channels === 1 ? b.mono : b.stereo;
}

export function bitrateAllowed(codec: Codec, channels: 1 | 2, kbps: number): boolean {
  const rule = bitrateRule(codec, channels);
  if (rule === null || !Number.isInteger(kbps)) return false;
  return rule.kind === 'list' ? rule.values.includes(kbps) : kbps >= rule.min && kbps <= rule.max;
}

/** Human text for error messages and the page, e.g. "32, 40, … 320" or "6 to 510". */
export function describeBitrateRule(rule: BitrateRule): string {
  return rule.kind === 'list' ? rule.values.join(', ') : `${rule.min} to ${rule.max}`;
}

// Typical average bitrates of LAME's -V0..-V9 presets (the commonly published table, 44.1 kHz stereo).
const MP3_VBR_KBPS = [245, 225, 190, 175, 165, 130, 115, 100, 85, 65] as const;
// libvorbis nominal bitrates for -q 0..10 at 44.1 kHz stereo (the commonly published table).
const VORBIS_Q_KBPS = [64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 500] as const;

export type EstimateInput = Pick<EncoderConfig, 'codec' | 'bitrate_kbps' | 'sample_rate' | 'channels' | 'quality'>;

/**
 * Expected average output bitrate in kbps for the page's preview. CBR is exact; VBR
 * uses the encoders' published averages; FLAC assumes ~60% of 16-bit PCM (music
 * typically compresses to 50–70%); WAV is the 16-bit PCM rate exactly.
 */
export function estimateBitrateKbps(config: EstimateInput): number {
  const info = TABLE[config.codec];
  const pcmKbps = (config.sample_rate * config.channels * 16) / 1000;
  if (config.codec === 'wav') return pcmKbps;
  if (config.codec === 'flac') return Math.round(pcmKbps * 0.6);
  if (config.bitrate_kbps !== null) return config.bitrate_kbps;
  if (config.quality !== null && info.quality !== null) {
    const q = Math.min(info.quality.max, Math.max(info.quality.min, Math.round(config.quality)));
    const table: readonly number[] = config.codec === 'mp3' ? MP3_VBR_KBPS : VORBIS_Q_KBPS;
    return table[q] ?? info.defaultBitrateKbps ?? 0;
  }
  return info.defaultBitrateKbps ?? 0;
}

/** Approximate bytes written per hour (recording size, or traffic per listener). */
export function estimateBytesPerHour(config: EstimateInput): number {
  return Math.round((estimateBitrateKbps(config) * 1000 * 3600) / 8);
}
