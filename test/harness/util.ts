// Small utilities shared by the real-component harness: ports, polling, HTTP probes and the
// bookkeeping that guarantees no server outlives the test process.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, taken from below the kernel's ephemeral
 * range. A port inside that range can be taken by a client while its server is down: a client
 * connecting to a closed local port again and again (an encoder retrying, a test waiting for the
 * port to accept) is eventually given that very port as its own source port, connects to itself
 * (TCP simultaneous open), and the server can no longer bind it when it comes back.
 */
export async function freePort(): Promise<number> {
  const [low, high] = outsideEphemeralRange();
  if (high - low < 1000) return osAssignedPort();
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await portIsFree(port)) return port;
  }
  return osAssignedPort();
}

/** The ports below the ephemeral range (from 10000 on), or above it when there is no room below. */
function outsideEphemeralRange(): [number, number] {
  let [low, high] = [32768, 60999];
  try {
    [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    // Not Linux: keep Linux's default range.
  }
  return low > 11_000 ? [10_000, low] : [high + 1, 65_535];
}

function osAssignedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('freePort: no port assigned'))));
    });
  });
}

/** True when `port` on 127.0.0.1 can be bound right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

/** A free port P such that P+1 is free too (Icecast's SHOUTcast-compat socket takes P+1). */
export async function freePortPair(attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await freePort();
    if (port < 65535 && (await portIsFree(port + 1))) return port;
  }
  throw new Error(`freePortPair: no free pair of ports after ${attempts} attempts`);
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  what?: string;
}

/** Polls `predicate` until it returns true; a throwing predicate counts as "not yet". */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs, intervalMs = 50, what = 'condition' }: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms${cause}`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface HttpResult {
  status: number;
  body: string;
}

/**
 * One GET with its own connection (no keep-alive pool), so probes never hold sockets open
 * against a server that a test is about to stop or restart.
 */
export function httpGet(url: string, timeoutMs = 2000, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { Connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

// --- child processes and temp dirs that must not outlive the test process -------------------

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that is certain to land.
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    if (process.env.RACKCAST_KEEP_TMP !== '1') {
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    }
  });
  // Node skips 'exit' on a fatal signal; turn Ctrl-C / SIGTERM into a normal exit first.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  }
}

/** spawn() with an argv array, remembered so the exit hook can kill it. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  installExitHook();
  const child = spawn(command, args, { ...options, shell: false });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  // A missing binary would otherwise be an unhandled 'error' event that kills the test runner.
  child.once('error', () => liveChildren.delete(child));
  return child;
}

/** Pids of children started through spawnTracked that have not exited yet. */
export function liveTrackedPids(): number[] {
  return [...liveChildren].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
}

/** Removes `dir` when the test process exits (unless RACKCAST_KEEP_TMP=1, for post-mortems). */
export function removeOnExit(dir: string): void {
  installExitHook();
  tempDirs.add(dir);
}

/** Resolves with the exit code (or signal name) once the child has exited; at once if it already has. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', () => resolve('spawn-error'));
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is really gone. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps only the last `maxBytes` of a stream (stderr of a long-running server, say). */
export function tailOf(stream: NodeJS.ReadableStream | null, maxBytes = 16_384): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer | string) => {
    text += chunk.toString();
    if (text.length > maxBytes) text = text.slice(-maxBytes);
  });
  return () => text;
}
