// The box's own settings over HTTP: the capture (GET/PUT /api/capture), the station (GET/PUT
// /api/station) and what the box is and how it is (GET /api/system). Each PUT is partial, validated whole by its schema (src/engine/box/), and refused with a
// 400 naming the field while nothing changes.
import { Router } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import { loadStation, parseStation, storeStation } from '../engine/box/station-settings.js';
import type { FieldError } from '../engine/box/settings-parse.js';
import { systemInfo } from '../engine/box/system-info.js';

export function invalid(what: string, errors: FieldError[]): EngineError {
  return new EngineError('invalid', `invalid ${what}: ${errors.map((e) => `${e.field || 'body'} ${e.message}`).join('; ')}`, errors);
}

export function boxRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/capture', (_req, res) => {
    res.json(engine.capture.view());
  });
  r.put('/capture', async (req, res) => {
    const result = await engine.capture.update(req.body);
    if (!result.ok) throw invalid('capture settings', result.errors);
    res.json({ ...engine.capture.view(), restarted: result.restarted });
  });
  r.get('/system', async (_req, res) => {
    res.json(await systemInfo({ dataDir: engine.dataDir, engineStartedAt: engine.startedAt }));
  });
  r.get('/station', (_req, res) => {
    res.json(loadStation(engine.settings));
  });
  r.put('/station', (req, res) => {
    const parsed = parseStation(req.body, loadStation(engine.settings));
    if (!parsed.ok) throw invalid('station settings', parsed.errors);
    engine.db.transaction(() => storeStation(engine.settings, parsed.value))();
    engine.eventLog.add({ level: 'info', kind: 'config_changed', message: `Station settings changed (station name "${parsed.value.station_name}")` });
    res.json(loadStation(engine.settings));
  });
  return r;
}
