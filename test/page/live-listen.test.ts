// The live listen card in Chromium against the real engine: the capture is a PulseAudio null sink, the
// box's "headphones" a second one (ALSA's `pulse` PCM pointed at it with PULSE_SINK). Switched on from
// the page, the headphones carry the captured tone and the card says so; the page makes a listen URL for
// a player and plays the stream in the browser itself (a network listener the engine counts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startPulse, type PulseServer, type PlayHandle } from '../harness/pulse.js';
import { channelSamples, dominantFrequency, sinePcm } from '../harness/signal.js';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../harness/engine.js';
import { waitFor } from '../harness/util.js';
import { ensurePageBuilt, launchBrowser, openSignedIn, shot, type Watched } from './browser.js';

const PHONES = 'rackcast_page_phones';
let browser: Browser;
let pulse: PulseServer;
let player: PlayHandle;
let t: TestEngine;
let w: Watched;
let page: Page;

test.before(async () => {
  ensurePageBuilt();
  pulse = await startPulse();
  player = pulse.play(sinePcm({ freqHz: 880, seconds: 2, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true, latencyMs: 200 });
  await pulse.addSink(PHONES);
  [browser, t] = await Promise.all([launchBrowser(), startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env, PULSE_SINK: PHONES } })]);
  w = await openSignedIn(browser, t.web.url, ADMIN_PASSWORD);
  page = w.page;
});

test.after(async () => {
  await browser?.close();
  await t?.stop();
  await player?.stop();
  await pulse?.stop();
});

test('switched on from the card: the headphones play the programme and the card says so', async () => {
  const card = page.locator('[data-role="live-listen"]');
  await card.waitFor();
  assert.match((await card.locator('[data-role="live-listen-state"]').textContent()) ?? '', /Off/);
  await card.getByLabel('Sound card').selectOption('pulse');
  await card.getByLabel('Source').selectOption('master');
  await card.getByLabel('Play on the box\'s headphones').check();
  await card.getByRole('button', { name: 'Apply' }).click();
  await card.locator('[data-role="live-listen-state"][data-state="playing"]').waitFor({ timeout: 15_000 });
  assert.match((await card.locator('[data-role="live-listen-state"]').textContent()) ?? '', /Playing master on "pulse"/);
  let hz = 0;
  await waitFor(async () => Math.abs((hz = dominantFrequency(channelSamples(await pulse.recordSink(PHONES, 1), 2), 48000)) - 880) < 3, { timeoutMs: 10_000, intervalMs: 0, what: `880 Hz on the headphones (last ${hz})` });
  const stored = (await t.api('GET', '/api/live-listen')).body;
  assert.equal([stored.enabled, stored.device_name, stored.source], [true, 'pulse', 'master']);
  await shot(page, 'live-listen');
});

test('the card makes a listen URL and plays the stream in the browser', async () => {
  const card = page.locator('[data-role="live-listen"]');
  await card.getByRole('button', { name: 'Make a listen URL' }).click();
  assert.match((await card.locator('[data-role="listen-url"]').textContent()) ?? '', /\/api\/live-listen\/stream\?key=rcl_/);
  await card.getByRole('button', { name: 'Listen in this browser' }).click();
  await waitFor(async () => (await t.api('GET', '/api/live-listen')).body.network.listeners === 1, { timeoutMs: 10_000, what: 'the browser counted as a network listener' });
  await card.getByRole('button', { name: 'Stop listening here' }).click();
  await waitFor(async () => (await t.api('GET', '/api/live-listen')).body.network.listeners === 0, { timeoutMs: 10_000, what: 'the browser gone again' });
});

test('the console has no errors', () => {
  assert.equal(w.errors, []);
});

test.run();
