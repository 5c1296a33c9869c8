// The engine as a process of its own, started as `rackcast engine` is (src/cli.ts, from source through tsx,
// with the engine's Node flags), for tests that stop and start the real thing on the same data directory
// and port: what a page, a panel or an operator sees of a restart.
import type { ChildProcess } from 'node:child_process';
import { ENGINE_ENV, ENGINE_NODE_FLAGS } from '../../src/engine/node-flags.js';
import { ADMIN_PASSWORD } from './engine.js';
import { exited, httpGet, spawnTracked, tailOf, waitFor } from './util.js';

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const ENTRY = "import('./src/cli.ts').then((m) => m.main(process.argv.slice(1)))";

export interface EngineProcessOptions {
  dataDir: string;
  port: number;
  /** ALSA PCM or `tone` (default). */
  capture?: string;
  /** Passed as --admin-password; null starts without it (the password stored in dataDir applies). */
  adminPassword?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Set on top of `env`: the deployed ENGINE_ENV unless given (a test of what it does runs without it). */
  engineEnv?: Readonly<Record<string, string>>;
  startTimeoutMs?: number;
}

export interface EngineProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  dataDir: string;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The tail of its stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  /**
   * SIGTERM, as systemd stops it, and waits for the process to be gone. Rejects when it is still running
   * after `timeoutMs` (it is then killed, so nothing outlives the test) or exits with a code other than 0.
   * A second call gives the first one's result.
   */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startEngineProcess(opts: EngineProcessOptions): Promise<EngineProcess> {
  const args = [...ENGINE_NODE_FLAGS, '--import', 'tsx', '-e', ENTRY, 'engine'];
  args.push('--data-dir', opts.dataDir, '--port', String(opts.port), '--bind', '127.0.0.1', '--capture', opts.capture ?? 'tone');
  const password = opts.adminPassword === undefined ? ADMIN_PASSWORD : opts.adminPassword;
  if (password !== null) args.push('--admin-password', password);
  const child = spawnTracked(process.execPath, args, { cwd: REPO_ROOT, env: { ...(opts.env ?? process.env), ...(opts.engineEnv ?? ENGINE_ENV) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = tailOf(child.stdout);
  const err = tailOf(child.stderr);
  const output = (): string => `${out()}${err()}`.trim();
  const gone = exited(child);
  let exitedWith: number | string | null = null;
  void gone.then((code) => (exitedWith = code));
  const url = `http://127.0.0.1:${opts.port}`;
  let stopping: Promise<void> | null = null;
  try {
    await waitFor(
      async () => {
        if (exitedWith !== null) throw new Error(`the engine exited (${exitedWith}) while starting: ${output()}`);
        return out().includes('RackCast engine listening on') && (await httpGet(`${url}/api/health`, 1000)).status === 200;
      },
      { timeoutMs: opts.startTimeoutMs ?? 20_000, intervalMs: 50, what: `the engine process answering on ${url}` },
    );
  } catch (e) {
    child.kill('SIGKILL');
    await gone;
    throw new Error(`${(e as Error).message}\n${output()}`);
  }
  return {
    child,
    pid: child.pid!,
    port: opts.port,
    dataDir: opts.dataDir,
    url,
    output,
    exited: gone,
    stop(timeoutMs = 10_000) {
      stopping ??= stopProcess(timeoutMs);
      return stopping;
    },
  };

  async function stopProcess(timeoutMs: number): Promise<void> {
    if (exitedWith === null) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const result = await Promise.race([gone, late]);
    clearTimeout(timer);
    if (result === 'late') {
      child.kill('SIGKILL');
      await gone;
      throw new Error(`the engine process ${child.pid} was still running ${timeoutMs} ms after SIGTERM (killed now): ${output()}`);
    }
    if (result !== 0) throw new Error(`the engine process ${child.pid} exited with ${result} after SIGTERM: ${output()}`);
  }
}
