// The HTTP server's own settings, GET/PUT /api/web/settings. One so far: `sse_max_clients`, how many
// /api/events streams may be open at once (each page tab and the front panel hold one). Stored in the
// settings table, one row per key; PUT is partial and its errors name the field.
import { Router } from 'express';
import { z } from 'zod';
import { EngineError } from '../engine/engine.js';
import type { SettingsStore } from '../engine/db/settings-store.js';
import type { EventLog } from '../engine/db/event-log.js';
import { DEFAULT_MAX_CLIENTS } from './sse.js';

export const SSE_MAX_CLIENTS_KEY = 'sse_max_clients';
const MAX_SSE_CLIENTS = 1000;

const schema = z.strictObject({
  [SSE_MAX_CLIENTS_KEY]: z
    .number({ error: `must be a whole number from 1 to ${MAX_SSE_CLIENTS}` })
    .int(`must be a whole number from 1 to ${MAX_SSE_CLIENTS}`)
    .min(1, `must be from 1 to ${MAX_SSE_CLIENTS}`)
    .max(MAX_SSE_CLIENTS, `must be from 1 to ${MAX_SSE_CLIENTS}`),
}).partial();

export interface WebSettings {
  sse_max_clients: number;
}

/** The stored settings, with the default for anything missing or not valid (a hand-edited row). */
export function webSettings(settings: SettingsStore): WebSettings {
  const stored = schema.shape[SSE_MAX_CLIENTS_KEY].safeParse(settings.get<unknown>(SSE_MAX_CLIENTS_KEY, DEFAULT_MAX_CLIENTS));
  return { sse_max_clients: stored.success && stored.data !== undefined ? stored.data : DEFAULT_MAX_CLIENTS };
}

export function webSettingsRoutes({ settings, eventLog }: { settings: SettingsStore; eventLog: EventLog }): Router {
  const r = Router();
  r.get('/web/settings', (_req, res) => {
    res.json(webSettings(settings));
  });
  r.put('/web/settings', (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new EngineError('invalid', 'body must be an object', [{ field: '', message: `must be an object with ${SSE_MAX_CLIENTS_KEY}` }]);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const errors = parsed.error.issues.flatMap((iss) =>
        iss.code === 'unrecognized_keys' ? iss.keys.map((k) => ({ field: k, message: 'is not a known field' })) : [{ field: iss.path.map(String).join('.'), message: iss.message }],
      );
      throw new EngineError('invalid', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
    }
    if (parsed.data.sse_max_clients !== undefined) {
      settings.set(SSE_MAX_CLIENTS_KEY, parsed.data.sse_max_clients);
      eventLog.add({ level: 'info', kind: 'config_changed', message: `Web settings changed: ${SSE_MAX_CLIENTS_KEY} ${parsed.data.sse_max_clients}` });
    }
    res.json(webSettings(settings));
  });
  return r;
}
