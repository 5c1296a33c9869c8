// AAC in ADTS, joined mid-stream, starts where the server's burst or the tap happens to begin: inside
// a frame. A decoder scanning for the 12-bit sync word can lock onto one inside the audio data, and a
// false header that decodes (ffmpeg has read "27 channels" out of one) makes it give up on the stream.
// The aligner holds the bytes back until three headers in a row chain by their frame lengths and
// agree on the stream's fixed fields, then passes everything from the first of them on, unchanged.

/** Headers that must chain before the stream counts as found. */
const CONFIRM_FRAMES = 3;
const HEADER_BYTES = 7;
/** Three of the longest frames (13-bit length) fit in this; more than that without a lock is not ADTS. */
const SEARCH_LIMIT = 64 * 1024;

/** A header's length field, or 0 when `b` at `i` is not the start of a plausible ADTS header. */
function frameLength(b: Buffer, i: number): number {
  if (b[i] !== 0xff) return 0;
  const b1 = b[i + 1]!;
  // Sync (4 more bits), layer 0.
  if ((b1 & 0xf6) !== 0xf0) return 0;
  const b2 = b[i + 2]!;
  if (((b2 >> 2) & 0x0f) > 12) return 0; // sampling frequency index
  const len = ((b[i + 3]! & 0x03) << 11) | (b[i + 4]! << 3) | (b[i + 5]! >> 5);
  const minimum = HEADER_BYTES + (b1 & 0x01 ? 0 : 2); // a CRC follows the header when protection_absent is 0
  return len > minimum ? len : 0;
}

/** The fields every frame of one stream shares: MPEG version, CRC use, profile, rate, channel configuration. */
function fixedFields(b: Buffer, i: number): number {
  return ((b[i + 1]! & 0x0f) << 16) | ((b[i + 2]! & 0xfd) << 8) | (b[i + 3]! & 0xc0);
}

export class AdtsAligner {
  private pending: Buffer | null = Buffer.alloc(0);
  /** Bytes dropped before the first frame. */
  skipped = 0;

  get aligned(): boolean {
    return this.pending === null;
  }

  /** The bytes to pass on: nothing while searching, then the stream from its first whole frame. */
  push(chunk: Buffer): Buffer {
    if (this.pending === null) return chunk;
    const b = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let i = 0;
    for (; i + HEADER_BYTES <= b.length; i++) {
      const found = this.chainAt(b, i);
      if (found === 'yes') {
        this.pending = null;
        this.skipped += i;
        return b.subarray(i);
      }
      if (found === 'more') break;
    }
    // Keep what a later chunk could still complete: from the first undecided candidate on, within the limit.
    let keepFrom = i;
    if (b.length - keepFrom > SEARCH_LIMIT) keepFrom = b.length - SEARCH_LIMIT;
    this.skipped += keepFrom;
    this.pending = Buffer.from(b.subarray(keepFrom));
    return Buffer.alloc(0);
  }

  private chainAt(b: Buffer, start: number): 'yes' | 'no' | 'more' {
    if (frameLength(b, start) === 0) return 'no';
    const fields = fixedFields(b, start);
    let at = start;
    for (let n = 0; n < CONFIRM_FRAMES; n++) {
      if (at + HEADER_BYTES > b.length) return 'more';
      const len = frameLength(b, at);
      if (len === 0 || fixedFields(b, at) !== fields) return 'no';
      at += len;
    }
    return 'yes';
  }
}
