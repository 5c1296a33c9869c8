// Peak and RMS level per channel in dBFS, accumulated over chunks and read out
// about ten times a second. Pure: the caller feeds PCM and decides when to read.
import type { PcmFormat } from '../types.js';

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

  constructor(private readonly format: PcmFormat) {
    this.peak = new Array<number>(format.channels).fill(0);
    this.sumSquares = new Array<number>(format.channels).fill(0);
  }

  feed(chunk: Buffer): void {
    const { channels, sampleFormat } = this.format;
    const sampleBytes = sampleFormat === 'S16_LE' ? 2 : 4;
    const full = sampleFormat === 'S16_LE' ? 32768 : 2147483648;
    const frameBytes = sampleBytes * channels;
    const frames = Math.floor(chunk.length / frameBytes);
    for (let ch = 0; ch < channels; ch++) {
      let peak = this.peak[ch]!;
      let sum = this.sumSquares[ch]!;
      for (let i = 0, off = ch * sampleBytes; i < frames; i++, off += frameBytes) {
        const v = (sampleBytes === 2 ? chunk.readInt16LE(off) : chunk.readInt32LE(off)) / full;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
        sum += v * v;
      }
      this.peak[ch] = peak;
      this.sumSquares[ch] = sum;
    }
    this.frames += frames;
  }

  /** The levels since the last read, then starts a new window. */
  read(): ChannelLevel[] {
    const levels = this.peak.map((peak, ch) => ({
      peakDbfs: toDbfs(peak),
      rmsDbfs: this.frames > 0 ? toDbfs(Math.sqrt(this.sumSquares[ch]! / this.frames)) : SILENCE_DBFS,
    }));
    this.peak.fill(0);
    this.sumSquares.fill(0);
    this.frames = 0;
    return levels;
  }
}
