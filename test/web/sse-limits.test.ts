// /api/events under load: the number of clients is capped by the `sse_max_clients` setting (over it: 503
// with the reason), and a client that stops reading is dropped once too much is buffered for it (or it
// stays undrained too long), counted in GET /api/status under `web`, without holding up the others.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startTestEngine, ADMIN_PASSWORD, type TestEngine } from '../harness/engine.js';
import { waitFor } from '../harness/util.js';
import { EventStream } from '../../src/web/sse.js';

let t: TestEngine;
const basic = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone:440' });
});

test.after(async () => {
  await t?.stop();
});

interface OpenStream {
  status: number;
  /** What arrived so far (keeps growing while the stream is read). */
  body(): string;
  close(): void;
}

/**
 * Opens /api/events and reads its first bytes (or the whole body of a refusal). With `keepReading`, goes on
 * reading everything in the background, as a browser tab does.
 */
async function openStream(keepReading = false): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(`${t.web.url}/api/events`, { headers: { authorization: basic }, signal: controller.signal });
  if (res.status !== 200) {
    const text = await res.text();
    return { status: res.status, body: () => text, close: () => controller.abort() };
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let body = '';
  while (body.length === 0) body += decoder.decode((await reader.read()).value, { stream: true });
  if (keepReading) {
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          body += decoder.decode(value, { stream: true });
        }
      } catch {
        /* closed */
      }
    })();
  }
  return { status: 200, body: () => body, close: () => controller.abort() };
}

async function webStatus(): Promise<{ sse_clients: number; sse_max_clients: number; sse_refused: number; sse_dropped_slow: number }> {
  return (await t.api('GET', '/api/status')).body.web;
}

test('sse_max_clients: a setting with GET/PUT /api/web/settings, validated, errors naming the field', async () => {
  const initial = await t.api('GET', '/api/web/settings');
  assert.equal([initial.status, initial.body], [200, { sse_max_clients: 32 }]);
  for (const bad of [{ sse_max_clients: 0 }, { sse_max_clients: 1.5 }, { sse_max_clients: '4' }, { sse_max_clients: 100_000 }, { sse_max_clients: null }]) {
    const r = await t.api('PUT', '/api/web/settings', bad);
    assert.equal([r.status, r.body.field], [400, 'sse_max_clients'], JSON.stringify(r.body));
    assert.match(r.body.error, /sse_max_clients/);
  }
  const unknown = await t.api('PUT', '/api/web/settings', { colour: 'red' });
  assert.equal([unknown.status, unknown.body.field], [400, 'colour']);
  const notObject = await t.api('PUT', '/api/web/settings', [1]);
  assert.equal([notObject.status, notObject.body.field], [400, '']);
  assert.equal((await t.api('GET', '/api/web/settings')).body, { sse_max_clients: 32 }, 'nothing stored by a bad request');
  assert.is(t.engine.settings.get('sse_max_clients', null), null);
});

test('over the cap: 503 with a clear error, counted; a free place is taken again', async () => {
  const set = await t.api('PUT', '/api/web/settings', { sse_max_clients: 2 });
  assert.equal([set.status, set.body], [200, { sse_max_clients: 2 }]);
  assert.is(t.engine.settings.get('sse_max_clients', null), 2, 'stored in the settings table');
  const a = await openStream();
  const b = await openStream();
  assert.equal([a.status, b.status], [200, 200]);
  const before = await webStatus();
  assert.equal([before.sse_clients, before.sse_max_clients], [2, 2]);
  const c = await openStream();
  assert.is(c.status, 503, c.body());
  const refusal = JSON.parse(c.body()) as { error: string; field?: string };
  assert.match(refusal.error, /too many event streams/);
  assert.match(refusal.error, /sse_max_clients/);
  assert.is((await webStatus()).sse_refused, before.sse_refused + 1);
  a.close();
  await waitFor(async () => (await webStatus()).sse_clients === 1, { timeoutMs: 3000, what: 'the closed stream to leave' });
  const d = await openStream();
  assert.is(d.status, 200, 'the freed place is available');
  b.close();
  d.close();
  await t.api('PUT', '/api/web/settings', { sse_max_clients: 32 });
  await waitFor(async () => (await webStatus()).sse_clients === 0, { timeoutMs: 3000, what: 'streams closed' });
});

