// The SSD1306 and SH1106 drivers against a fake I2C bus that records every transfer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OledDisplay, type I2cBus } from '../../../src/panel/display/oled.js';
import { Framebuffer } from '../../../src/panel/framebuffer.js';

class FakeBus implements I2cBus {
  writes: { address: number; bytes: number[] }[] = [];
  closed = false;
  failNext = 0;
  async i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }> {
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO' });
    }
    assert.is(length, buffer.length, 'length matches the buffer');
    this.writes.push({ address, bytes: [...buffer] });
    return { bytesWritten: length, buffer };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  take(): number[][] {
    const w = this.writes.map((x) => x.bytes);
    this.writes = [];
    return w;
  }
}

const SSD1306_INIT = [
  0x00, 0xae, 0xd5, 0x80, 0xa8, 0x3f, 0xd3, 0x00, 0x40, 0x8d, 0x14, 0x20, 0x02, 0xa1, 0xc8, 0xda, 0x12, 0x81, 0xcf, 0xd9, 0xf1, 0xdb, 0x40, 0xa4, 0xa6, 0x2e,
];

/** A known frame: page p holds the bytes (p * 16 + x) & 0xff. */
function knownFrame(): Framebuffer {
  const fb = new Framebuffer();
  for (let p = 0; p < 8; p++) for (let x = 0; x < 128; x++) fb.bytes[p * 128 + x] = (p * 16 + x) & 0xff;
  return fb;
}

test('SSD1306: the exact init sequence, eight page writes, then display on', async () => {
  const bus = new FakeBus();
  const oled = new OledDisplay(bus, 'ssd1306', 0x3c, 1);
  await oled.show(knownFrame());
  assert.ok(bus.writes.every((w) => w.address === 0x3c), 'every transfer goes to 0x3c');
  const w = bus.take();
  assert.is(w.length, 1 + 8 * 2 + 1);
  assert.equal(w[0], SSD1306_INIT);
  for (let p = 0; p < 8; p++) {
    assert.equal(w[1 + p * 2], [0x00, 0xb0 | p, 0x00, 0x10], `page ${p} address`);
    const data = w[2 + p * 2]!;
    assert.is(data.length, 129);
    assert.is(data[0], 0x40, 'data control byte');
    assert.equal(data.slice(1), Array.from({ length: 128 }, (_, x) => (p * 16 + x) & 0xff), `page ${p} data`);
  }
  assert.equal(w[17], [0x00, 0xaf]);
  assert.is(oled.description, 'SSD1306 on /dev/i2c-1 at 0x3c');
});

test('only the pages that changed are written again; an unchanged frame writes nothing', async () => {
  const bus = new FakeBus();
  const oled = new OledDisplay(bus, 'ssd1306', 0x3d, 1);
  const frame = knownFrame();
  await oled.show(frame);
  bus.take();
  await oled.show(frame.clone());
  assert.equal(bus.take(), []);
  const changed = frame.clone();
  changed.set(10, 42); // page 5
  await oled.show(changed);
  const w = bus.take();
  assert.is(w.length, 2);
  assert.equal(w[0], [0x00, 0xb5, 0x00, 0x10]);
  assert.is(w[1]![1 + 10], ((5 * 16 + 10) & 0xff) | (1 << 2));
});

test('SH1106: its own init (DC-DC, no memory mode) and a column offset of 2', async () => {
  const bus = new FakeBus();
  const oled = new OledDisplay(bus, 'sh1106', 0x3c, 0);
  await oled.show(new Framebuffer());
  const w = bus.take();
  assert.equal(w[0], [0x00, 0xae, 0xd5, 0x80, 0xa8, 0x3f, 0xd3, 0x00, 0x40, 0xad, 0x8b, 0xa1, 0xc8, 0xda, 0x12, 0x81, 0xcf, 0xd9, 0x22, 0xdb, 0x35, 0xa4, 0xa6]);
  assert.equal(w[1], [0x00, 0xb0, 0x02, 0x10]);
  assert.equal(w[15], [0x00, 0xb7, 0x02, 0x10]);
  assert.equal(w[17], [0x00, 0xaf]);
});

test('after a bus error the next frame starts over: init and every page', async () => {
  const bus = new FakeBus();
  const oled = new OledDisplay(bus, 'ssd1306', 0x3c, 1);
  await oled.show(knownFrame());
  bus.take();
  bus.failNext = 1;
  const changed = knownFrame();
  changed.set(0, 0); // byte 0 of the known frame is 0
  let failed = false;
  await oled.show(changed).catch(() => (failed = true));
  assert.ok(failed, 'the error reaches the caller');
  await oled.show(changed);
  const w = bus.take();
  assert.equal(w[0], SSD1306_INIT);
  assert.is(w.length, 18);
});

test('close turns the panel off and closes the bus', async () => {
  const bus = new FakeBus();
  const oled = new OledDisplay(bus, 'ssd1306', 0x3c, 1);
  await oled.show(new Framebuffer());
  bus.take();
  await oled.close();
  assert.equal(bus.take(), [[0x00, 0xae]]);
  assert.ok(bus.closed);
});

test.run();
