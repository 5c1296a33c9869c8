// Peak and RMS level per channel in dBFS, accumulated over chunks and read out
// about ten times a second. Pure: the caller feeds PCM and decides when to read.
import { endianness } from 'node:os';
import type { PcmFormat } from '../types.js';

// Samples are read in the host's byte order, which is ALSA's S16_LE/S32_LE on every box RackCast runs on.
if (endianness() !== 'LE') throw new Error('the level meter reads little-endian PCM and needs a little-endian host');

/** The peak (in sample units, from `peak` on) and the sum of squares of one channel's samples. */
function accumulate(view: Int16Array | Int32Array, ch: number, channels: number, peak: number): [number, number] {
  let sum = 0;
  for (let i = ch; i < view.length; i += channels) {
    const v = view[i]!;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
    sum += v * v;
  }
  return [peak, sum];
}

export interface ChannelLevel {
  peakDbfs: number;
  rmsDbfs: number;
}

/** The floor reported for digital silence, so JSON never carries -Infinity. */
export const SILENCE_DBFS = -120;

export function toDbfs(linear: number): number {
  if (linear <= 0) return SILENCE_DBFS;
  return Math.max(SILENCE_DBFS, Math.round(20 * Math.log10(linear) * 10) / 10);
}

export class LevelMeter {
  private peak: number[];
  private sumSquares: number[];
  private frames = 0;
  /** Full scale of the samples (peak is kept in sample units and scaled when read). */
  private readonly full: number;

  constructor(private readonly format: PcmFormat) {
    this.peak = new Array<number>(format.channels).fill(0);
    this.sumSquares = new Array<number>(format.channels).fill(0);
    this.full = format.sampleFormat === 'S16_LE' ? 32768 : 2147483648;
  }

  feed(chunk: Buffer): void {
    const { channels, sampleFormat } = this.format;
    const sampleBytes = sampleFormat === 'S16_LE' ? 2 : 4;
    const samples = Math.floor(chunk.length / (sampleBytes * channels)) * channels;
    // A typed view reads the samples without a call per sample. It needs an aligned buffer (the capture's
    // always are: pipe reads and Node's pool are 8-byte aligned), so an odd one is copied first.
    const bytes = chunk.byteOffset % sampleBytes === 0 ? chunk : Uint8Array.prototype.slice.call(chunk);
    const view = sampleBytes === 2 ? new Int16Array(bytes.buffer, bytes.byteOffset, samples) : new Int32Array(bytes.buffer, bytes.byteOffset, samples);
    for (let ch = 0; ch < channels; ch++) {
      const [peak, sum] = accumulate(view, ch, channels, this.peak[ch]!);
      this.peak[ch] = peak;
      this.sumSquares[ch]! += sum / (this.full * this.full);
    }
    this.frames += samples / channels;
  }

  /** The levels since the last read, then starts a new window. */
  read(): ChannelLevel[] {
    const levels = this.peak.map((peak, ch) => ({
      peakDbfs: toDbfs(peak / this.full),
      rmsDbfs: this.frames > 0 ? toDbfs(Math.sqrt(this.sumSquares[ch]! / this.frames)) : SILENCE_DBFS,
    }));
    this.peak.fill(0);
    this.sumSquares.fill(0);
    this.frames = 0;
    return levels;
  }
}
