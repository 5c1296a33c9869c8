// /api/encoders: the seed's encoder commands over HTTP (DESIGN.md, HTTP API).
import { Router } from 'express';
import type { Engine } from '../engine/engine.js';
import { idParam } from './errors.js';

export function encoderRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/encoders', (_req, res) => {
    res.json(engine.listEncoders());
  });
  r.post('/encoders', (req, res) => {
    res.status(201).json({ id: engine.createEncoder(req.body) });
  });
  r.post('/encoders/start-all', (_req, res) => {
    res.json({ started: engine.startAll() });
  });
  r.post('/encoders/stop-all', async (_req, res) => {
    await engine.stopAll();
    res.json({ ok: true });
  });
  r.get('/encoders/:id', (req, res) => {
    res.json(engine.getEncoder(idParam(req)));
  });
  r.put('/encoders/:id', async (req, res) => {
    await engine.updateEncoder(idParam(req), req.body);
    res.json(engine.getEncoder(idParam(req)));
  });
  r.delete('/encoders/:id', async (req, res) => {
    await engine.deleteEncoder(idParam(req));
    res.status(204).end();
  });
  r.post('/encoders/:id/start', (req, res) => {
    const id = idParam(req);
    engine.startEncoder(id);
    res.json(engine.encoderStatus(id));
  });
  r.post('/encoders/:id/stop', async (req, res) => {
    const id = idParam(req);
    await engine.stopEncoder(id);
    res.json(engine.encoderStatus(id));
  });
  r.post('/encoders/:id/test', async (req, res) => {
    res.json(await engine.testConnection(idParam(req)));
  });
  r.get('/encoders/:id/status', (req, res) => {
    res.json(engine.encoderStatus(idParam(req)));
  });
  return r;
}
