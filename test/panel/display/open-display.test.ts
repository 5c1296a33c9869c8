import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReopeningDisplay, REOPEN_INTERVAL_MS, describeI2cError, openDisplay } from '../../../src/panel/display/open-display.js';
import type { Display } from '../../../src/panel/display/display.js';
import { Framebuffer } from '../../../src/panel/framebuffer.js';

test('an OLED that cannot be opened is tried again every 10 s, not on every frame', async () => {
  let now = 0;
  let opens = 0;
  let works = false;
  const shown: Framebuffer[] = [];
  const inner: Display = { description: 'inner', show: async (f) => void shown.push(f), close: async () => {} };
  const d = new ReopeningDisplay(async () => {
    opens++;
    if (!works) throw new Error('cannot open /dev/i2c-1: ENOENT');
    return inner;
  }, 'SSD1306 on /dev/i2c-1 at 0x3c', () => now);
  const frame = new Framebuffer();
  await d.show(frame).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /ENOENT/));
  now += 500;
  await d.show(frame).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /SSD1306 on \/dev\/i2c-1 at 0x3c is not available/));
  assert.is(opens, 1);
  works = true;
  now = REOPEN_INTERVAL_MS;
  await d.show(frame);
  assert.is(opens, 2);
  await d.show(frame);
  assert.is(opens, 2);
  assert.is(shown.length, 2);
});

test('openDisplay picks the simulator for png: and a reopening OLED otherwise, without touching I2C yet', () => {
  assert.match(openDisplay({ kind: 'png', path: '/tmp/x.png' }).description, /PNG simulator/);
  assert.is(openDisplay({ kind: 'sh1106', bus: 7, address: 0x3d }).description, 'SH1106 on /dev/i2c-7 at 0x3d');
});

test('I2C errors say what to check', () => {
  const e = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
  const spec = { bus: 1, address: 0x3c };
  assert.match(describeI2cError(e('ENOENT'), spec), /no \/dev\/i2c-1: enable I2C with dtparam=i2c_arm=on/);
  assert.match(describeI2cError(e('EACCES'), spec), /group i2c/);
  assert.match(describeI2cError(e('EREMOTEIO'), spec), /nothing answers at 0x3c on \/dev\/i2c-1.*i2cdetect -y 1/);
  assert.is(describeI2cError(new Error('odd'), spec), 'odd');
});

test.run();
