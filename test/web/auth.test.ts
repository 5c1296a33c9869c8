import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import express from 'express';
import { openDatabase } from '../../src/engine/db/database.js';
import { SettingsStore } from '../../src/engine/db/settings-store.js';
import {
  ADMIN_HASH_KEY,
  API_TOKENS_KEY, BASIC_CACHE_MS, LoginThrottle, SESSION_IDLE_MS, SessionStore, authRoutes, createApiToken,
  ensureAdminPassword, hashPassword, listApiTokens, parseCookies, requireAuth, revokeApiToken,
  setAdminPassword, verifyApiToken, verifyPassword, type AuthDeps,
} from '../../src/web/auth.js';
import { refuseCrossSite } from '../../src/web/cross-site.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-auth-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshSettings = () => new SettingsStore(openDatabase(join(dir, `db${++n}.sqlite`)));
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

/** A tiny app wired as the real server must be: health, session routes, then the middleware. */
async function startApp(deps: AuthDeps) {
  const app = express();
  app.use(refuseCrossSite());
  app.get('/api/health', (_req, res) => void res.json({ ok: true }));
  const router = express.Router();
  authRoutes(router, deps);
  app.use(router);
  app.use('/api', requireAuth(deps));
  app.get('/api/status', (_req, res) => void res.json({ ok: true, auth: res.locals.auth }));
  app.post('/api/encoders', (_req, res) => void res.json({ id: 1 }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('hashPassword/verifyPassword', async () => {
  const h = await hashPassword('correct horse');
  assert.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]+$/);
  assert.ok(await verifyPassword(h, 'correct horse'));
  assert.not.ok(await verifyPassword(h, 'correct horsE'));
  assert.not.ok(await verifyPassword(h, ''));
  assert.is.not(await hashPassword('correct horse'), h, 'random salt');
  assert.not.ok(await verifyPassword('plain-text', 'plain-text'), 'a malformed stored value never matches');
  assert.not.ok(await verifyPassword('scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA', 'x'));
});

test('ensureAdminPassword: locked without one, set on first start only', async () => {
  const s = freshSettings();
  const locked = await ensureAdminPassword(s);
  assert.is(locked.locked, true);
  assert.match(locked.message, /RACKCAST_ADMIN_PASSWORD/);
  assert.is((await ensureAdminPassword(s, '')).locked, true, 'an empty variable is no password');
  const first = await ensureAdminPassword(s, 'first');
  assert.equal([first.locked, first.setNow], [false, true]);
  const stored = s.get<string>(ADMIN_HASH_KEY, '');
  assert.ok(await verifyPassword(stored, 'first'));
  const second = await ensureAdminPassword(s, 'other');
  assert.equal([second.locked, second.setNow], [false, false]);
  assert.is(s.get<string>(ADMIN_HASH_KEY, ''), stored, 'the environment does not overwrite a stored password');
});

test('SessionStore: create/validate/destroy and 12 h idle expiry with an injected clock', () => {
  let now = 1_000_000;
  const sessions = new SessionStore({ now: () => now });
  const { token, expiresAt } = sessions.create();
  assert.is(Buffer.from(token, 'base64url').length, 32);
  assert.is(expiresAt, now + SESSION_IDLE_MS);
  assert.ok(sessions.validate(token));
  now += SESSION_IDLE_MS - 1;
  assert.ok(sessions.validate(token), 'just before expiry; use extends it');
  now += SESSION_IDLE_MS - 1;
  assert.ok(sessions.validate(token), 'idle expiry slid forward');
  now += SESSION_IDLE_MS;
  assert.not.ok(sessions.validate(token), 'expired after 12 h idle');
  const other = sessions.create().token;
  sessions.destroy(other);
  assert.not.ok(sessions.validate(other));
  assert.not.ok(sessions.validate('made-up'));
});

test('LoginThrottle: 5 failures within 5 min lock for 60 s', () => {
  let now = 0;
  const t = new LoginThrottle({ now: () => now });
  for (let i = 0; i < 4; i++) t.fail('a');
  assert.is(t.retryAfterMs('a'), 0);
  t.fail('a');
  assert.is(t.retryAfterMs('a'), 60_000);
  assert.is(t.retryAfterMs('b'), 0, 'per IP');
  now += 59_999;
  assert.is(t.retryAfterMs('a'), 1);
  now += 1;
  assert.is(t.retryAfterMs('a'), 0);
  // Failures spread wider than the window never lock.
  for (let i = 0; i < 10; i++) { t.fail('c'); now += 61_000; }
  assert.is(t.retryAfterMs('c'), 0);
  for (let i = 0; i < 4; i++) t.fail('d');
  t.succeed('d');
  t.fail('d');
  assert.is(t.retryAfterMs('d'), 0, 'a success clears the count');
});

test('API tokens: created once, stored hashed, verifiable, revocable', () => {
  const s = freshSettings();
  const { id, token } = createApiToken(s, 'playout');
  assert.match(token, /^rct_/);
  assert.ok(verifyApiToken(s, token));
  assert.not.ok(verifyApiToken(s, `${token}x`));
  assert.not.ok(JSON.stringify(s.get(API_TOKENS_KEY, null)).includes(token), 'only the hash is stored');
  assert.equal(listApiTokens(s).map((t) => [t.id, t.label]), [[id, 'playout']]);
  assert.ok(revokeApiToken(s, id));
  assert.not.ok(verifyApiToken(s, token));
  assert.not.ok(revokeApiToken(s, id));
});

test('parseCookies', () => {
  const c = parseCookies('a=1; rackcast_session=abc%2Ddef; b="q"; bad=%E0%A4%A; a=2; novalue');
  assert.is(c.get('a'), '1');
  assert.is(c.get('rackcast_session'), 'abc-def');
  assert.is(c.get('b'), 'q');
  assert.is(c.get('bad'), '%E0%A4%A');
  assert.is(parseCookies(undefined).size, 0);
});

test('HTTP: 401 without credentials, 200 with Basic, Bearer and session cookie', async () => {
  const settings = freshSettings();
  await setAdminPassword(settings, 's3cret');
  const { token } = createApiToken(settings, 'script');
  const app = await startApp({ settings, sessions: new SessionStore() });
  try {
    assert.is((await fetch(`${app.url}/api/health`)).status, 200, 'health is open');
    const none = await fetch(`${app.url}/api/status`);
    assert.is(none.status, 401);
    assert.equal(await none.json(), { error: 'authentication required' });
    assert.is(none.headers.get('www-authenticate'), 'Basic realm="RackCast"');
    const page = await fetch(`${app.url}/api/status`, { headers: { 'X-Requested-With': 'fetch' } });
    assert.is(page.status, 401);
    assert.is(page.headers.get('www-authenticate'), null, 'no browser Basic prompt for the page');

    const viaBasic = await fetch(`${app.url}/api/status`, { headers: { Authorization: basic('admin', 's3cret') } });
    assert.equal([viaBasic.status, await viaBasic.json()], [200, { ok: true, auth: 'basic' }]);
    assert.is((await fetch(`${app.url}/api/status`, { headers: { Authorization: basic('admin', 'nope') } })).status, 401);
    assert.is((await fetch(`${app.url}/api/status`, { headers: { Authorization: basic('root', 's3cret') } })).status, 401);

    const viaToken = await fetch(`${app.url}/api/status`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal([viaToken.status, await viaToken.json()], [200, { ok: true, auth: 'token' }]);
    assert.is((await fetch(`${app.url}/api/status`, { headers: { Authorization: 'Bearer rct_wrong' } })).status, 401);

    const wrong = await fetch(`${app.url}/api/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: 'nope' }),
    });
    assert.equal([wrong.status, await wrong.json()], [401, { error: 'wrong password', field: 'password' }]);
    const missing = await fetch(`${app.url}/api/session`, { method: 'POST' });
    assert.is(missing.status, 400);

    const signIn = await fetch(`${app.url}/api/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: 's3cret' }),
    });
    assert.equal([signIn.status, await signIn.json()], [200, { ok: true }]);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^rackcast_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = setCookie.split(';')[0] ?? '';
    const viaCookie = await fetch(`${app.url}/api/status`, { headers: { Cookie: cookie } });
    assert.equal([viaCookie.status, await viaCookie.json()], [200, { ok: true, auth: 'session' }]);

    const signOut = await fetch(`${app.url}/api/session`, { method: 'DELETE', headers: { Cookie: cookie } });
    assert.is(signOut.status, 200);
    assert.match(signOut.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.is((await fetch(`${app.url}/api/status`, { headers: { Cookie: cookie } })).status, 401, 'signed out');
  } finally {
    await app.close();
  }
});

