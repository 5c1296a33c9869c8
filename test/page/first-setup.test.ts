// The page's first visit of a box without an admin password that keeps a setup code (the image), in
// Chromium against the real engine: it asks for the code and the new password twice, refuses two different
// passwords and a wrong code with a message, and with the right code sets the password and signs in.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { removeOnExit } from '../harness/util.js';
import { Engine } from '../../src/engine/engine.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { SetupCode } from '../../src/web/setup-code.js';
import { verifyPassword, storedAdminHash } from '../../src/web/passwords.js';
import { ensurePageBuilt, launchBrowser, openPage, shot } from './browser.js';

let browser: Browser;

test.before(async () => {
  ensurePageBuilt();
  browser = await launchBrowser();
});

test.after(async () => {
  await browser?.close();
});

test('the first visit: setup code and new password, then signed in', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-first-setup-'));
  removeOnExit(dataDir);
  const engine = new Engine({ dataDir, captureDevice: 'tone' });
  const setupCode = new SetupCode(join(dataDir, 'setup-code'));
  const code = setupCode.sync(true)!;
  let web: WebServer | undefined;
  try {
    web = await startWebServer(engine, { port: 0, bind: '127.0.0.1', setupCode });
    const { page, context, errors } = await openPage(browser, web.url);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Set up this box' }).waitFor();
    await shot(page, 'first-setup');
    const submit = page.getByRole('button', { name: 'Set the password and sign in' });
    await page.getByLabel('Setup code').fill(code);
    await page.getByLabel('New admin password').fill('first-visit-pw');
    await page.getByLabel('The same password again').fill('first-visit-px');
    await submit.click();
    await page.getByText('The two passwords differ.').waitFor();
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    await page.getByLabel('Setup code').fill(wrong);
    await page.getByLabel('The same password again').fill('first-visit-pw');
    await submit.click();
    await page.getByText(/Wrong setup code/).waitFor();
    assert.is(storedAdminHash(engine.settings), null, 'nothing set yet');
    await page.getByLabel('Setup code').fill(code.replace('-', ' '));
    await submit.click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    assert.ok(await verifyPassword(storedAdminHash(engine.settings)!, 'first-visit-pw'), 'the password typed is the admin password');
    assert.is(setupCode.code(), null, 'the code is used up');
    // The page's own 401 from the wrong code is expected in the console; nothing else.
    assert.equal(errors.filter((e) => !/401/.test(e)), []);
    await context.close();
  } finally {
    await web?.close();
    await engine.shutdown();
  }
});

test.run();
