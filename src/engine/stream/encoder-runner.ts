// One encoder on air: its queue on the fan-out, its backend (the codec process and the server
// connection) and its state machine. Everything that can fail here (the codec process, the server,
// the network) stays inside this object; the capture and the other encoders never notice. The runner
// does not know which backend it drives (ffmpeg or Liquidsoap): both report in the machine's events.
import type { EncoderConfig, PcmFormat } from '../types.js';
import { ENCODER_BATCH_MS, type FanOut, type Consumer } from '../audio/fanout.js';
import { initialState, transition, describeState, type MachineEvent, type MachineState, type RetryPolicy } from './state-machine.js';
import type { Track } from '../metadata/types.js';
import type { BackendCounters, BackendFactory, BackendHost, StreamBackend } from './backend.js';
import { FfmpegBackend } from './ffmpeg/ffmpeg-backend.js';
import { LiquidsoapBackend } from './liquidsoap/liquidsoap-backend.js';
import { log } from '../log.js';

export { sourceTarget, connectTarget, STALLED_SEND_SECONDS } from './ffmpeg/ffmpeg-backend.js';

/** How much audio an encoder may fall behind before it loses its oldest. */
export const ENCODER_QUEUE_MS = 3000;
/** A run on air this long resets the retry counter. */
export const STABLE_RUN_MS = 60_000;
const HISTORY_LENGTH = 20;

export interface HistoryEntry {
  at: string;
  state: string;
  error: string | null;
}

export interface EncoderStatus {
  id: number;
  name: string;
  state: MachineState['name'];
  status_text: string;
  last_error: string | null;
  attempt: number;
  max_reconnect_attempts: number;
  next_retry_at: string | null;
  connected_since: string | null;
  uptime_secs: number;
  bytes_sent: number;
  bytes_discarded: number;
  process: { running: boolean; pid: number | null; restarts: number; last_exit: string | null };
  queue: { queued_ms: number; dropped_ms: number; drop_events: number };
  reconnect_history: HistoryEntry[];
}

export interface RunnerDeps {
  fanout: FanOut;
  captureFormat: () => PcmFormat;
  password: () => string;
  onStatus: (status: EncoderStatus, previous: MachineState, current: MachineState) => void;
  now?: () => number;
  random?: () => number;
  /** Where backends keep their process's files (the engine's `<data-dir>/run`). */
  runDir?: string;
  /** Tests hand in their own backend; the encoder's `backend` field chooses otherwise. */
  createBackend?: BackendFactory;
}

/** The status of an encoder that has not been started since the engine came up. */
export function idleEncoderStatus(config: EncoderConfig, nowMs: number): EncoderStatus {
  const m = initialState(nowMs);
  return {
    id: config.id,
    name: config.name,
    state: m.name,
    status_text: describeState(m, config.max_reconnect_attempts),
    last_error: null,
    attempt: 0,
    max_reconnect_attempts: config.max_reconnect_attempts,
    next_retry_at: null,
    connected_since: null,
    uptime_secs: 0,
    bytes_sent: 0,
    bytes_discarded: 0,
    process: { running: false, pid: null, restarts: 0, last_exit: null },
    queue: { queued_ms: 0, dropped_ms: 0, drop_events: 0 },
    reconnect_history: [],
  };
}

/** The backend an encoder's `backend` field names. */
export function createBackend(host: BackendHost): StreamBackend {
  return host.config().backend === 'liquidsoap' ? new LiquidsoapBackend(host, { runDir: host.runDir() ?? undefined }) : new FfmpegBackend(host);
}

export class EncoderRunner {
  private machine: MachineState;
  private backend: StreamBackend | null = null;
  private stopping: Promise<void> = Promise.resolve();
  /** Live listen's subscriptions to the encoded stream, carried over to the next backend. */
  private readonly taps = new Set<(data: Buffer) => void>();
  private readonly retaps = new Map<(data: Buffer) => void, (backend: StreamBackend) => void>();
  private consumer: Consumer | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private history: HistoryEntry[] = [];
  private lastExit: string | null = null;
  private track: Track | null = null;
  /** Bytes of the backends this run had before (every start makes a new one; a reconfigure starts the count again). */
  private earlier = { bytesSent: 0, bytesDiscarded: 0 };
  /** The last counters of a stopped backend, shown until the next start. */
  private lastCounters: BackendCounters = { bytesSent: 0, bytesDiscarded: 0, process: { running: false, pid: null, restarts: 0 } };
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly debug;

