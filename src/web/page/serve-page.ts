// Server side of the page: the built app (dist/page, made by `vite build`) at /, with the headers that keep
// other sites from framing it or injecting into it, and GET /api/session, which tells the page whether it
// is signed in without a 401 (a 401 would land in the browser's console on every first visit).
// Mounted by src/web/server.ts before requireAuth.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router, type Response } from 'express';
import type { SettingsStore } from '../../engine/db/settings-store.js';
import { ADMIN_HASH_KEY, SESSION_COOKIE, parseCookies, type SessionStore } from '../auth.js';
import type { SetupCode } from '../setup-code.js';

/** dist/page at the repository root, from src/web/page (tsx) and dist/web/page (built) alike. */
export const PAGE_DIR = fileURLToPath(new URL('../../../dist/page/', import.meta.url));

const LOCKED_HINT = 'Set the admin password with `sudo rackcast passwd` on the box (or start the engine once with --admin-password or RACKCAST_ADMIN_PASSWORD).';

// The page needs nothing from another origin. Inline styles stay allowed: Svelte and uPlot position
// elements with them, and a style cannot run code.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': CSP,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // same-origin, not no-referrer: under no-referrer the Fetch standard makes a browser send `Origin: null`
    // with the page's own POSTs, which the cross-site check (src/web/cross-site.ts) must refuse. Other
    // origins still get no Referer.
    'Referrer-Policy': 'same-origin',
  });
}

export interface PageDeps {
  settings: SettingsStore;
  sessions: SessionStore;
  /** While it holds a code, a locked engine says `setup: true` and the page asks for the code (POST /api/setup). */
  setupCode?: SetupCode;
  /** Where the built page is; tests point elsewhere. */
  dir?: string;
}

export function pageRoutes(deps: PageDeps): Router {
  const dir = deps.dir ?? PAGE_DIR;
  const r = Router();

  r.get('/api/session', (req, res) => {
    const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    const stored = deps.settings.get<unknown>(ADMIN_HASH_KEY, null);
    const locked = !(typeof stored === 'string' && stored !== '');
    const setup = locked && deps.setupCode?.code() != null;
    res.set('Cache-Control', 'no-store').json({ signed_in: !locked && token !== undefined && deps.sessions.validate(token), locked, ...(locked ? { hint: LOCKED_HINT, setup } : {}) });
  });

  const assets = express.static(dir, {
    index: 'index.html',
    setHeaders: (res, path) => {
      securityHeaders(res);
      // Vite names assets by their content hash; index.html must be asked for again after an update.
      res.set('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  r.use((req, res, next) => {
    if (req.path.startsWith('/api/') || req.path === '/api') return next();
    if (!existsSync(`${dir}/index.html`)) {
      if (req.path !== '/') return next();
      res.status(503).type('text/plain').send('RackCast engine. The web page is not built: run scripts/setup (or npx vite build). The HTTP API is under /api (see README.md).\n');
      return;
    }
    assets(req, res, next);
  });
  return r;
}
