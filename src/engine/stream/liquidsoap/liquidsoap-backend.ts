// The Liquidsoap backend: one liquidsoap process per encoder reads the PCM on its stdin, encodes it
// and keeps its own connection to the server. The engine still owns the state machine, the retry
// count and the timing: the script reports connects, disconnects and errors as lines on stdout, and
// after an error waits until the engine allows the next attempt over its server socket (so
// "Retrying (2/5)" and its countdown mean what they mean with ffmpeg). Titles go over the same socket,
// and Liquidsoap sends them on (Icecast /admin/metadata, SHOUTcast admin.cgi, or a new Ogg chain).
// Stopping closes its stdin: the input ends and Liquidsoap shuts down cleanly.
import { execFile } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Supervisor, type ExitInfo } from '../../supervisor.js';
import { codecInfo } from '../codecs.js';
import { icySafe } from '../../metadata/sanitize.js';
import { toLatin1 } from '../../metadata/push-requests.js';
import type { Track } from '../../metadata/types.js';
import { isLongBackoff } from '../outputs/source-errors.js';
import type { BackendCounters, BackendHost, StreamBackend } from '../backend.js';
import { PcmInput } from '../pcm-input.js';
import { ATTEMPT_COMMAND, buildLiquidsoapScript, dialectOf, TITLE_COMMAND, type Dialect } from './liquidsoap-script.js';
import { parseLiquidsoapLine } from './liquidsoap-events.js';
import { log } from '../../log.js';

/** The liquidsoap executable; RACKCAST_LIQUIDSOAP overrides it (an empty value counts as unset). */
export function liquidsoapBinary(): string {
  const configured = process.env.RACKCAST_LIQUIDSOAP;
  return configured !== undefined && configured !== '' ? configured : 'liquidsoap';
}

/** Liquidsoap type-checks its script (about 2 s) before it connects; a connect that takes longer than this is stuck. */
export const CONNECT_DEADLINE_MS = 20_000;
/** How long a Liquidsoap may take to load its script before the deadline counts anyway. */
const MAX_STARTUP_MS = 60_000;
const SOCKET_TIMEOUT_MS = 3000;
const LOG_TAIL_LINES = 8;
/** What Liquidsoap writes around an answer on its socket ("\r\nEND\r\n", "Bye!\r\n"). */
const SOCKET_FRAMING_BYTES = 14;

/** The bytes a process has written, from /proc/<pid>/io (`wchar`); null where the kernel does not say. */
function writtenBytes(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/io`, 'utf8').match(/^wchar: (\d+)$/m);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Sends one command to a Liquidsoap server socket and resolves with its answer (up to "END"). */
export function socketCommand(path: string, command: string, timeoutMs = SOCKET_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let answer = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to "${command.split(' ')[0]}" within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\nquit\n`));
    socket.on('data', (text: string) => (answer += text));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer.split('\nEND')[0]!.trim());
    });
  });
}

const dialects = new Map<string, Promise<Dialect>>();

/**
 * Which script dialect the installed Liquidsoap speaks, asked once per executable (`--version`, 0.1-0.2 s,
 * never blocking the audio worker). One that does not answer gets 2.3's, the one Debian 13 ships.
 */
export function liquidsoapDialect(binary = liquidsoapBinary()): Promise<Dialect> {
  let known = dialects.get(binary);
  if (!known) {
    known = new Promise((resolve) => {
      execFile(binary, ['--version'], { timeout: 10_000 }, (_err, stdout) => resolve(dialectOf(String(stdout ?? '')) ?? '2.3'));
    });
    dialects.set(binary, known);
  }
  return known;
}

/** Each backend's files get their own names: an encoder deleted and another created with its id may overlap for a moment. */
let instances = 0;

export interface LiquidsoapBackendOptions {
  /** A private directory (0700) for the script and the server socket; default: a new one under the system's temp dir. */
  runDir?: string;
}

export class LiquidsoapBackend implements StreamBackend {
  private supervisor: Supervisor | null = null;
  private readonly input = new PcmInput();
  private onAir = false;
  private stopping = false;
  private socketReady = false;
  private track: Track | null = null;
  /** The title last handed to Liquidsoap on this connection (a repeat would make Ogg start a new chain for nothing). */
  private sentTitle: string | null = null;
  private deadline: NodeJS.Timeout | null = null;
  /** Commands to the server socket go one at a time, in order. */
  private commands: Promise<void> = Promise.resolve();
  private logTail: string[] = [];
  /** Bytes counted in wchar that did not go to the server: our own stdout and the socket's answers. */
  private notSent = 0;
  private sentBefore = 0;
  private sentNow = 0;
  private readonly dir: string;
  private readonly ownDir: boolean;
  private readonly fileStem: string;
  private dialect: Dialect = '2.3';
  private readonly debug;

