// Listener statistics over HTTP (DESIGN.md, HTTP API: get_listener_stats, get_current_listeners),
// plus the collector's one setting. A thin adapter over engine.listenerStats.
import { Router, type Request } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import { PERIODS, isPeriod, type Period } from '../engine/stats/downsample.js';
import { POLL_SECS_KEY } from '../engine/stats/listener-stats.js';
import { idParam } from './errors.js';

const DEFAULT_PERIOD: Period = '24h';

function periodParam(req: Request): Period {
  const raw = req.query.period;
  if (raw === undefined) return DEFAULT_PERIOD;
  if (isPeriod(raw)) return raw;
  const allowed = Object.keys(PERIODS).join(', ');
  throw new EngineError('invalid', `period must be one of ${allowed}`, [{ field: 'period', message: `must be one of ${allowed}` }]);
}

export function listenerRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/encoders/:id/listeners', (req, res) => {
    const id = idParam(req);
    const period = periodParam(req);
    engine.getEncoder(id);
    res.json(engine.listenerStats.history(id, period));
  });
  r.get('/encoders/:id/listeners/current', (req, res) => {
    const id = idParam(req);
    engine.getEncoder(id);
    res.json(engine.listenerStats.current(id));
  });
  r.get('/stats/settings', (_req, res) => {
    res.json({ [POLL_SECS_KEY]: engine.listenerStats.pollSecs() });
  });
  r.put('/stats/settings', (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new EngineError('invalid', 'body must be an object', [{ field: '', message: `must be an object with ${POLL_SECS_KEY}` }]);
    }
    const unknownKey = Object.keys(body).find((k) => k !== POLL_SECS_KEY);
    if (unknownKey !== undefined) throw new EngineError('invalid', `${unknownKey} is not a known field`, [{ field: unknownKey, message: 'is not a known field' }]);
    if (POLL_SECS_KEY in body) {
      const checked = engine.listenerStats.setPollSecs((body as Record<string, unknown>)[POLL_SECS_KEY]);
      if (!checked.ok) throw new EngineError('invalid', `${POLL_SECS_KEY} ${checked.message}`, [{ field: POLL_SECS_KEY, message: checked.message }]);
    }
    res.json({ [POLL_SECS_KEY]: engine.listenerStats.pollSecs() });
  });
  return r;
}
