// The display seam: the screens draw into a Framebuffer and hand it to whichever display the
// --display flag chose (an OLED on I2C or the PNG simulator). Nothing else knows which one it is.
import type { Framebuffer } from '../framebuffer.js';

export interface Display {
  /** For the log: "SSD1306 on /dev/i2c-1 at 0x3c". */
  readonly description: string;
  /** Puts `frame` on the glass (or in the file). Rejects on a hardware error; the next call tries again. */
  show(frame: Framebuffer): Promise<void>;
  close(): Promise<void>;
}

export type OledChip = 'ssd1306' | 'sh1106';

export type DisplaySpec =
  | { kind: OledChip; bus: number; address: number }
  | { kind: 'png'; path: string };

export function describeSpec(spec: DisplaySpec): string {
  if (spec.kind === 'png') return `PNG simulator writing ${spec.path}`;
  return `${spec.kind.toUpperCase()} on /dev/i2c-${spec.bus} at 0x${spec.address.toString(16)}`;
}
