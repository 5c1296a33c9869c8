import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PNG } from 'pngjs';
import { Framebuffer } from '../../src/panel/framebuffer.js';
import { framePng, pngFrame } from '../../src/panel/frame-png.js';

test('a frame survives PNG and back, dot for dot', () => {
  const fb = new Framebuffer();
  for (let i = 0; i < 64; i++) fb.set(i * 2, i);
  fb.fillRect(100, 10, 20, 5);
  const png = framePng(fb);
  assert.ok(pngFrame(png).equals(fb));
  const decoded = PNG.sync.read(png);
  assert.is(decoded.width, 128);
  assert.is(decoded.height, 64);
  assert.is(decoded.data[(10 * 128 + 100) * 4], 255, 'a lit dot is white');
  assert.is(decoded.data[0 + 4], 0, 'a dark dot is black');
});

test('an image of another size is not a frame', () => {
  const png = PNG.sync.write(new PNG({ width: 10, height: 10 }));
  assert.throws(() => pngFrame(png), /128x64.*10x10/);
});

test.run();
