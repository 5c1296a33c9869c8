// The display simulator: each new frame is written to a PNG file (128x64, one pixel per dot).
// Written to a temporary name and renamed, so a reader (a test, an image viewer that reloads) never
// sees half a file.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Framebuffer } from '../framebuffer.js';
import { framePng } from '../frame-png.js';
import type { Display } from './display.js';

export class PngDisplay implements Display {
  readonly description: string;
  private written = 0;

  constructor(private readonly path: string) {
    this.description = `PNG simulator writing ${path}`;
  }

  get framesWritten(): number {
    return this.written;
  }

  async show(frame: Framebuffer): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, framePng(frame));
    await rename(tmp, this.path);
    this.written++;
  }

  async close(): Promise<void> {}
}
