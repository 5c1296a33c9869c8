// The engine link against a small fake engine (a plain node:http server on loopback): connect,
// live events, the engine going away and coming back, wrong credentials, a silent stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineLink, authorizationFor, describeFetchError, reconnectDelayMs } from '../../src/panel/engine-link.js';
import { waitFor } from '../harness/util.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { startWebServer } from '../../src/web/server.js';

const AUTH = authorizationFor({ RACKCAST_API_TOKEN: 'rct_test' })!;

interface FakeEngine {
  port: number;
  url: string;
  streams: Set<http.ServerResponse>;
  statusCalls: number;
  /** 'headers': answers /api/events and then sends nothing; 'nothing': never even answers. */
  silent: 'no' | 'headers' | 'nothing';
  send(event: string, data: unknown): void;
  close(): Promise<void>;
  listen(port?: number): Promise<void>;
}

function fakeEngine(status: () => unknown): FakeEngine {
  const streams = new Set<http.ServerResponse>();
  const fe: FakeEngine = {
    port: 0,
    url: '',
    streams,
    statusCalls: 0,
    silent: 'no',
    send(event, data) {
      for (const s of streams) s.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        streams.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    listen: (port = 0) =>
      new Promise<void>((resolve) => {
        server.listen(port, '127.0.0.1', () => {
          fe.port = (server.address() as AddressInfo).port;
          fe.url = `http://127.0.0.1:${fe.port}`;
          resolve();
        });
      }),
  };
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== AUTH) return void res.writeHead(401).end('{"error":"authentication required"}');
    if (req.url === '/api/status') {
      fe.statusCalls++;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status()));
    }
    if (req.url === '/api/events') {
      if (fe.silent !== 'nothing') res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
      if (fe.silent === 'no') res.write('retry: 2000\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.url === '/api/echo' && req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(200).end(JSON.stringify({ type: req.headers['content-type'], bytes: Buffer.concat(chunks).length })));
      return;
    }
    res.writeHead(404).end('{"error":"no such API route"}');
  });
  return fe;
}

const engineStatus = () => ({ capture: { state: 'running', levels: [] }, encoders: [{ id: 1, name: 'Main', state: 'streaming' }], alarms: [] });

test('reconnect delays: 250 ms doubling to 5 s, with ±20 % jitter', () => {
  assert.is(reconnectDelayMs(0, () => 0.5), 250);
  assert.is(reconnectDelayMs(2, () => 0.5), 1000);
  assert.is(reconnectDelayMs(10, () => 0.5), 5000);
  assert.is(reconnectDelayMs(10, () => 0), 4000);
  assert.is(reconnectDelayMs(10, () => 1), 6000);
});

test('fetch errors in plain words', () => {
  const err = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  assert.is(describeFetchError(err('ECONNREFUSED')), 'connection refused');
  assert.is(describeFetchError(err('ENOTFOUND')), 'host name not found');
  assert.is(describeFetchError(new Error('boom')), 'boom');
});

test('connects, follows events, goes down with the engine and comes back when it returns', async () => {
  const fe = fakeEngine(engineStatus);
  await fe.listen();
  const link = new EngineLink({ apiUrl: fe.url, authorization: AUTH, random: () => 0, staleMs: 5000 });
  const kinds: string[] = [];
  link.on('change', () => kinds[kinds.length - 1] !== link.state.kind && kinds.push(link.state.kind));
  link.start();
  try {
    await waitFor(() => link.state.kind === 'up' && link.status !== null, { timeoutMs: 5000, what: 'link up' });
    assert.is(link.status!.encoders[0]!.state, 'streaming');
    fe.send('levels', { channels: [{ peakDbfs: -3, rmsDbfs: -12 }], capture: 'running' });
    await waitFor(() => link.status?.capture.levels[0]?.rmsDbfs === -12, { timeoutMs: 3000, what: 'levels applied' });
    const calls = fe.statusCalls;
    fe.send('encoder_status_changed', { id: 1, name: 'Main', state: 'retrying', last_error: 'server unreachable' });
    await waitFor(() => link.status?.encoders[0]?.state === 'retrying', { timeoutMs: 3000, what: 'encoder change applied' });
    await waitFor(() => fe.statusCalls > calls, { timeoutMs: 3000, what: 'a status refresh after the change' });

    const port = fe.port;
    await fe.close();
    await waitFor(() => link.state.kind === 'down', { timeoutMs: 3000, what: 'link down' });
    assert.is(link.status, null, 'no stale status while down');
    await fe.listen(port);
    await waitFor(() => link.state.kind === 'up' && link.status !== null, { timeoutMs: 8000, what: 'link up again' });
    assert.ok(kinds.includes('down') && kinds[kinds.length - 1] === 'up', kinds.join(' → '));

    const echo = await link.request('PUT', '/api/echo', new Uint8Array(1024));
    assert.equal(echo, { status: 200, body: { type: 'application/octet-stream', bytes: 1024 } });
  } finally {
    link.stop();
    await fe.close();
  }
});

