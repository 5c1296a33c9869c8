// Splits an Ogg byte stream into whole pages and remembers the header pages of the current
// logical stream. A listener-facing server (Icecast's Ogg handler) must see the codec headers
// at the start of every source connection; since the encoder keeps running across reconnects,
// the engine replays the cached headers and then continues from the next page boundary.

export interface OggPage {
  bytes: Buffer;
  bos: boolean;
  /** Header pages carry granule position 0; audio pages do not. */
  isHeader: boolean;
  /** A header page's position among the current logical stream's header pages. */
  headerIndex: number | null;
}

const CAPTURE_PATTERN = Buffer.from('OggS');
const FIXED_HEADER = 27;

export class OggPager {
  private pending: Buffer = Buffer.alloc(0);
  private collectingHeaders = false;
  /** The header pages of the current logical stream (from its BOS page on). */
  headers: Buffer[] = [];

  /** Feeds bytes; returns every page completed by them. */
  push(data: Buffer): OggPage[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    const pages: OggPage[] = [];
    for (;;) {
      const start = this.pending.indexOf(CAPTURE_PATTERN);
      if (start < 0) {
        // Keep a possible partial "OggS" at the end.
        this.pending = this.pending.subarray(Math.max(0, this.pending.length - 3));
        break;
      }
      if (start > 0) this.pending = this.pending.subarray(start);
      if (this.pending.length < FIXED_HEADER) break;
      const segments = this.pending[26]!;
      if (this.pending.length < FIXED_HEADER + segments) break;
      let bodyBytes = 0;
      for (let i = 0; i < segments; i++) bodyBytes += this.pending[FIXED_HEADER + i]!;
      const size = FIXED_HEADER + segments + bodyBytes;
      if (this.pending.length < size) break;
      const bytes = Buffer.from(this.pending.subarray(0, size));
      this.pending = this.pending.subarray(size);
      pages.push(this.classify(bytes));
    }
    return pages;
  }

  reset(): void {
    this.pending = Buffer.alloc(0);
    this.headers = [];
    this.collectingHeaders = false;
  }

  private classify(bytes: Buffer): OggPage {
    const bos = (bytes[5]! & 0x02) !== 0;
    const granuleZero = bytes.readBigUInt64LE(6) === 0n;
    if (bos) {
      this.headers = [];
      this.collectingHeaders = true;
    } else if (this.collectingHeaders && !granuleZero) {
      this.collectingHeaders = false;
    }
    const isHeader = this.collectingHeaders;
    if (isHeader) this.headers.push(bytes);
    return { bytes, bos, isHeader, headerIndex: isHeader ? this.headers.length - 1 : null };
  }
}
