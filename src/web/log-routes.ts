// GET /api/log: the operator event log, newest first. Query: limit (1-500, default 100), kind (one or
// several, comma-separated), encoder_id, before (an event id: the page after the one that ended there)
// and since (an ISO 8601 time). GET /api/log/kinds: the kinds the log holds, for the page's filter.
// New events reach the page live as `event_logged` on /api/events (server.ts).
import { Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { fieldErrors } from '../engine/box/settings-parse.js';
import { invalid } from './box-routes.js';

const id = z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be a positive whole number').transform(Number);

const querySchema = z.strictObject({
  limit: z.string().regex(/^[0-9]{1,4}$/, 'must be a whole number from 1 to 500').transform(Number).pipe(z.number().min(1, 'must be a whole number from 1 to 500').max(500, 'must be a whole number from 1 to 500')).optional(),
  kind: z.string().max(2000, 'is too long').regex(/^[a-z_]+(,[a-z_]+)*$/, 'must be event kinds separated by commas, such as encoder_connected,encoder_failed').transform((s) => s.split(',')).optional(),
  encoder_id: id.optional(),
  before: id.optional(),
  since: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a time such as 2026-01-31T12:00:00Z').transform((s) => new Date(Date.parse(s)).toISOString()).optional(),
});

export function logRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/log', (req, res) => {
    // One value per parameter: a repeated one (?kind=a&kind=b) is refused rather than half read.
    const parsed = querySchema.safeParse(req.query, { error: () => 'must be given once, as text' });
    if (!parsed.success) throw invalid('log query', fieldErrors(parsed.error.issues, 'log query parameters'));
    const q = parsed.data;
    res.json(engine.eventLog.query({ limit: q.limit ?? 100, kinds: q.kind, encoderId: q.encoder_id, beforeId: q.before, since: q.since }));
  });
  r.get('/log/kinds', (_req, res) => {
    res.json(engine.eventLog.kinds());
  });
  return r;
}
