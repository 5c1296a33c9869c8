// The argument vectors live listen runs (argv arrays, never a shell): aplay on the engineer's sound
// card, and ffmpeg decoding an encoder's output or its mount back to PCM. Pure, tested with plain values.
import type { ExitInfo } from '../supervisor.js';

/** The aplay executable; RACKCAST_APLAY overrides it (an empty value counts as unset). */
export function aplayBinary(): string {
  const configured = process.env.RACKCAST_APLAY;
  return configured !== undefined && configured !== '' ? configured : 'aplay';
}

/**
 * aplay's buffer, in 10 ms periods. The capture delivers 50 ms at a time, so playback starts once 70 ms
 * are buffered (the next chunk arrives before the card runs dry, with 20 ms to spare for a busy worker):
 * what stays buffered is what the headphones lag behind the chunk's arrival. The buffer can hold 250 ms,
 * so a late chunk is caught up without an underrun.
 */
export const APLAY_BUFFER_US = 250_000;
export const APLAY_PERIOD_US = 10_000;
export const APLAY_START_DELAY_US = 70_000;

export function aplayArgv(device: string, format: { rate: number; channels: number }): string[] {
  return [
    '-q', '-t', 'raw', '-f', 'S16_LE', '-r', String(format.rate), '-c', String(format.channels),
    `--buffer-time=${APLAY_BUFFER_US}`, `--period-time=${APLAY_PERIOD_US}`, `--start-delay=${APLAY_START_DELAY_US}`,
    '-D', device, '-',
  ];
}

/** ffmpeg decoding an encoded stream on stdin (`format`: its demuxer) to S16LE PCM on stdout. */
export function decoderArgv(input: { format: 'mp3' | 'aac' | 'ogg' }, out: { rate: number; channels: number }): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostats',
    // Start at once: no probing beyond the first frames, no input buffering.
    '-probesize', '32768', '-analyzeduration', '0', '-fflags', 'nobuffer',
    '-f', input.format, '-i', 'pipe:0',
    '-f', 's16le', '-ar', String(out.rate), '-ac', String(out.channels), '-flush_packets', '1', 'pipe:1',
  ];
}

/** Why aplay stopped, in an operator's words: a missing card is the usual one. */
export function describeAplayFailure(device: string, info: Pick<ExitInfo, 'spawnError' | 'stderrTail' | 'code' | 'signal'>): string {
  if (info.spawnError) return info.spawnError;
  const tail = info.stderrTail;
  // "audio open error: No such file or directory" (hw:7,0), "Unable to create stream: No such entity" (a PulseAudio sink that is not there).
  if (/No such file or directory|No such device|No such entity|Unknown PCM|Cannot get card index|cannot find card|Invalid (?:card|CTL)/i.test(tail)) return `device "${device}" not found`;
  if (/Device or resource busy/i.test(tail)) return `device "${device}" is in use by another program`;
  const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean);
  const why = lines.find((l) => /unable|error|cannot|failed/i.test(l)) ?? lines.at(-1);
  return why ? `sound card error: ${why.replace(/^(?:aplay: |ALSA lib )[^:]*:\d+:(?:\([^)]*\))? ?/, '')}` : `aplay stopped (exit ${info.code ?? info.signal})`;
}
