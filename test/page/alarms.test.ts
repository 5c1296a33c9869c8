// The alarms view in Chromium against the real engine (the built-in tone): a bad setting's error beside
// its field, then settings that make the tone count as silence (a -10 dBFS threshold) so a real silence
// alarm shows in the banner, the alarms view and its history; the test button reaches a local webhook;
// and the alarm clears when the threshold goes back. The console stays clean.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { makeTestCertificates } from '../harness/certs.js';
import { waitFor } from '../harness/util.js';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../harness/engine.js';
import { ensurePageBuilt, horizontalOverflow, launchBrowser, openPage, openSignedIn, shot, signIn, type Watched } from './browser.js';

let browser: Browser;
let t: TestEngine;
let w: Watched;
let page: Page;
let hooks: http.Server;
const received: any[] = [];

test.before(async () => {
  ensurePageBuilt();
  hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  [browser, t] = await Promise.all([launchBrowser(), startTestEngine({ captureDevice: 'tone:440' })]);
  w = await openSignedIn(browser, t.web.url, ADMIN_PASSWORD);
  page = w.page;
});

test.after(async () => {
  await browser?.close();
  await t?.stop();
  await new Promise((r) => hooks?.close(r));
});

test('a setting out of range: the engine\'s words beside the field, nothing saved', async () => {
  await page.getByRole('link', { name: /^Alarms/ }).click();
  await page.locator('[data-role="no-alarms"]').waitFor();
  await page.getByLabel('Silent for (s)').fill('1');
  await page.getByRole('button', { name: 'Save alarm settings' }).click();
  const error = page.locator('#f-silence_secs-error');
  await error.waitFor();
  assert.is(await error.textContent(), 'Silent for (s) must be a number from 2 to 300 seconds');
  assert.is(await page.getByLabel('Silent for (s)').getAttribute('aria-invalid'), 'true');
  assert.is((await t.api('GET', '/api/alarms/settings')).body.silence_secs, 10, 'nothing stored');
});

test('a real silence alarm: banner, alarms now, history; the test button reaches the webhook; it clears', async () => {
  const url = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
  await page.getByLabel('Silent for (s)').fill('2');
  await page.getByLabel('Audio back for (s)').fill('1');
  await page.getByLabel('Silence below (dBFS)').fill('-10');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await page.getByLabel('Webhook 1 URL').fill(url);
  await page.getByRole('button', { name: 'Save alarm settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  assert.equal((await t.api('GET', '/api/alarms/settings')).body.webhooks, [{ url, template: 'json' }]);

  const now = page.locator('[data-role="alarms-now"]');
  await now.getByText(/^Silence: the programme has been below -10 dBFS since/).waitFor({ timeout: 10_000 });
  await page.getByRole('alert', { name: 'Alarms' }).getByText(/^Silence: /).waitFor();
  await page.locator('[data-role="alarm-history"] tr.open').getByText('still raised').waitFor();
  assert.match((await page.getByRole('link', { name: /^Alarms/ }).first().textContent()) ?? '', /Alarms \(1\)/);
  await shot(page, 'alarms-silence');

  await page.getByRole('button', { name: 'Send a test notification' }).click();
  await page.locator('[data-role="test-results"]').getByText(`json ${url}: sent`).waitFor();
  assert.ok(received.some((r) => r.event === 'test'), JSON.stringify(received));
  assert.ok(received.some((r) => r.event === 'alarm_raised' && r.alarm.kind === 'silence'), 'the raise itself was sent too');

  await page.getByLabel('Silence below (dBFS)').fill('-50');
  await page.getByRole('button', { name: 'Save alarm settings' }).click();
  await page.locator('[data-role="no-alarms"]').waitFor({ timeout: 10_000 });
  const row = page.locator('[data-role="alarm-history"] tbody tr').first();
  assert.not.match((await row.textContent()) ?? '', /still raised/);
  await shot(page, 'alarms-cleared');
  // The one 400 is the refused setting of the first test (the engine validates alarm settings itself).
  const expected = /^console: Failed to load resource: the server responded with a status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/alarms\/settings\)$/;
  assert.equal(w.errors.filter((e) => !expected.test(e)), []);
  assert.is(w.errors.length, 1);
});

test('mail over STARTTLS with the station\'s CA: a pasted non-certificate is refused beside its field, a real one is kept', async () => {
  await page.getByLabel('Send alarms by e-mail').check();
  await page.getByLabel('SMTP server').fill('smtp.radio-x.example');
  await page.getByLabel('From', { exact: true }).fill('rack@radio-x.example');
  await page.getByLabel('To', { exact: true }).fill('studio@radio-x.example');
  const pem = page.getByLabel('Trusted certificates (PEM)');
  await pem.fill('-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----');
  await page.getByRole('button', { name: 'Save alarm settings' }).click();
  const error = page.locator('#f-email_ca_cert-error');
  await error.waitFor();
  assert.match((await error.textContent()) ?? '', /^Trusted certificates \(PEM\) must be one to ten PEM certificates/);
  assert.is((await t.api('GET', '/api/alarms/settings')).body.email, null, 'nothing stored');
  const { caCert } = makeTestCertificates();
  await pem.fill(caCert);
  await page.getByRole('button', { name: 'Save alarm settings' }).click();
  let stored: any = null;
  await waitFor(async () => (stored = (await t.api('GET', '/api/alarms/settings')).body.email) !== null, { timeoutMs: 5000, what: 'the mail settings stored' });
  assert.equal([stored.host, stored.security, stored.ca_cert], ['smtp.radio-x.example', 'starttls', caCert]);
  await page.getByLabel('Security').selectOption('none');
  assert.is(await pem.count(), 0, 'a plain relay has no certificate to trust');
  await page.getByLabel('Security').selectOption('starttls');
  await page.getByLabel('Send alarms by e-mail').uncheck();
  await page.getByRole('button', { name: 'Save alarm settings' }).click();
  await waitFor(async () => (await t.api('GET', '/api/alarms/settings')).body.email === null, { timeoutMs: 5000, what: 'the mail settings removed' });
});

test('on a 390-px phone: nothing sticks out, every control has a label (mail settings open)', async () => {
  const phone = await openPage(browser, t.web.url, { width: 390, height: 844 });
  try {
    await signIn(phone.page, ADMIN_PASSWORD);
    await phone.page.goto('/#/alarms');
    await phone.page.getByLabel('Send alarms by e-mail').check();
    await phone.page.getByLabel('SMTP server').waitFor();
    const o = await horizontalOverflow(phone.page);
    assert.ok(o.scrollWidth <= o.clientWidth, `the page is ${o.scrollWidth} px wide; sticking out: ${o.offenders.join(', ')}`);
    const unlabelled = await phone.page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('input, select, button'))
        .filter((el) => el.getClientRects().length > 0)
        .filter((el) => (el instanceof HTMLButtonElement ? (el.textContent ?? '').trim() === '' && !el.getAttribute('aria-label') : !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label')))
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    assert.equal(unlabelled, []);
    await shot(phone.page, 'alarms-phone');
    assert.equal(phone.errors, []);
  } finally {
    await phone.context.close();
  }
});

test.run();