test('HTTP: Basic from another site is refused for writes; same-origin and scripts pass', async () => {
  const settings = freshSettings();
  await setAdminPassword(settings, 'pw');
  const app = await startApp({ settings, sessions: new SessionStore() });
  const auth = basic('admin', 'pw');
  try {
    const evil = await fetch(`${app.url}/api/encoders`, { method: 'POST', headers: { Authorization: auth, Origin: 'http://evil.example' } });
    assert.is(evil.status, 403);
    assert.is((await fetch(`${app.url}/api/encoders`, { method: 'POST', headers: { Authorization: auth, Origin: app.url } })).status, 200);
    assert.is((await fetch(`${app.url}/api/encoders`, { method: 'POST', headers: { Authorization: auth } })).status, 200);
  } finally {
    await app.close();
  }
});

test('HTTP: the Basic verification is cached for 60 s, and a password change invalidates it', async () => {
  // Observed through the throttle, with an injected clock: a cached credential is accepted without a
  // password check, so a lock-out caused by other bad attempts does not touch it until the cache expires.
  const settings = freshSettings();
  await setAdminPassword(settings, 'pw');
  let now = 0;
  const throttle = new LoginThrottle({ now: () => now });
  const app = await startApp({ settings, sessions: new SessionStore(), throttle, now: () => now });
  const get = (password: string) => fetch(`${app.url}/api/status`, { headers: { Authorization: basic('admin', password) } });
  try {
    assert.is((await get('pw')).status, 200);
    now = 30_000;
    for (let i = 0; i < 5; i++) assert.is((await get('bad')).status, 401);
    assert.is((await get('bad')).status, 429, 'the address is locked out');
    assert.is((await get('pw')).status, 200, 'the cached credential needs no password check');
    now = BASIC_CACHE_MS + 1;
    assert.is((await get('pw')).status, 429, 'after 60 s the credential is checked again, and waits out the lock');
    now = 30_000 + 60_000 + 1;
    assert.is((await get('pw')).status, 200);
    await setAdminPassword(settings, 'changed');
    assert.is((await get('pw')).status, 401, 'old password no longer accepted');
  } finally {
    await app.close();
  }
});

