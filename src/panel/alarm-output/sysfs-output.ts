// The alarm output: one GPIO pin driven through the kernel's sysfs interface (a relay driver or an LED on
// the header), the same interface the buttons use. Its own small writer rather than onoff, so the root
// is a parameter and the real driver is tested on a fake /sys/class/gpio tree. The pin is set as an output
// with its initial level in one write ("low"/"high"), so the relay never chatters at start.
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readGpioChips, sysfsGpioNumber } from '../buttons/sysfs-gpio.js';

export interface AlarmOutput {
  readonly description: string;
  set(on: boolean): Promise<void>;
  close(): Promise<void>;
}

/** No pin configured: nothing to drive. */
export const NO_ALARM_OUTPUT: AlarmOutput = { description: 'no alarm output', set: async () => {}, close: async () => {} };

const EXPORT_WAIT_MS = 2000;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export class SysfsAlarmOutput implements AlarmOutput {
  readonly description: string;
  private level: boolean | null = null;

  private constructor(
    private readonly dir: string,
    private readonly activeLow: boolean,
    bcm: number,
    number: number,
  ) {
    this.description = `alarm output on BCM${bcm}/gpio${number}${activeLow ? ' (active low)' : ''}`;
  }

  /** Exports the pin if the kernel has not yet, and makes it an output, off. */
  static async open(bcm: number, activeLow: boolean, root = '/sys/class/gpio'): Promise<SysfsAlarmOutput> {
    const number = sysfsGpioNumber(bcm, await readGpioChips(root));
    const dir = join(root, `gpio${number}`);
    if (!(await exists(dir))) {
      await writeFile(join(root, 'export'), String(number));
      // The kernel makes the directory at once; udev may take a moment to hand it to the gpio group.
      const deadline = Date.now() + EXPORT_WAIT_MS;
      while (!(await exists(join(dir, 'direction')))) {
        if (Date.now() > deadline) throw new Error(`gpio${number} did not appear after exporting it`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const out = new SysfsAlarmOutput(dir, activeLow, bcm, number);
    await writeFile(join(dir, 'direction'), activeLow ? 'high' : 'low');
    out.level = false;
    return out;
  }

  async set(on: boolean): Promise<void> {
    if (on === this.level) return;
    await writeFile(join(this.dir, 'value'), (on !== this.activeLow) ? '1' : '0');
    this.level = on;
  }

  /** Off, and left exported (unexporting would let the pin float and a relay driver chatter). */
  async close(): Promise<void> {
    await this.set(false).catch(() => {});
  }
}