  constructor(
    private config: EncoderConfig,
    private readonly deps: RunnerDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.machine = initialState(this.now());
    this.debug = log(`encoder:${config.id}`);
  }

  get id(): number {
    return this.config.id;
  }

  get state(): MachineState {
    return this.machine;
  }

  get active(): boolean {
    return this.machine.name !== 'disabled' && this.machine.name !== 'failed';
  }

  private policy(): RetryPolicy {
    return {
      reconnectDelayMs: this.config.reconnect_delay_secs * 1000,
      maxAttempts: this.config.max_reconnect_attempts,
      stableRunMs: STABLE_RUN_MS,
      random: this.random,
    };
  }

  start(): void {
    if (this.active) return;
    this.startBackend();
    this.dispatch({ type: 'start' });
  }

  async stop(): Promise<void> {
    this.dispatch({ type: 'stop' });
    await this.stopBackend();
  }

  /** New settings: an encoder on air restarts with them. */
  async reconfigure(config: EncoderConfig): Promise<void> {
    const wasActive = this.active;
    if (wasActive) await this.stop();
    this.config = config;
    this.earlier = { bytesSent: 0, bytesDiscarded: 0 };
    this.lastCounters = { ...this.lastCounters, bytesSent: 0, bytesDiscarded: 0 };
    if (wasActive) this.start();
  }

  /** The current title: a backend that carries titles itself (Ogg in-stream, Liquidsoap) gets it. */
  setStreamTags(track: Track | null): void {
    this.track = track;
    this.backend?.setTrack(track);
  }

  /** The live source connection's addresses, so a title update leaves from the same local address. */
  link(): { remoteAddress: string; localAddress?: string } | null {
    if (this.machine.name !== 'streaming') return null;
    return this.backend?.link() ?? null;
  }

  /** At every capture chunk: the backend reads its codec's output now, if it reads it on the audio path's clock. */
  poll(): void {
    this.backend?.poll?.();
  }

  /**
   * The encoded stream as the codec produces it, for as long as the subscription lasts (across codec
   * restarts); null when this backend does not expose it (Liquidsoap) or the encoder is not running.
   */
  tapEncoded(onData: (data: Buffer) => void): (() => void) | null {
    const backend = this.backend;
    if (!backend?.tapEncoded) return null;
    let untap = backend.tapEncoded(onData);
    this.taps.add(onData);
    const retap = (b: StreamBackend): void => {
      untap = b.tapEncoded?.(onData) ?? (() => undefined);
    };
    this.retaps.set(onData, retap);
    return () => {
      untap();
      this.taps.delete(onData);
      this.retaps.delete(onData);
    };
  }

  /** Kills the codec process as a crash would (tests, and a "restart encoder" command). */
  killProcess(): void {
    this.backend?.kill();
  }

  status(): EncoderStatus {
    const m = this.machine;
    const nowMs = this.now();
    const queue = this.consumer ? this.deps.fanout.stats().find((s) => s.name === this.consumer!.name) : undefined;
    const counters = this.backend?.counters() ?? this.lastCounters;
    return {
      id: this.config.id,
      name: this.config.name,
      state: m.name,
      status_text: describeState(m, this.config.max_reconnect_attempts),
      last_error: m.lastError,
      attempt: m.attempt,
      max_reconnect_attempts: this.config.max_reconnect_attempts,
      next_retry_at: m.nextRetryAtMs ? new Date(m.nextRetryAtMs).toISOString() : null,
      connected_since: m.streamingSinceMs ? new Date(m.streamingSinceMs).toISOString() : null,
      uptime_secs: m.streamingSinceMs ? Math.floor((nowMs - m.streamingSinceMs) / 1000) : 0,
      bytes_sent: this.earlier.bytesSent + (this.backend ? counters.bytesSent : 0),
      bytes_discarded: this.earlier.bytesDiscarded + (this.backend ? counters.bytesDiscarded : 0),
      process: { ...counters.process, last_exit: this.lastExit },
      queue: { queued_ms: queue?.queuedMs ?? 0, dropped_ms: queue?.droppedMs ?? 0, drop_events: queue?.dropEvents ?? 0 },
      reconnect_history: [...this.history],
    };
  }

