// Writes the front panel's reference images (test/panel/reference/NAME.png, one pixel per OLED dot)
// from the states in test/panel/fixtures.ts, and 4x previews in test-output/panel-preview/ for a
// person to review. Run after a deliberate change to a screen, look at the previews, then commit:
//   node --import tsx scripts/panel-references.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { REFERENCE_VIEWS } from '../test/panel/fixtures.js';
import { renderPanel } from '../src/panel/screens/render.js';
import { framePng } from '../src/panel/frame-png.js';
import { HEIGHT, WIDTH, type Framebuffer } from '../src/panel/framebuffer.js';

const root = new URL('..', import.meta.url).pathname;
const refDir = join(root, 'test/panel/reference');
const previewDir = join(root, 'test-output/panel-preview');

/** The frame as a person sees the glass: dots scaled up, a small gap between them, a dark bezel. */
function preview(fb: Framebuffer, scale = 4, border = 8): Buffer {
  const png = new PNG({ width: WIDTH * scale + 2 * border, height: HEIGHT * scale + 2 * border });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const dx = Math.floor((x - border) / scale);
      const dy = Math.floor((y - border) / scale);
      const gap = (x - border) % scale === scale - 1 || (y - border) % scale === scale - 1;
      const lit = x >= border && y >= border && fb.get(dx, dy) && !gap;
      const i = (y * png.width + x) * 4;
      png.data[i] = lit ? 150 : 10;
      png.data[i + 1] = lit ? 220 : 12;
      png.data[i + 2] = lit ? 255 : 20;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

mkdirSync(refDir, { recursive: true });
mkdirSync(previewDir, { recursive: true });
for (const [name, view] of Object.entries(REFERENCE_VIEWS)) {
  const frame = renderPanel(view);
  writeFileSync(join(refDir, `${name}.png`), framePng(frame));
  writeFileSync(join(previewDir, `${name}.png`), preview(frame));
  console.log(`${name}.png`);
}
console.log(`wrote ${Object.keys(REFERENCE_VIEWS).length} references to ${refDir} (previews in ${previewDir})`);