  constructor(
    private readonly host: BackendHost,
    opts: LiquidsoapBackendOptions = {},
  ) {
    const id = host.config().id;
    this.debug = log(`encoder:${id}:liquidsoap`);
    this.fileStem = `encoder-${id}-${++instances}`;
    if (opts.runDir) {
      mkdirSync(opts.runDir, { recursive: true, mode: 0o700 });
      this.dir = opts.runDir;
      this.ownDir = false;
    } else {
      this.dir = mkdtempSync(join(tmpdir(), 'rackcast-liquidsoap-'));
      this.ownDir = true;
    }
  }

  private get scriptPath(): string {
    return join(this.dir, `${this.fileStem}.liq`);
  }

  private get socketPath(): string {
    return join(this.dir, `${this.fileStem}.sock`);
  }

  get writable(): boolean {
    return this.input.writable;
  }

  write(chunk: Buffer): boolean {
    return this.input.write(chunk);
  }

  setTrack(track: Track | null): void {
    this.track = track;
    if (this.onAir) this.sendTitle();
  }

  /** Liquidsoap sends titles itself, from its own connection. */
  link(): null {
    return null;
  }

  kill(): void {
    this.supervisor?.kill();
  }

  counters(): BackendCounters {
    const pid = this.supervisor?.pid;
    if (pid !== undefined) {
      const written = writtenBytes(pid);
      if (written !== null) this.sentNow = Math.max(this.sentNow, written - this.notSent);
    }
    return {
      bytesSent: this.sentBefore + this.sentNow,
      // Liquidsoap stops its encoder while the server is away: nothing is encoded, nothing discarded.
      bytesDiscarded: 0,
      process: { running: this.supervisor?.running ?? false, pid: pid ?? null, restarts: this.supervisor?.restarts ?? 0 },
    };
  }

  // --- the connection: Liquidsoap's own, reported in lines ----------------------------

  connect(): void {
    if (this.onAir) return;
    // A new process tries at once by itself; one that has failed waits for this.
    if (this.socketReady) this.command(ATTEMPT_COMMAND);
    this.armDeadline(CONNECT_DEADLINE_MS);
  }

  /**
   * An attempt that neither connects nor fails is stuck. The clock runs from when Liquidsoap has its script
   * loaded (its socket answers): a start-up slowed by a busy machine is not a stuck connection.
   */
  private armDeadline(ms: number, startupWaitedMs = 0): void {
    this.clearDeadline();
    this.deadline = setTimeout(() => {
      this.deadline = null;
      if (this.onAir || this.stopping) return;
      if (!this.socketReady && this.supervisor?.running && startupWaitedMs < MAX_STARTUP_MS) {
        this.armDeadline(ms, startupWaitedMs + ms);
        return;
      }
      const why = this.lastWords() ?? 'Liquidsoap did not connect';
      this.host.connectFailed(`${why} (no connection after ${Math.round((ms + startupWaitedMs) / 1000)} s)`, false);
      this.supervisor?.kill();
    }, ms);
  }

  disconnect(): void {
    this.clearDeadline();
  }

