// Signing in through the page in Chromium against the real engine: a locked engine explains itself, a wrong
// password is refused, the right one is accepted with an HttpOnly SameSite=Strict cookie, an unsigned API
// request is refused, signing out works, and the page comes back by itself after the engine process restarts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../harness/engine.js';
import { freePort, portIsFree, removeOnExit } from '../harness/util.js';
import { startEngineProcess, type EngineProcess } from '../harness/engine-process.js';
import { Engine } from '../../src/engine/engine.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { ensurePageBuilt, launchBrowser, openPage, shot, signIn } from './browser.js';

let browser: Browser;
let t: TestEngine;
const XRW = { 'X-Requested-With': 'rackcast' };

test.before(async () => {
  ensurePageBuilt();
  [browser, t] = await Promise.all([launchBrowser(), startTestEngine({ captureDevice: 'tone' })]);
});

test.after(async () => {
  await browser?.close();
  await t?.stop();
});

test('an engine without an admin password shows how to set one', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-locked-'));
  removeOnExit(dataDir);
  const engine = new Engine({ dataDir, captureDevice: 'tone' });
  let web: WebServer | undefined;
  try {
    web = await startWebServer(engine, { port: 0, bind: '127.0.0.1' });
    const { page, context, errors } = await openPage(browser, web.url);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Set an admin password first' }).waitFor();
    assert.ok(await page.getByText('--admin-password').isVisible());
    await shot(page, 'sign-in-locked');
    assert.equal(errors, []);
    await context.close();
  } finally {
    await web?.close();
    await engine.shutdown();
  }
});

test('unsigned API requests are refused, without a Basic pop-up for the page', async () => {
  const { context } = await openPage(browser, t.web.url);
  const res = await context.request.get('/api/encoders', { headers: XRW });
  assert.is(res.status(), 401);
  assert.is(res.headers()['www-authenticate'], undefined, 'X-Requested-With: no WWW-Authenticate');
  const events = await context.request.get('/api/events', { headers: XRW });
  assert.is(events.status(), 401);
  await context.close();
});

test('a wrong password is refused, the right one accepted; the cookie is HttpOnly and SameSite=Strict; sign out ends it', async () => {
  const { page, context, errors } = await openPage(browser, t.web.url);
  await page.goto('/');
  await page.getByLabel('Admin password').waitFor();
  await shot(page, 'sign-in');

  await page.getByLabel('Admin password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong password.').waitFor();
  assert.is(await page.getByRole('navigation', { name: 'Views' }).count(), 0, 'still signed out');
  assert.is(await page.getByLabel('Admin password').getAttribute('aria-invalid'), 'true');
  await shot(page, 'sign-in-wrong');
  // Chromium logs every 4xx reply as a console error: the refused sign-in is the one expected here.
  assert.ok(errors.every((e) => /status of 401/.test(e)), errors.join('\n'));
  errors.length = 0;

  await page.getByLabel('Admin password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'rackcast_session');
  assert.ok(cookie, 'session cookie set');
  assert.ok(cookie.httpOnly);
  assert.is(cookie.sameSite, 'Strict');
  assert.is(await page.evaluate(() => document.cookie), '', 'scripts cannot read it');
  assert.is((await context.request.get('/api/encoders', { headers: XRW })).status(), 200, 'the cookie signs API requests');
  await page.locator('[data-link="live"]').waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Admin password').waitFor();
  assert.is((await context.request.get('/api/encoders', { headers: XRW })).status(), 401, 'signed out for the API too');
  assert.equal(errors, []);
  await context.close();
});

test('after an engine restart the page says it lost contact, then is live once more, still signed in (sessions are stored)', async () => {
  // The real thing: an engine process, stopped as systemd stops it and started again on the same data
  // directory and port (without --admin-password: the stored one applies).
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-restart-'));
  removeOnExit(dataDir);
  const port = await freePort();
  let engine: EngineProcess | undefined = await startEngineProcess({ dataDir, port });
  const { page, context, errors } = await openPage(browser, engine.url);
  try {
    const basic = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');
    const created = await context.request.post('/api/encoders', {
      headers: { ...XRW, authorization: basic },
      data: { name: 'Survives Restart', codec: 'mp3', bitrate_kbps: 128, output_type: 'icecast', server_host: '127.0.0.1', server_port: 8000, server_password: 'x', mount_point: '/r.mp3' },
    });
    assert.is(created.status(), 201, await created.text());
    await signIn(page, ADMIN_PASSWORD);
    await page.locator('[data-link="live"]').waitFor();
    const firstPid = engine.pid;

    await engine.stop();
    engine = undefined;
    assert.ok(await portIsFree(port), 'the old engine is gone: its port is free');
    await page.getByText(/No contact with the engine/).waitFor({ timeout: 5000 });
    await shot(page, 'engine-lost');

    engine = await startEngineProcess({ dataDir, port, adminPassword: null });
    assert.is.not(engine.pid, firstPid, 'a new engine process');
    await page.locator('[data-link="live"]').waitFor({ timeout: 10_000 });
    assert.is(await page.getByLabel('Admin password').count(), 0, 'no sign-in form: the session survived the restart');
    await page.getByRole('link', { name: 'Encoders', exact: true }).click();
    await page.getByText('Survives Restart').first().waitFor({ timeout: 5000 });
    // Only the outage itself may have left console errors: refused connections.
    const unexpected = errors.filter((e) => !/ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET|ERR_INCOMPLETE_CHUNKED_ENCODING|status of 401/.test(e));
    assert.equal(unexpected, []);
    await context.close();
    await engine.stop();
  } finally {
    await context.close();
    // Only cleanup here: a failed stop above has already failed the test with its own reason.
    await engine?.stop().catch(() => undefined);
  }
});

test('after five wrong passwords the form says to wait, and why', async () => {
  // A web server of its own: the throttle is per client address and would lock the other tests out.
  const web = await startWebServer(t.engine, { port: 0, bind: '127.0.0.1' });
  const { page, context } = await openPage(browser, web.url);
  try {
    await page.goto('/');
    for (let i = 0; i < 6; i++) {
      await page.getByLabel('Admin password').fill(`wrong-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#signin-error').waitFor();
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
    }
    assert.match((await page.locator('#signin-error').textContent()) ?? '', /Too many wrong passwords; try again in \d+ s\./);
    await shot(page, 'sign-in-throttled');
  } finally {
    await context.close();
    await web.close();
  }
});

test.run();
