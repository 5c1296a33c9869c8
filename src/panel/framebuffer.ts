// The one framebuffer every display shows: 128x64, one bit per pixel, stored in the SSD1306/SH1106
// page order (byte index = page * 128 + x, bit = y % 8, LSB at the top). Keeping the wire order means
// the OLED drivers and the web mirror send `bytes` as they are, with no conversion per frame.

export const WIDTH = 128;
export const HEIGHT = 64;
export const PAGES = HEIGHT / 8;
export const FRAME_BYTES = WIDTH * PAGES;

export class Framebuffer {
  readonly bytes: Uint8Array;

  constructor(bytes?: Uint8Array) {
    if (bytes && bytes.length !== FRAME_BYTES) throw new RangeError(`a frame is ${FRAME_BYTES} bytes, got ${bytes.length}`);
    this.bytes = bytes ? Uint8Array.from(bytes) : new Uint8Array(FRAME_BYTES);
  }

  clear(): void {
    this.bytes.fill(0);
  }

  get(x: number, y: number): boolean {
    if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) return false;
    return ((this.bytes[(y >> 3) * WIDTH + x] ?? 0) & (1 << (y & 7))) !== 0;
  }

  /** Sets (on = true) or clears one pixel; outside the screen is silently clipped. */
  set(x: number, y: number, on = true): void {
    if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) return;
    const i = (y >> 3) * WIDTH + x;
    const bit = 1 << (y & 7);
    this.bytes[i] = on ? (this.bytes[i] ?? 0) | bit : (this.bytes[i] ?? 0) & ~bit;
  }

  fillRect(x: number, y: number, w: number, h: number, on = true): void {
    for (let yy = Math.max(0, y); yy < Math.min(HEIGHT, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(WIDTH, x + w); xx++) this.set(xx, yy, on);
    }
  }

  /** Flips every pixel of the rectangle: inverted text and highlighted menu rows. */
  invertRect(x: number, y: number, w: number, h: number): void {
    for (let yy = Math.max(0, y); yy < Math.min(HEIGHT, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(WIDTH, x + w); xx++) this.set(xx, yy, !this.get(xx, yy));
    }
  }

  hline(x: number, y: number, w: number, on = true): void {
    this.fillRect(x, y, w, 1, on);
  }

  vline(x: number, y: number, h: number, on = true): void {
    this.fillRect(x, y, 1, h, on);
  }

  /** A one-pixel outline. */
  rect(x: number, y: number, w: number, h: number, on = true): void {
    this.hline(x, y, w, on);
    this.hline(x, y + h - 1, w, on);
    this.vline(x, y, h, on);
    this.vline(x + w - 1, y, h, on);
  }

  /** Every pixel inside the rectangle, as `1` (lit) and `.`, one string per row: for test messages. */
  ascii(x = 0, y = 0, w = WIDTH, h = HEIGHT): string[] {
    const rows: string[] = [];
    for (let yy = y; yy < y + h; yy++) {
      let row = '';
      for (let xx = x; xx < x + w; xx++) row += this.get(xx, yy) ? '1' : '.';
      rows.push(row);
    }
    return rows;
  }

  equals(other: Framebuffer): boolean {
    return Buffer.compare(this.bytes, other.bytes) === 0;
  }

  /** True when page `page` (8 rows) differs from the same page of `other`. */
  pageDiffers(other: Framebuffer | null, page: number): boolean {
    if (!other) return true;
    const start = page * WIDTH;
    return Buffer.compare(this.bytes.subarray(start, start + WIDTH), other.bytes.subarray(start, start + WIDTH)) !== 0;
  }

  clone(): Framebuffer {
    return new Framebuffer(this.bytes);
  }
}
