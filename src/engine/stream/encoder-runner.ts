// One encoder on air: its queue on the fan-out, its ffmpeg child, its server connection and
// its state machine. Everything that can fail here (the codec process, the server, the
// network) stays inside this object; the capture and the other encoders never notice.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { EncoderConfig, PcmFormat } from '../types.js';
import type { FanOut, Consumer } from '../audio/fanout.js';
import { Supervisor, type ExitInfo } from '../supervisor.js';
import { buildFfmpegArgv, ffmpegBinary } from './ffmpeg/ffmpeg-argv.js';
import { codecInfo } from './codecs.js';
import { initialState, transition, describeState, type MachineEvent, type MachineState, type RetryPolicy } from './state-machine.js';
import { StreamSink } from './outputs/stream-sink.js';
import { connectIcecast } from './outputs/icecast-source.js';
import { connectShoutcastV1 } from './outputs/shoutcast-source.js';
import { SourceError, isLongBackoff } from './outputs/source-errors.js';
import type { SourceConnection, SourceTarget } from './outputs/source-client.js';
import type { Track } from '../metadata/types.js';
import { CodecTags } from '../metadata/codec-tags.js';
import { log } from '../log.js';

/** How much audio an encoder may fall behind before it loses its oldest. */
export const ENCODER_QUEUE_MS = 3000;
/** A run on air this long resets the retry counter. */
export const STABLE_RUN_MS = 60_000;
/** A connection that cannot take this many seconds of audio is dead (half-open TCP). */
export const STALLED_SEND_SECONDS = 10;
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
}

