// /api/panel: the OLED mirror. The panel service PUTs every new frame it shows (the 1024 bytes of a
// 128x64 one-bit frame in SSD1306 page order, application/octet-stream); the page GETs the latest as
// a PNG. Kept in memory only: a frame is worth nothing after a restart.
import express, { Router } from 'express';
import { FRAME_BYTES } from '../panel/framebuffer.js';
import { framePng } from '../panel/frame-png.js';

export const FRAME_CONTENT_TYPE = 'application/octet-stream';

export function panelRoutes(now: () => number = Date.now): Router {
  const r = Router();
  let latest: { png: Buffer; atMs: number } | null = null;

  r.put('/panel/frame', express.raw({ type: () => true, limit: '64kb' }), (req, res) => {
    if (!req.is(FRAME_CONTENT_TYPE)) {
      res.status(400).json({ error: `Content-Type must be ${FRAME_CONTENT_TYPE} (got ${req.get('content-type') ?? 'none'})`, field: 'content-type' });
      return;
    }
    const body: unknown = req.body;
    const size = Buffer.isBuffer(body) ? body.length : 0;
    if (!Buffer.isBuffer(body) || size !== FRAME_BYTES) {
      res.status(400).json({ error: `a panel frame is ${FRAME_BYTES} bytes (128x64, one bit per pixel, SSD1306 page order); got ${size}`, field: 'body' });
      return;
    }
    // Encoded once here rather than per GET: the page may poll several times a second.
    latest = { png: framePng(new Uint8Array(body)), atMs: now() };
    res.status(204).end();
  });

  r.get('/panel/frame.png', (_req, res) => {
    if (!latest) {
      res.status(404).json({ error: 'no panel frame yet: is the rackcast-panel service running?' });
      return;
    }
    res
      .status(200)
      .type('image/png')
      .set('Cache-Control', 'no-store')
      .set('Last-Modified', new Date(latest.atMs).toUTCString())
      .set('X-Frame-Age-Ms', String(Math.max(0, now() - latest.atMs)))
      .send(latest.png);
  });

  return r;
}
