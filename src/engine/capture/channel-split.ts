// A 4-channel capture carries two stereo pairs: channels 1/2 are the programme, 3/4 the aux pair (an
// off-air receiver, a studio feed). The capture splits each chunk into the two, so everything
// downstream sees ordinary stereo and only live listen's aux1 source takes the second pair.

/** Splits interleaved 4-channel frames into the programme (channels 1/2) and the aux pair (3/4). */
export function splitPairs(chunk: Buffer, sampleBytes: 2 | 4): { programme: Buffer; aux: Buffer } {
  const pairBytes = 2 * sampleBytes;
  const frames = Math.floor(chunk.length / (2 * pairBytes));
  const programme = Buffer.allocUnsafe(frames * pairBytes);
  const aux = Buffer.allocUnsafe(frames * pairBytes);
  // One stereo S16 pair is one 32-bit word (an S32 pair two): copy words, not bytes, where the memory is aligned.
  if (chunk.byteOffset % 4 === 0 && programme.byteOffset % 4 === 0 && aux.byteOffset % 4 === 0) {
    const words = pairBytes / 4;
    const src = new Uint32Array(chunk.buffer, chunk.byteOffset, frames * 2 * words);
    const a = new Uint32Array(programme.buffer, programme.byteOffset, frames * words);
    const b = new Uint32Array(aux.buffer, aux.byteOffset, frames * words);
    for (let f = 0, i = 0, o = 0; f < frames; f++, o += words) {
      for (let w = 0; w < words; w++) a[o + w] = src[i++]!;
      for (let w = 0; w < words; w++) b[o + w] = src[i++]!;
    }
  } else {
    for (let f = 0; f < frames; f++) {
      const from = f * 2 * pairBytes;
      chunk.copy(programme, f * pairBytes, from, from + pairBytes);
      chunk.copy(aux, f * pairBytes, from + pairBytes, from + 2 * pairBytes);
    }
  }
  return { programme, aux };
}
