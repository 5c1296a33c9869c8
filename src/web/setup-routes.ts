// POST /api/setup {code, password}: the first visit of a box that has no admin password (setup-code.ts).
// The code shown on the box's console and panel, with the new admin password, sets that password and
// signs the page in, once; afterwards the route answers 409 and the page signs in as usual. Mounted
// before requireAuth, with the sign-in's throttle: a wrong code counts as a wrong password.
import { Router } from 'express';
import { z } from 'zod';
import type { SettingsStore } from '../engine/db/settings-store.js';
import type { EventLog } from '../engine/db/event-log.js';
import { passwordProblem } from '../passwd.js';
import { setAdminPassword, storedAdminHash } from './passwords.js';
import { sessionCookie, type LoginThrottle, type SessionStore } from './auth.js';
import type { SetupCode } from './setup-code.js';

export interface SetupDeps {
  settings: SettingsStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  setupCode: SetupCode;
  eventLog: Pick<EventLog, 'add'>;
}

const setupSchema = z.strictObject({
  code: z.string({ error: 'is required' }).min(1, 'is required').max(64, 'must be at most 64 characters'),
  password: z.string({ error: 'is required' }).max(1024, 'must be at most 1024 characters').superRefine((s, ctx) => {
    const problem = passwordProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/^the password /, '') });
  }),
});

export function setupRoutes(deps: SetupDeps): Router {
  const r = Router();
  // One setup at a time: two right answers at once must not both set a password.
  let busy = false;
  r.post('/api/setup', async (req, res) => {
    if (storedAdminHash(deps.settings) || busy) {
      return void res.status(409).json({ error: 'the admin password is already set: sign in with it' });
    }
    if (!deps.setupCode.code()) {
      return void res.status(403).json({ error: 'this engine has no setup code: set the admin password with `sudo rackcast passwd` on the box' });
    }
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = deps.throttle.retryAfterMs(ip);
    if (wait > 0) {
      const secs = Math.ceil(wait / 1000);
      return void res.status(429).set('Retry-After', String(secs)).json({ error: `too many wrong codes; try again in ${secs} s`, field: 'code' });
    }
    const parsed = setupSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? 'code');
      return void res.status(400).json({ error: `${field} ${issue.message}`, field });
    }
    if (!deps.setupCode.matches(parsed.data.code)) {
      deps.throttle.fail(ip);
      return void res.status(401).json({ error: 'wrong setup code', field: 'code' });
    }
    deps.throttle.succeed(ip);
    busy = true;
    try {
      await setAdminPassword(deps.settings, parsed.data.password);
    } finally {
      busy = false;
    }
    deps.setupCode.sync(false);
    deps.eventLog.add({ level: 'info', kind: 'password_changed', message: 'The admin password was set with the setup code shown on the box' });
    const { token } = deps.sessions.create();
    res.append('Set-Cookie', sessionCookie(token)).json({ ok: true });
  });
  return r;
}
