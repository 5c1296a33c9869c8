// The engine run: `node bin/rackcast.js engine` as a process of its own (so its CPU and PSS can be
// read from /proc), three encoders created and started over the HTTP API, then N seconds measured.
// The same run measures either backend: `backend` is the encoders' own field.
import http from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_ENV, ENGINE_NODE_FLAGS } from '../../src/engine/node-flags.js';
import type { Backend } from '../../src/engine/types.js';
import { exited, freePort, removeOnExit, sleep, spawnTracked, stopChild, tailOf, waitFor } from '../../test/harness/util.js';
import { ENCODERS, mountFor, mountRates, nextCounterTick, type RunContext, type RunResult } from './common.js';
import { TreeSampler, describeProcess } from './sampler.js';
import { processDetail, readProcess } from './thread-figures.js';

const ADMIN_PASSWORD = 'x';
const BIN = new URL('../../bin/rackcast.js', import.meta.url).pathname;

interface ApiResult {
  status: number;
  body: unknown;
}

export function apiCall(port: number, method: string, path: string, body?: unknown): Promise<ApiResult> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    authorization: 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64'),
    connection: 'close',
  };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    // One connection per call (no keep-alive pool): nothing stays open to the engine while it is measured.
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? (JSON.parse(text) as unknown) : null;
        } catch {
          /* keep the text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The part of GET /api/status the bench reads. */
export interface StatusBody {
  capture: { state: string; restarts: number; error: string | null; overruns?: number; frames?: number };
  encoders: Array<{
    id: number;
    name: string;
    state: string;
    status_text: string;
    last_error: string | null;
    bytes_sent: number;
    bytes_discarded: number;
    process: { restarts: number };
    queue: { dropped_ms: number; drop_events: number };
  }>;
}

export async function engineStatus(port: number): Promise<StatusBody> {
  const r = await apiCall(port, 'GET', '/api/status');
  if (r.status !== 200) throw new Error(`GET /api/status: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as StatusBody;
}

export interface LaunchedEngine {
  pid: number;
  port: number;
  child: ChildProcess;
  /** The engine's last output, for an error message. */
  why: () => string;
}

/** `node bin/rackcast.js engine` with the deployed Node flags, answering /api/health. */
export interface LaunchOptions {
  /** Node flags after the deployed ones. */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** bin/rackcast.js of another build (default: this tree's). */
  bin?: string;
}

export async function launchEngine(ctx: RunContext, opts: LaunchOptions = {}): Promise<LaunchedEngine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-bench-engine-'));
  removeOnExit(dataDir);
  const port = await freePort();
  // The flags and environment the engine is deployed with (systemd unit), so the bench measures what runs on the box.
  const nodeArgs = [...ENGINE_NODE_FLAGS, ...(ctx.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', ctx.cpuProfDir] : []), ...(opts.bin ? [] : (ctx.engineNodeArgs ?? [])), ...(opts.nodeArgs ?? [])];
  const argv = [...nodeArgs, opts.bin ?? BIN, 'engine', '--data-dir', dataDir, '--port', String(port), '--bind', '127.0.0.1'];
  argv.push('--capture', ctx.pulse.pcm, '--admin-password', ADMIN_PASSWORD, '--sample-rate', '48000', '--channels', '2');
  const child = spawnTracked(process.execPath, argv, { env: { ...process.env, ...ctx.pulse.env, ...ENGINE_ENV, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = tailOf(child.stdout, 4096);
  const err = tailOf(child.stderr, 4096);
  let gone = false;
  void exited(child).then(() => (gone = true));
  const why = (): string => `engine output:\n${out().trim()}\n${err().trim()}`;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the engine: ${why()}`);
  ctx.log(`engine: pid ${pid}, API on 127.0.0.1:${port}`);
  try {
    await waitFor(
      async () => {
        if (gone) throw new Error('the engine exited');
        return (await apiCall(port, 'GET', '/api/health')).status === 200;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'engine answering /api/health' },
    ).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${why()}`)));
  } catch (e) {
    await stopChild(child, 10_000);
    throw e;
  }
  return { pid, port, child, why };
}

/** `base`: the build named by ctx.baseBin instead of this tree's, as the run "engine-base". */
export async function runEngine(ctx: RunContext, backend: Backend = 'ffmpeg', base = false): Promise<RunResult> {
  const run = base ? 'engine-base' : backend === 'liquidsoap' ? 'liquidsoap' : 'engine';
  const spawnedAt = performance.now();
  const { pid, port, child, why } = await launchEngine(ctx, base ? { bin: ctx.baseBin } : {});
  const mounts = ENCODERS.map((e) => mountFor(run, e));

  try {
    const ids: number[] = [];
    for (const e of ENCODERS) {
      const mount = mountFor(run, e);
      const r = await apiCall(port, 'POST', '/api/encoders', {
        name: `Bench ${e.title}`, codec: e.codec, bitrate_kbps: e.bitrateKbps, output_type: 'icecast',
        server_host: '127.0.0.1', server_port: ctx.ice.port, server_password: ctx.ice.sourcePassword,
        mount_point: mount, sample_rate: 48000, channels: 2, backend,
      });
      const id = (r.body as { id?: unknown } | null)?.id;
      if (r.status !== 201 || typeof id !== 'number') throw new Error(`POST /api/encoders (${e.title}): ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(id);
    }
    const started = await apiCall(port, 'POST', '/api/encoders/start-all');
    if (started.status !== 200) throw new Error(`start-all: ${started.status} ${JSON.stringify(started.body)}`);
    let last = '';
    await waitFor(
      async () => {
        const states = await Promise.all(ids.map(async (id) => (await apiCall(port, 'GET', `/api/encoders/${id}/status`)).body as StatusBody['encoders'][number]));
        last = states.map((s) => `${s.name}: ${s.status_text}${s.last_error ? ` (${s.last_error})` : ''}`).join('; ');
        return states.every((s) => s.state === 'streaming');
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'all three encoders streaming' },
    ).catch((e: Error) => Promise.reject(new Error(`${e.message}: ${last}\n${why()}`)));
    ctx.log(`engine: 3 ${backend} encoders streaming; settling 3 s`);
    await sleep(3000);

    const startTick = await nextCounterTick(ctx.ice, mounts);
    const before = await engineStatus(port);
    const tree = new TreeSampler(() => [pid], (p, comm, a) => (p === pid ? 'node (engine)' : describeProcess(comm, a)));
    const shared = new TreeSampler(() => ctx.sharedPids, (_p, comm) => comm, false);
    ctx.log(`engine: measuring ${ctx.seconds} s`);
    const windowStart = performance.now() - spawnedAt;
    const detailStart = readProcess(pid);
    tree.start();
    shared.start();
    await sleep(ctx.seconds * 1000);
    const windowEnd = performance.now() - spawnedAt;
    const treeFigures = tree.stop();
    const detailEnd = readProcess(pid);
    const sharedFigures = shared.stop();
    const endTick = await nextCounterTick(ctx.ice, mounts);
    const after = await engineStatus(port);
    const latency = ctx.latency ? await ctx.latency(mounts[0]!) : undefined;

    const checks: string[] = [];
    const problems: string[] = [];
    checks.push(`capture ${after.capture.state}, ${after.capture.restarts} restarts${after.capture.error ? ` (${after.capture.error})` : ''}`);
    if (after.capture.state !== 'running' || after.capture.restarts > 0) problems.push(`engine capture: ${after.capture.state}, ${after.capture.restarts} restarts`);
    for (const e of after.encoders) {
      const b = before.encoders.find((x) => x.id === e.id);
      const droppedMs = e.queue.dropped_ms - (b?.queue.dropped_ms ?? 0);
      const sentKB = (e.bytes_sent - (b?.bytes_sent ?? 0)) / 1000;
      checks.push(
        `${e.name}: ${e.state}, queue drops ${droppedMs} ms in the window (${e.queue.dropped_ms} ms / ${e.queue.drop_events} events since start), ` +
          `${sentKB.toFixed(0)} kB sent in the window (${(e.bytes_sent / 1000).toFixed(0)} kB in all, ${e.bytes_discarded} B discarded), ${e.process.restarts} ${backend} restarts`,
      );
      if (e.state !== 'streaming' || droppedMs > 0 || e.process.restarts > 0) problems.push(`${run} ${e.name}: ${e.status_text}, ${droppedMs} ms dropped, ${e.process.restarts} restarts`);
    }
    for (const n of treeFigures.notCounted) problems.push(`engine process not alive for the whole window: ${n}`);
    const windowFromSpawn = { startMs: windowStart, endMs: windowEnd };
    return { run, tree: treeFigures, shared: sharedFigures, mounts: mountRates(mounts, startTick, endTick), checks, problems, windowFromSpawn, latency,
      nodeDetail: detailStart && detailEnd ? processDetail(detailStart, detailEnd) : undefined };
  } finally {
    // SIGTERM: the engine stops its ffmpegs and arecord, and (with --cpu-prof) writes its profile.
    await stopChild(child, 10_000);
  }
}
