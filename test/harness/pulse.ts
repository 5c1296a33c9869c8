// A private PulseAudio daemon with a null sink, so tests get a real ALSA capture device without a
// sound card: pacat plays into the sink, `arecord -D pulse` (libasound2-plugins) reads its monitor,
// paced in real time and bit-exact at 48 kHz S16LE (DESIGN.md "Real components", PROTOCOLS §10).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, removeOnExit, spawnTracked, stopChild, tailOf, waitFor } from './util.js';
import type { PcmFormat } from './signal.js';

export const SINK_NAME = 'rackcast_in';
const SINK_RATE = 48_000;
const START_TIMEOUT_MS = 10_000;
/** A 4-channel sink's and player's channel map: ALSA's own order, as a 4-input USB interface delivers it. */
const QUAD_MAP = 'front-left,front-right,rear-left,rear-right';

export interface PlayOptions {
  /** Repeat the buffer until stop() (for signals longer than the test wants to allocate). */
  loop?: boolean;
  /** pacat's server-side buffer (default 50 ms). A deep one rides out a loaded machine without an underrun. */
  latencyMs?: number;
  /** Count pacat's "Stream underrun." lines in `underruns` (pacat -v, which also prints its clock 20 times a second). */
  countUnderruns?: boolean;
  /** The sink to play into (default the capture's, SINK_NAME); one added by addSink, say. */
  sink?: string;
}

export interface PlayHandle {
  child: ChildProcess;
  /** Resolves when pacat has exited (after draining, for a non-looping buffer). */
  done: Promise<void>;
  stop(): Promise<void>;
  /** Times the sink ran dry under this player (silence inserted); only with `countUnderruns`. */
  readonly underruns: number;
}

export interface RecordOptions extends PcmFormat {
  seconds: number;
}

export interface PulseServer {
  /** Environment for every client (pacat, arecord, ffmpeg -f alsa …): merge it into the child's env. */
  env: Record<string, string>;
  /** ALSA PCM name for `arecord -D`; it captures the null sink's monitor. */
  pcm: 'pulse';
  sinkName: string;
  /** Temp dir with the socket, daemon script and runtime dirs; removed when the test process exits. */
  dir: string;
  /** Plays S16LE interleaved PCM into the null sink with pacat. */
  play(pcm: Buffer, format: PcmFormat, options?: PlayOptions): PlayHandle;
  /** Captures `seconds` through ALSA with arecord, as the product would. */
  record(options: RecordOptions): Promise<Buffer>;
  /** Stops players, the latency keeper and the daemon; the socket path disappears. */
  stop(): Promise<void>;
  /** Starts the daemon again after stop(): same dir, same socket path, same env. A no-op while it runs. */
  start(): Promise<void>;
  /** stop() then start(): every client (arecord, pacat) loses its connection. */
  restart(): Promise<void>;
  /** True while the daemon process is alive. */
  readonly running: boolean;
  /** The daemon's pid while it runs (to freeze it with SIGSTOP, say). */
  readonly pid: number | undefined;
  /** Adds another null sink (a second "sound card", e.g. the engineer's headphones, or a 4-channel one); resolves with its module index. */
  addSink(name: string, channels?: number): Promise<number>;
  /**
   * A HOME directory whose .asoundrc names ALSA PCMs on this server (`name` → the pulse sink, or
   * `<sink>.monitor` for a capture): what the engine's aplay or arecord is then pointed at, as at a card.
   */
  alsaHome(pcms: Record<string, string>): string;
  /** Removes a sink added by addSink (the card is unplugged). */
  removeSink(moduleIndex: number): Promise<void>;
  /** What plays on sink `name` for `seconds`, read from its monitor (S16LE, 48 kHz). */
  recordSink(name: string, seconds: number, channels?: number): Promise<Buffer>;
}

function daemonScript(socketPath: string): string {
  // Only what tests need: no suspend-on-idle (it would stall the monitor), no stream-restore
  // (state from one run must not change volumes in the next), no auth (socket lives in our temp dir).
  return [
    `load-module module-null-sink sink_name=${SINK_NAME} rate=${SINK_RATE} channels=2 format=s16le`,
    `set-default-sink ${SINK_NAME}`,
    `set-default-source ${SINK_NAME}.monitor`,
    `load-module module-native-protocol-unix socket=${socketPath} auth-anonymous=1`,
    '',
  ].join('\n');
}

