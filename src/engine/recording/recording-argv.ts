// ffmpeg's argv for one recording file: the exact PCM slice of that file on stdin, the encoded file
// written by ffmpeg itself, because the headers that make a file complete are written by seeking back
// at the end: FLAC's STREAMINFO (length and MD5) and, for MP3, the Xing/LAME frame that carries the
// encoder delay and padding gapless players use. (Streams pass `-write_xing 0`; files must not.)
// ffmpeg is never given a path to resolve: the engine creates the file itself (O_CREAT|O_EXCL|O_NOFOLLOW,
// reached without following links) and hands it over as file descriptor 3. ffmpeg opens
// /proc/self/fd/3, which reopens that very file, seekable, so the trailers are still written; a pipe
// (pipe:3, or ffmpeg's stdout) could not be seeked and would lose them.
// Pure and shell-free, like every argv builder.
import { pcmInputArgs } from '../stream/ffmpeg/ffmpeg-argv.js';
import { codecInfo } from '../stream/codecs.js';
import type { Codec, EncoderConfig, PcmFormat } from '../types.js';

export type RecordingEncoder = Pick<EncoderConfig, 'codec' | 'bitrate_kbps' | 'sample_rate' | 'channels' | 'quality'>;

/** Lossless recordings keep the programme exactly as captured; lossy ones use the encoder's rate and channels. */
export function isLossless(codec: Codec): boolean {
  return codec === 'wav' || codec === 'flac';
}

function bitrateArgs(encoder: RecordingEncoder): string[] {
  const info = codecInfo(encoder.codec);
  if (encoder.bitrate_kbps === null && encoder.quality !== null && info.quality !== null) return ['-q:a', String(encoder.quality)];
  return ['-b:a', `${encoder.bitrate_kbps ?? info.defaultBitrateKbps ?? 128}k`];
}

function codecArgs(encoder: RecordingEncoder): { args: string[]; format: string } {
  switch (encoder.codec) {
    case 'mp3':
      // ID3v2.4 and the Xing/LAME info frame are ffmpeg's defaults for a seekable file: keep both.
      return { args: ['-c:a', 'libmp3lame', ...bitrateArgs(encoder)], format: 'mp3' };
    case 'flac':
      return { args: ['-c:a', 'flac'], format: 'flac' };
    case 'ogg':
      return { args: ['-c:a', 'libvorbis', ...bitrateArgs(encoder)], format: 'ogg' };
    case 'opus':
      return { args: ['-c:a', 'libopus', ...bitrateArgs(encoder), '-application', 'audio'], format: 'ogg' };
    case 'aac':
      // ADTS survives a power cut (MP4 needs its index written at the end) but carries no gapless info.
      return { args: ['-c:a', 'aac', ...bitrateArgs(encoder)], format: 'adts' };
    case 'wav':
      return { args: ['-c:a', 'pcm_s16le'], format: 'wav' };
  }
}

/** The descriptor the recording file is handed to ffmpeg as (stdio[3]). */
export const RECORDING_OUTPUT_FD = 3;

/** ffmpeg's argv (without the binary) that encodes PCM from stdin into the file it was given as descriptor `outputFd`. */
export function buildRecordingArgv(input: PcmFormat, encoder: RecordingEncoder, outputFd = RECORDING_OUTPUT_FD): string[] {
  const tail = codecArgs(encoder);
  const lossless = isLossless(encoder.codec);
  const rate = encoder.codec === 'opus' ? 48000 : lossless ? input.sampleRate : encoder.sample_rate;
  const channels = lossless ? input.channels : encoder.channels;
  return [
    '-hide_banner', '-loglevel', 'error', '-nostats', '-nostdin',
    // "Overwrite" the empty file the engine has just created for it (-n would refuse it as existing).
    '-y',
    // Unprobed input: measured 1.1 s → 70 ms to the first byte on disk.
    ...pcmInputArgs(input),
    '-ar', String(rate),
    '-ac', String(channels),
    ...tail.args,
    // Every packet reaches the file at once, so an fsync makes it durable.
    '-flush_packets', '1',
    '-f', tail.format,
    `/proc/self/fd/${outputFd}`,
  ];
}
