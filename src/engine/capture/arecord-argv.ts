// argv for arecord, the ALSA client. Pure; exact-output tested.
import type { PcmFormat } from '../types.js';

/** Period and buffer sizes: each period is one chunk through the engine and one write to every
 *  encoder, so 100 ms periods halve the wake-ups of 50 ms ones (measured with scripts/bench) for
 *  50 ms more latency, which no listener notices behind a server's burst buffer. A 500 ms buffer
 *  rides out a busy event loop without an overrun. */
export const PERIOD_US = 100_000;
export const BUFFER_US = 500_000;

export function buildArecordArgv(device: string, format: PcmFormat): string[] {
  return [
    '-q',
    '-D', device,
    '-t', 'raw',
    '-f', format.sampleFormat,
    '-r', String(format.sampleRate),
    '-c', String(format.channels),
    `--period-time=${PERIOD_US}`,
    `--buffer-time=${BUFFER_US}`,
  ];
}

/** Turns arecord's last words into what an operator needs to know. */
export function describeArecordFailure(stderrTail: string, device: string): string {
  const text = stderrTail.toLowerCase();
  if (/no such (file or directory|device)|cannot find card|unknown pcm|invalid card|no such card/.test(text)) {
    return `sound card "${device}" not found`;
  }
  if (text.includes('device or resource busy')) return `sound card "${device}" is busy (used by another program)`;
  // A PCM served by a sound server (pulse, pipewire, jack) whose server is gone.
  if (text.includes('connection refused')) return `sound card "${device}" not reachable (connection refused)`;
  // The device failed under a running capture (a server that died, a card in an unrecoverable state).
  if (text.includes('input/output error')) return `sound card "${device}" stopped delivering audio (input/output error)`;
  if (/(sample format|channels count|rate) non available|rate is not accurate/.test(text)) {
    return `sound card "${device}" does not support the configured format`;
  }
  if (text.includes('overrun')) return 'capture overrun';
  const last = stderrTail.trim().split('\n').pop();
  return last ? `capture stopped: ${last}` : 'capture stopped';
}
