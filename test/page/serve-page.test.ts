// The engine serving the page: the built app at / with its security headers, GET /api/session for the
// page's sign-in check, and a plain answer when the page was never built.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../harness/engine.js';
import { pageRoutes } from '../../src/web/page/serve-page.js';
import { ADMIN_HASH_KEY, SessionStore } from '../../src/web/auth.js';
import { ensurePageBuilt } from './browser.js';

let t: TestEngine;

test.before(async () => {
  ensurePageBuilt();
  t = await startTestEngine({ captureDevice: 'tone' });
});

test.after(async () => {
  await t?.stop();
});

test('/ is the built page, with headers that keep other sites from framing or injecting into it', async () => {
  const res = await fetch(`${t.web.url}/`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.match(html, /<div id="app">/);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.is(res.headers.get('x-frame-options'), 'DENY');
  assert.is(res.headers.get('cache-control'), 'no-cache');
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(asset, 'the page loads its script from /assets/');
  const js = await fetch(`${t.web.url}${asset}`);
  assert.is(js.status, 200);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
});

test('GET /api/session says whether this browser is signed in, without a 401', async () => {
  const anonymous = await fetch(`${t.web.url}/api/session`);
  assert.is(anonymous.status, 200);
  assert.equal(await anonymous.json(), { signed_in: false, locked: false });
  const signIn = await fetch(`${t.web.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: ADMIN_PASSWORD }) });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const signedIn = await fetch(`${t.web.url}/api/session`, { headers: { cookie } });
  assert.equal(await signedIn.json(), { signed_in: true, locked: false });
  const forged = await fetch(`${t.web.url}/api/session`, { headers: { cookie: 'rackcast_session=forged' } });
  assert.equal(await forged.json(), { signed_in: false, locked: false });
});

test('an engine without an admin password says it is locked, and how to set one', async () => {
  const app = express();
  const settings = t.engine.settings;
  const saved = settings.get<unknown>(ADMIN_HASH_KEY, null);
  settings.set(ADMIN_HASH_KEY, '');
  try {
    app.use(pageRoutes({ settings, sessions: new SessionStore(), dir: '/nonexistent/page' }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const info = (await (await fetch(`${base}/api/session`)).json()) as { locked: boolean; hint: string };
    assert.ok(info.locked);
    assert.match(info.hint, /--admin-password|RACKCAST_ADMIN_PASSWORD/);
    const root = await fetch(`${base}/`);
    assert.is(root.status, 503, 'a page that was never built says so');
    assert.match(await root.text(), /not built: run scripts\/setup/);
    server.close();
  } finally {
    settings.set(ADMIN_HASH_KEY, saved);
  }
});

test.run();
