// Reads text back out of a frame: where, if anywhere, `text` is drawn in the panel's font. Lets a
// test say "the frame shows ENGINE NOT RUNNING" instead of comparing opaque bytes.
import { Framebuffer, HEIGHT, WIDTH } from '../../src/panel/framebuffer.js';
import { drawText, textWidth, GLYPH_ROWS } from '../../src/panel/font.js';

export interface TextMatch {
  x: number;
  y: number;
}

export function findText(fb: Framebuffer, text: string, opts: { scale?: 1 | 2; invert?: boolean } = {}): TextMatch | null {
  const scale = opts.scale ?? 1;
  const w = textWidth(text, scale);
  const h = GLYPH_ROWS * scale;
  const probe = new Framebuffer();
  drawText(probe, 0, 0, text, { scale });
  const lit: [number, number][] = [];
  const dark: [number, number][] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) (probe.get(x, y) ? lit : dark).push([x, y]);
  for (let y = 0; y + h <= HEIGHT; y++) {
    for (let x = 0; x + w <= WIDTH; x++) {
      const on = (dx: number, dy: number) => fb.get(x + dx, y + dy) !== Boolean(opts.invert);
      if (lit.every(([dx, dy]) => on(dx, dy)) && dark.every(([dx, dy]) => !on(dx, dy))) return { x, y };
    }
  }
  return null;
}

export function showsText(fb: Framebuffer, text: string, opts: { scale?: 1 | 2; invert?: boolean } = {}): boolean {
  return findText(fb, text, opts) !== null;
}
