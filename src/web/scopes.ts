// What each API token scope may do. The admin password (the page's session, Basic) and `admin` tokens may
// do everything; the others only what is listed here, and anything else is a 403 naming the scope that
// would be needed. Paths are those under /api (and /metrics).
//   control   what the front panel needs: status and its live events, start/stop (one, all), recording
//             start/stop, the panel frame, ejecting the USB drive, releasing a held fallback, live listen's
//             source, volume and on/off
//   metadata  now playing only: post titles, read the current one
//   read      status, live events, encoders, listeners, recordings' state, alarms, the log, metrics, system
import type { RequestHandler } from 'express';
import type { Scope } from './api-tokens.js';

type Rule = readonly [method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: RegExp];

const ID = '[1-9][0-9]*';
const STATUS: Rule[] = [['GET', /^\/status$/], ['GET', /^\/events$/]];

export const SCOPE_RULES: Record<Exclude<Scope, 'admin'>, readonly Rule[]> = {
  control: [
    ...STATUS,
    ['POST', new RegExp(`^/encoders/${ID}/(start|stop)$`)],
    ['POST', /^\/encoders\/(start|stop)-all$/],
    ['POST', new RegExp(`^/encoders/${ID}/recording/(start|stop)$`)],
    ['GET', new RegExp(`^/encoders/${ID}/recording$`)],
    ['PUT', /^\/panel\/frame$/],
    ['POST', /^\/storage\/eject$/],
    ['POST', /^\/alarms\/fallback\/release$/],
    ['PUT', /^\/live-listen$/],
  ],
  metadata: [['POST', /^\/metadata$/], ['GET', /^\/metadata$/]],
  read: [
    ...STATUS,
    ['GET', /^\/encoders$/],
    ['GET', new RegExp(`^/encoders/${ID}(/status|/recording|/listeners|/listeners/current)?$`)],
    ['GET', /^\/alarms$/],
    ['GET', /^\/log(\/kinds)?$/],
    ['GET', /^\/metrics$/],
    ['GET', /^\/system$/],
    ['GET', /^\/panel\/frame\.png$/],
    ['GET', /^\/live-listen$/],
    ['GET', /^\/live-listen\/stream$/],
    ['GET', /^\/audio\/devices$/],
  ],
};

/** May a token of `scope` make this request? Pure. HEAD counts as GET. */
export function scopeAllows(scope: Scope, method: string, path: string): boolean {
  if (scope === 'admin') return true;
  const m = method === 'HEAD' ? 'GET' : method;
  return SCOPE_RULES[scope].some(([rm, rp]) => rm === m && rp.test(path));
}

/** The narrowest scope that allows the request (what the 403 names). */
export function scopeNeeded(method: string, path: string): Scope {
  for (const scope of ['metadata', 'read', 'control'] as const) if (scopeAllows(scope, method, path)) return scope;
  return 'admin';
}

/** After requireAuth: a token's request outside its scope gets a 403 that names the scope it needs. */
export function requireScope(prefix = '/api'): RequestHandler {
  return (req, res, next) => {
    const scope = (res.locals.scope as Scope | undefined) ?? 'admin';
    if (scopeAllows(scope, req.method, req.path)) return next();
    const needed = scopeNeeded(req.method, req.path);
    res.status(403).json({ error: `this API token has the scope "${scope}", which does not allow ${req.method} ${prefix}${req.path}; that needs "${needed}"`, scope: needed });
  };
}
