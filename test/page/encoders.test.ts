// The encoder workflow in Chromium against the real engine and a real Icecast: create an encoder in the
// editor (a field error beside the field, fixed, saved, on the Liquidsoap backend with its cost said beside
// the choice), start it and watch its dot turn to streaming, test
// its connection, then stop the Icecast server and watch the card retry with its counter and recover.
// Stop-all asks first. The console stays clean throughout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../harness/engine.js';
import { ensurePageBuilt, launchBrowser, openSignedIn, shot, type Watched } from './browser.js';

const MOUNT = '/studio.mp3';
let browser: Browser;
let icecast: IcecastServer;
let t: TestEngine;
let w: Watched;
let page: Page;
let id = 0;

test.before(async () => {
  ensurePageBuilt();
  [browser, icecast, t] = await Promise.all([launchBrowser(), startIcecast({ mounts: [MOUNT] }), startTestEngine({ captureDevice: 'tone:440', statsPollSecs: 1 })]);
  w = await openSignedIn(browser, t.web.url, ADMIN_PASSWORD);
  page = w.page;
});

test.after(async () => {
  await browser?.close();
  await t?.stop();
  await icecast?.stop();
});

const tab = (name: string) => page.getByRole('tab', { name: new RegExp(`^${name}`) });
const card = () => page.locator(`article[data-encoder-id="${id}"]`);

test('the editor shows a bad value\'s error beside its field, and saves once it is fixed', async () => {
  await page.getByRole('link', { name: 'Encoders', exact: true }).click();
  await page.getByRole('link', { name: 'Add encoder' }).click();
  await page.getByLabel('Name').fill('Studio MP3');
  await tab('Server').click();
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill('70000');
  await page.getByLabel('Mount').fill(MOUNT);
  await page.getByLabel('Password').fill(icecast.sourcePassword);
  await page.getByRole('button', { name: 'Create encoder' }).click();

  const error = page.locator('#f-server_port-error');
  await error.waitFor();
  assert.is(await error.textContent(), 'Port must be a whole number from 1 to 65535');
  assert.is(await page.getByLabel('Port').getAttribute('aria-invalid'), 'true');
  assert.is(await page.getByLabel('Port').getAttribute('aria-describedby'), 'f-server_port-error', 'the error is tied to its field');
  assert.match((await tab('Server').textContent()) ?? '', /1$/, 'the tab counts its error');
  await shot(page, 'editor-field-error');

  await tab('Codec').click();
  const preview = page.locator('[data-role="codec-preview"]');
  assert.match((await preview.textContent()) ?? '', /128 kbps.*57\.6 MB.*per hour/);
  await page.getByLabel('Bitrate (kbps)').selectOption('320');
  assert.match((await preview.textContent()) ?? '', /320 kbps.*144 MB/);
  await shot(page, 'editor-codec');

  await tab('Advanced').click();
  await page.getByLabel('Reconnect delay (s)').fill('1');
  await page.getByLabel('Codec engine').selectOption('liquidsoap');
  assert.match((await page.locator('#f-backend-hint').textContent()) ?? '', /Liquidsoap costs about [\d.]+ % of a core and \d+ MB of memory per stream, ffmpeg about [\d.]+ % and \d+ MB/);
  await tab('Server').click();
  await page.getByLabel('Port').fill(String(icecast.port));
  await page.getByLabel('Port').blur();
  assert.is(await error.count(), 0, 'the error goes as soon as the value is right');
  await page.getByRole('button', { name: 'Create encoder' }).click();

  const row = page.locator('.encoder-list li[data-encoder-id]', { hasText: 'Studio MP3' });
  await row.waitFor();
  id = Number(await row.getAttribute('data-encoder-id'));
  const stored = await t.api('GET', `/api/encoders/${id}`);
  assert.is(stored.body.server_port, icecast.port);
  assert.is(stored.body.bitrate_kbps, 320);
  assert.is(stored.body.reconnect_delay_secs, 1);
  assert.is(stored.body.backend, 'liquidsoap');
  assert.is(stored.body.server_password, undefined, 'the API never sends a password back');
  await shot(page, 'encoder-list');
});

