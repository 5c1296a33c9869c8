// BCM pin → sysfs GPIO number on old and new kernels, from chips as the kernel lists them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGpioChips, sysfsGpioNumber, type GpioChip } from '../../../src/panel/buttons/sysfs-gpio.js';

const pi4Old: GpioChip[] = [
  { base: 0, ngpio: 58, label: 'pinctrl-bcm2711' },
  { base: 504, ngpio: 8, label: 'raspberrypi-exp-gpio' },
];
const pi4Kernel66: GpioChip[] = [
  { base: 512, ngpio: 58, label: 'pinctrl-bcm2711' },
  { base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio' },
];
const pi5Kernel66: GpioChip[] = [
  { base: 512, ngpio: 32, label: 'gpio-brcmstb@107d508500' },
  { base: 544, ngpio: 4, label: 'gpio-brcmstb@107d517c00' },
  { base: 571, ngpio: 54, label: 'pinctrl-rp1' },
];
const pi3: GpioChip[] = [{ base: 0, ngpio: 54, label: 'pinctrl-bcm2835' }];

test('kernels before 6.6 number the header from 0', () => {
  assert.is(sysfsGpioNumber(17, pi4Old), 17);
  assert.is(sysfsGpioNumber(27, pi3), 27);
});

test('kernels 6.6 and later: the chip base is added (512 on a Pi 4, 571 for the RP1 of a Pi 5)', () => {
  assert.is(sysfsGpioNumber(17, pi4Kernel66), 529);
  assert.is(sysfsGpioNumber(0, pi4Kernel66), 512);
  assert.is(sysfsGpioNumber(17, pi5Kernel66), 588);
});

test('the order of the chips does not matter, the label does', () => {
  assert.is(sysfsGpioNumber(22, [...pi4Kernel66].reverse()), 534);
});

test('no header chip, or a pin the chip lacks: errors that say what was seen', () => {
  assert.throws(() => sysfsGpioNumber(17, [{ base: 0, ngpio: 32, label: 'gpio-mockup-A' }]), /no Raspberry Pi header GPIO chip.*gpio-mockup-A \(base 0\)/);
  assert.throws(() => sysfsGpioNumber(17, []), /chips seen: none/);
  assert.throws(() => sysfsGpioNumber(60, pi4Kernel66), /BCM 60 is not a pin of pinctrl-bcm2711 \(0-57\)/);
  assert.throws(() => sysfsGpioNumber(-1, pi3), /BCM -1/);
});

test('readGpioChips reads base, ngpio and label of each gpiochip directory', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rackcast-sysfs-'));
  try {
    for (const chip of pi5Kernel66) {
      const dir = join(root, `gpiochip${chip.base}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'base'), `${chip.base}\n`);
      writeFileSync(join(dir, 'ngpio'), `${chip.ngpio}\n`);
      writeFileSync(join(dir, 'label'), `${chip.label}\n`);
    }
    mkdirSync(join(root, 'gpio588')); // an exported pin, not a chip
    mkdirSync(join(root, 'gpiochip999')); // half there: skipped
    const chips = await readGpioChips(root);
    assert.equal(chips, pi5Kernel66);
    assert.is(sysfsGpioNumber(17, chips), 588);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a kernel without sysfs GPIO is named as such', async () => {
  await readGpioChips('/nonexistent/gpio').then(
    () => assert.unreachable('should fail'),
    (err: Error) => assert.match(err.message, /no sysfs GPIO/),
  );
});

test.run();
