// One supervisor contract for every child (arecord, ffmpeg, aplay): spawn from an argv
// array (never a shell), restart with back-off after an exit, keep the tail of stderr
// so an operator can read why it died.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync } from 'node:fs';
import { log } from './log.js';

export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
  /** A run at least this long counts as healthy and resets the back-off. */
  resetAfterMs: number;
}

/** Doubling back-off: initial, 2x, 4x ... capped. Pure, so it is tested with plain numbers. */
export function restartDelayMs(consecutiveFailures: number, backoff: RestartBackoff): number {
  const exp = Math.min(consecutiveFailures, 20);
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** exp);
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. the binary is missing). */
  spawnError: string | null;
  stderrTail: string;
  ranMs: number;
  /** null when the supervisor was stopped and will not restart. */
  restartInMs: number | null;
  /** True when cycle() ended it: a planned restart, not a crash. */
  planned: boolean;
}

export interface SupervisorOptions {
  name: string;
  command: () => string;
  argv: () => string[];
  env?: NodeJS.ProcessEnv;
  backoff: RestartBackoff;
  onSpawn: (child: ChildProcessWithoutNullStreams) => void;
  onExit: (info: ExitInfo) => void;
  /**
   * How stop() asks the child to end: 'signal' sends SIGTERM; 'stdin' closes its stdin and sends SIGTERM
   * only if it has not exited within the grace (Liquidsoap ends cleanly on end of input, and hangs on
   * SIGTERM while its input is open). SIGKILL follows either way after a second grace.
   */
  stopWith?: 'signal' | 'stdin';
  /**
   * A descriptor to give the child as its stdout in place of a pipe to this process (the ffmpeg backend's
   * polled output pipe, stream/ffmpeg/polled-output.ts), asked for at each launch. The supervisor closes its
   * own copy once the child is spawned. The child's `stdout` is then null: onSpawn must not read it.
   */
  stdout?: () => number;
}

const STDERR_TAIL_BYTES = 2048;

export class Supervisor {
  private child: ChildProcessWithoutNullStreams | null = null;
  private wanted = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private cycling = false;
  restarts = 0;

  constructor(private readonly opts: SupervisorOptions) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.failures = 0;
    this.launch();
  }

  /** Stops the child (SIGTERM, then SIGKILL after `graceMs`) and does not restart it. */
  async stop(graceMs = 2000): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child) return;
    const timers: NodeJS.Timeout[] = [];
    if (this.opts.stopWith === 'stdin') {
      child.stdin.end();
      timers.push(setTimeout(() => child.kill('SIGTERM'), graceMs));
      timers.push(setTimeout(() => child.kill('SIGKILL'), 2 * graceMs));
    } else {
      child.kill('SIGTERM');
      timers.push(setTimeout(() => child.kill('SIGKILL'), graceMs));
    }
    await this.exited;
    for (const timer of timers) clearTimeout(timer);
  }

  /**
   * Ends the child's stdin so it finishes its output cleanly and exits, and starts a new one at once
   * (with a fresh argv()); neither a failure nor a restart in the counts. An Ogg encoder does this to
   * begin a new chained stream with new tags. Resolves when the old child has exited.
   */
  async cycle(graceMs = 2000): Promise<void> {
    const child = this.child;
    if (!child || !this.wanted) return;
    this.cycling = true;
    const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.stdin.end();
    await this.exited;
    clearTimeout(killTimer);
  }

  /** Kills the current child; the supervisor restarts it as after a crash. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  private launch(): void {
    this.restartTimer = null;
    if (!this.wanted) return;
    const startedAt = Date.now();
    let stderrTail = '';
    let spawnError: string | null = null;
    const command = this.opts.command();
    const argv = this.opts.argv();
    log(`supervisor:${this.opts.name}`)('spawn %s %o', command, argv);
    let stdoutFd: number | undefined;
    try {
      stdoutFd = this.opts.stdout?.();
    } catch (err) {
      // No descriptor, no child: counted and retried as a child that could not start.
      this.ended(startedAt, null, null, `could not prepare its output: ${err instanceof Error ? err.message : String(err)}`, '');
      return;
    }
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(command, argv, { env: this.opts.env ?? process.env, stdio: ['pipe', stdoutFd ?? 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
    } finally {
      if (stdoutFd !== undefined) closeSync(stdoutFd);
    }
    this.child = child;
    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });
    // A child that dies while we write to it must not crash the engine with EPIPE.
    child.stdin.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err.code === 'ENOENT' ? `${command} is not installed (not found on PATH)` : err.message;
    });
    child.on('close', (code, signal) => {
      this.child = null;
      resolveExit();
      this.ended(startedAt, code, signal, spawnError, stderrTail.trim());
    });
    if (child.pid !== undefined) this.opts.onSpawn(child);
  }

  /** A child is gone (or could not be made): counts it, schedules the next one if wanted, reports it. */
  private ended(startedAt: number, code: number | null, signal: NodeJS.Signals | null, spawnError: string | null, stderrTail: string): void {
    const planned = this.cycling;
    this.cycling = false;
    const ranMs = Date.now() - startedAt;
    if (ranMs >= this.opts.backoff.resetAfterMs) this.failures = 0;
    const restartInMs = this.wanted ? (planned ? 0 : restartDelayMs(this.failures, this.opts.backoff)) : null;
    if (!planned) this.failures++;
    if (restartInMs !== null) {
      if (!planned) this.restarts++;
      this.restartTimer = setTimeout(() => this.launch(), restartInMs);
    }
    this.opts.onExit({ code, signal, spawnError, stderrTail, ranMs, restartInMs, planned });
  }
}
