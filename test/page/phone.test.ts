// The page on a 390-px-wide phone and from the keyboard, in Chromium against the real engine and a real
// Icecast: no view scrolls sideways, every control has a label, signing in and the editor's tabs work from
// the keyboard, and the console stays clean. Screenshots of each view go to test-output/page/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { ADMIN_PASSWORD, icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import { ensurePageBuilt, horizontalOverflow, launchBrowser, openPage, shot, type Watched } from './browser.js';

const PHONE = { width: 390, height: 844 };
let browser: Browser;
let icecast: IcecastServer;
let t: TestEngine;
let w: Watched;
let page: Page;
let streamId = 0;

async function assertFits(name: string): Promise<void> {
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `${name}: the page is ${o.scrollWidth} px wide in a ${o.clientWidth} px window; sticking out: ${o.offenders.join(', ')}`);
  assert.equal(o.offenders, [], `${name}: elements past the right edge`);
}

/** Visible inputs, selects and buttons without an accessible name. */
async function unlabelled(): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('input, select, textarea, button'))
      .filter((el) => el.getClientRects().length > 0 || (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')))
      .filter((el) => {
        if (el instanceof HTMLButtonElement) return (el.textContent ?? '').trim() === '' && !el.getAttribute('aria-label');
        const labels = (el as HTMLInputElement).labels;
        return (!labels || labels.length === 0) && !el.getAttribute('aria-label') && (el as HTMLInputElement).type !== 'hidden' && !el.hidden;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

test.before(async () => {
  ensurePageBuilt();
  [browser, icecast, t] = await Promise.all([launchBrowser(), startIcecast({ mounts: ['/a-long-mount-name-for-a-phone.mp3'] }), startTestEngine({ captureDevice: 'tone:440', statsPollSecs: 1 })]);
  streamId = (await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/a-long-mount-name-for-a-phone.mp3', { name: 'Breakfast show with a long name' }))).body.id;
  await t.api('POST', '/api/encoders', { name: 'Logger', codec: 'flac', output_type: 'file', file_output_path: 'logger' });
  await t.api('POST', '/api/encoders/start-all');
  await t.api('POST', '/api/metadata', { artist: 'A rather long artist name for a small screen', title: 'And an even longer title that has to wrap somewhere' });
  await t.waitForState(streamId, (s) => s.state === 'streaming');
  w = await openPage(browser, t.web.url, PHONE);
  page = w.page;
});

test.after(async () => {
  await browser?.close();
  await t?.stop();
  await icecast?.stop();
});

test('signing in works from the keyboard alone, and the form fits', async () => {
  await page.goto('/');
  await page.getByLabel('Admin password').waitFor();
  await assertFits('sign-in');
  assert.equal(await unlabelled(), []);
  await page.keyboard.press('Tab');
  assert.is(await page.evaluate(() => document.activeElement?.id), 'signin-password', 'the first Tab lands on the password');
  await page.keyboard.type(ADMIN_PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('[data-link="live"]').waitFor();
  await shot(page, 'phone-sign-in-done', false);
});

test('the overview fits a phone: status bar, cards, graph, now playing, recordings', async () => {
  await page.locator(`article[data-encoder-id="${streamId}"][data-state="streaming"]`).waitFor();
  await page.locator('.u-wrap canvas').waitFor({ timeout: 10_000 });
  await assertFits('overview');
  assert.equal(await unlabelled(), []);
  await shot(page, 'phone-overview');
});

test('the encoder list fits, and the stop-all question fits', async () => {
  await page.getByRole('link', { name: 'Encoders', exact: true }).click();
  await page.locator('.encoder-list li').first().waitFor();
  await assertFits('encoder list');
  assert.equal(await unlabelled(), []);
  await shot(page, 'phone-encoders');
  await page.getByRole('button', { name: 'Stop all' }).click();
  await page.getByRole('dialog').waitFor();
  await assertFits('stop-all dialog');
  await shot(page, 'phone-stop-all', false);
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
});

test('every editor tab fits, is labelled, and the tabs follow the arrow keys', async () => {
  await page.locator('.encoder-list').getByRole('link', { name: 'Edit Breakfast show with a long name' }).click();
  await page.getByRole('tab', { name: 'General' }).focus();
  for (const name of ['General', 'Codec', 'Server', 'Metadata', 'Recording', 'Advanced']) {
    const selected = page.getByRole('tab', { name, selected: true });
    await selected.waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'tab', 'focus stays on the tabs');
    await assertFits(`editor ${name}`);
    assert.equal(await unlabelled(), [], `editor ${name}`);
    await shot(page, `phone-editor-${name.toLowerCase()}`);
    await page.keyboard.press('ArrowRight');
  }
});

test('the console has no errors', () => {
  assert.equal(w.errors, []);
});

test.run();
