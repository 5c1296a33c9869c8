// The one place that picks a display driver from the --display flag. i2c-bus is a native,
// optional dependency: it is loaded only when an OLED is asked for, so the simulator runs on a
// machine where it did not build.
import type { Display, DisplaySpec } from './display.js';
import { describeSpec } from './display.js';
import type { Framebuffer } from '../framebuffer.js';
import { OledDisplay, type I2cBus } from './oled.js';
import { PngDisplay } from './png-display.js';

export const REOPEN_INTERVAL_MS = 10_000;

async function openOled(spec: Extract<DisplaySpec, { kind: 'ssd1306' | 'sh1106' }>): Promise<Display> {
  let i2c: { openPromisified(bus: number): Promise<I2cBus> };
  try {
    i2c = (await import('i2c-bus')).default;
  } catch (err) {
    throw new Error(`the i2c-bus module is not available (${err instanceof Error ? err.message : String(err)}); run npm install on the box`);
  }
  // i2c-bus opens /dev/i2c-N lazily, on the first transfer: errors surface in show().
  const bus = await i2c.openPromisified(spec.bus);
  return new OledDisplay(bus, spec.kind, spec.address, spec.bus);
}

/** An I2C error with what an engineer should check. Pure. */
export function describeI2cError(err: unknown, spec: { bus: number; address: number }): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const where = `/dev/i2c-${spec.bus}`;
  if (code === 'ENOENT') return `${message} (no ${where}: enable I2C with dtparam=i2c_arm=on in config.txt)`;
  if (code === 'EACCES') return `${message} (no permission on ${where}: add the panel's user to group i2c)`;
  if (code === 'EREMOTEIO' || code === 'ENXIO' || code === 'EIO') {
    return `${message} (nothing answers at 0x${spec.address.toString(16)} on ${where}: check the wiring and the address, e.g. with i2cdetect -y ${spec.bus})`;
  }
  return message;
}

/**
 * An OLED that may not be there yet: the panel keeps running (buttons work, the web mirror is fed)
 * while the I2C bus cannot be opened, and tries again every 10 s.
 */
export class ReopeningDisplay implements Display {
  readonly description: string;
  private inner: Display | null = null;
  private nextTryMs = 0;

  constructor(
    private readonly open: () => Promise<Display>,
    description: string,
    private readonly now: () => number = Date.now,
  ) {
    this.description = description;
  }

  async show(frame: Framebuffer): Promise<void> {
    if (!this.inner) {
      if (this.now() < this.nextTryMs) throw new Error(`${this.description} is not available`);
      this.nextTryMs = this.now() + REOPEN_INTERVAL_MS;
      this.inner = await this.open();
    }
    await this.inner.show(frame);
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }
}

export function openDisplay(spec: DisplaySpec): Display {
  if (spec.kind === 'png') return new PngDisplay(spec.path);
  const oled = new ReopeningDisplay(() => openOled(spec), describeSpec(spec));
  return {
    description: oled.description,
    show: (frame) => oled.show(frame).catch((err: unknown) => Promise.reject(new Error(describeI2cError(err, spec)))),
    close: () => oled.close(),
  };
}
