// Which number a Raspberry Pi header pin has under /sys/class/gpio. Kernels before 6.6 numbered
// the SoC's GPIO chip from 0, so BCM 17 was gpio17; from 6.6 on, dynamically allocated chips start
// at 512 (gpiochip512 on a Pi 4, gpiochip571 for the RP1 of a Pi 5), so BCM 17 is gpio529 or gpio588.
// The base is read from the chip's sysfs entry, never assumed.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface GpioChip {
  base: number;
  ngpio: number;
  label: string;
}

/** Labels of the GPIO chips that drive the 40-pin header, by SoC (BCM2835/6/7, BCM2711, BCM2712's RP1). */
const HEADER_CHIP = /^pinctrl-(bcm2835|bcm2711|bcm2712|rp1)$/;

/** The sysfs GPIO number of header pin `bcm` given the chips the kernel lists. Pure, for tests. */
export function sysfsGpioNumber(bcm: number, chips: readonly GpioChip[]): number {
  const chip = chips.find((c) => HEADER_CHIP.test(c.label));
  if (!chip) {
    const seen = chips.map((c) => `${c.label} (base ${c.base})`).join(', ') || 'none';
    throw new Error(`no Raspberry Pi header GPIO chip under /sys/class/gpio (chips seen: ${seen})`);
  }
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) {
    throw new Error(`BCM ${bcm} is not a pin of ${chip.label} (0-${chip.ngpio - 1})`);
  }
  return chip.base + bcm;
}

/** Reads base, ngpio and label of every gpiochip under `root`. */
export async function readGpioChips(root = '/sys/class/gpio'): Promise<GpioChip[]> {
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => n.startsWith('gpiochip'));
  } catch (err) {
    throw new Error(`${root} is not there: this kernel has no sysfs GPIO (${err instanceof Error ? err.message : String(err)})`);
  }
  const chips: GpioChip[] = [];
  for (const name of names.sort()) {
    const read = async (f: string) => (await readFile(join(root, name, f), 'utf8')).trim();
    try {
      chips.push({ base: Number(await read('base')), ngpio: Number(await read('ngpio')), label: await read('label') });
    } catch {
      // a chip that vanished between readdir and read (a hot-unplugged expander): skip it
    }
  }
  return chips;
}
