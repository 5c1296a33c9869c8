// Frames as PNG images: the simulator's output, the web mirror's GET /api/panel/frame.png and the
// reference images of the screen tests. Lit dots are white on black, one image pixel per dot, so a
// page shows it scaled with `image-rendering: pixelated` and a test can compare it exactly.
import { createRequire } from 'node:module';
import type { PNG as PNGClass } from 'pngjs';
import { FRAME_BYTES, Framebuffer, HEIGHT, WIDTH } from './framebuffer.js';

// pngjs (22 modules) is loaded with the first image: the engine imports this file for the page's panel
// mirror, which most boxes never show.
const require = createRequire(import.meta.url);
let pngClass: typeof PNGClass | null = null;
const loadPng = (): typeof PNGClass => (pngClass ??= (require('pngjs') as { PNG: typeof PNGClass }).PNG);

export function framePng(frame: Framebuffer | Uint8Array): Buffer {
  const fb = frame instanceof Framebuffer ? frame : new Framebuffer(frame);
  const PNG = loadPng();
  const png = new PNG({ width: WIDTH, height: HEIGHT });
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 4;
      const v = fb.get(x, y) ? 255 : 0;
      png.data[i] = v;
      png.data[i + 1] = v;
      png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  // Grey, 8 bits: about 300 bytes for a typical screen, and any image viewer opens it.
  return PNG.sync.write(png, { colorType: 0, inputColorType: 6, bitDepth: 8 });
}

/** Reads a frame back from a 128x64 PNG: a pixel brighter than mid-grey is a lit dot. */
export function pngFrame(data: Buffer): Framebuffer {
  const png = loadPng().sync.read(data);
  if (png.width !== WIDTH || png.height !== HEIGHT) {
    throw new Error(`a panel frame is ${WIDTH}x${HEIGHT}, this image is ${png.width}x${png.height}`);
  }
  const fb = new Framebuffer(new Uint8Array(FRAME_BYTES));
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 4;
      if ((png.data[i] ?? 0) >= 128) fb.set(x, y);
    }
  }
  return fb;
}