test('started from the list, its dot in the status bar turns to streaming; the connection test says so', async () => {
  const dot = page.locator(`.statusbar li[data-encoder-id="${id}"]`);
  assert.is(await dot.getAttribute('data-state'), 'disabled');
  await page.locator(`.encoder-list li[data-encoder-id="${id}"]`).getByRole('button', { name: 'Start Studio MP3' }).click();
  await page.locator(`.statusbar li[data-encoder-id="${id}"][data-state="streaming"]`).waitFor({ timeout: 15_000 });
  assert.match((await dot.locator('.dot').getAttribute('class')) ?? '', /state-streaming/);

  await page.locator(`.encoder-list li[data-encoder-id="${id}"]`).getByRole('link', { name: 'Edit Studio MP3' }).click();
  await tab('Server').click();
  assert.is(await page.getByLabel('Password').inputValue(), '', 'a stored password is never filled in');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.locator('[data-role="test-result"]', { hasText: '✔' }).waitFor();
  await shot(page, 'editor-server');
});

test('with the server gone the card shows Retrying with its counter, an alarm, then recovers', async () => {
  await page.getByRole('link', { name: 'Overview' }).click();
  const status = card().locator('[data-role="status-text"]');
  await status.filter({ hasText: /^Streaming$/ }).waitFor();
  await icecast.stop();
  const retrying = status.filter({ hasText: /Retrying \(\d+\/∞\)/ });
  await retrying.waitFor({ timeout: 10_000 });
  const first = Number(/\((\d+)\//.exec((await retrying.textContent()) ?? '')?.[1]);
  // The counter moves on by itself, every reconnect_delay_secs (1 s here).
  await status.filter({ hasText: new RegExp(`Retrying \\(${first + 1}/∞\\)`) }).waitFor({ timeout: 10_000 });
  assert.match((await card().textContent()) ?? '', /Last error: .+/);
  assert.match((await page.getByRole('alert', { name: 'Alarms' }).textContent()) ?? '', /Studio MP3: Retrying/);
  await shot(page, 'card-retrying');

  await icecast.start();
  await status.filter({ hasText: /^Streaming$/ }).waitFor({ timeout: 20_000 });
  await page.getByRole('alert', { name: 'Alarms' }).waitFor({ state: 'hidden' });
  await card().getByText(/Reconnect history/).click();
  const history = (await card().locator('details ol').textContent()) ?? '';
  assert.match(history, /Retrying \(\d\/∞\) — .+/, 'each retry with its reason');
  await shot(page, 'card-recovered');
});

test('disabling an encoder that is on air asks first', async () => {
  await page.getByRole('link', { name: 'Encoders', exact: true }).click();
  const toggle = page.locator(`.encoder-list li[data-encoder-id="${id}"]`).getByRole('switch');
  await toggle.click();
  const dialog = page.getByRole('dialog', { name: 'Disable Studio MP3?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.ok(await toggle.isChecked(), 'still enabled');
  assert.ok((await t.api('GET', `/api/encoders/${id}`)).body.enabled);
  assert.is(await page.locator(`.statusbar li[data-encoder-id="${id}"]`).getAttribute('data-state'), 'streaming');
});

test('stop-all asks first: cancel keeps the station on air, confirm takes it off', async () => {
  await page.getByRole('button', { name: 'Stop all' }).click();
  const dialog = page.getByRole('dialog', { name: 'Take everything off air?' });
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? '', /Studio MP3/);
  await shot(page, 'stop-all-confirm', false);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.is(await page.locator(`.statusbar li[data-encoder-id="${id}"]`).getAttribute('data-state'), 'streaming');
  await page.getByRole('button', { name: 'Stop all' }).click();
  await Promise.all([page.waitForResponse('**/api/encoders/stop-all'), dialog.getByRole('button', { name: 'Stop all' }).click()]);
  await page.locator(`.statusbar li[data-encoder-id="${id}"][data-state="disabled"]`).waitFor();
});

test('the console has no errors', () => {
  assert.equal(w.errors, []);
});

test.run();
