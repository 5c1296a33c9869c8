// Access to the box over HTTP (admin only, like every route scopes.ts does not list):
//   PUT    /api/access/password    {current_password, new_password}: the current one is required; every
//                                  other signed-in page is signed out (this one stays signed in)
//   GET    /api/access/tokens      the API tokens: label, scope, created, last used (never the token)
//   POST   /api/access/tokens      {label, scope} → 201 with the token, shown this once; stored hashed
//   DELETE /api/access/tokens/:id  revokes it at once
import { Router } from 'express';
import { z } from 'zod';
import { EngineError, type Engine } from '../engine/engine.js';
import { parseUpdate } from '../engine/box/settings-parse.js';
import { passwordProblem } from '../passwd.js';
import { SESSION_COOKIE, parseCookies } from './auth.js';
import { setAdminPassword, storedAdminHash, verifyPassword } from './passwords.js';
import { createApiToken, listApiTokens, parseNewToken, revokeApiToken } from './api-tokens.js';
import type { SessionStore } from './sessions.js';
import type { LoginThrottle } from './login-throttle.js';
import type { EventStream } from './sse.js';
import { createHash } from 'node:crypto';
import { invalid } from './box-routes.js';

const passwordChangeSchema = z.strictObject({
  current_password: z.string({ error: 'is required' }).min(1, 'is required').max(1024, 'must be at most 1024 characters'),
  new_password: z
    .string({ error: 'is required' })
    .max(1024, 'must be at most 1024 characters')
    .superRefine((s, ctx) => {
      const problem = passwordProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/^the password /, '') });
    }),
});

export function accessRoutes(engine: Engine, deps: { sessions: SessionStore; throttle: LoginThrottle; events: EventStream }): Router {
  const r = Router();
  const { settings, eventLog } = engine;

  r.put('/access/password', async (req, res) => {
    const parsed = parseUpdate(passwordChangeSchema, req.body, {} as z.output<typeof passwordChangeSchema>, 'current_password and new_password');
    if (!parsed.ok) throw invalid('password change', parsed.errors);
    const ip = req.ip ?? 'unknown';
    const wait = deps.throttle.retryAfterMs(ip);
    if (wait > 0) {
      res.status(429).set('Retry-After', String(Math.ceil(wait / 1000))).json({ error: `too many wrong passwords; try again in ${Math.ceil(wait / 1000)} s`, field: 'current_password' });
      return;
    }
    const stored = storedAdminHash(settings);
    if (!stored || !(await verifyPassword(stored, parsed.value.current_password))) {
      deps.throttle.fail(ip);
      throw new EngineError('invalid', 'the current password is wrong', [{ field: 'current_password', message: 'is wrong' }]);
    }
    deps.throttle.succeed(ip);
    await setAdminPassword(settings, parsed.value.new_password);
    // Basic credentials are checked against the new hash from now on (their cache is keyed on the hash).
    const mine = parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? null;
    deps.sessions.destroyAllBut(mine);
    // Open event streams were let in before: those of other pages and of Basic clients end now.
    const myKey = mine === null ? null : createHash('sha256').update(mine).digest('hex');
    deps.events.closeWhere((l) => l.auth !== 'token' && l.sessionKey !== myKey);
    engine.liveListen.closeNetworkWhere((l) => l.auth !== undefined && l.auth !== 'token' && l.sessionKey !== myKey);
    eventLog.add({ level: 'info', kind: 'password_changed', message: 'The admin password was changed; other signed-in pages were signed out' });
    res.json({ ok: true });
  });

  r.get('/access/tokens', (_req, res) => {
    res.json(listApiTokens(settings));
  });

  r.post('/access/tokens', (req, res) => {
    const parsed = parseNewToken(req.body);
    if (!parsed.ok) throw invalid('API token', parsed.errors);
    const created = createApiToken(settings, parsed.value.label, parsed.value.scope);
    eventLog.add({ level: 'info', kind: 'token_created', message: `API token "${created.label}" created (scope ${created.scope})`, data: { id: created.id, scope: created.scope } });
    res.status(201).json({ ...created, last_used_at: null });
  });

  r.delete('/access/tokens/:id', (req, res) => {
    const id = req.params.id;
    const token = listApiTokens(settings).find((t) => t.id === id);
    if (!token || !revokeApiToken(settings, id)) throw new EngineError('not_found', `no API token with id ${id}`);
    deps.events.closeWhere((l) => l.tokenId === id);
    engine.liveListen.closeNetworkWhere((l) => l.tokenId === id);
    eventLog.add({ level: 'info', kind: 'token_revoked', message: `API token "${token.label}" revoked`, data: { id } });
    res.status(204).end();
  });
  return r;
}
