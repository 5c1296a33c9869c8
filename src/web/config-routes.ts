// Backup and restore of the box's configuration (src/engine/box/config-backup.ts has the document):
//   GET  /api/config/export          the document without any password (a download for the page)
//   POST /api/config/export          {admin_password}: the same with the passwords, for a move to a new box
//   POST /api/config/import          the document: validated whole (400 naming every field at fault, nothing
//                                    changed) and applied; answers with the report of what changed
import express, { Router } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import { applyImport, exportConfig, planImport } from '../engine/box/config-backup.js';
import { storedAdminHash, verifyPassword } from './passwords.js';
import type { LoginThrottle } from './login-throttle.js';
import { invalid } from './box-routes.js';

/** A configuration with a few dozen encoders is well under this; the API's other bodies stay at 64 kB. */
export const IMPORT_LIMIT = '2mb';
export const IMPORT_PATH = '/api/config/import';

function attachment(res: express.Response, engine: Engine): void {
  const day = new Date().toISOString().slice(0, 10);
  const station = (engine.settings.get<string>('station_name', 'RackCast') || 'RackCast').replace(/[^\w.-]+/g, '-');
  res.set('Content-Disposition', `attachment; filename="${station}-config-${day}.json"`);
}

export function configRoutes(engine: Engine, deps: { throttle: LoginThrottle }): Router {
  const r = Router();
  let importing = false;

  r.get('/config/export', (_req, res) => {
    attachment(res, engine);
    res.json(exportConfig(engine, { secrets: false }));
  });

  r.post('/config/export', async (req, res) => {
    const body: unknown = req.body;
    const password = typeof body === 'object' && body !== null ? (body as { admin_password?: unknown }).admin_password : undefined;
    if (typeof password !== 'string' || password === '') throw new EngineError('invalid', 'admin_password is required for an export with the passwords', [{ field: 'admin_password', message: 'is required' }]);
    const ip = req.ip ?? 'unknown';
    const wait = deps.throttle.retryAfterMs(ip);
    if (wait > 0) {
      res.status(429).set('Retry-After', String(Math.ceil(wait / 1000))).json({ error: `too many wrong passwords; try again in ${Math.ceil(wait / 1000)} s`, field: 'admin_password' });
      return;
    }
    const stored = storedAdminHash(engine.settings);
    if (!stored || !(await verifyPassword(stored, password))) {
      deps.throttle.fail(ip);
      throw new EngineError('invalid', 'the admin password is wrong', [{ field: 'admin_password', message: 'is wrong' }]);
    }
    deps.throttle.succeed(ip);
    engine.eventLog.add({ level: 'info', kind: 'config_changed', message: 'Configuration exported with the passwords' });
    attachment(res, engine);
    res.json(exportConfig(engine, { secrets: true }));
  });

  r.post('/config/import', async (req, res) => {
    if (importing) throw new EngineError('conflict', 'an import is already under way');
    importing = true;
    try {
      const planned = await planImport(engine, req.body);
      if (!planned.ok) throw invalid('configuration', planned.errors);
      res.json(await applyImport(engine, planned.plan));
    } finally {
      importing = false;
    }
  });
  return r;
}
