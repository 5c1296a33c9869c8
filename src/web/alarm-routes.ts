// Alarms over HTTP: the current and past alarms, the alarm settings (silence sensor, fallback audio,
// notification targets) and the operator's release of a held fallback.
import { Router } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import { AlarmSettingsError } from '../engine/alarms/alarm-service.js';
import { publicAlarmSettings } from '../engine/alarms/alarm-settings.js';

export function alarmRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/alarms', (req, res) => {
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit ?? 100) || 100));
    engine.alarms.evaluate();
    res.json({ active: engine.alarms.active(), history: engine.alarms.history(limit) });
  });
  r.get('/alarms/settings', (_req, res) => {
    res.json(publicAlarmSettings(engine.alarms.settings()));
  });
  r.put('/alarms/settings', (req, res) => {
    try {
      engine.alarms.updateSettings(req.body);
    } catch (err) {
      if (err instanceof AlarmSettingsError) throw new EngineError('invalid', err.message, err.errors);
      throw err;
    }
    res.json(publicAlarmSettings(engine.alarms.settings()));
  });
  r.get('/alarms/notifications', (_req, res) => {
    res.json({ targets: engine.alarms.notificationStatus() });
  });
  // The test button: really sends to every target (webhooks and mail) and says what each answered.
  r.post('/alarms/notifications/test', async (_req, res) => {
    const results = await engine.alarms.testNotifications();
    if (results.length === 0) throw new EngineError('conflict', 'no notification targets: add webhooks or email in /api/alarms/settings first');
    res.json({ results });
  });
  r.post('/alarms/fallback/release', (_req, res) => {
    engine.alarms.releaseFallback();
    res.json({ ok: true });
  });
  return r;
}
