// Volume for live listen, applied to the samples themselves (the sound card's mixer is left alone): a
// change glides over RAMP_MS so it never clicks. S16LE interleaved in, S16LE out; pure arithmetic.

/** How long a volume change takes to glide to its new value. */
export const RAMP_MS = 20;

/** The gain of a volume in dB (0.5 → -6.02 dB); -Infinity for 0. */
export function volumeDb(volume: number): number {
  return volume <= 0 ? -Infinity : 20 * Math.log10(volume);
}

export class GainRamp {
  private current: number;
  private target: number;
  /** Gain change per frame while ramping. */
  private step = 0;
  private readonly rampFrames: number;

  constructor(
    volume: number,
    private readonly channels: number,
    sampleRate: number,
  ) {
    this.current = volume;
    this.target = volume;
    this.rampFrames = Math.max(1, Math.round((sampleRate * RAMP_MS) / 1000));
  }

  get volume(): number {
    return this.target;
  }

  set(volume: number): void {
    if (volume === this.target) return;
    this.target = volume;
    this.step = (this.target - this.current) / this.rampFrames;
  }

  /** A new buffer with the gain applied (the input, a chunk other consumers share, is never changed). */
  apply(pcm: Buffer): Buffer {
    const frames = Math.floor(pcm.length / (2 * this.channels));
    if (this.current === 1 && this.target === 1) return pcm;
    const out = Buffer.allocUnsafe(frames * 2 * this.channels);
    for (let f = 0; f < frames; f++) {
      if (this.current !== this.target) {
        const next = this.current + this.step;
        this.current = (this.step > 0 && next >= this.target) || (this.step < 0 && next <= this.target) ? this.target : next;
      }
      const g = this.current;
      for (let c = 0; c < this.channels; c++) {
        const at = (f * this.channels + c) * 2;
        const v = Math.round(pcm.readInt16LE(at) * g);
        out.writeInt16LE(v > 32767 ? 32767 : v < -32768 ? -32768 : v, at);
      }
    }
    return out;
  }
}

/** S32LE to S16LE (the top 16 bits), for a 32-bit capture going to a 16-bit listen output. */
export function s32ToS16(pcm: Buffer): Buffer {
  const samples = Math.floor(pcm.length / 4);
  const out = Buffer.allocUnsafe(samples * 2);
  for (let i = 0; i < samples; i++) out.writeInt16LE(pcm.readInt32LE(i * 4) >> 16, i * 2);
  return out;
}
