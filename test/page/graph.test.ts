// The listener graph in Chromium against the real engine and a real Icecast with real listeners: a line per
// encoder in its colour once snapshots exist, a tooltip with the exact count and time under the pointer and
// from the keyboard, live updates as polls arrive, and another period on request.
import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { ADMIN_PASSWORD, icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import { waitFor } from '../harness/util.js';
import { encoderColor } from '../../src/web/page/lib/colors.js';
import { ensurePageBuilt, launchBrowser, openSignedIn, shot, type Watched } from './browser.js';

const MINUTE = 60_000;
let browser: Browser;
let icecast: IcecastServer;
let t: TestEngine;
let w: Watched;
let page: Page;
let mainId = 0;
let secondId = 0;
const listeners: http.ClientRequest[] = [];

function listen(mount: string): void {
  const req = http.get(`${icecast.baseUrl}${mount}`, { agent: false }, (res) => res.resume());
  req.on('error', () => {});
  listeners.push(req);
}

/** Pixels of the plot canvas within a small distance of `hex` (antialiasing blends a line's edges). */
async function pixelsOf(hex: string): Promise<number> {
  return page.evaluate((color) => {
    const canvas = document.querySelector<HTMLCanvasElement>('.u-wrap canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return -1;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i]! - r) + Math.abs(px[i + 1]! - g) + Math.abs(px[i + 2]! - b) < 40) n++;
    return n;
  }, hex);
}

/** Moves the pointer over the plot at the time `atMs` (the x scale is the last hour up to now). */
async function hoverAt(atMs: number): Promise<string> {
  const box = await page.locator('.u-over').boundingBox();
  if (!box) throw new Error('no plot area');
  const x = box.x + ((atMs - (Date.now() - 60 * MINUTE)) / (60 * MINUTE)) * box.width;
  await page.mouse.move(Math.min(box.x + box.width - 1, x), box.y + box.height / 2);
  const tip = page.locator('[data-role="graph-tooltip"]');
  await tip.waitFor();
  return (await tip.textContent()) ?? '';
}

/**
 * The tooltip at the newest point says `expected` within 10 s. The newest bucket is still filling (the
 * poll runs every second, the bucket holds the latest counts it got), so its value settles a moment after
 * the listeners changed: a test reading it once would race the poll.
 */
async function tooltipAtNowShows(expected: RegExp): Promise<void> {
  let tip = '';
  try {
    await waitFor(async () => {
      await page.mouse.move(0, 0);
      return expected.test((tip = await hoverAt(Date.now())));
    }, { timeoutMs: 10_000, intervalMs: 250 });
  } catch {
    throw new Error(`the tooltip at now never matched ${expected}: ${tip}`);
  }
}

test.before(async () => {
  ensurePageBuilt();
  [browser, icecast, t] = await Promise.all([
    launchBrowser(),
    startIcecast({ mounts: ['/main.mp3', '/second.ogg'] }),
    startTestEngine({ captureDevice: 'tone:440', statsPollSecs: 1 }),
  ]);
  mainId = (await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/main.mp3', { name: 'Main MP3' }))).body.id;
  secondId = (await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/second.ogg', { name: 'Second Ogg', codec: 'ogg' }))).body.id;
  // What the engine would have stored had it been polling for the last 40 minutes: Main had 4, Second 1.
  const now = Date.now();
  for (let at = now - 40 * MINUTE; at < now - 2 * MINUTE; at += 30_000) {
    t.engine.listenerStats.store.add(mainId, at, { current: 4, peak: 4, unique: 4, bitrate: 128 });
    t.engine.listenerStats.store.add(secondId, at, { current: 1, peak: 1, unique: 1, bitrate: 128 });
  }
  await t.api('POST', '/api/encoders/start-all');
  await t.waitForState(mainId, (s) => s.state === 'streaming');
  listen('/main.mp3');
  listen('/main.mp3');
  await waitFor(async () => (await t.api('GET', `/api/encoders/${mainId}/listeners/current`)).body.current === 2, { timeoutMs: 10_000, what: 'two listeners polled' });
  w = await openSignedIn(browser, t.web.url, ADMIN_PASSWORD);
  page = w.page;
});

test.after(async () => {
  for (const l of listeners) l.destroy();
  await browser?.close();
  await t?.stop();
  await icecast?.stop();
});

test('once snapshots exist, each encoder gets a line in its own colour', async () => {
  await page.locator('.u-wrap canvas').waitFor();
  await waitFor(async () => (await pixelsOf(encoderColor(mainId))) > 300, { timeoutMs: 5000, what: "Main's line" });
  assert.ok((await pixelsOf(encoderColor(secondId))) > 300, "Second's line");
  assert.match((await page.locator('.legend').textContent()) ?? '', /Main MP3: \S+.*Second Ogg: \S+/);
});

test('hovering shows the exact count and the time', async () => {
  const history = await hoverAt(Date.now() - 20 * MINUTE);
  // "23:48:05", or "1 Dec 23:48" when 20 minutes ago was yesterday (a run just after midnight).
  assert.match(history, /^(\d\d:\d\d:\d\d|\d{1,2} [A-Z][a-z]{2} \d\d:\d\d)/, `time first: ${history}`);
  assert.match(history, /Main MP3: 4/);
  assert.match(history, /Second Ogg: 1/);
  await tooltipAtNowShows(/Main MP3: 2(?![\d.])/);
  await shot(page, 'graph-hover', false);
});

test('the arrow keys step the tooltip through the points', async () => {
  await page.mouse.move(0, 0);
  await page.locator('[data-role="graph-tooltip"]').waitFor({ state: 'detached' });
  await page.locator('.plot').focus();
  await page.keyboard.press('ArrowLeft');
  assert.match((await page.locator('[data-role="graph-tooltip"]').textContent()) ?? '', /\d\d:\d\d:\d\d.*Main MP3/);
});

test('a new listener shows up live: in the status bar at once, in the graph as its bucket fills', async () => {
  listen('/main.mp3');
  await page.locator(`.statusbar li[data-encoder-id="${mainId}"] .count`, { hasText: /^3$/ }).waitFor({ timeout: 5000 });
  await page.locator('.legend li', { hasText: /^Main MP3: 3$/ }).waitFor({ timeout: 20_000 });
  await tooltipAtNowShows(/Main MP3: 3(?![\d.])/);
});

test('another period draws the same history at its own scale', async () => {
  await page.getByText('24 h', { exact: true }).click();
  await waitFor(async () => (await pixelsOf(encoderColor(mainId))) > 20, { timeoutMs: 5000, what: "Main's line over 24 h" });
  await shot(page, 'graph-24h', false);
});

test('the console has no errors', () => {
  assert.equal(w.errors, []);
});

test.run();
