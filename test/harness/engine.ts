// The real engine with its HTTP API on a free loopback port, and a small authenticated client.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { ensureAdminPassword } from '../../src/web/auth.js';
import type { EncoderStatus } from '../../src/engine/stream/encoder-runner.js';
import { removeOnExit, waitFor } from './util.js';

export const ADMIN_PASSWORD = 'test-admin-pw';

export interface ApiResult<T = any> {
  status: number;
  body: T;
}

export interface TestEngine {
  engine: Engine;
  web: WebServer;
  dataDir: string;
  api<T = any>(method: string, path: string, body?: unknown, auth?: string | null): Promise<ApiResult<T>>;
  request<T = any>(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiResult<T>>;
  status(id: number): Promise<EncoderStatus>;
  waitForState(id: number, predicate: (s: EncoderStatus) => boolean, timeoutMs?: number, what?: string): Promise<EncoderStatus>;
  stop(): Promise<void>;
}

export async function startTestEngine(opts: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'rackcast-engine-'));
  removeOnExit(dataDir);
  const engine = new Engine({ ...opts, dataDir });
  await ensureAdminPassword(engine.settings, ADMIN_PASSWORD);
  engine.start();
  const web = await startWebServer(engine, { port: 0, bind: '127.0.0.1' });
  const basic = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');

  /** Any request with exactly these headers (no credentials unless given); the body as JSON unless a string. */
  async function request<T>(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiResult<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    const res = await fetch(web.url + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T };
  }

  function api<T>(method: string, path: string, body?: unknown, auth: string | null = basic): Promise<ApiResult<T>> {
    return request<T>(method, path, auth ? { authorization: auth } : {}, body);
  }

  async function status(id: number): Promise<EncoderStatus> {
    const r = await api<EncoderStatus>('GET', `/api/encoders/${id}/status`);
    if (r.status !== 200) throw new Error(`status of ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function waitForState(id: number, predicate: (s: EncoderStatus) => boolean, timeoutMs = 15_000, what = 'state'): Promise<EncoderStatus> {
    let last: EncoderStatus | null = null;
    try {
      await waitFor(async () => predicate((last = await status(id))), { timeoutMs, intervalMs: 100 });
    } catch {
      throw new Error(`encoder ${id}: timed out waiting for ${what}; last status ${JSON.stringify(last)}`);
    }
    return last!;
  }

  return {
    engine,
    web,
    dataDir,
    api,
    request,
    status,
    waitForState,
    async stop() {
      await web.close();
      await engine.shutdown();
    },
  };
}

/** An Icecast encoder body for POST /api/encoders. */
export function icecastEncoder(port: number, mount: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Test ${mount}`,
    codec: 'mp3',
    bitrate_kbps: 128,
    output_type: 'icecast',
    server_host: '127.0.0.1',
    server_port: port,
    server_password: 'hackme',
    mount_point: mount,
    stream_name: `RackCast ${mount}`,
    reconnect_delay_secs: 2,
    ...over,
  };
}

/** An MP3 encoder to `mount` on the Icecast at `port` (48 kHz), created, started and streaming; its id. */
export async function streamingMp3(t: TestEngine, port: number, mount: string): Promise<number> {
  return streamingEncoder(t, port, mount, {});
}

/** An Icecast encoder at 48 kHz with `over` on top (say `{ codec: 'aac' }`), started and streaming; its id. */
export async function streamingEncoder(t: TestEngine, port: number, mount: string, over: Record<string, unknown>): Promise<number> {
  const created = await t.api('POST', '/api/encoders', icecastEncoder(port, mount, { sample_rate: 48000, ...over }));
  if (created.status !== 201) throw new Error(`creating the ${mount} encoder: ${JSON.stringify(created.body)}`);
  const id = created.body.id as number;
  await t.api('POST', `/api/encoders/${id}/start`);
  await t.waitForState(id, (s) => s.state === 'streaming', 20_000, `${mount} streaming`);
  return id;
}
