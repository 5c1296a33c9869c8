import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FRAME_BYTES, Framebuffer } from '../../src/panel/framebuffer.js';

test('pixels are stored in SSD1306 page order: byte = page * 128 + x, bit = y % 8', () => {
  const fb = new Framebuffer();
  fb.set(0, 0);
  fb.set(5, 9); // page 1, bit 1
  fb.set(127, 63); // last page, bit 7
  assert.is(fb.bytes[0], 0x01);
  assert.is(fb.bytes[128 + 5], 0x02);
  assert.is(fb.bytes[FRAME_BYTES - 1], 0x80);
  assert.ok(fb.get(5, 9));
  assert.not.ok(fb.get(5, 8));
});

test('drawing clips at the edges instead of writing elsewhere', () => {
  const fb = new Framebuffer();
  fb.fillRect(-5, -5, 10, 10);
  fb.set(128, 0);
  fb.set(0, 64);
  assert.is(fb.bytes.reduce((n, b) => n + (b ? 1 : 0), 0), 5); // columns 0-4 of page 0
  assert.equal(fb.ascii(0, 0, 6, 6), ['11111.', '11111.', '11111.', '11111.', '11111.', '......']);
});

test('invertRect flips, rect outlines, equals and pageDiffers compare', () => {
  const fb = new Framebuffer();
  fb.rect(0, 0, 4, 3);
  assert.equal(fb.ascii(0, 0, 4, 3), ['1111', '1..1', '1111']);
  fb.invertRect(0, 0, 4, 3);
  assert.equal(fb.ascii(0, 0, 4, 3), ['....', '.11.', '....']);
  const copy = fb.clone();
  assert.ok(copy.equals(fb));
  copy.set(100, 40);
  assert.not.ok(copy.equals(fb));
  assert.ok(copy.pageDiffers(fb, 5));
  assert.not.ok(copy.pageDiffers(fb, 0));
  assert.ok(copy.pageDiffers(null, 0));
});

test('a frame of the wrong size is refused', () => {
  assert.throws(() => new Framebuffer(new Uint8Array(100)), /1024 bytes/);
});

test.run();
