// Produces PCM in real time from a timer, counting frames against the elapsed time so the
// rate never drifts with timer jitter. Used for the test tone and for silence while the
// sound card is missing (streams stay on air and listeners hear silence, not a dropout).
import { bytesPerFrame, type PcmFormat } from '../types.js';

export type FrameFiller = (buf: Buffer, firstFrame: number, frames: number) => void;

export class PacedGenerator {
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private produced = 0;

  constructor(
    private readonly format: PcmFormat,
    private readonly fill: FrameFiller,
    private readonly emit: (chunk: Buffer) => void,
    private readonly intervalMs = 20,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.startedAt = this.now();
    this.produced = 0;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Emits the frames due since the last tick. Public so tests can drive it with a fake clock. */
  tick(): void {
    const due = Math.floor(((this.now() - this.startedAt) * this.format.sampleRate) / 1000) - this.produced;
    if (due <= 0) return;
    const buf = Buffer.alloc(due * bytesPerFrame(this.format));
    this.fill(buf, this.produced, due);
    this.produced += due;
    this.emit(buf);
  }
}

/** A sine on every channel at -12 dBFS: loud enough to see on the meters, not to startle. */
export function sineFiller(format: PcmFormat, freqHz: number, amplitude = 0.25): FrameFiller {
  const full = format.sampleFormat === 'S16_LE' ? 32767 : 2147483647;
  const sampleBytes = format.sampleFormat === 'S16_LE' ? 2 : 4;
  return (buf, firstFrame, frames) => {
    for (let i = 0; i < frames; i++) {
      const v = Math.round(Math.sin((2 * Math.PI * freqHz * (firstFrame + i)) / format.sampleRate) * amplitude * full);
      for (let ch = 0; ch < format.channels; ch++) {
        const off = (i * format.channels + ch) * sampleBytes;
        if (sampleBytes === 2) buf.writeInt16LE(v, off);
        else buf.writeInt32LE(v, off);
      }
    }
  };
}

export const silenceFiller: FrameFiller = () => {};
