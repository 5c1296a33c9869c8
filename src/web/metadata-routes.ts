// Now playing over HTTP: title intake for playout systems, the current title and its history,
// the metadata key and the intake settings. A thin adapter over engine.metadata.
//
// Two routers, mounted on either side of requireAuth:
//   metadataKeyRoutes  before it: a request to /api/metadata carrying a metadata key (`?key=` or the
//                      X-RackCast-Metadata-Key header) is decided here and goes no further. The key
//                      posts titles and does nothing else: with it, any other route meets requireAuth.
//   metadataRoutes     after it: intake by POST with normal credentials (never by GET: state never
//                      changes on GET except with the key), plus reading and settings.
import express, { Router, type Request, type Response } from 'express';
import { EngineError, type Engine } from '../engine/engine.js';
import { METADATA_KEY_HEADER, checkMetadataKey, deleteMetadataKey, metadataKeyCreatedAt, rotateMetadataKey } from '../engine/metadata/metadata-key.js';
import type { SubmitResult } from '../engine/metadata/now-playing.js';

const INTAKE_FIELDS = ['artist', 'title', 'song'] as const;
type IntakeInput = Partial<Record<(typeof INTAKE_FIELDS)[number], unknown>>;

// Playout systems that cannot send JSON often post a form.
const form = express.urlencoded({ extended: false, limit: '16kb' });

function queryInput(req: Request): IntakeInput {
  const out: IntakeInput = {};
  for (const field of INTAKE_FIELDS) if (req.query[field] !== undefined) out[field] = req.query[field];
  return out;
}

function bodyInput(req: Request): IntakeInput {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new EngineError('invalid', 'body must be an object with artist and title, or song', [{ field: '', message: 'must be an object with artist and title, or song' }]);
  }
  const record = body as Record<string, unknown>;
  const out: IntakeInput = {};
  for (const field of INTAKE_FIELDS) if (record[field] !== undefined) out[field] = record[field];
  return out;
}

function hasIntake(input: IntakeInput): boolean {
  return INTAKE_FIELDS.some((f) => input[f] !== undefined);
}

function reply(res: Response, result: SubmitResult): void {
  if (result.ok) {
    res.json({ ok: true, changed: result.changed, now_playing: result.now_playing });
    return;
  }
  const field = /^(artist|title|song)\b/.exec(result.message)?.[1] ?? (result.reason === 'empty' ? 'title' : undefined);
  // 429 tells a playout system to slow down, not that its title was malformed.
  const status = result.reason === 'too_long' ? 413 : result.reason === 'rate_limited' ? 429 : 400;
  res.status(status).json({ error: result.message, reason: result.reason, field });
}

/** The metadata-key door: mount before requireAuth. Requests without a key pass through untouched. */
export function metadataKeyRoutes(engine: Engine): Router {
  const r = Router();
  const handle = (req: Request, res: Response, next: () => void): void => {
    const fromQuery = req.query.key;
    const key = fromQuery !== undefined ? fromQuery : req.get(METADATA_KEY_HEADER);
    if (key === undefined) return next();
    if (typeof key !== 'string' || key === '') {
      engine.metadata.drop('http', 'bad_key', 'malformed metadata key');
      res.status(401).json({ error: 'the metadata key must be one non-empty value' });
      return;
    }
    const check = checkMetadataKey(engine.settings, key);
    if (check !== 'ok') {
      engine.metadata.drop('http', 'bad_key', check === 'none_set' ? 'metadata key used but none is set' : 'wrong metadata key');
      res.status(401).json({ error: check === 'none_set' ? 'no metadata key is set; an admin creates one with POST /api/metadata/key' : 'wrong metadata key' });
      return;
    }
    reply(res, engine.metadata.submit(req.method === 'GET' ? queryInput(req) : bodyInput(req), 'http'));
  };
  r.get('/metadata', handle);
  r.post('/metadata', form, handle);
  return r;
}

/** Mount after requireAuth. */
export function metadataRoutes(engine: Engine): Router {
  const r = Router();
  r.get('/metadata', (req, res) => {
    const input = queryInput(req);
    // GET changes nothing with normal credentials: a link or an <img> on another site could make the
    // browser send the cookie or Basic credentials with it. Only the metadata key (decided by
    // metadataKeyRoutes, before this) posts titles by GET, for systems that can only call a URL.
    if (hasIntake(input)) {
      const field = INTAKE_FIELDS.find((f) => input[f] !== undefined);
      res.status(405).set('Allow', 'POST').json({
        error: 'GET /api/metadata only reads now playing; send titles with POST /api/metadata {"artist", "title"} or {"song"}, or by GET with the metadata key (?key= or the X-RackCast-Metadata-Key header)',
        field,
      });
      return;
    }
    const limit = Number(req.query.limit ?? 20);
    res.json({ now_playing: engine.metadata.current(), history: engine.metadata.history.recent(limit) });
  });
  r.post('/metadata', form, (req, res) => {
    reply(res, engine.metadata.submit(bodyInput(req), 'http'));
  });
  r.post('/metadata/key', (_req, res) => {
    const key = rotateMetadataKey(engine.settings);
    engine.eventLog.add({ level: 'info', kind: 'config_changed', message: 'Metadata key created (any previous key no longer works)' });
    res.status(201).json({ key, created_at: metadataKeyCreatedAt(engine.settings), header: METADATA_KEY_HEADER });
  });
  r.delete('/metadata/key', (_req, res) => {
    deleteMetadataKey(engine.settings);
    engine.eventLog.add({ level: 'info', kind: 'config_changed', message: 'Metadata key deleted' });
    res.status(204).end();
  });
  r.get('/metadata/settings', (_req, res) => {
    res.json({ ...engine.metadata.view(), key: { set: metadataKeyCreatedAt(engine.settings) !== null, created_at: metadataKeyCreatedAt(engine.settings) } });
  });
  r.put('/metadata/settings', async (req, res) => {
    const body: unknown = req.body;
    const input = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'key')) : body;
    const result = await engine.metadata.updateSettings(input);
    if (!result.ok) throw new EngineError('invalid', `invalid metadata settings: ${result.errors.map((e) => `${e.field || 'body'} ${e.message}`).join('; ')}`, result.errors);
    engine.eventLog.add({ level: 'info', kind: 'config_changed', message: 'Now-playing intake settings changed' });
    res.json({ ...engine.metadata.view(), key: { set: metadataKeyCreatedAt(engine.settings) !== null, created_at: metadataKeyCreatedAt(engine.settings) } });
  });
  return r;
}