test('a client that never reads is dropped and counted; a reading client gets everything', async () => {
  // A raw socket that sends the request and then never reads: the kernel buffers fill, then the engine's.
  const url = new URL(t.web.url);
  const stalled = net.connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
  stalled.write(`GET /api/events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${basic}\r\n\r\n`);
  stalled.pause();
  let stalledClosed = false;
  stalled.on('close', () => (stalledClosed = true));
  stalled.on('error', () => {});
  await waitFor(async () => (await webStatus()).sse_clients === 1, { timeoutMs: 3000, what: 'the stalled client to be connected' });

  const reader = await openStream(true);
  const before = await webStatus();
  assert.is(before.sse_clients, 2);
  // 40 MB of events: more than the kernel's socket buffers on both ends plus the engine's 1 MB limit.
  const big = 'x'.repeat(200_000);
  const started = Date.now();
  for (let i = 0; i < 200; i++) {
    t.web.events.send('test_bulk', { i, big });
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(async () => (await webStatus()).sse_dropped_slow === before.sse_dropped_slow + 1, { timeoutMs: 10_000, what: 'the stalled client to be dropped' });
  const after = await webStatus();
  assert.is(after.sse_clients, 1, 'only the reading client is left');
  // Reading again now, it gets what the kernel still held and then the end of the stream: the engine hung up.
  stalled.resume();
  await waitFor(() => stalledClosed, { timeoutMs: 5000, what: 'the stalled socket to be closed by the engine' });
  assert.ok(Date.now() - started < 10_000);
  await waitFor(() => (reader.body().match(/event: test_bulk\n/g) ?? []).length === 200, { timeoutMs: 10_000, what: 'the reading client to get all 200 events' });
  assert.is((await webStatus()).sse_dropped_slow, before.sse_dropped_slow + 1, 'the reading client was not dropped');
  reader.close();
  stalled.destroy();
});

test('a client left undrained too long is dropped even below the byte limit (standalone EventStream)', async () => {
  let now = 0;
  const events = new EventStream({ maxBufferedBytes: 1e12, maxUndrainedMs: 5_000, now: () => now });
  const app = express();
  app.get('/events', events.handler);
  const server: http.Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  sock.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  sock.pause();
  try {
    await waitFor(() => events.clientCount === 1, { timeoutMs: 3000, what: 'connected' });
    const chunk = { big: 'y'.repeat(500_000) };
    // Fill until a write is refused; the clock has not moved, so nothing is dropped yet.
    for (let i = 0; i < 200 && events.stats().sse_undrained === 0; i++) {
      events.send('fill', chunk);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.is(events.stats().sse_undrained, 1, 'the socket stopped draining');
    assert.is(events.clientCount, 1, 'still connected while the clock stands');
    now += 5_001;
    events.send('fill', { small: true });
    assert.is(events.clientCount, 0, 'dropped after 5 s undrained');
    assert.is(events.stats().sse_dropped_slow, 1);
  } finally {
    sock.destroy();
    events.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('every event is serialised once, whatever the number of clients', async () => {
  const streams = await Promise.all([openStream(), openStream(), openStream()]);
  const original = JSON.stringify;
  let calls = 0;
  const marker = { serialise_once: true };
  JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
    if (value === marker) calls++;
    return (original as (...a: unknown[]) => string)(value, ...rest);
  }) as typeof JSON.stringify;
  try {
    t.web.events.send('test_once', marker);
  } finally {
    JSON.stringify = original;
  }
  assert.is(calls, 1);
  for (const s of streams) s.close();
});

test.run();
