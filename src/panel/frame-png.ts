// Frames as PNG images: the simulator's output, the web mirror's GET /api/panel/frame.png and the
// reference images of the screen tests. Lit dots are white on black, one image pixel per dot, so a
// page shows it scaled with `image-rendering: pixelated` and a test can compare it exactly.
import { PNG } from 'pngjs';
import { FRAME_BYTES, Framebuffer, HEIGHT, WIDTH } from './framebuffer.js';

export function framePng(frame: Framebuffer | Uint8Array): Buffer {
  const fb = frame instanceof Framebuffer ? frame : new Framebuffer(frame);
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
  const png = PNG.sync.read(data);
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