export function sourceTarget(config: EncoderConfig, password: string): SourceTarget {
  return {
    host: config.server_host ?? '',
    port: config.server_port ?? (config.output_type === 'shoutcast' ? 8000 : 8000),
    mount: config.mount_point ?? '/',
    username: config.server_username || 'source',
    password,
    contentType: codecInfo(config.codec).contentType ?? 'application/octet-stream',
    name: config.stream_name,
    genre: config.stream_genre,
    url: config.stream_url,
    description: config.stream_description,
    isPublic: config.is_public,
    bitrateKbps: config.bitrate_kbps,
    sampleRate: config.codec === 'opus' ? 48000 : config.sample_rate,
    channels: config.channels,
    shoutcastSid: config.shoutcast_sid,
  };
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

export function connectTarget(config: EncoderConfig, target: SourceTarget): Promise<SourceConnection> {
  return config.output_type === 'shoutcast' ? connectShoutcastV1(target) : connectIcecast(target);
}

export class EncoderRunner {
  private machine: MachineState;
  private supervisor: Supervisor | null = null;
  private consumer: Consumer | null = null;
  private stdin: ChildProcessWithoutNullStreams['stdin'] | null = null;
  private stdinBlocked = false;
  private sink: StreamSink;
  private connection: SourceConnection | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private connectSeq = 0;
  private history: HistoryEntry[] = [];
  private lastExit: string | null = null;
  /** Ogg: the title in the codec's headers; a change restarts the codec. */
  private readonly tags: CodecTags;
  private readonly now: () => number;
  private readonly debug;

  constructor(
    private config: EncoderConfig,
    private readonly deps: RunnerDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.machine = initialState(this.now());
    this.sink = new StreamSink(this.isOgg());
    this.debug = log(`encoder:${config.id}`);
    this.tags = new CodecTags({
      applies: () => this.isOgg() && this.config.send_metadata,
      running: () => this.supervisor?.running ?? false,
      restart: () => this.restartCodecForTags(),
      now: this.now,
    });
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

  private isOgg(): boolean {
    return codecInfo(this.config.codec).contentType === 'audio/ogg';
  }

  private policy(): RetryPolicy {
    return {
      reconnectDelayMs: this.config.reconnect_delay_secs * 1000,
      maxAttempts: this.config.max_reconnect_attempts,
      stableRunMs: STABLE_RUN_MS,
      random: this.deps.random ?? Math.random,
    };
  }

  start(): void {
    if (this.active) return;
    this.startEncoder();
    this.dispatch({ type: 'start' });
  }

  async stop(): Promise<void> {
    this.dispatch({ type: 'stop' });
    await this.stopEncoder();
  }

  /** New settings: an encoder on air restarts with them. */
  async reconfigure(config: EncoderConfig): Promise<void> {
    const wasActive = this.active;
    if (wasActive) await this.stop();
    this.config = config;
    this.sink = new StreamSink(this.isOgg());
    if (wasActive) this.start();
  }

  /**
   * Ogg: the title inside the stream. A change ends the codec's input so it closes its logical
   * stream cleanly, and a new codec starts with the new tags: a new chained stream on the same
   * connection, while the queue holds the audio in between. Other codecs ignore this.
   */
  setStreamTags(track: Track | null): void {
    this.tags.set(track);
  }

  /** The live source connection's addresses, so a title update leaves from the same local address. */
  link(): { remoteAddress: string; localAddress?: string } | null {
    if (this.machine.name !== 'streaming' || !this.connection) return null;
    return { remoteAddress: this.connection.remoteAddress, localAddress: this.connection.localAddress };
  }

  /** Kills the codec process as a crash would (tests, and a "restart encoder" command). */
  killProcess(): void {
    this.supervisor?.kill();
  }

  status(): EncoderStatus {
    const m = this.machine;
    const nowMs = this.now();
    const queue = this.consumer ? this.deps.fanout.stats().find((s) => s.name === this.consumer!.name) : undefined;
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
      bytes_sent: this.sink.bytesSent,
      bytes_discarded: this.sink.bytesDiscarded,
      process: {
        running: this.supervisor?.running ?? false,
        pid: this.supervisor?.pid ?? null,
        restarts: this.supervisor?.restarts ?? 0,
        last_exit: this.lastExit,
      },
      queue: { queued_ms: queue?.queuedMs ?? 0, dropped_ms: queue?.droppedMs ?? 0, drop_events: queue?.dropEvents ?? 0 },
      reconnect_history: [...this.history],
    };
  }

  // --- state machine and connection -------------------------------------------------

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
        void this.connect();
        break;
      case 'retrying':
        this.retryTimer = setTimeout(() => this.dispatch({ type: 'retry_due' }), Math.max(0, (state.nextRetryAtMs ?? 0) - this.now()));
        break;
      case 'failed':
        this.dropConnection();
        void this.stopEncoder();
        break;
      case 'disabled':
        this.dropConnection();
        break;
      case 'streaming':
        break;
    }
  }

  private async connect(): Promise<void> {
    const seq = ++this.connectSeq;
    // Connect only once the codec has produced audio: Icecast drops a source that sends
    // nothing for 10 s, and a codec that cannot start is the error worth reporting.
    const ready = await this.sink.waitForOutput(5000);
    if (seq !== this.connectSeq || this.machine.name !== 'connecting') return;
    if (!ready) {
      const why = this.lastExit ?? 'the encoder produced no audio';
      this.dispatch({ type: 'connect_failed', error: why, longBackoff: false });
      return;
    }
    try {
      const connection = await connectTarget(this.config, sourceTarget(this.config, this.deps.password()));
      if (seq !== this.connectSeq || this.machine.name !== 'connecting') {
        connection.close();
        return;
      }
      this.connection = connection;
      connection.onClose((err) => {
        if (this.connection !== connection) return;
        this.dropConnection();
        this.dispatch({ type: 'disconnected', error: err?.message ?? 'connection closed', longBackoff: err ? isLongBackoff(err.kind) : false });
      });
      this.sink.attach(connection);
      this.watchForStall(connection);
      this.dispatch({ type: 'connected' });
    } catch (err) {
      if (seq !== this.connectSeq) return;
      const sourceErr = err instanceof SourceError ? err : null;
      this.dispatch({
        type: 'connect_failed',
        error: sourceErr?.message ?? (err instanceof Error ? err.message : String(err)),
        longBackoff: sourceErr ? isLongBackoff(sourceErr.kind) : false,
      });
    }
  }

  private watchForStall(connection: SourceConnection): void {
    const kbps = this.config.bitrate_kbps ?? codecInfo(this.config.codec).defaultBitrateKbps ?? 320;
    const limitBytes = Math.max(256 * 1024, (kbps * 1000 * STALLED_SEND_SECONDS) / 8);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = setInterval(() => {
      if (this.connection !== connection) return;
      if (connection.writableLength > limitBytes) {
        this.dropConnection();
        this.dispatch({ type: 'disconnected', error: 'server stopped accepting audio (network stalled)', longBackoff: false });
      }
    }, 1000);
  }

  private dropConnection(): void {
    this.connectSeq++;
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
    this.sink.detach();
    const connection = this.connection;
    this.connection = null;
    connection?.close();
  }

  // --- the codec process ----------------------------------------------------------

  private startEncoder(): void {
    if (this.supervisor) return;
    this.consumer = this.deps.fanout.add(`encoder:${this.config.id}`, ENCODER_QUEUE_MS, () => this.pump());
    this.supervisor = new Supervisor({
      name: `ffmpeg:${this.config.id}`,
      command: ffmpegBinary,
      argv: () => buildFfmpegArgv(this.deps.captureFormat(), this.config, { metadata: this.tags.forLaunch() }),
      backoff: { initialMs: 500, maxMs: 15_000, resetAfterMs: 30_000 },
      onSpawn: (child) => {
        this.stdin = child.stdin;
        this.stdinBlocked = false;
        child.stdin.on('drain', () => {
          this.stdinBlocked = false;
          this.pump();
        });
        child.stdout.on('data', (data: Buffer) => this.sink.write(data));
      },
      onExit: (info) => this.onEncoderExit(info),
    });
    this.supervisor.start();
  }

  private onEncoderExit(info: ExitInfo): void {
    this.stdin = null;
    if (info.restartInMs === null) return;
    if (info.planned) {
      this.sink.encoderRestarted();
      return;
    }
    const detail = info.spawnError ?? (info.stderrTail.split('\n').pop() || `exit code ${info.code ?? info.signal}`);
    this.lastExit = `encoder process stopped: ${detail}`;
    this.debug('ffmpeg exited: %s; restart in %d ms', detail, info.restartInMs);
    this.sink.encoderRestarted();
  }

  private async restartCodecForTags(): Promise<void> {
    const supervisor = this.supervisor;
    if (!supervisor) return;
    // Nothing more goes to the old codec; the fan-out queue keeps the audio for the new one.
    this.stdin = null;
    this.debug('new stream tags: restarting the codec for a new chained stream');
    await supervisor.cycle();
  }

  private async stopEncoder(): Promise<void> {
    this.tags.cancel();
    if (this.consumer) this.deps.fanout.remove(this.consumer.name);
    this.consumer = null;
    const supervisor = this.supervisor;
    this.supervisor = null;
    this.stdin = null;
    await supervisor?.stop();
    this.sink.encoderRestarted();
  }

  /** Moves queued PCM into ffmpeg's stdin until the pipe pushes back. */
  private pump(): void {
    const consumer = this.consumer;
    if (!consumer) return;
    if (!this.stdin || this.stdinBlocked) return;
    let chunk: Buffer | undefined;
    while ((chunk = consumer.queue.shift())) {
      if (!this.stdin.write(chunk)) {
        this.stdinBlocked = true;
        return;
      }
    }
  }
}
