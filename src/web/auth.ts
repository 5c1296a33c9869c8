// Authentication for the HTTP API. Three ways in, one admin:
//   - the page signs in with POST /api/session and then sends the `rackcast_session` cookie;
//   - scripts send `Authorization: Basic` (user `admin`, the admin password);
//   - playout systems and scripts that should not hold the admin password send
//     `Authorization: Bearer <api token>`.
//
// Wiring (src/web server): mount, in this order,
//   1. GET /api/health                 (unauthenticated: monitoring must work without credentials)
//   2. authRoutes(router, deps)        (POST/DELETE /api/session: signing in cannot require being signed in)
//   3. app.use('/api', requireAuth(deps)) and every other /api route after it.
// Pass the same `sessions` (and, if given, `throttle`) to both, so failed Basic attempts and failed
// sign-ins count against the same per-IP limit. Cross-site requests riding on the cookie or Basic
// credentials are refused before any of this, by refuseCrossSite (cross-site.ts).
import { createHash } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { SettingsStore } from '../engine/db/settings-store.js';
import { LOCKED_HINT, storedAdminHash, verifyPassword } from './passwords.js';
import { findApiToken } from './api-tokens.js';
import { LoginThrottle } from './login-throttle.js';
import type { SessionStore } from './sessions.js';

// The pieces, each in its own module, exported from here as before.
export { ADMIN_HASH_KEY, LOCKED_HINT, hashPassword, verifyPassword, setAdminPassword, ensureAdminPassword, type AdminPasswordStatus } from './passwords.js';
export { API_TOKENS_KEY, SCOPES, createApiToken, listApiTokens, revokeApiToken, verifyApiToken, findApiToken, type ApiTokenInfo, type Scope } from './api-tokens.js';
export { SessionStore, SessionTable, SESSION_IDLE_MS } from './sessions.js';
export { LoginThrottle } from './login-throttle.js';

export const SESSION_COOKIE = 'rackcast_session';
export const ADMIN_USER = 'admin';
/** How long a verified Basic header is trusted without running scrypt again (status polls, SSE reconnects). */
export const BASIC_CACHE_MS = 60_000;

type Clock = () => number;
const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

// ---------------------------------------------------------------------------------------------------
// Express glue.

export interface AuthDeps {
  settings: SettingsStore;
  sessions: SessionStore;
  /** Defaults to one throttle per SessionStore, shared by requireAuth and authRoutes. */
  throttle?: LoginThrottle;
  now?: Clock;
}

const defaultThrottles = new WeakMap<SessionStore, LoginThrottle>();
function throttleOf(deps: AuthDeps): LoginThrottle {
  if (deps.throttle) return deps.throttle;
  let t = defaultThrottles.get(deps.sessions);
  if (!t) defaultThrottles.set(deps.sessions, (t = new LoginThrottle({ now: deps.now })));
  return t;
}

/** A minimal Cookie header parser (first occurrence of a name wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value: a malformed cookie from another app on the same host must not cause a 500
    }
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function refuseThrottled(res: Response, waitMs: number): void {
  const secs = Math.ceil(waitMs / 1000);
  res.status(429).set('Retry-After', String(secs)).json({ error: `too many wrong passwords; try again in ${secs} s` });
}

/**
 * Express middleware that lets a request through with a valid session cookie, Bearer API token or Basic
 * admin credentials, and answers 401 otherwise. `res.locals.auth` says which one was used.
 * The WWW-Authenticate header is left out when the request carries X-Requested-With, so the page's own
 * fetch() calls don't make the browser pop up its Basic login dialog.
 */
export function requireAuth(deps: AuthDeps): RequestHandler {
  const { settings, sessions } = deps;
  const now = deps.now ?? Date.now;
  const throttle = throttleOf(deps);
  // sha256(stored hash + header) -> valid until. Keyed on the stored hash too, so changing the password
  // invalidates every cached entry at once; hashed so the cache holds no password.
  const basicCache = new Map<string, number>();

  return async (req, res, next) => {
    const cookie = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (cookie && sessions.validate(cookie)) {
      res.locals.auth = 'session';
      res.locals.scope = 'admin';
      res.locals.sessionKey = sha256(cookie).toString('hex');
      return next();
    }
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const credentials = header.slice(space + 1).trim();
    const token = space > 0 && scheme === 'bearer' ? findApiToken(settings, credentials, now) : null;
    if (token) {
      res.locals.auth = 'token';
      res.locals.scope = token.scope;
      res.locals.tokenId = token.id;
      return next();
    }
    const stored = storedAdminHash(settings);
    if (space > 0 && scheme === 'basic' && stored) {
      const cacheKey = sha256(`${stored}\n${header}`).toString('hex');
      if ((basicCache.get(cacheKey) ?? 0) > now()) {
        res.locals.auth = 'basic';
        res.locals.scope = 'admin';
        return next();
      }
      const ip = clientIp(req);
      const wait = throttle.retryAfterMs(ip);
      if (wait > 0) return refuseThrottled(res, wait);
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0 && decoded.slice(0, colon) === ADMIN_USER && (await verifyPassword(stored, decoded.slice(colon + 1)))) {
        throttle.succeed(ip);
        for (const [k, until] of basicCache) if (until <= now()) basicCache.delete(k);
        basicCache.set(cacheKey, now() + BASIC_CACHE_MS);
        res.locals.auth = 'basic';
        res.locals.scope = 'admin';
        return next();
      }
      throttle.fail(ip);
    }
    if (!req.get('x-requested-with')) res.set('WWW-Authenticate', 'Basic realm="RackCast"');
    res.status(401).json({ error: 'authentication required', ...(stored ? {} : { locked: true, hint: LOCKED_HINT }) });
  };
}

export function sessionCookie(value: string, maxAgeSecs?: number): string {
  // No Secure flag: the box serves plain HTTP on the station LAN. SameSite=Strict keeps other sites'
  // pages from riding on the cookie.
  const maxAge = maxAgeSecs === undefined ? '' : `; Max-Age=${maxAgeSecs}`;
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/${maxAge}`;
}

/** POST /api/session {password} signs the page in; DELETE /api/session signs it out. Mount before requireAuth. */
export function authRoutes(router: Router, deps: AuthDeps): void {
  const { settings, sessions } = deps;
  const throttle = throttleOf(deps);

  router.post('/api/session', express.json({ limit: '4kb' }), async (req, res) => {
    const ip = clientIp(req);
    const wait = throttle.retryAfterMs(ip);
    if (wait > 0) return refuseThrottled(res, wait);
    const stored = storedAdminHash(settings);
    if (!stored) return void res.status(503).json({ error: LOCKED_HINT, locked: true });
    const body: unknown = req.body;
    const password = typeof body === 'object' && body !== null ? (body as { password?: unknown }).password : undefined;
    if (typeof password !== 'string' || password === '') {
      return void res.status(400).json({ error: 'password is required', field: 'password' });
    }
    if (!(await verifyPassword(stored, password))) {
      throttle.fail(ip);
      return void res.status(401).json({ error: 'wrong password', field: 'password' });
    }
    throttle.succeed(ip);
    // Replace any previous session of this browser rather than leaving it valid.
    const previous = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (previous) sessions.destroy(previous);
    const { token } = sessions.create();
    res.append('Set-Cookie', sessionCookie(token)).json({ ok: true });
  });

  router.delete('/api/session', (req, res) => {
    const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (token) sessions.destroy(token);
    res.append('Set-Cookie', sessionCookie('', 0)).json({ ok: true });
  });
}
