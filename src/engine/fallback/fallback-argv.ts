// The fallback decoder's argv: one audio file to raw PCM in the capture's own format on stdout, so
// what comes out can replace the programme frame for frame. Pure, with exact-output tests.
import type { PcmFormat } from '../types.js';

export function buildDecoderArgv(file: string, format: PcmFormat): string[] {
  const pcm = format.sampleFormat === 'S16_LE' ? 's16le' : 's32le';
  return [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    // A file name that starts with "-" must not read as an option: "file:" makes it a path, always.
    '-i', `file:${file}`,
    '-vn', '-f', pcm, '-ar', String(format.sampleRate), '-ac', String(format.channels),
    'pipe:1',
  ];
}
