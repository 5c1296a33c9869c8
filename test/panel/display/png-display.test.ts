import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PngDisplay } from '../../../src/panel/display/png-display.js';
import { Framebuffer } from '../../../src/panel/framebuffer.js';
import { pngFrame } from '../../../src/panel/frame-png.js';

test('each frame replaces the PNG whole; no temporary file is left behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-png-'));
  try {
    const path = join(dir, 'sub', 'panel.png');
    const d = new PngDisplay(path);
    const a = new Framebuffer();
    a.fillRect(0, 0, 10, 10);
    await d.show(a);
    assert.ok(pngFrame(readFileSync(path)).equals(a));
    const b = new Framebuffer();
    b.set(64, 32);
    await d.show(b);
    assert.ok(pngFrame(readFileSync(path)).equals(b));
    assert.is(d.framesWritten, 2);
    assert.equal(readdirSync(join(dir, 'sub')), ['panel.png']);
    assert.match(d.description, /PNG simulator writing .*panel\.png/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