export async function startPulse(): Promise<PulseServer> {
  const dir = mkdtempSync('/tmp/rackcast-pulse-');
  removeOnExit(dir);
  const runtimeDir = join(dir, 'runtime');
  const stateDir = join(dir, 'state');
  const configDir = join(dir, 'config');
  for (const d of [runtimeDir, stateDir, configDir]) mkdirSync(d, { mode: 0o700 });
  const socketPath = join(dir, 'native');
  const scriptPath = join(dir, 'daemon.pa');
  const clientConfPath = join(dir, 'client.conf');
  writeFileSync(scriptPath, daemonScript(socketPath));
  // A client that cannot reach our daemon must fail, not autospawn a stray one of its own.
  writeFileSync(clientConfPath, 'autospawn = no\n');

  // What clients need: the socket, and no autospawn. Kept minimal because callers merge it into
  // the env of the engine under test.
  const env: Record<string, string> = {
    PULSE_SERVER: `unix:${socketPath}`,
    PULSE_RUNTIME_PATH: runtimeDir,
    PULSE_CLIENTCONFIG: clientConfPath,
  };
  const childEnv = { ...process.env, ...env };
  // The daemon also looks for a cookie, state and config under these; keep it off root's real ones.
  const daemonEnv = {
    ...childEnv,
    PULSE_STATE_PATH: stateDir,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: configDir,
    HOME: dir,
  };

  const args = [
    '-n', // no default.pa: only our script
    '--daemonize=no',
    '--system=false',
    '--exit-idle-time=-1',
    '--disallow-exit',
    '--use-pid-file=no',
    '--realtime=no',
    '--high-priority=no',
    '--log-target=stderr',
    '-F',
    scriptPath,
  ];
  let daemon: ChildProcess | undefined;
  let keeper: ChildProcess | undefined;
  let daemonLog: () => string = () => '';

  /** Spawns the daemon and the latency keeper and waits until clients can use the sink. */
  async function launch(): Promise<void> {
    const child = spawnTracked('pulseaudio', args, { env: daemonEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    daemon = child;
    daemonLog = tailOf(child.stderr);
    // The null sink renders in 2 s blocks unless some stream asks for low latency, so a capture that
    // starts while nothing plays would wait up to 2 s for its first data. A permanent low-latency
    // record stream on the monitor keeps the blocks short; it only reads, so the audio is unchanged.
    const keeperArgs = ['--record', '--raw', '--format=s16le', `--rate=${SINK_RATE}`, '--channels=2'];
    keeperArgs.push(`--device=${SINK_NAME}.monitor`, '--latency-msec=20', '--client-name=rackcast-latency-keeper');
    let gone = false;
    void exited(child).then(() => (gone = true));
    try {
      await waitFor(
        async () => {
          if (gone) throw new Error(`pulseaudio exited early: ${daemonLog().trim()}`);
          return (await run('pactl', ['info'], childEnv)).includes(`Default Sink: ${SINK_NAME}`);
        },
        { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, what: 'pulseaudio answering pactl info' },
      );
      keeper = spawnTracked('pacat', keeperArgs, { env: childEnv, stdio: ['ignore', 'ignore', 'ignore'] });
      await waitFor(async () => (await run('pactl', ['list', 'short', 'source-outputs'], childEnv)).trim() !== '', {
        timeoutMs: START_TIMEOUT_MS,
        what: 'latency keeper stream connected',
      });
      // Restart the sink's clock so the short block size applies now, not after the pending 2 s block.
      await run('pactl', ['suspend-sink', SINK_NAME, '1'], childEnv);
      await run('pactl', ['suspend-sink', SINK_NAME, '0'], childEnv);
    } catch (err) {
      if (keeper) await stopChild(keeper);
      await stopChild(child);
      keeper = undefined;
      daemon = undefined;
      throw new Error(`${(err as Error).message}\npulseaudio log: ${daemonLog().trim()}`);
    }
  }

  function isRunning(): boolean {
    return daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null;
  }

  async function stop(): Promise<void> {
    await Promise.all([...players].map((p) => p.stop()));
    if (keeper) await stopChild(keeper);
    if (daemon) await stopChild(daemon);
    keeper = undefined;
    daemon = undefined;
  }

  async function start(): Promise<void> {
    if (isRunning()) return;
    await launch();
  }

  await launch();

  const players = new Set<PlayHandle>();

  function play(pcm: Buffer, { rate, channels }: PcmFormat, { loop = false, latencyMs = 50, countUnderruns = false, sink = SINK_NAME }: PlayOptions = {}): PlayHandle {
    const pacatArgs = ['--playback', '--raw', '--format=s16le', `--rate=${rate}`, `--channels=${channels}`];
    if (channels === 4) pacatArgs.push(`--channel-map=${QUAD_MAP}`);
    // A short server-side buffer keeps "what is playing now" close to "what was written now".
    pacatArgs.push(`--device=${sink}`, `--latency-msec=${latencyMs}`, '--client-name=rackcast-test');
    if (countUnderruns) pacatArgs.push('--verbose');
    const child = spawnTracked('pacat', pacatArgs, { env: childEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr = tailOf(child.stderr, 4096);
    let underruns = 0;
    let carry = '';
    if (countUnderruns) {
      child.stderr?.on('data', (chunk: Buffer) => {
        const lines = (carry + chunk.toString()).split(/[\r\n]/);
        carry = lines.pop() ?? '';
        underruns += lines.filter((l) => l.startsWith('Stream underrun.')).length;
      });
    }
    let stopping = false;
    // EPIPE after stop() or a pacat crash is reported through `done`, not as an uncaught error.
    child.stdin?.on('error', () => undefined);
    const writeOnce = (): void => {
      if (stopping || !child.stdin || child.stdin.destroyed) return;
      if (loop) child.stdin.write(pcm, writeOnce);
      else child.stdin.end(pcm);
    };
    writeOnce();
    const done = exited(child).then((code) => {
      players.delete(handle);
      if (!stopping && code !== 0) throw new Error(`pacat exited with ${code}: ${stderr().trim()}`);
    });
    // Callers that only stop() must not trip an unhandled rejection.
    done.catch(() => undefined);
    const handle: PlayHandle = {
      child,
      done,
      async stop() {
        stopping = true;
        child.stdin?.destroy();
        await stopChild(child);
      },
      get underruns() {
        return underruns;
      },
    };
    players.add(handle);
    return handle;
  }

  async function record({ seconds, rate, channels }: RecordOptions): Promise<Buffer> {
    const frames = Math.round(seconds * rate);
    // -s counts frames, so fractional seconds work (arecord -d only takes whole seconds).
    const args = ['-q', '-D', 'pulse', '-f', 'S16_LE', '-r', String(rate), '-c', String(channels), '-t', 'raw'];
    args.push('-s', String(frames));
    const child = spawnTracked('arecord', args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const stderr = tailOf(child.stderr, 4096);
    const timer = setTimeout(() => child.kill('SIGKILL'), seconds * 1000 + 10_000);
    const code = await new Promise<number | string>((resolve) => {
      child.once('close', (status, signal) => resolve(status ?? signal ?? 'unknown'));
      child.once('error', (err) => resolve(err.message));
    });
    clearTimeout(timer);
    if (code !== 0) throw new Error(`arecord failed (${code}): ${stderr().trim()}`);
    return Buffer.concat(chunks);
  }

  async function addSink(name: string, channels = 2): Promise<number> {
    const args = ['load-module', 'module-null-sink', `sink_name=${name}`, `rate=${SINK_RATE}`, `channels=${channels}`, 'format=s16le'];
    // ALSA's order for 4 channels (what the pulse plugin asks for), so nothing is remixed on the way through.
    if (channels === 4) args.push(`channel_map=${QUAD_MAP}`);
    const out = await run('pactl', args, childEnv);
    const index = Number(out.trim());
    if (!Number.isInteger(index)) throw new Error(`pactl load-module ${name}: ${out}`);
    return index;
  }

  async function recordSink(name: string, seconds: number, channels = 2): Promise<Buffer> {
    const args = ['--record', '--raw', '--format=s16le', `--rate=${SINK_RATE}`, `--channels=${channels}`, `--device=${name}.monitor`, '--latency-msec=20'];
    const child = spawnTracked('pacat', args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await stopChild(child);
    return Buffer.concat(chunks);
  }

  function alsaHome(pcms: Record<string, string>): string {
    const home = mkdtempSync(join(tmpdir(), 'rackcast-asound-'));
    removeOnExit(home);
    const lines = Object.entries(pcms).map(([name, device]) => `pcm.${name} { type pulse device ${device} }\n`);
    writeFileSync(join(home, '.asoundrc'), lines.join(''));
    return home;
  }

  return {
    env,
    pcm: 'pulse',
    addSink,
    alsaHome,
    async removeSink(moduleIndex: number) {
      await run('pactl', ['unload-module', String(moduleIndex)], childEnv);
    },
    recordSink,
    sinkName: SINK_NAME,
    dir,
    play,
    record,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    get running() {
      return isRunning();
    },
    get pid() {
      return isRunning() ? daemon?.pid : undefined;
    },
  };
}

/** Runs a short client command and returns its stdout ('' on failure: callers poll). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawnTracked(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('close', (code) => resolve(code === 0 ? out : ''));
    child.once('error', () => resolve(''));
  });
}
