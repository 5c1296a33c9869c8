// Cross-site request refusal. A browser attaches the session cookie and any Basic credentials it once
// answered a prompt with to every request to this host, including a form or fetch() posted by another
// site's page. So a state-changing request that carries those ambient credentials must come from the
// page's own origin, as its Origin header says (or, when a browser sent none, its Referer).
//
// Not refused:
//   - safe methods (GET, HEAD, OPTIONS): they change nothing (metadata-routes.ts keeps title intake off GET
//     except with the metadata key);
//   - requests with neither Origin nor Referer: curl, playout systems and the front panel's Node client.
//     Browsers send Origin on every cross-origin request that is not a GET or HEAD, so such a request is
//     not a browser's cross-site one;
//   - bearer API tokens and the metadata key: a page on another site cannot know them, and it cannot add
//     an Authorization or X-RackCast-Metadata-Key header to a cross-origin request without a CORS
//     preflight, which this server never answers.
//
// An Origin check rather than CSRF tokens (csrf-csrf, the deprecated csurf): tokens need the page and every
// script to fetch and echo one, while every browser the page supports sends Origin; OWASP lists the
// Origin check as a complete defence for this case. It is a dozen lines, so no library.
import type { Request, RequestHandler } from 'express';
import { SESSION_COOKIE, parseCookies } from './auth.js';
import { METADATA_KEY_HEADER } from '../engine/metadata/metadata-key.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the request carries credentials a browser adds by itself: the session cookie or HTTP Basic. */
function carriesAmbientCredentials(req: Request): boolean {
  const scheme = (req.headers.authorization ?? '').trim().split(/\s+/, 1)[0]!.toLowerCase();
  if (scheme === 'bearer') return false;
  // Exactly the requests the metadata-key door (metadata-routes.ts) decides by the key alone, never by the cookie.
  if (req.method === 'POST' && req.path === '/api/metadata' && (req.query.key !== undefined || req.get(METADATA_KEY_HEADER) !== undefined)) return false;
  return scheme === 'basic' || parseCookies(req.headers.cookie).has(SESSION_COOKIE);
}

/** Which header names the request's source and the origin it names (null: unusable, e.g. "null"); null without either header. */
export function requestSource(req: Request): { origin: string | null; header: 'Origin' | 'Referer' } | null {
  const origin = req.headers.origin;
  if (origin !== undefined) return { origin: serializedOrigin(origin), header: 'Origin' };
  const referer = req.headers.referer;
  if (referer !== undefined) return { origin: serializedOrigin(referer), header: 'Referer' };
  return null;
}

function serializedOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null; // "null" (sandboxed frames, file:// pages, some redirects), or not a URL
  }
}

/** True when `origin` is this server as the request reached it: the same Host, over http or https. */
export function isOwnOrigin(origin: string, host: string | undefined): boolean {
  // A host name, IPv4 or [IPv6] address and an optional port: nothing a URL parser would read as a path.
  if (!host || !/^[A-Za-z0-9.\-_~]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host)) return false;
  const url = new URL(origin);
  try {
    // Parsed with the origin's own scheme, so `Host: box:443` matches `https://box` and `Host: box` matches `http://box`.
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}

/**
 * Refuses (403) a state-changing request with ambient credentials unless it comes from the page's own
 * origin. Mount once, at the app level before the session routes and requireAuth: it decides from the headers
 * alone, so a cross-site request is refused before any password is checked or counted against the
 * sign-in throttle. Also covers POST /api/session, whose body carries the admin password.
 */
export function refuseCrossSite(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const signIn = req.path === '/api/session' && req.method === 'POST';
    if (!signIn && !carriesAmbientCredentials(req)) return next();
    const source = requestSource(req);
    if (source === null) return next();
    if (source.origin !== null && isOwnOrigin(source.origin, req.get('host'))) return next();
    const named = source.origin === null ? `an unusable ${source.header} (${JSON.stringify(String(req.headers[source.header.toLowerCase()]).slice(0, 100))})` : `${source.header} ${source.origin}`;
    res.status(403).json({
      error: `cross-site request refused: ${req.method} with the session cookie or Basic credentials must come from this page's own origin, but it names ${named}`,
      field: source.header.toLowerCase(),
    });
  };
}