  private clearDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
  }

  private onLine(line: string): void {
    const event = parseLiquidsoapLine(line);
    if (!event) return;
    switch (event.type) {
      case 'connected':
        this.onAir = true;
        this.sentTitle = null;
        this.clearDeadline();
        this.host.connected();
        this.sendTitle();
        return;
      case 'error': {
        const long = isLongBackoff(event.error.kind);
        this.remember(event.error.message);
        this.clearDeadline();
        if (this.onAir) {
          this.onAir = false;
          this.host.disconnected(event.error.message, long);
        } else {
          this.host.connectFailed(event.error.message, long);
        }
        return;
      }
      case 'disconnected':
        // After an error the error has said it all; a disconnect on its own is the server closing.
        if (this.onAir && !this.stopping) {
          this.onAir = false;
          this.host.disconnected('server closed the connection', false);
        }
        this.onAir = false;
        return;
      case 'input_ended':
        return;
      case 'log':
        if (event.severe) this.remember(event.text);
        this.debug('%s', event.text);
        return;
    }
  }

  private remember(text: string): void {
    this.logTail.push(text);
    if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
  }

  private lastWords(): string | null {
    return this.logTail.at(-1) ?? null;
  }

  // --- the server socket ----------------------------------------------------------

  private command(command: string): void {
    const path = this.socketPath;
    this.commands = this.commands.then(async () => {
      if (!this.socketReady || !this.supervisor?.running) return;
      try {
        const answer = await socketCommand(path, command);
        // The answer (and its "END", "Bye!") was written by Liquidsoap too: not stream bytes.
        this.notSent += Buffer.byteLength(answer) + SOCKET_FRAMING_BYTES;
      } catch (err) {
        this.debug('socket command failed: %s', err instanceof Error ? err.message : String(err));
      }
    });
  }

  private sendTitle(): void {
    const config = this.host.config();
    const track = this.track;
    if (!track || !config.send_metadata) return;
    // Icecast and SHOUTcast build "StreamTitle='…';" from the title without escaping; Ogg comments carry it as it is.
    const ogg = codecInfo(config.codec).contentType === 'audio/ogg';
    const latin1 = config.metadata_charset === 'ISO-8859-1';
    const clean = (s: string): string => {
      if (ogg) return s;
      const safe = icySafe(s, !latin1);
      // Liquidsoap drops a whole update that does not fit the charset; what cannot be Latin-1 becomes its nearest ASCII or "?".
      return latin1 ? toLatin1(safe).toString('latin1') : safe;
    };
    const command = `${TITLE_COMMAND} ${encodeURIComponent(clean(track.artist))} ${encodeURIComponent(clean(track.title))}`;
    if (command === this.sentTitle) return;
    this.sentTitle = command;
    this.command(command);
  }

  private async waitForSocket(pid: number | undefined): Promise<void> {
    for (let i = 0; i < 150 && this.supervisor?.pid === pid && pid !== undefined; i++) {
      try {
        const answer = await socketCommand(this.socketPath, 'version', 500);
        this.notSent += Buffer.byteLength(answer) + SOCKET_FRAMING_BYTES;
        this.socketReady = true;
        if (this.onAir) this.sendTitle();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  // --- the process ----------------------------------------------------------------

  private writeScript(): void {
    const config = this.host.config();
    const script = buildLiquidsoapScript(this.host.captureFormat(), config, {
      password: this.host.password(),
      socketPath: this.socketPath,
      allowRoot: process.getuid?.() === 0,
      dialect: this.dialect,
    });
    rmSync(this.socketPath, { force: true });
    // Never through a link: the script holds the server password.
    const fd = openSync(this.scriptPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, script);
    } finally {
      closeSync(fd);
    }
  }

  start(): void {
    if (this.supervisor) return;
    this.stopping = false;
    this.supervisor = new Supervisor({
      name: `liquidsoap:${this.host.config().id}`,
      command: liquidsoapBinary,
      argv: () => {
        this.writeScript();
        return [this.scriptPath];
      },
      backoff: { initialMs: 500, maxMs: 15_000, resetAfterMs: 30_000 },
      stopWith: 'stdin',
      // Liquidsoap 2.3 caches each compiled script (a few MB each) under $HOME; here it stays in the run directory.
      env: { ...process.env, LIQ_CACHE_USER_DIR: join(this.dir, 'liquidsoap-cache') },
      onSpawn: (child) => {
        this.input.attach(child.stdin, () => this.host.drained());
        this.socketReady = false;
        this.notSent = 0;
        this.sentNow = 0;
        child.stdout.on('data', (data: Buffer) => (this.notSent += data.length));
        createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
        void this.waitForSocket(child.pid);
        this.host.drained();
      },
      onExit: (info) => this.onExit(info),
    });
    const supervisor = this.supervisor;
    void liquidsoapDialect().then((dialect) => {
      this.dialect = dialect;
      if (this.supervisor === supervisor && !this.stopping) supervisor.start();
    });
  }

  private onExit(info: ExitInfo): void {
    this.input.detach();
    this.socketReady = false;
    this.sentBefore += this.sentNow;
    this.sentNow = 0;
    const wasOnAir = this.onAir;
    this.onAir = false;
    if (info.restartInMs === null || this.stopping) return;
    const detail = info.spawnError ?? this.lastWords() ?? (info.stderrTail.split('\n').pop() || `exit code ${info.code ?? info.signal}`);
    const words = `encoder process stopped: ${detail}`;
    this.debug('liquidsoap exited: %s; restart in %d ms', detail, info.restartInMs);
    this.host.processExited(words);
    this.clearDeadline();
    if (wasOnAir) this.host.disconnected(words, false);
    else this.host.connectFailed(words, false);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.clearDeadline();
    const supervisor = this.supervisor;
    this.supervisor = null;
    this.input.detach();
    await supervisor?.stop(3000);
    await this.commands;
    rmSync(this.socketPath, { force: true });
    rmSync(this.scriptPath, { force: true });
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