test('HTTP: failed sign-ins and Basic attempts are throttled (injected clock)', async () => {
  const settings = freshSettings();
  await setAdminPassword(settings, 'pw');
  let now = 0;
  const throttle = new LoginThrottle({ now: () => now });
  const app = await startApp({ settings, sessions: new SessionStore(), throttle });
  const signIn = (password: string) => fetch(`${app.url}/api/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password }),
  });
  try {
    for (let i = 0; i < 3; i++) assert.is((await signIn('bad')).status, 401);
    for (let i = 0; i < 2; i++) {
      assert.is((await fetch(`${app.url}/api/status`, { headers: { Authorization: basic('admin', 'bad') } })).status, 401);
    }
    const limited = await signIn('pw');
    assert.is(limited.status, 429, 'even the right password waits out the lock');
    assert.is(limited.headers.get('retry-after'), '60');
    assert.is((await fetch(`${app.url}/api/status`, { headers: { Authorization: basic('admin', 'pw') } })).status, 429);
    now += 60_000;
    assert.is((await signIn('pw')).status, 200, 'allowed again after 60 s');
  } finally {
    await app.close();
  }
});

test('HTTP: without an admin password the API is locked and says so', async () => {
  const settings = freshSettings();
  const { token } = createApiToken(settings, 'installer');
  const app = await startApp({ settings, sessions: new SessionStore() });
  try {
    const res = await fetch(`${app.url}/api/status`, { headers: { Authorization: basic('admin', '') } });
    assert.is(res.status, 401);
    const body = (await res.json()) as { locked?: boolean; hint?: string };
    assert.is(body.locked, true);
    assert.match(body.hint ?? '', /RACKCAST_ADMIN_PASSWORD/);
    const signIn = await fetch(`${app.url}/api/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: '' }),
    });
    assert.is(signIn.status, 503);
    assert.is((await fetch(`${app.url}/api/status`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
  } finally {
    await app.close();
  }
});

test.run();
