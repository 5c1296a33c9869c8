// The fallback switch's crossfade: two buffers of the same whole frames mixed with a linear ramp that
// runs over `fadeFrames`, continued across chunks by `startFrame`. Pure, tested with plain numbers.
import { bytesPerFrame, type PcmFormat } from '../types.js';

/**
 * `from` fading out and `to` fading in: frame i of the result has `to` at weight (startFrame + i) / fadeFrames
 * (capped at 1). Both buffers hold the same number of whole frames. S16 and S32 are clamped to full scale.
 */
export function crossfade(from: Buffer, to: Buffer, format: PcmFormat, startFrame: number, fadeFrames: number): Buffer {
  if (from.length !== to.length) throw new Error(`crossfade of ${from.length} and ${to.length} bytes: both sides need the same frames`);
  const frameBytes = bytesPerFrame(format);
  const frames = Math.floor(from.length / frameBytes);
  const out = Buffer.alloc(frames * frameBytes);
  const s16 = format.sampleFormat === 'S16_LE';
  const max = s16 ? 32767 : 2147483647;
  const min = s16 ? -32768 : -2147483648;
  const sampleBytes = s16 ? 2 : 4;
  for (let i = 0; i < frames; i++) {
    const w = fadeFrames <= 0 ? 1 : Math.min(1, Math.max(0, (startFrame + i) / fadeFrames));
    for (let c = 0; c < format.channels; c++) {
      const off = i * frameBytes + c * sampleBytes;
      const a = s16 ? from.readInt16LE(off) : from.readInt32LE(off);
      const b = s16 ? to.readInt16LE(off) : to.readInt32LE(off);
      const v = Math.max(min, Math.min(max, Math.round(a * (1 - w) + b * w)));
      if (s16) out.writeInt16LE(v, off);
      else out.writeInt32LE(v, off);
    }
  }
  return out;
}
