// test-timeout: 240
// The Box and Log views in Chromium against the real engine, a real Icecast and a PulseAudio-backed ALSA
// PCM. The capture moves on the page from the tone to the PulseAudio input and one listener of the mount
// hears the change without the encoder reconnecting; a device that cannot open shows the engine's words
// beside the field. The admin password changed on the page signs the other page out; a control token made
// on the page works and is refused what it may not do. The log view shows an Icecast restart as it
// happens, filters and pages. A backup with an invalid encoder lists the field and changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startPulse, type PlayHandle, type PulseServer } from '../harness/pulse.js';
import { channelSamples, decodeToPcm, dominantFrequency, sinePcm } from '../harness/signal.js';
import { sleep, waitFor } from '../harness/util.js';
import { ensurePageBuilt, horizontalOverflow, launchBrowser, openPage, openSignedIn, shot, signIn, type Watched } from './browser.js';

const PULSE_HZ = 1000;
let browser: Browser;
let t: TestEngine;
let icecast: IcecastServer;
let pulse: PulseServer;
let player: PlayHandle;
let w: Watched;
let page: Page;
let encoderId: number;
const NEW_PASSWORD = 'page-changed-pw';

test.before(async () => {
  ensurePageBuilt();
  // A box whose NTP has not synced yet: timedatectl says "no".
  const fakeDir = mkdtempSync(join(tmpdir(), 'timedatectl-'));
  process.env.RACKCAST_TIMEDATECTL = join(fakeDir, 'timedatectl');
  writeFileSync(process.env.RACKCAST_TIMEDATECTL, '#!/bin/sh\necho no\n', { mode: 0o755 });
  [icecast, pulse, browser] = await Promise.all([startIcecast({ mounts: ['/box.mp3'] }), startPulse(), launchBrowser()]);
  player = pulse.play(sinePcm({ freqHz: PULSE_HZ, seconds: 1, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true });
  t = await startTestEngine({ captureEnv: { ...process.env, ...pulse.env } });
  await t.api('PUT', '/api/capture', { device: 'tone:440' });
  encoderId = (await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/box.mp3', { name: 'Box MP3' }))).body.id;
  await t.api('POST', `/api/encoders/${encoderId}/start`);
  await t.waitForState(encoderId, (s) => s.state === 'streaming', 15_000, 'streaming');
  w = await openSignedIn(browser, t.web.url, ADMIN_PASSWORD);
  page = w.page;
});

test.after(async () => {
  await browser?.close();
  await t?.stop();
  await player?.stop();
  await pulse?.stop();
  await icecast?.stop();
});

async function chooseOther(name: string): Promise<void> {
  await page.getByLabel('Capture input').selectOption({ label: 'Another ALSA name…' });
  await page.getByLabel('ALSA name').fill(name);
  await page.getByRole('button', { name: 'Save capture' }).click();
}

test('the clock not synchronised: a warning above every view and in the System card', async () => {
  await page.getByText('The box\'s clock is not synchronised yet (no NTP)').waitFor();
  await page.getByRole('link', { name: 'Box', exact: true }).click();
  await page.locator('[data-role="clock-warning"]').filter({ hasText: 'not synchronised yet' }).waitFor();
});

test('capture: a bad device shows the engine\'s words beside the field; the PulseAudio input is heard on the mount', async () => {
  await page.getByRole('link', { name: 'Box', exact: true }).click();
  await page.locator('[data-role="capture-state"]').filter({ hasText: 'Capturing from tone:440' }).waitFor();
  await chooseOther('hw:9,0');
  const error = page.locator('#f-device_other-error');
  await error.waitFor();
  assert.is(await error.textContent(), 'Sound card "hw:9,0" not found');
  assert.is((await t.api('GET', '/api/capture')).body.device, 'tone:440', 'nothing changed');

  const before = await t.status(encoderId);
  const listening = decodeToPcm(`${icecast.baseUrl}/box.mp3`, { seconds: 12, rate: 48000, channels: 1, timeoutMs: 30_000 });
  await sleep(3000);
  await chooseOther(pulse.pcm);
  await page.getByText('Saved: the capture restarted, the encoders stayed on air.').waitFor({ timeout: 10_000 });
  await page.locator('[data-role="capture-state"]').filter({ hasText: 'Capturing from pulse' }).waitFor();
  const samples = channelSamples(await listening, 1);
  assert.ok(samples.length >= 48000 * 11, `one listener connection held: ${samples.length / 48000} s`);
  const first = dominantFrequency(samples.subarray(48000, 48000 * 3), 48000);
  const last = dominantFrequency(samples.subarray(-48000), 48000);
  assert.ok(Math.abs(first - 440) < 5 && Math.abs(last - PULSE_HZ) < 5, `the tone, then the PulseAudio input: ${first} Hz → ${last} Hz`);
  assert.is((await t.status(encoderId)).connected_since, before.connected_since, 'the mount never reconnected');
  await shot(page, 'box-view');
});

test('station: the name in the title; a new encoder starts with the station\'s stream defaults', async () => {
  await page.getByLabel('Station name').fill('Radio Box');
  await page.getByLabel('Genre for new encoders').fill('Jazz');
  await page.getByRole('button', { name: 'Save station' }).click();
  await page.locator('#station-title ~ form [role="status"]').waitFor();
  await waitFor(async () => (await page.title()) === 'Radio Box · RackCast', { timeoutMs: 3000, what: 'the page title' });
  await page.goto('/#/encoders/new');
  await page.getByRole('tab', { name: 'Metadata' }).click();
  await waitFor(async () => (await page.getByLabel('Genre', { exact: true }).inputValue()) === 'Jazz', { timeoutMs: 3000, what: 'the genre prefilled' });
  await page.goto('/#/');
});

test('the log view: an Icecast restart as it happens; the kind filter; older pages', async () => {
  await page.getByRole('link', { name: 'Log', exact: true }).click();
  const log = page.locator('[data-role="log"]');
  await log.locator('li').first().waitFor();
  await icecast.restart();
  await log.locator('li[data-kind="encoder_disconnected"]').first().waitFor({ timeout: 15_000 });
  await log.locator('li[data-kind="encoder_connected"]').first().waitFor({ timeout: 20_000 });
  const top = await log.locator('li').first().textContent();
  assert.match(top ?? '', /\d\d:\d\d:\d\d/, 'with its time');
  const lost = await log.locator('li[data-kind="encoder_disconnected"]').first().textContent();
  assert.match(lost ?? '', /Connection lost.*Box MP3/, `in operator words: ${lost}`);

  await page.getByLabel('Kind').selectOption({ label: 'Connection lost' });
  await waitFor(async () => (await log.locator('li').evaluateAll((els) => els.every((e) => e.getAttribute('data-kind') === 'encoder_disconnected'))), { timeoutMs: 5000, what: 'only that kind' });
  await page.getByLabel('Kind').selectOption({ label: 'All kinds' });
  for (let i = 0; i < 60; i++) t.engine.eventLog.add({ level: 'info', kind: 'config_changed', message: `filler ${i}` });
  await page.getByLabel('Kind').selectOption({ label: 'Settings' });
  await waitFor(async () => (await log.locator('li').count()) === 50, { timeoutMs: 5000, what: 'the first page of 50' });
  await page.getByRole('button', { name: 'Older events' }).click();
  await waitFor(async () => (await log.locator('li').count()) > 50, { timeoutMs: 5000, what: 'the next page' });
});

test('a control token made on the page: shown once, works, refused what it may not do', async () => {
  await page.getByRole('link', { name: 'Box', exact: true }).click();
  await page.getByLabel('Token label').fill('Front panel');
  await page.getByLabel('Scope').selectOption('control');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByLabel('New token').inputValue();
  assert.match(token, /^rct_/);
  const bearer = `Bearer ${token}`;
  assert.is((await t.api('POST', `/api/encoders/${encoderId}/stop`, {}, bearer)).status, 200);
  assert.is((await t.api('POST', `/api/encoders/${encoderId}/start`, {}, bearer)).status, 200);
  const refused = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/x.mp3'), bearer);
  assert.equal([refused.status, refused.body.scope], [403, 'admin']);
  await page.reload();
  await page.locator('[data-role="tokens"] td', { hasText: 'Front panel' }).waitFor();
  assert.is(await page.locator('[data-role="new-token"]').count(), 0, 'shown only once');
});

test('intake: the counters follow the titles that arrive; a metadata key comes with its URL once', async () => {
  await page.getByRole('link', { name: 'Box', exact: true }).click();
  const state = page.locator('[data-role="intake-state"]');
  await state.filter({ hasText: 'http 0' }).waitFor();
  assert.is((await t.api('POST', '/api/metadata', { artist: 'A', title: 'Counted' })).status, 200);
  await state.filter({ hasText: 'http 1' }).waitFor({ timeout: 8000 });
  await page.getByRole('button', { name: 'Create a key' }).click();
  const url = await page.getByLabel('Metadata URL').inputValue();
  assert.match(url, new RegExp(`^${t.web.url}/api/metadata\\?key=[^&]+&artist=ARTIST&title=TITLE$`));
  const called = await fetch(url.replace('ARTIST', 'Key').replace('TITLE', 'Works'));
  assert.is(called.status, 200, 'the URL works as shown');
});

test('a backup with one invalid encoder: the field listed, nothing changed', async () => {
  const doc = (await t.api('GET', '/api/config/export')).body;
  doc.encoders[0].mount_point = 'box.mp3';
  const file = join(mkdtempSync(join(tmpdir(), 'backup-')), 'bad.json');
  writeFileSync(file, JSON.stringify(doc));
  await page.locator('input[type="file"]').setInputFiles(file);
  const errors = page.locator('[data-role="import-errors"]');
  await errors.waitFor();
  assert.match((await errors.textContent()) ?? '', /Nothing was changed.*encoders\.0\.mount_point must start with "\/"/s);
  assert.is((await t.api('GET', `/api/encoders/${encoderId}`)).body.mount_point, '/box.mp3');
});

test('password change on the page: the other page is signed out, the new password signs in', async () => {
  const other = await openPage(browser, t.web.url);
  await signIn(other.page, ADMIN_PASSWORD);
  await page.getByLabel('Current password').fill(ADMIN_PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Password changed. Every other signed-in page has been signed out.').waitFor();
  await other.page.getByLabel('Admin password').waitFor({ timeout: 10_000 });
  await other.page.getByLabel('Admin password').fill(ADMIN_PASSWORD);
  await other.page.getByRole('button', { name: 'Sign in' }).click();
  await other.page.getByText('Wrong password.').waitFor();
  await other.page.getByLabel('Admin password').fill(NEW_PASSWORD);
  await other.page.getByRole('button', { name: 'Sign in' }).click();
  await other.page.getByRole('navigation', { name: 'Views' }).waitFor();
  assert.equal(other.errors.filter((e) => !/401|Unauthorized/.test(e)), []);
  await other.context.close();
  const overflow = await horizontalOverflow(page);
  assert.is(overflow.offenders.length, 0, JSON.stringify(overflow));
  assert.equal(w.errors.filter((e) => !/40[0-9]/.test(e)), [], 'the console stays clean');
});

test('on a 390-px phone: the Box and Log views fit, every control labelled', async () => {
  const phone = await openPage(browser, t.web.url, { width: 390, height: 844 });
  await signIn(phone.page, NEW_PASSWORD);
  for (const view of ['Box', 'Log']) {
    await phone.page.getByRole('link', { name: view, exact: true }).click();
    await phone.page.locator(view === 'Box' ? '#backup-title' : '[data-role="log"] li').first().waitFor();
    const overflow = await horizontalOverflow(phone.page);
    assert.is(overflow.scrollWidth <= overflow.clientWidth, true, `${view}: ${JSON.stringify(overflow)}`);
    const unlabelled = await phone.page.locator('input:not([type="hidden"]), select').evaluateAll((els) =>
      els.filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML.slice(0, 80)));
    assert.equal(unlabelled, [], `${view}: controls without a label`);
    await shot(phone.page, `phone-${view.toLowerCase()}`);
  }
  await phone.context.close();
});

test.run();
