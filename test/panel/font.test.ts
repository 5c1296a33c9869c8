import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Framebuffer } from '../../src/panel/framebuffer.js';
import { drawText, fit, glyph, textWidth } from '../../src/panel/font.js';
import { findText } from './find-text.js';

test('"A" at scale 1 is the classic 5x7 shape', () => {
  const fb = new Framebuffer();
  drawText(fb, 0, 0, 'A');
  assert.equal(fb.ascii(0, 0, 6, 8), ['.111..', '1...1.', '1...1.', '1...1.', '11111.', '1...1.', '1...1.', '......']);
});

test('scale 2 doubles every dot; invert draws dark letters on a lit box one dot larger', () => {
  const fb = new Framebuffer();
  drawText(fb, 0, 0, 'I', { scale: 2 });
  assert.equal(fb.ascii(0, 0, 10, 2), ['..111111..', '..111111..']);
  const inv = new Framebuffer();
  drawText(inv, 1, 1, 'I', { invert: true });
  assert.equal(inv.ascii(0, 0, 7, 3), ['1111111', '11...11', '111.111']);
});

test('widths, fitting with an ellipsis, and unknown characters', () => {
  assert.is(textWidth('ON AIR'), 35);
  assert.is(textWidth('ON AIR', 2), 70);
  assert.is(textWidth(''), 0);
  assert.is(fit('Main MP3', 10), 'Main MP3');
  assert.is(fit('Mobile AAC 48k', 10), 'Mobile AA…');
  assert.equal([...glyph('€')], [...glyph('?')]);
});

test('findText reads drawn text back, and only that text', () => {
  const fb = new Framebuffer();
  drawText(fb, 10, 20, 'Retrying (2/∞)');
  drawText(fb, 3, 40, 'OFF AIR', { scale: 2, invert: true });
  assert.equal(findText(fb, 'Retrying (2/∞)'), { x: 10, y: 20 });
  assert.equal(findText(fb, 'OFF AIR', { scale: 2, invert: true }), { x: 3, y: 40 });
  assert.is(findText(fb, 'Retrying (3/∞)'), null);
  assert.is(findText(fb, 'OFF AIR', { scale: 2 }), null);
});

test.run();
