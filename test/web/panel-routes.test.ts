// The OLED mirror's engine side: PUT /api/panel/frame keeps the latest frame, GET
// /api/panel/frame.png serves it; bad frames get a 400 that names the problem.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { panelRoutes } from '../../src/web/panel-routes.js';
import { Framebuffer } from '../../src/panel/framebuffer.js';
import { pngFrame } from '../../src/panel/frame-png.js';
import { startTestEngine, type TestEngine } from '../harness/engine.js';

let server: Server;
let url: string;
let now = 1_700_000_000_000;

test.before(async () => {
  const app = express();
  app.use(express.json());
  app.use('/api', panelRoutes(() => now));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/panel`;
});

test.after(() => {
  server.close();
});

const put = (body: Uint8Array | string, type = 'application/octet-stream') =>
  fetch(`${url}/frame`, { method: 'PUT', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });

test('no frame yet: 404 that says what to check', async () => {
  const res = await fetch(`${url}/frame.png`);
  assert.is(res.status, 404);
  assert.match((await res.json()).error, /no panel frame yet: is the rackcast-panel service running\?/);
});

test('a frame goes in as 1024 bytes and comes out as the same picture in a PNG', async () => {
  const fb = new Framebuffer();
  fb.fillRect(10, 10, 30, 5);
  fb.set(127, 63);
  const res = await put(fb.bytes);
  assert.is(res.status, 204);
  now += 1500;
  const png = await fetch(`${url}/frame.png`);
  assert.is(png.status, 200);
  assert.is(png.headers.get('content-type'), 'image/png');
  assert.is(png.headers.get('cache-control'), 'no-store');
  assert.is(png.headers.get('x-frame-age-ms'), '1500');
  assert.ok(pngFrame(Buffer.from(await png.arrayBuffer())).equals(fb));
});

test('the wrong size, or not octet-stream: 400 naming the problem, and the last good frame stays', async () => {
  const small = await put(new Uint8Array(1000));
  assert.is(small.status, 400);
  assert.equal(await small.json(), { error: 'a panel frame is 1024 bytes (128x64, one bit per pixel, SSD1306 page order); got 1000', field: 'body' });
  const json = await put('{"frame":[]}', 'application/json');
  assert.is(json.status, 400);
  assert.match((await json.json()).error, /Content-Type must be application\/octet-stream \(got application\/json\)/);
  const png = await fetch(`${url}/frame.png`);
  assert.ok(pngFrame(Buffer.from(await png.arrayBuffer())).get(127, 63));
});

test('mounted in the engine: behind authentication like every other route', async () => {
  let t: TestEngine | undefined;
  try {
    t = await startTestEngine({ captureDevice: 'tone:440' });
    const anon = await fetch(`${t.web.url}/api/panel/frame.png`);
    assert.is(anon.status, 401);
    const basic = 'Basic ' + Buffer.from('admin:test-admin-pw').toString('base64');
    const res = await fetch(`${t.web.url}/api/panel/frame`, { method: 'PUT', headers: { authorization: basic, 'content-type': 'application/octet-stream' }, body: new Uint8Array(1024) });
    assert.is(res.status, 204);
    const png = await fetch(`${t.web.url}/api/panel/frame.png`, { headers: { authorization: basic } });
    assert.is(png.status, 200);
  } finally {
    await t?.stop();
  }
});

test.run();
