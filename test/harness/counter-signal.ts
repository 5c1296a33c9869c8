// A signal in which every lost, repeated or shifted sample shows: left channel a 16-bit counter, right
// channel noise looked up by the counter (so FLAC cannot shrink it and either channel betrays a shift).
export const COUNTER_PERIOD = 65536;

const NOISE = (() => {
  const t = new Int16Array(COUNTER_PERIOD);
  let x = 0x2545f491;
  for (let i = 0; i < COUNTER_PERIOD; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    t[i] = (x >> 16) & 0xffff;
  }
  return t;
})();

/** One period (65,536 frames) of S16LE stereo; play it looped. */
export function counterSignal(): Buffer {
  const b = Buffer.alloc(COUNTER_PERIOD * 4);
  for (let i = 0; i < COUNTER_PERIOD; i++) {
    b.writeInt16LE((i << 16) >> 16, i * 4);
    b.writeInt16LE(NOISE[i]!, i * 4 + 2);
  }
  return b;
}

/**
 * Where the signal breaks: frames whose counter does not step by one from the frame before, or whose noise
 * does not match it. A run of broken frames (silence inserted by an underrun, say) counts once, at its start.
 */
export function counterBreaks(pcm: Buffer): number[] {
  const out: number[] = [];
  let previousBad = false;
  for (let i = 0; i < pcm.length / 4; i++) {
    const counter = pcm.readInt16LE(i * 4);
    const stepped = i === 0 || counter === (((pcm.readInt16LE((i - 1) * 4) + 1) << 16) >> 16);
    const bad = !stepped || pcm.readInt16LE(i * 4 + 2) !== NOISE[counter & 0xffff];
    if (bad && !previousBad) out.push(i);
    previousBad = bad;
  }
  return out;
}

/** Frame j of `pcm` follows frame j - 1 of the signal: the counter steps by one and both frames carry their noise. */
export function counterContinuousAt(pcm: Buffer, j: number): boolean {
  const counter = (i: number): number => pcm.readInt16LE(i * 4);
  const intact = (i: number): boolean => pcm.readInt16LE(i * 4 + 2) === NOISE[counter(i) & 0xffff];
  return counter(j) === (((counter(j - 1) + 1) << 16) >> 16) && intact(j - 1) && intact(j);
}
