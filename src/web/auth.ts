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
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { SettingsStore } from '../engine/db/settings-store.js';

export const ADMIN_HASH_KEY = 'admin_password_hash';
export const API_TOKENS_KEY = 'api_tokens';
export const SESSION_COOKIE = 'rackcast_session';
export const ADMIN_USER = 'admin';
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** How long a verified Basic header is trusted without running scrypt again (status polls, SSE reconnects). */
export const BASIC_CACHE_MS = 60_000;
const LOCKED_HINT = 'no admin password is set; run `sudo rackcast passwd` on the box (or start the engine once with --admin-password or RACKCAST_ADMIN_PASSWORD)';

type Clock = () => number;

// ---------------------------------------------------------------------------------------------------
// Password hashing: scrypt, so a copied settings table does not give the password away cheaply.

const SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 32, saltLen: 16 } as const;

// The async scrypt runs on the libuv thread pool: the capture loop shares this process and must never
// wait ~100 ms for a password check.
function scryptAsync(password: string, salt: Buffer, keyLen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLen);
  const key = await scryptAsync(password, salt, SCRYPT.keyLen, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True if `candidate` matches a hash made by hashPassword. A malformed stored value never matches. */
export async function verifyPassword(stored: string, candidate: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds keep a corrupted setting from asking scrypt for gigabytes of memory.
  const sane = Number.isInteger(N) && N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0 &&
    Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (!sane || salt.length === 0 || expected.length < 16) return false;
  const actual = await scryptAsync(candidate, salt, expected.length, N, r, p);
  return timingSafeEqual(actual, expected);
}

export interface AdminPasswordStatus {
  /** True when no admin password exists: nothing but API tokens can get in until one is set. */
  locked: boolean;
  /** True when this call stored the password from the environment (first start). */
  setNow: boolean;
  /** One line for the startup log. */
  message: string;
}

function storedAdminHash(settings: SettingsStore): string | null {
  const v = settings.get<unknown>(ADMIN_HASH_KEY, null);
  return typeof v === 'string' && v !== '' ? v : null;
}

export async function setAdminPassword(settings: SettingsStore, password: string): Promise<void> {
  settings.set(ADMIN_HASH_KEY, await hashPassword(password));
}

/**
 * At startup: the environment's RACKCAST_ADMIN_PASSWORD sets the admin password only when none is stored
 * yet, so a password changed later on the box is not reset by the unit file on the next reboot.
 */
export async function ensureAdminPassword(settings: SettingsStore, passwordFromEnv?: string): Promise<AdminPasswordStatus> {
  if (storedAdminHash(settings)) {
    return { locked: false, setNow: false, message: 'admin password is set' };
  }
  if (passwordFromEnv) {
    await setAdminPassword(settings, passwordFromEnv);
    return { locked: false, setNow: true, message: 'admin password set from RACKCAST_ADMIN_PASSWORD' };
  }
  return { locked: true, setNow: false, message: `the API is locked: ${LOCKED_HINT}` };
}

// ---------------------------------------------------------------------------------------------------
// API tokens: random 256-bit strings, so a plain SHA-256 is enough to store them (no slow hash needed,
// nothing to brute-force), and verifying one on every request costs nothing.

interface StoredApiToken { id: string; label: string; sha256: string; created_at: string }
export type ApiTokenInfo = Omit<StoredApiToken, 'sha256'>;

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

function storedTokens(settings: SettingsStore): StoredApiToken[] {
  const v = settings.get<unknown>(API_TOKENS_KEY, []);
  if (!Array.isArray(v)) return [];
  return v.filter((t): t is StoredApiToken =>
    typeof t === 'object' && t !== null && typeof (t as StoredApiToken).sha256 === 'string' &&
    typeof (t as StoredApiToken).id === 'string');
}

/** Creates a token and returns it: this is the only time it exists in clear. */
export function createApiToken(settings: SettingsStore, label: string): { id: string; token: string } {
  const token = `rct_${randomBytes(32).toString('base64url')}`;
  const id = randomBytes(6).toString('hex');
  const entry: StoredApiToken = { id, label, sha256: sha256(token).toString('hex'), created_at: new Date().toISOString() };
  settings.set(API_TOKENS_KEY, [...storedTokens(settings), entry]);
  return { id: entry.id, token };
}

export function listApiTokens(settings: SettingsStore): ApiTokenInfo[] {
  return storedTokens(settings).map(({ id, label, created_at }) => ({ id, label, created_at }));
}

export function revokeApiToken(settings: SettingsStore, id: string): boolean {
  const tokens = storedTokens(settings);
  const kept = tokens.filter((t) => t.id !== id);
  if (kept.length !== tokens.length) settings.set(API_TOKENS_KEY, kept);
  return kept.length !== tokens.length;
}

export function verifyApiToken(settings: SettingsStore, token: string): boolean {
  const h = sha256(token);
  let ok = false;
  // Compare against every entry (no early exit) with a constant-time compare.
  for (const t of storedTokens(settings)) {
    const stored = Buffer.from(t.sha256, 'hex');
    if (stored.length === h.length && timingSafeEqual(stored, h)) ok = true;
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------------
// Sessions: in memory. A restart of the engine signs the page out, which is acceptable for an appliance
// and means there is no session table to clean up.

export class SessionStore {
  // Keyed by sha256(token), so a heap dump holds no usable session; value: expires at (ms).
  private readonly sessions = new Map<string, number>();
  private readonly key = (token: string): string => sha256(token).toString('hex');
  private readonly now: Clock;
  private readonly idleMs: number;
  private readonly maxSessions: number;

  constructor(opts: { now?: Clock; idleMs?: number; maxSessions?: number } = {}) {
    [this.now, this.idleMs, this.maxSessions] = [opts.now ?? Date.now, opts.idleMs ?? SESSION_IDLE_MS, opts.maxSessions ?? 1000];
  }

  create(): { token: string; expiresAt: number } {
    this.prune();
    // Bound memory even if something signs in in a loop: drop the oldest (Map keeps insertion order).
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.idleMs;
    this.sessions.set(this.key(token), expiresAt);
    return { token, expiresAt };
  }

  /** True if the session exists and has not been idle too long; each successful use extends it. */
  validate(token: string): boolean {
    const k = this.key(token);
    const expiresAt = this.sessions.get(k);
    if (expiresAt === undefined) return false;
    if (this.now() >= expiresAt) {
      this.sessions.delete(k);
      return false;
    }
    this.sessions.set(k, this.now() + this.idleMs);
    return true;
  }

  destroy(token: string): void {
    this.sessions.delete(this.key(token));
  }

  private prune(): void {
    for (const [k, exp] of this.sessions) if (this.now() >= exp) this.sessions.delete(k);
  }
}

// ---------------------------------------------------------------------------------------------------
// Throttling of wrong passwords per client IP: after `maxFailures` within `windowMs`, refuse for `lockMs`.
// While refused, the password is not even checked, so guessing costs the box no scrypt time.

export class LoginThrottle {
  private readonly clients = new Map<string, { failures: number[]; lockedUntil: number }>();
  private readonly now: Clock;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockMs: number;

  constructor(opts: { now?: Clock; maxFailures?: number; windowMs?: number; lockMs?: number } = {}) {
    [this.now, this.maxFailures] = [opts.now ?? Date.now, opts.maxFailures ?? 5];
    [this.windowMs, this.lockMs] = [opts.windowMs ?? 5 * 60_000, opts.lockMs ?? 60_000];
  }

  /** Milliseconds until `ip` may try again; 0 when it may try now. */
  retryAfterMs(ip: string): number {
    const c = this.clients.get(ip);
    return c ? Math.max(0, c.lockedUntil - this.now()) : 0;
  }

  fail(ip: string): void {
    const now = this.now();
    if (this.clients.size > 10_000) this.prune(now);
    const c = this.clients.get(ip) ?? { failures: [], lockedUntil: 0 };
    c.failures = c.failures.filter((t) => now - t < this.windowMs);
    c.failures.push(now);
    if (c.failures.length >= this.maxFailures) {
      c.lockedUntil = now + this.lockMs;
      c.failures = [];
    }
    this.clients.set(ip, c);
  }

  succeed(ip: string): void {
    this.clients.delete(ip);
  }

  private prune(now: number): void {
    for (const [ip, c] of this.clients) {
      if (c.lockedUntil <= now && c.failures.every((t) => now - t >= this.windowMs)) this.clients.delete(ip);
    }
  }
}

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
      return next();
    }
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const credentials = header.slice(space + 1).trim();
    if (space > 0 && scheme === 'bearer' && verifyApiToken(settings, credentials)) {
      res.locals.auth = 'token';
      return next();
    }
    const stored = storedAdminHash(settings);
    if (space > 0 && scheme === 'basic' && stored) {
      const cacheKey = sha256(`${stored}\n${header}`).toString('hex');
      if ((basicCache.get(cacheKey) ?? 0) > now()) {
        res.locals.auth = 'basic';
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
        return next();
      }
      throttle.fail(ip);
    }
    if (!req.get('x-requested-with')) res.set('WWW-Authenticate', 'Basic realm="RackCast"');
    res.status(401).json({ error: 'authentication required', ...(stored ? {} : { locked: true, hint: LOCKED_HINT }) });
  };
}

function sessionCookie(value: string, maxAgeSecs?: number): string {
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