test('the fallback, which has no event of its own, is fetched after a silence alarm and after the panel\'s own action', async () => {
  let fallback = { active: false, held: false };
  const fe = fakeEngine(() => ({ ...engineStatus(), dead_air: { silent_secs: 0, fallback } }));
  await fe.listen();
  const link = new EngineLink({ apiUrl: fe.url, authorization: AUTH, random: () => 0, staleMs: 5000, refreshMs: 600_000 });
  link.start();
  try {
    await waitFor(() => link.state.kind === 'up' && link.status !== null, { timeoutMs: 5000, what: 'link up' });
    fallback = { active: true, held: true };
    fe.send('alarm_cleared', { kind: 'silence', subject: 'programme', text: 'Silence' });
    await waitFor(() => link.status?.fallback?.held === true, { timeoutMs: 3000, what: 'held, fetched after the alarm' });
    fallback = { active: false, held: false };
    link.refreshSoon();
    await waitFor(() => link.status?.fallback?.active === false, { timeoutMs: 3000, what: 'released, fetched after the action' });
  } finally {
    link.stop();
    await fe.close();
  }
});

test('wrong credentials: unauthorised, not "engine not running"', async () => {
  const fe = fakeEngine(engineStatus);
  await fe.listen();
  const link = new EngineLink({ apiUrl: fe.url, authorization: 'Bearer wrong' });
  link.start();
  try {
    await waitFor(() => link.state.kind === 'unauthorised', { timeoutMs: 3000, what: 'unauthorised' });
    assert.equal(link.state, { kind: 'unauthorised', locked: false }, 'a wrong token is not a locked engine');
  } finally {
    link.stop();
    await fe.close();
  }
});

test('a fresh engine with no admin password yet: unauthorised and locked (the screen says how to set one)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-locked-'));
  const engine = new Engine({ dataDir, captureDevice: 'tone' });
  engine.start();
  const web = await startWebServer(engine, { port: 0, bind: '127.0.0.1' });
  const link = new EngineLink({ apiUrl: web.url, authorization: null });
  link.start();
  try {
    await waitFor(() => link.state.kind === 'unauthorised', { timeoutMs: 5000, what: 'unauthorised' });
    assert.equal(link.state, { kind: 'unauthorised', locked: true });
  } finally {
    link.stop();
    await web.close();
    await engine.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

for (const silent of ['headers', 'nothing'] as const) {
  test(`an engine that goes silent (${silent}) counts as dead`, async () => {
    const fe = fakeEngine(engineStatus);
    fe.silent = silent;
    await fe.listen();
    const link = new EngineLink({ apiUrl: fe.url, authorization: AUTH, staleMs: 300, random: () => 0 });
    const seen = new Set<string>();
    const reasons: string[] = [];
    link.on('change', () => {
      seen.add(link.state.kind);
      if (link.state.kind === 'down') reasons.push(link.state.reason);
    });
    link.start();
    try {
      await waitFor(() => seen.has('down'), { timeoutMs: 5000, what: 'down after 300 ms of silence' });
      assert.is(seen.has('up'), silent === 'headers', 'up only once the stream answered');
      assert.is(reasons[0], 'no answer from the engine for 0.3 s');
    } finally {
      link.stop();
      await fe.close();
    }
  });
}

test('nothing listening: down with "connection refused"', async () => {
  const fe = fakeEngine(engineStatus);
  await fe.listen();
  const url = fe.url;
  await fe.close();
  const link = new EngineLink({ apiUrl: url, authorization: AUTH });
  link.start();
  try {
    await waitFor(() => link.state.kind === 'down', { timeoutMs: 3000, what: 'down' });
    assert.equal(link.state, { kind: 'down', reason: 'connection refused' });
  } finally {
    link.stop();
  }
});

test.run();
