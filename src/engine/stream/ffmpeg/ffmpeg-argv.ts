// Builds ffmpeg's argument vector for one encoder: raw PCM on stdin, one encoded
// elementary stream on stdout (the runner pipes it into the server socket or a file).
// Pure and shell-free: every value is its own argv element, so titles with quotes or
// spaces need no escaping. Command lines follow PROTOCOLS.md §7.1/7.2/7.4, all of
// which were run against Debian 12's ffmpeg 5.1.
import { codecInfo } from '../codecs.js';
import type { EncoderConfig, PcmFormat } from '../../types.js';

export type ArgvEncoder = Pick<
  EncoderConfig,
  'codec' | 'bitrate_kbps' | 'sample_rate' | 'channels' | 'quality' | 'output_type'
>;

export interface ArgvOptions {
  /** Written as stream tags where the container has them (Ogg comments); MP3/ADTS streams carry none. */
  metadata?: { title?: string; artist?: string };
}

/** The ffmpeg executable; RACKCAST_FFMPEG overrides it (tests point it at a missing path). */
export function ffmpegBinary(): string {
  // An empty variable counts as unset: spawn('') would fail with a confusing error.
  const configured = process.env.RACKCAST_FFMPEG;
  return configured !== undefined && configured !== '' ? configured : 'ffmpeg';
}

// Ogg pages default to 1 s of audio; 100 ms pages keep the live stream's latency low (§7.4).
const OGG_PAGE = ['-page_duration', '100000'] as const;

function kbps(n: number): string {
  return `${n}k`;
}

/** The encoder's bitrate, or its default when neither bitrate nor a VBR quality is set. */
function bitrateOrDefault(encoder: ArgvEncoder): number {
  const fallback = codecInfo(encoder.codec).defaultBitrateKbps;
  if (encoder.bitrate_kbps !== null) return encoder.bitrate_kbps;
  if (fallback === null) throw new Error(`codec ${encoder.codec} has no bitrate`);
  return fallback;
}

/** VBR applies only when no bitrate is set and the codec has a quality scale (mp3, ogg). */
function vbrQuality(encoder: ArgvEncoder): number | null {
  if (encoder.bitrate_kbps !== null || encoder.quality === null) return null;
  return codecInfo(encoder.codec).quality === null ? null : encoder.quality;
}

/** Encoder + muxer options (without `-f`) and the muxer name, per §7.2. */
function codecTail(encoder: ArgvEncoder): { args: string[]; format: string } {
  // Evaluated only for the codecs that have a bitrate (flac/wav would throw).
  const rate = (): string[] => {
    const q = vbrQuality(encoder);
    return q === null ? ['-b:a', kbps(bitrateOrDefault(encoder))] : ['-q:a', String(q)];
  };
  switch (encoder.codec) {
    case 'mp3':
      // No ID3v2 tag and no Xing/LAME frame: both are junk at the start of a live stream.
      return { args: ['-c:a', 'libmp3lame', ...rate(), '-id3v2_version', '0', '-write_xing', '0'], format: 'mp3' };
    case 'aac':
      return { args: ['-c:a', 'aac', '-b:a', kbps(bitrateOrDefault(encoder))], format: 'adts' };
    case 'ogg':
      return { args: ['-c:a', 'libvorbis', ...rate(), ...OGG_PAGE], format: 'ogg' };
    case 'opus':
      return {
        args: [
          '-c:a', 'libopus', '-b:a', kbps(bitrateOrDefault(encoder)),
          '-application', 'audio', '-frame_duration', '20', ...OGG_PAGE,
        ],
        format: 'ogg',
      };
    case 'flac':
      // Servers take FLAC only inside Ogg; a recording is a plain .flac file.
      return encoder.output_type === 'file'
        ? { args: ['-c:a', 'flac'], format: 'flac' }
        : { args: ['-c:a', 'flac', ...OGG_PAGE], format: 'ogg' };
    case 'wav':
      if (encoder.output_type !== 'file') throw new Error('wav cannot be streamed; use it for file output');
      return { args: ['-c:a', 'pcm_s16le'], format: 'wav' };
  }
}

// Control characters become spaces: spawn() rejects NUL bytes in argv, and line breaks
// have no place in a stream title.
function tagValue(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function metadataArgs(metadata: ArgvOptions['metadata']): string[] {
  const out: string[] = [];
  if (metadata?.title) out.push('-metadata', `title=${tagValue(metadata.title)}`);
  if (metadata?.artist) out.push('-metadata', `artist=${tagValue(metadata.artist)}`);
  return out;
}

/** The input half of every ffmpeg argv: the capture's raw PCM on stdin. */
export function pcmInputArgs(input: PcmFormat): string[] {
  return [
    // Raw PCM with an explicit format needs no probing; without these ffmpeg waits about 1 s for
    // input before its first output, which delays every start, Ogg title change and new file.
    '-probesize', '32', '-analyzeduration', '0',
    '-f', input.sampleFormat === 'S16_LE' ? 's16le' : 's32le',
    '-ar', String(input.sampleRate),
    // -ch_layout (ffmpeg ≥ 5.1) instead of -ac avoids the "Guessed Channel Layout" warning.
    '-ch_layout', input.channels === 1 ? 'mono' : 'stereo',
    '-i', 'pipe:0',
  ];
}

/** ffmpeg's argv (without the binary itself) for encoding `input` PCM from stdin to stdout. */
export function buildFfmpegArgv(input: PcmFormat, encoder: ArgvEncoder, opts: ArgvOptions = {}): string[] {
  const tail = codecTail(encoder);
  // libopus only runs at 48 kHz (and its divisors); resample explicitly rather than rely on ffmpeg.
  const outRate = encoder.codec === 'opus' ? 48000 : encoder.sample_rate;
  return [
    '-hide_banner', '-loglevel', 'warning', '-nostats',
    // Interaction is off anyway for pipe: input (§7.1); -nostdin makes it explicit.
    '-nostdin',
    ...pcmInputArgs(input),
    '-ar', String(outRate),
    '-ac', String(encoder.channels),
    ...tail.args,
    ...metadataArgs(opts.metadata),
    // Without this ffmpeg may buffer 32 KiB before writing (2 s at 128k, §7.4).
    '-flush_packets', '1',
    '-f', tail.format,
    'pipe:1',
  ];
}
