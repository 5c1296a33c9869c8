// The engine's HTTP server: JSON under /api (the contract every client uses) and the built
// page at / (src/web/page). A thin adapter over the engine facade.
import express, { Router } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../engine/engine.js';
import { encoderRoutes } from './encoder-routes.js';
import { panelRoutes } from './panel-routes.js';
import { listenerRoutes } from './listener-routes.js';
import { metadataKeyRoutes, metadataRoutes } from './metadata-routes.js';
import { recordingRoutes } from './recording-routes.js';
import { storageRoutes } from './storage-routes.js';
import { alarmRoutes } from './alarm-routes.js';
import { liveListenKeyRoutes, liveListenRoutes } from './live-listen-routes.js';
import { boxRoutes } from './box-routes.js';
import { createMetrics } from '../engine/monitoring/metrics.js';
import { engineHealth } from '../engine/monitoring/health.js';
import { EventStream } from './sse.js';
import { errorHandler } from './errors.js';
import { LoginThrottle, SessionStore, SessionTable, authRoutes, requireAuth } from './auth.js';
import { requireScope, scopeAllows } from './scopes.js';
import type { Scope } from './api-tokens.js';
import { accessRoutes } from './access-routes.js';
import { logRoutes } from './log-routes.js';
import { IMPORT_LIMIT, IMPORT_PATH, configRoutes } from './config-routes.js';
import { refuseCrossSite } from './cross-site.js';
import { webSettings, webSettingsRoutes } from './web-settings.js';
import { pageRoutes } from './page/serve-page.js';
import { setupRoutes } from './setup-routes.js';
import { SetupCode } from './setup-code.js';

export interface WebServer {
  url: string;
  port: number;
  events: EventStream;
  close(): Promise<void>;
}

export function createApp(engine: Engine, events: EventStream, sessions: SessionStore, setupCode = new SetupCode(null)): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Before everything else: a cross-site request riding on the cookie or Basic credentials never reaches
  // a route, the body parser or the password check.
  app.use(refuseCrossSite());
  // A restored configuration may be larger than any other body.
  const json = express.json({ limit: '64kb' });
  const importJson = express.json({ limit: IMPORT_LIMIT });
  app.use((req, res, next) => (req.path === IMPORT_PATH ? importJson : json)(req, res, next));

  // Signing in and out needs no credentials; everything else under /api does. One throttle for every
  // password check (sign-in, Basic, the password change).
  const auth = { settings: engine.settings, sessions, throttle: new LoginThrottle() };
  const session = Router();
  authRoutes(session, auth);
  app.use(session);
  // The first visit of a box without a password: the setup code and the new password (setup-code.ts).
  app.use(setupRoutes({ ...auth, setupCode, eventLog: engine.eventLog }));
  // Prometheus scrapes with a bearer token (scope read) or Basic, like every other reader.
  const metrics = createMetrics(engine);
  app.get('/metrics', requireAuth(auth), requireScope(''), async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.type(contentType).send(body);
  });
  // The page at / (and GET /api/session, its "am I signed in?" probe).
  app.use(pageRoutes({ settings: engine.settings, sessions, setupCode }));
  const api = Router();
  // The one route without credentials: for systemd, monitoring and the panel's "engine up?" probe.
  api.get('/health', (_req, res) => {
    const health = engineHealth(engine);
    res.status(health.status === 'down' ? 503 : 200).json(health);
  });
  // Title intake with the metadata key: decided before requireAuth, and only for /api/metadata.
  api.use(metadataKeyRoutes(engine));
  // The live listen stream with the listen key: decided before requireAuth, and only for that stream.
  api.use(liveListenKeyRoutes(engine));
  api.use(requireAuth(auth));
  // An API token reaches only what its scope allows (scopes.ts); 403 naming the scope otherwise.
  api.use(requireScope());
  api.get('/status', (_req, res) => {
    res.json({ ...engine.status(), web: events.stats() });
  });
  api.get('/events', events.handler);
  api.use(logRoutes(engine));
  api.use(encoderRoutes(engine));
  api.use(panelRoutes());
  api.use(listenerRoutes(engine));
  api.use(metadataRoutes(engine));
  api.use(recordingRoutes(engine));
  api.use(storageRoutes(engine));
  api.use(webSettingsRoutes(engine));
  api.use(alarmRoutes(engine));
  api.use(liveListenRoutes(engine));
  api.use(boxRoutes(engine));
  api.use(accessRoutes(engine, { ...auth, events }));
  api.use(configRoutes(engine, auth));
  api.use((_req, res) => {
    res.status(404).json({ error: 'no such API route' });
  });
  app.use('/api', api);
  app.use(errorHandler);
  return app;
}

/** `listenFd`: a listening socket passed by systemd (systemd-socket.ts), used instead of port and bind. */
/** `setupCode`: the first visit's setup code (setup-code.ts); off when not given. */
export function startWebServer(engine: Engine, opts: { port: number; bind: string; listenFd?: number | null; setupCode?: SetupCode }): Promise<WebServer> {
  const events = new EventStream({ maxClients: () => webSettings(engine.settings).sse_max_clients });
  // Persisted (hashed), so a restart of the engine or a reboot signs nobody out.
  const sessions = new SessionStore({ persist: new SessionTable(engine.db) });
  engine.on('encoder_status_changed', (s) => events.send('encoder_status_changed', s));
  engine.on('levels', (l) => events.send('levels', l));
  engine.on('capture_status_changed', (c) => events.send('capture_status_changed', c));
  engine.on('listener_count_updated', (u) => events.send('listener_count_updated', u));
  engine.on('metadata_changed', (np) => events.send('metadata_changed', np));
  engine.on('recording_rotation', (e) => events.send('recording_rotation', e));
  engine.on('alarm_raised', (a) => events.send('alarm_raised', a));
  engine.on('alarm_cleared', (a) => events.send('alarm_cleared', a));
  // The log's lines only to those who may read the log (not a control or metadata token).
  engine.eventLog.onAdded((e) => events.send('event_logged', e, (l) => scopeAllows((l.scope as Scope | undefined) ?? 'admin', 'GET', '/log')));
  engine.on('live_listen_changed', (l) => events.send('live_listen_changed', l));
  const app = createApp(engine, events, sessions, opts.setupCode);
  return new Promise((resolve, reject) => {
    const server: Server = opts.listenFd != null ? app.listen({ fd: opts.listenFd }) : app.listen(opts.port, opts.bind);
    server.once('error', reject);
    server.once('listening', () => {
      const port = (server.address() as AddressInfo).port;
      const host = opts.bind === '0.0.0.0' || opts.bind === '::' ? '127.0.0.1' : opts.bind;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        events,
        close: () =>
          new Promise<void>((done) => {
            events.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
