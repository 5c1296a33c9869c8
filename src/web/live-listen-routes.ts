// Live listen and the box's sound devices over HTTP.
//   liveListenKeyRoutes  before requireAuth: GET /api/live-listen/stream?key=… with the listen key, for
//                        players that cannot send credentials. The key opens that stream and nothing else.
//   liveListenRoutes     after it: the settings, the sources, the devices, the key, the stream with normal
//                        credentials.
import { Router, type Request, type Response, type NextFunction } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import { listDevices } from '../engine/devices/alsa-devices.js';
import { LiveListenError } from '../engine/live-listen/live-listen.js';
import type { ListenFormat } from '../engine/live-listen/network-listen.js';

function formatOf(req: Request): ListenFormat {
  const f = req.query.format ?? 'mp3';
  if (f !== 'mp3' && f !== 'wav') throw new EngineError('invalid', 'format must be mp3 or wav', [{ field: 'format', message: 'must be mp3 or wav' }]);
  return f;
}

function stream(engine: Engine, req: Request, res: Response): void {
  const format = formatOf(req);
  const added = engine.liveListen.addNetworkListener(res, format);
  if (!added.ok) res.status(503).json({ error: added.error });
}

export function liveListenKeyRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/live-listen/stream', (req: Request, res: Response, next: NextFunction) => {
    const key = req.query.key;
    if (key === undefined) return next();
    if (typeof key !== 'string' || key === '') {
      res.status(401).json({ error: 'the listen key must be one non-empty value' });
      return;
    }
    const check = engine.liveListen.checkKey(key);
    if (check !== 'ok') {
      res.status(401).json({ error: check === 'none_set' ? 'no listen key is set; an admin creates one with POST /api/live-listen/key' : 'wrong listen key' });
      return;
    }
    // So a new or removed key cuts this player off.
    res.locals.listenKey = true;
    stream(engine, req, res);
  });
  return r;
}

export function liveListenRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/audio/devices', async (_req, res) => {
    res.json(await listDevices({ env: engine.audioEnv }));
  });
  r.get('/live-listen', (_req, res) => {
    res.json({ ...engine.liveListen.view(), sources: engine.liveListen.sources() });
  });
  r.put('/live-listen', (req, res) => {
    try {
      res.json({ ...engine.liveListen.update(req.body), sources: engine.liveListen.sources() });
    } catch (err) {
      if (err instanceof LiveListenError) throw new EngineError('invalid', 'invalid live listen settings', err.errors);
      throw err;
    }
  });
  r.post('/live-listen/key', (req, res) => {
    const key = engine.liveListen.rotateKey();
    // The ready-made URL for a player, from the address this request came in on.
    const host = req.get('host') ?? 'rackcast.local';
    res.status(201).json({ key, url: `http://${host}/api/live-listen/stream?key=${encodeURIComponent(key)}` });
  });
  r.delete('/live-listen/key', (_req, res) => {
    engine.liveListen.removeKey();
    res.status(204).end();
  });
  r.get('/live-listen/stream', (req, res) => stream(engine, req, res));
  return r;
}
