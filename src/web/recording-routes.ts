// Recording over HTTP: the seed's start_recording / stop_recording / get_recording_status per file
// encoder, and the box-wide recordings directory (storage status, settings).
import { Router } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import type { EncoderConfig } from '../engine/types.js';
import { RecordingSettingsError } from '../engine/recording/recordings.js';
import { idParam } from './errors.js';

function fileEncoder(engine: Engine, id: number): EncoderConfig {
  const config = engine.getEncoder(id);
  if (config.output_type !== 'file') throw new EngineError('conflict', `encoder "${config.name}" is not a file output; use /start and /stop`);
  return config;
}

export function recordingRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/encoders/:id/recording', async (req, res) => {
    res.json(await engine.recordings.statusWithStorage(fileEncoder(engine, idParam(req))));
  });
  r.post('/encoders/:id/recording/start', async (req, res) => {
    const config = fileEncoder(engine, idParam(req));
    engine.startEncoder(config.id);
    res.json(await engine.recordings.statusWithStorage(config));
  });
  r.post('/encoders/:id/recording/stop', async (req, res) => {
    const config = fileEncoder(engine, idParam(req));
    await engine.stopEncoder(config.id);
    res.json(await engine.recordings.statusWithStorage(config));
  });
  r.get('/recording', async (_req, res) => {
    res.json({ settings: engine.recordings.settings(), storage: await engine.recordings.probe() });
  });
  r.put('/recording', async (req, res) => {
    try {
      await engine.recordings.updateSettings(req.body);
    } catch (err) {
      if (err instanceof RecordingSettingsError) throw new EngineError('invalid', 'invalid recording settings', err.errors);
      throw err;
    }
    res.json({ settings: engine.recordings.settings(), storage: await engine.recordings.probe() });
  });
  return r;
}
