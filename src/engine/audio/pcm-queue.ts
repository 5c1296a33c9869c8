// A bounded queue of PCM chunks measured in bytes (sized from milliseconds by the caller).
// A consumer that falls behind loses its oldest audio: the capture must never wait for it.

export class PcmQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** Bytes thrown away because the consumer fell behind. */
  droppedBytes = 0;
  /** Times the queue overflowed (one per push that had to drop). */
  dropEvents = 0;

  constructor(readonly maxBytes: number, private readonly frameBytes: number) {
    if (maxBytes < frameBytes) throw new Error(`queue of ${maxBytes} bytes cannot hold one ${frameBytes}-byte frame`);
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  get length(): number {
    return this.chunks.length - this.head;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    // One event per push that lost audio, whether the chunk itself was too big or older audio made room.
    let dropped = false;
    if (chunk.length > this.maxBytes) {
      // Keep only the newest whole frames of an oversized chunk.
      const keep = this.maxBytes - (this.maxBytes % this.frameBytes);
      this.droppedBytes += chunk.length - keep;
      dropped = true;
      chunk = chunk.subarray(chunk.length - keep);
    }
    let overflow = this.queuedBytes + chunk.length - this.maxBytes;
    if (overflow > 0) {
      dropped = true;
      while (overflow > 0) {
        const oldest = this.chunks[this.head]!;
        if (oldest.length <= overflow) {
          this.shift();
          overflow -= oldest.length;
          this.droppedBytes += oldest.length;
        } else {
          // Cut the oldest chunk on a frame boundary so channels never swap.
          const cut = Math.ceil(overflow / this.frameBytes) * this.frameBytes;
          this.chunks[this.head] = oldest.subarray(cut);
          this.queuedBytes -= cut;
          this.droppedBytes += cut;
          overflow -= cut;
        }
      }
    }
    if (dropped) this.dropEvents++;
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
  }

  /** The oldest chunk, removed from the queue. */
  shift(): Buffer | undefined {
    if (this.head >= this.chunks.length) return undefined;
    const chunk = this.chunks[this.head]!;
    this.chunks[this.head] = EMPTY;
    this.head++;
    this.queuedBytes -= chunk.length;
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return chunk;
  }

  /** Fills `out` from the oldest audio, as far as there is any; the bytes filled. What is left of a chunk stays first. */
  readInto(out: Buffer): number {
    let filled = 0;
    while (filled < out.length && this.head < this.chunks.length) {
      const oldest = this.chunks[this.head]!;
      const take = Math.min(oldest.length, out.length - filled);
      oldest.copy(out, filled, 0, take);
      filled += take;
      if (take === oldest.length) this.shift();
      else {
        this.chunks[this.head] = oldest.subarray(take);
        this.queuedBytes -= take;
      }
    }
    return filled;
  }

  /** Everything queued, as one buffer (the chunk itself when there is only one), removed from the queue. */
  take(): Buffer | undefined {
    const n = this.length;
    if (n === 0) return undefined;
    if (n === 1) return this.shift();
    const all = Buffer.concat(this.chunks.slice(this.head), this.queuedBytes);
    this.clear();
    return all;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.queuedBytes = 0;
  }
}

const EMPTY = Buffer.alloc(0);
