// argv for arecord, the ALSA client. Pure; exact-output tested.
import type { DeviceFormat } from './capture-settings.js';

/** Period and buffer sizes. Each period is one chunk into the audio worker: 50 ms, so live listen's
 *  headphones can be within 150 ms of the capture (a card cannot start playing a chunk before all
 *  of it has arrived). The encoders take four periods at a time
 *  (ENCODER_BATCH_MS in audio/fanout.ts), one write each per 200 ms, so their wake-ups stay few.
 *  A 500 ms buffer rides out a busy worker without an overrun. */
export const PERIOD_US = 50_000;
export const BUFFER_US = 500_000;

export function buildArecordArgv(device: string, format: DeviceFormat): string[] {
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

/** arecord's line when the card's buffer overflowed before it was read: "overrun!!! (at least 12.345 ms long)".
 *  The audio of that span is lost; the frames on either side of the gap are joined in what arecord writes. */
const OVERRUN_LINE = /overrun!!!/;

/**
 * Reads arecord's stderr as it comes and calls `onOverrun` once per overrun line, however the text is split
 * into chunks. arecord writes everything it read before the overrun to stdout before it prints the line, so
 * the frames delivered when the line arrives mark the gap (or come just before it, if some of that audio is
 * still in the pipe).
 */
export class OverrunWatch {
  private carry = '';

  constructor(private readonly onOverrun: () => void) {}

  feed(text: string): void {
    const lines = (this.carry + text).split('\n');
    this.carry = lines.pop() ?? '';
    // A line can be arbitrarily long only if arecord went mad; keep the carry bounded.
    if (this.carry.length > 4096) this.carry = this.carry.slice(-4096);
    for (const line of lines) if (OVERRUN_LINE.test(line)) this.onOverrun();
  }
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
