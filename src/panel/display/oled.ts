// SSD1306 and SH1106 128x64 OLED drivers over I2C.
//
// Written on top of i2c-bus rather than through oled-i2c-bus: oled-i2c-bus brings its own framebuffer,
// fonts and drawing calls, which would duplicate ours (the PNG simulator and the web mirror must show
// the very same bytes), SH1106 support lives only in its forks, and it writes through the synchronous
// i2c-bus calls, which would stall this process's event loop on a slow bus. The chip protocol needed here is
// small: one init sequence, then per 8-row page "set page and column" plus 128 data bytes. Writing it
// ourselves keeps it testable against a fake bus recording every transfer.
//
// Both chips are driven in page addressing mode, the one mode the SH1106 has; the SH1106 has 132
// columns of RAM of which the panel shows columns 2..129, hence its column offset.
import { Framebuffer, PAGES, WIDTH } from '../framebuffer.js';
import type { Display, OledChip } from './display.js';

/** The subset of i2c-bus's PromisifiedBus this driver uses (a fake bus implements just this). */
export interface I2cBus {
  i2cWrite(address: number, length: number, buffer: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

const CONTROL_COMMANDS = 0x00; // Co = 0, D/C# = 0: every following byte is a command
const CONTROL_DATA = 0x40; // Co = 0, D/C# = 1: every following byte is display RAM

export const DISPLAY_ON = 0xaf;

/** Init sequence up to (not including) display-on; the first frame is written before the panel lights. */
export const INIT_SEQUENCE: Record<OledChip, readonly number[]> = {
  ssd1306: [
    0xae, // display off
    0xd5, 0x80, // clock divide ratio / oscillator frequency (reset value)
    0xa8, 0x3f, // multiplex ratio: 64 rows
    0xd3, 0x00, // display offset 0
    0x40, // start line 0
    0x8d, 0x14, // charge pump on (modules run from 3.3 V, no external VCC)
    0x20, 0x02, // page addressing mode
    0xa1, // segment remap: column 127 is SEG0 (the usual module orientation)
    0xc8, // COM scan from COM63 to COM0
    0xda, 0x12, // COM pins: alternative configuration, needed for 64 rows
    0x81, 0xcf, // contrast
    0xd9, 0xf1, // pre-charge period for the internal charge pump
    0xdb, 0x40, // VCOMH deselect level
    0xa4, // show RAM contents
    0xa6, // normal, not inverted
    0x2e, // no scrolling
  ],
  sh1106: [
    0xae, // display off
    0xd5, 0x80, // clock divide ratio / oscillator frequency
    0xa8, 0x3f, // multiplex ratio: 64 rows
    0xd3, 0x00, // display offset 0
    0x40, // start line 0
    0xad, 0x8b, // DC-DC converter on (the SH1106's charge pump)
    0xa1, // segment remap
    0xc8, // COM scan from COM63 to COM0
    0xda, 0x12, // COM pins: alternative configuration
    0x81, 0xcf, // contrast
    0xd9, 0x22, // pre-charge period (reset value)
    0xdb, 0x35, // VCOM deselect level (reset value)
    0xa4, // show RAM contents
    0xa6, // normal, not inverted
  ],
};

export const COLUMN_OFFSET: Record<OledChip, number> = { ssd1306: 0, sh1106: 2 };

/** The commands that point the RAM write position at column 0 of `page`. */
export function pageAddressCommands(chip: OledChip, page: number): number[] {
  const col = COLUMN_OFFSET[chip];
  return [0xb0 | page, 0x00 | (col & 0x0f), 0x10 | (col >> 4)];
}

export class OledDisplay implements Display {
  readonly description: string;
  private initialised = false;
  /** What the glass shows now; null when unknown (before the first frame, after an error). */
  private shown: Framebuffer | null = null;

  constructor(
    private readonly bus: I2cBus,
    private readonly chip: OledChip,
    private readonly address: number,
    busNumber: number,
  ) {
    this.description = `${chip.toUpperCase()} on /dev/i2c-${busNumber} at 0x${address.toString(16)}`;
  }

  async show(frame: Framebuffer): Promise<void> {
    try {
      const firstFrame = !this.initialised;
      if (firstFrame) await this.command(INIT_SEQUENCE[this.chip]);
      // Only the pages that changed go over the bus: a level bar moving costs 2 pages, not 8,
      // and the glass is never blanked between frames, so nothing flickers.
      for (let page = 0; page < PAGES; page++) {
        if (!frame.pageDiffers(this.shown, page)) continue;
        await this.command(pageAddressCommands(this.chip, page));
        await this.data(frame.bytes.subarray(page * WIDTH, (page + 1) * WIDTH));
      }
      if (firstFrame) await this.command([DISPLAY_ON]);
      this.initialised = true;
      this.shown = frame.clone();
    } catch (err) {
      // A loose cable or a display plugged in late: start from scratch (init and every page) next time.
      this.initialised = false;
      this.shown = null;
      throw err;
    }
  }

  async close(): Promise<void> {
    try {
      if (this.initialised) await this.command([0xae]);
    } finally {
      await this.bus.close();
    }
  }

  private async command(bytes: readonly number[]): Promise<void> {
    const buf = Buffer.from([CONTROL_COMMANDS, ...bytes]);
    await this.bus.i2cWrite(this.address, buf.length, buf);
  }

  private async data(bytes: Uint8Array): Promise<void> {
    const buf = Buffer.concat([Buffer.from([CONTROL_DATA]), bytes]);
    await this.bus.i2cWrite(this.address, buf.length, buf);
  }
}