  // --- state machine ------------------------------------------------------------------

  private dispatch(event: MachineEvent): void {
    const previous = this.machine;
    const next = transition(previous, event, this.now(), this.policy());
    if (next === previous) return;
    this.machine = next;
    this.debug('%s -> %s (%s)', previous.name, next.name, event.type);
    this.history.push({ at: new Date(next.sinceMs).toISOString(), state: describeState(next, this.config.max_reconnect_attempts), error: next.lastError });
    if (this.history.length > HISTORY_LENGTH) this.history.shift();
    this.afterTransition(next);
    this.deps.onStatus(this.status(), previous, next);
  }

  private afterTransition(state: MachineState): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    switch (state.name) {
      case 'connecting':
        this.backend?.connect();
        break;
      case 'retrying':
        this.retryTimer = setTimeout(() => this.dispatch({ type: 'retry_due' }), Math.max(0, (state.nextRetryAtMs ?? 0) - this.now()));
        break;
      case 'failed':
        this.backend?.disconnect();
        void this.stopBackend();
        break;
      case 'disabled':
        this.backend?.disconnect();
        break;
      case 'streaming':
        break;
    }
  }

  /** What the backend reports, turned into machine events. */
  private host(): BackendHost {
    return {
      config: () => this.config,
      password: () => this.deps.password(),
      captureFormat: () => this.deps.captureFormat(),
      runDir: () => this.deps.runDir ?? null,
      connected: () => {
        // A backend's new process connects by itself, possibly before the runner's retry timer.
        if (this.machine.name === 'retrying') this.dispatch({ type: 'retry_due' });
        this.dispatch({ type: 'connected' });
      },
      connectFailed: (error, longBackoff) => this.dispatch({ type: 'connect_failed', error, longBackoff }),
      disconnected: (error, longBackoff) => this.dispatch({ type: 'disconnected', error, longBackoff }),
      processExited: (detail) => {
        this.lastExit = detail;
      },
      drained: () => this.pump(),
    };
  }

  // --- the backend ----------------------------------------------------------------

  private startBackend(): void {
    if (this.backend) return;
    this.consumer = this.deps.fanout.add(`encoder:${this.config.id}`, ENCODER_QUEUE_MS, () => this.pump(), ENCODER_BATCH_MS);
    const backend = (this.deps.createBackend ?? createBackend)(this.host());
    this.backend = backend;
    backend.setTrack(this.track);
    for (const retap of this.retaps.values()) retap(backend);
    backend.start();
  }

  /** Detaches the backend at once and resolves when every backend stopped so far has finished stopping. */
  private stopBackend(): Promise<void> {
    if (this.consumer) this.deps.fanout.remove(this.consumer.name);
    this.consumer = null;
    const backend = this.backend;
    this.backend = null;
    if (backend) {
      // Counted now, so the status never dips while the backend stops; what it sends meanwhile is added after.
      const atStop = backend.counters();
      this.addEarlier(atStop, 1);
      const done = backend.stop().then(() => {
        const last = backend.counters();
        this.addEarlier(last, 1);
        this.addEarlier(atStop, -1);
        this.lastCounters = { ...last, process: { ...last.process, running: false, pid: null } };
      });
      this.stopping = Promise.all([this.stopping, done]).then(() => undefined);
    }
    return this.stopping;
  }

  private addEarlier(c: BackendCounters, sign: 1 | -1): void {
    this.earlier = { bytesSent: this.earlier.bytesSent + sign * c.bytesSent, bytesDiscarded: this.earlier.bytesDiscarded + sign * c.bytesDiscarded };
  }

  /** Moves everything queued into the codec in one write, unless its pipe is pushing back. */
  private pump(): void {
    const consumer = this.consumer;
    const backend = this.backend;
    if (!consumer || !backend || !backend.writable) return;
    const chunk = consumer.queue.take();
    if (chunk) backend.write(chunk);
  }
}
