// The engine facade: the one object the HTTP API (and through it the page and the panel)
// talks to. It owns the audio path (capture, fan-out, meters and stream encoders, in their own
// thread), the recordings, now playing, listener statistics and the stores.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { EncoderConfig, PcmFormat } from './types.js';
import type { ChannelLevel } from './audio/meters.js';
import type { CaptureStatus } from './capture/capture.js';
import type { CaptureOverrides } from './capture/capture-settings.js';
import { connectTarget, sourceTarget, type EncoderStatus } from './stream/encoder-runner.js';
import { AudioPath, type RunnerHandle } from './audio-path/audio-path.js';
import { openDatabase } from './db/database.js';
import { EncoderStore } from './db/encoder-store.js';
import { SettingsStore } from './db/settings-store.js';
import { EventLog } from './db/event-log.js';
import { parseEncoderInput } from './stream/encoder-schema.js';
import type { MachineState } from './stream/state-machine.js';
import { ListenerStats, type CurrentListeners, type ListenerUpdate } from './stats/listener-stats.js';
import { targetFor, type StatsTarget } from './stats/server-probe.js';
import { MetadataService } from './metadata/now-playing.js';
import { MetadataPusher } from './metadata/pusher.js';
import type { NowPlaying, PushStatus } from './metadata/types.js';
import { Recordings } from './recording/recordings.js';
import type { RotationEvent } from './recording/recording-types.js';
import { AlarmService } from './alarms/alarm-service.js';
import { statusConditions, type Alarm } from './alarms/alarm-model.js';
import { CaptureService } from './box/capture-service.js';
import { LiveListen, type LiveListenView } from './live-listen/live-listen.js';
import { loadStation, withEncoderDefaults } from './box/station-settings.js';

const RUNNING_KEY = 'running_encoders';

export interface EngineOptions {
  dataDir: string;
  /** Overrides the stored capture device (the --capture flag). */
  captureDevice?: string;
  /** The capture's format flags (channels 4: the programme on 1/2, aux1 on 3/4). */
  captureFormat?: CaptureOverrides['format'];
  /** Environment for arecord (e.g. PULSE_SERVER in tests). */
  captureEnv?: NodeJS.ProcessEnv;
  /** Listener stats poll interval, overriding the stored setting and its 5 s minimum (tests). */
  statsPollSecs?: number;
  /** Overrides the stored recordings directory (tests). */
  recordingsDir?: string;
}

export interface FieldError {
  field: string;
  message: string;
}

/** A domain error the HTTP layer maps to a status code in one place. */
export class EngineError extends Error {
  constructor(
    readonly kind: 'not_found' | 'invalid' | 'conflict',
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

export interface EngineEvents {
  encoder_status_changed: [EncoderStatus & { status: string; error: string | null }];
  levels: [{ channels: ChannelLevel[]; capture: CaptureStatus['state'] }];
  capture_status_changed: [CaptureStatus];
  listener_count_updated: [ListenerUpdate];
  metadata_changed: [NowPlaying];
  recording_rotation: [RotationEvent];
  alarm_raised: [Alarm];
  alarm_cleared: [Alarm];
  live_listen_changed: [LiveListenView];
}

export interface CaptureSettings {
  device: string;
  format: PcmFormat;
}

export const DEFAULT_CAPTURE: CaptureSettings = { device: 'default', format: { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' } };

export class Engine extends EventEmitter<EngineEvents> {
  readonly db: Database.Database;
  readonly encoders: EncoderStore;
  readonly settings: SettingsStore;
  readonly eventLog: EventLog;
  readonly listenerStats: ListenerStats;
  /** Now playing: title intake, history and the pushes to every encoder. */
  readonly metadata: MetadataService;
  private readonly metadataPusher: MetadataPusher;
  /** File encoders: recorders, the recordings directory, retention. */
  readonly recordings: Recordings;
  /** Silence, lost channel, clipping and every other fault as alarms; the fallback audio's settings. */
  readonly alarms: AlarmService;
  /** Capture, fan-out, meters and the stream encoders, in a thread of their own (audio-path.ts says why). */
  private readonly audio: AudioPath;
  private lastCaptureState: CaptureStatus['state'] = 'stopped';
  private shuttingDown = false;
  readonly startedAt = Date.now();
  /** The capture's settings and their change on air (GET/PUT /api/capture). */
  readonly capture: CaptureService;
  /** The engineer's headphones and the network listen stream. */
  readonly liveListen: LiveListen;

  constructor(private readonly opts: EngineOptions) {
    super();
    this.db = openDatabase(join(opts.dataDir, 'rackcast.db'));
    this.encoders = new EncoderStore(this.db);
    this.settings = new SettingsStore(this.db);
    this.eventLog = new EventLog(this.db);
    this.listenerStats = new ListenerStats({
      db: this.db,
      settings: this.settings,
      targets: () => this.statsTargets(),
      emit: (update) => this.emit('listener_count_updated', update),
      pollSecsOverride: opts.statsPollSecs,
    });
    this.metadata = new MetadataService({
      db: this.db,
      settings: this.settings,
      onChange: (np) => {
        this.emit('metadata_changed', np);
        this.metadataPusher.titleChanged(np);
      },
    });
    this.metadataPusher = new MetadataPusher({
      initial: this.metadata.current(),
      encoder: (id) => this.encoders.get(id),
      password: (id) => this.encoders.password(id) ?? '',
      link: (id) => this.audio.existingRunner(id)?.link() ?? null,
      activeIds: () => this.activeStreamIds(),
      setStreamTags: (id, track) => this.audio.existingRunner(id)?.setStreamTags(track),
      logFailure: (f) => this.eventLog.add({ level: 'warning', kind: 'metadata_push_failed', encoderId: f.encoderId, message: f.message, data: f.data }),
    });
    // The start flags win over the stored capture settings, and are never written back (capture-settings.ts).
    this.capture = new CaptureService({ settings: this.settings, eventLog: this.eventLog, overrides: { device: opts.captureDevice, format: opts.captureFormat }, env: opts.captureEnv });
    this.audio = this.makeAudioPath();
    this.recordings = new Recordings({
      dataDir: opts.dataDir,
      recordingsDir: opts.recordingsDir,
      fanout: this.audio.relayed,
      now: () => this.audio.captureClockMs(),
      db: this.db,
      settings: this.settings,
      eventLog: this.eventLog,
      captureFormat: () => this.captureSettings.format,
      onRotation: (e) => this.emit('recording_rotation', e),
      onStatus: (s) => this.emit('encoder_status_changed', { ...s, status: s.state, error: s.last_error }),
    });
    this.alarms = new AlarmService({
      db: this.db,
      settings: this.settings,
      eventLog: this.eventLog,
      roots: () => ({ dataDir: opts.dataDir, recordingsDir: this.recordings.settings().recordings_dir }),
      audio: this.audio,
      statusConditions: () => statusConditions(this.audio.captureStatus(), this.encoders.list().map((c) => this.outputStatus(c))),
      onChange: (change) => this.emit(change.type === 'raised' ? 'alarm_raised' : 'alarm_cleared', change.alarm),
    });
    this.liveListen = new LiveListen({
      settings: this.settings,
      format: () => this.captureSettings.format,
      captureChannels: () => this.capture.captureChannels,
      encoders: () => this.encoders.list(),
      encoderActive: (id) => this.audio.existingRunner(id)?.active ?? false,
      play: (plan) => this.audio.setLiveListenPlan(plan),
      env: opts.captureEnv,
      log: (entry) => this.eventLog.add({ ...entry, kind: 'live_listen' }),
      changed: (view) => this.emit('live_listen_changed', view),
    });
    this.capture.attach(this.audio, {
      activeIds: () => this.recordings.activeIds(),
      stopRecording: (id) => this.recordings.stopRecording(id),
      restart: (ids) => ids.forEach((id) => this.recordings.startRecording(this.getEncoder(id))),
    });
  }

  /** The environment the engine's ALSA tools run with (arecord, aplay; tests point them at a private PulseAudio). */
  get audioEnv(): NodeJS.ProcessEnv | undefined {
    return this.opts.captureEnv;
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  /** The capture in use: the stored settings with any start flag over them. */
  get captureSettings(): CaptureSettings {
    return { device: this.capture.device, format: this.capture.format };
  }

  private makeAudioPath(): AudioPath {
    const audio = new AudioPath({ device: this.captureSettings.device, format: this.captureSettings.format, captureChannels: this.capture.captureChannels, captureEnv: this.opts.captureEnv, runDir: join(this.opts.dataDir, 'run') });
    audio.on('levels', (levels) => this.emit('levels', levels));
    audio.on('capture_status', (status) => {
      // One log entry per change of state: a new error text during the same outage is not news.
      const previous = this.lastCaptureState;
      this.lastCaptureState = status.state;
      if (status.state === 'no_input' && previous !== 'no_input') {
        this.eventLog.add({ level: 'warning', kind: 'capture_lost', message: `No input: ${status.error ?? 'sound card unavailable'}` });
      } else if (status.state === 'running' && previous === 'no_input') {
        this.eventLog.add({ level: 'info', kind: 'capture_restored', message: `Capturing from ${status.device}` });
      }
      this.emit('capture_status_changed', status);
    });
    audio.on('runner_status', (status, previous, current) => this.onRunnerStatus(status, previous, current));
    audio.on('dead_air', () => this.alarms.evaluate());
    audio.on('live_listen_status', (status) => this.liveListen.workerStatus(status));
    audio.on('live_pcm', (pcm) => this.liveListen.networkPcm(pcm));
    audio.on('crashed', (why) => {
      if (!this.shuttingDown) this.eventLog.add({ level: 'error', kind: 'audio_path_restarted', message: `The audio path stopped (${why}); restarting it and its encoders` });
    });
    return audio;
  }

  /** Starts the capture and every encoder that was on air when the engine last stopped. */
  start(): void {
    this.audio.start();
    this.liveListen.sendPlan();
    this.alarms.start();
    this.listenerStats.start();
    void this.metadata.start();
    const wasRunning = new Set(this.settings.get<number[]>(RUNNING_KEY, []));
    void this.recordings.start();
    for (const config of this.encoders.list()) {
      if (!config.enabled || !wasRunning.has(config.id)) continue;
      if (config.output_type === 'file') this.recordings.startRecording(config);
      else this.runner(config).start();
    }
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.alarms.stop();
    await this.listenerStats.stop();
    this.metadataPusher.stop();
    await this.metadata.stop();
    // Stopping for shutdown is not an operator's stop: keep the on-air list for the next boot.
    await this.recordings.shutdown();
    await this.liveListen.stop();
    await this.audio.shutdown();
    this.db.close();
  }

  // --- encoders ---------------------------------------------------------------------

  listEncoders(): EncoderConfig[] {
    return this.encoders.list();
  }

  getEncoder(id: number): EncoderConfig {
    const config = this.encoders.get(id);
    if (!config) throw new EngineError('not_found', `no encoder with id ${id}`);
    return config;
  }

  createEncoder(input: unknown): number {
    const parsed = parseEncoderInput(withEncoderDefaults(input, loadStation(this.settings)), undefined, { paths: this.recordings.pathRules() });
    if (!parsed.ok) throw new EngineError('invalid', 'invalid encoder', parsed.errors);
    const id = this.encoders.create(parsed.value);
    this.eventLog.add({ level: 'info', kind: 'config_changed', encoderId: id, message: `Encoder "${parsed.value.name}" created` });
    return id;
  }

  async updateEncoder(id: number, input: unknown): Promise<void> {
    const existing = this.getEncoder(id);
    const parsed = parseEncoderInput(input, existing, { paths: this.recordings.pathRules() });
    if (!parsed.ok) throw new EngineError('invalid', 'invalid encoder', parsed.errors);
    this.encoders.update(id, parsed.value);
    const config = this.getEncoder(id);
    this.eventLog.add({ level: 'info', kind: 'config_changed', encoderId: id, message: `Encoder "${config.name}" changed` });
    if (this.recordings.isActive(id)) {
      if (!config.enabled || config.output_type !== 'file') await this.stopEncoder(id);
      else await this.recordings.reconfigure(config);
    }
    const runner = this.audio.existingRunner(id);
    if (!runner) return;
    if (!config.enabled || config.output_type === 'file') await this.stopEncoder(id);
    else await runner.reconfigure(config);
  }

  async deleteEncoder(id: number): Promise<void> {
    const config = this.getEncoder(id);
    await this.audio.removeRunner(id);
    await this.recordings.remove(id);
    this.metadataPusher.forget(id);
    this.encoders.delete(id);
    this.rememberRunning();
    this.eventLog.add({ level: 'info', kind: 'config_changed', message: `Encoder "${config.name}" deleted` });
  }

  startEncoder(id: number): void {
    const config = this.getEncoder(id);
    if (!config.enabled) throw new EngineError('conflict', `encoder "${config.name}" is disabled; enable it first`);
    if (config.output_type === 'file') this.recordings.startRecording(config);
    else this.runner(config).start();
    this.rememberRunning();
    this.eventLog.add({ level: 'info', kind: 'encoder_started', encoderId: id, message: `Encoder "${config.name}" started` });
  }

  async stopEncoder(id: number): Promise<void> {
    const config = this.getEncoder(id);
    await this.audio.existingRunner(id)?.stop();
    await this.recordings.stopRecording(id);
    // A stop that was already under way when the engine began shutting down must not write to a
    // database that is closing; shutdown keeps the on-air list as it was.
    if (this.shuttingDown) return;
    this.rememberRunning();
    this.eventLog.add({ level: 'info', kind: 'encoder_stopped', encoderId: id, message: `Encoder "${config.name}" stopped` });
  }

  /** Starts every enabled encoder (streams and recordings); returns the ids started. */
  startAll(): number[] {
    const started: number[] = [];
    for (const config of this.encoders.list()) {
      if (!config.enabled) continue;
      if (this.audio.existingRunner(config.id)?.active || this.recordings.isActive(config.id)) continue;
      this.startEncoder(config.id);
      started.push(config.id);
    }
    return started;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.activeStreamIds(), ...this.recordings.activeIds()].map((id) => this.stopEncoder(id)));
  }

  /** The encoders on the operator's on-air list (streams and recordings). */
  onAirIds(): number[] {
    return [...this.activeStreamIds(), ...this.recordings.activeIds()];
  }

  /**
   * A restored configuration: every encoder comes off air and its runner is forgotten (none may keep an old
   * configuration), `write` runs as one transaction, then the encoders in `start` that exist and are
   * enabled go on air. Returns the ids started.
   */
  async replaceConfiguration(write: () => void, start: number[]): Promise<number[]> {
    for (const config of this.encoders.list()) {
      await this.audio.removeRunner(config.id);
      await this.recordings.remove(config.id);
      this.metadataPusher.forget(config.id);
    }
    this.db.transaction(write)();
    const started: number[] = [];
    for (const id of start) {
      const config = this.encoders.get(id);
      if (!config?.enabled) continue;
      this.startEncoder(id);
      started.push(id);
    }
    this.rememberRunning();
    return started;
  }

  /** Really connects to the encoder's server with its settings and reports what happened. */
  async testConnection(id: number): Promise<{ success: boolean; error?: string; message?: string }> {
    const config = this.getEncoder(id);
    if (config.output_type === 'file') return { success: false, error: 'a file output has no server to test' };
    if (this.audio.existingRunner(id)?.state.name === 'streaming') return { success: true, message: 'on air now' };
    try {
      const connection = await connectTarget(config, sourceTarget(config, this.encoders.password(id) ?? ''));
      connection.close();
      return { success: true, message: `connected to ${config.server_host}:${config.server_port}` };
    } catch (err) {
      return { success: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  encoderStatus(id: number): EncoderStatus & { listeners: CurrentListeners | null; metadata: PushStatus } {
    const config = this.getEncoder(id);
    return { ...this.outputStatus(config), listeners: this.listenerStats.latestFor(id), metadata: this.metadataPusher.status(config) };
  }

  /** Titles delivered to and given up on for encoder `id` (the metrics). */
  metadataPushCounts(id: number): { pushed: number; failed: number } {
    return this.metadataPusher.counts(id);
  }

  /** Kills an encoder's codec process as a crash would; the runner restarts it alone. */
  killEncoderProcess(id: number): void {
    this.audio.existingRunner(id)?.killProcess();
  }

  status() {
    const capture = this.audio.captureStatus();
    const encoders = this.encoders.list().map((c) => ({ ...this.outputStatus(c), listeners: this.listenerStats.latestFor(c.id), metadata: this.metadataPusher.status(c) }));
    // What holds right now, so a status read never lags the 0.5 s alarm tick.
    this.alarms.evaluate();
    const deadAir = this.audio.deadAir();
    return {
      engine: { started_at: new Date(this.startedAt).toISOString(), uptime_secs: Math.floor((Date.now() - this.startedAt) / 1000) },
      station_name: loadStation(this.settings).station_name,
      capture: { ...capture, levels: this.audio.lastLevels() },
      encoders,
      queues: this.audio.queueStats(),
      now_playing: this.metadata.current(),
      alarms: this.alarms.active().map(({ kind, subject, since, text, level, encoder_id }) => ({ kind, subject, since, text, level, encoder_id })),
      dead_air: {
        silent_secs: Math.round((deadAir?.silentSecs ?? 0) * 10) / 10,
        fallback: deadAir?.fallback ?? null,
        held_off: this.audio.heldOffIds(),
      },
      live_listen: this.liveListen.view(),
    };
  }

  // --- internals ----------------------------------------------------------------------

  private outputStatus(config: EncoderConfig): EncoderStatus {
    if (config.output_type === 'file') return this.recordings.encoderStatus(config);
    const status = this.runner(config).status();
    return this.audio.heldOffIds().includes(config.id) ? { ...status, status_text: 'Off air during silence' } : status;
  }

  private runner(config: EncoderConfig): RunnerHandle {
    const existing = this.audio.existingRunner(config.id);
    if (existing) return existing;
    const runner = this.audio.runner(config, () => this.encoders.password(config.id) ?? '');
    this.metadataPusher.encoderStarting(config.id);
    return runner;
  }

  private activeStreamIds(): number[] {
    // An encoder off air during silence (on_silence "stop") is still on the operator's list: it comes back.
    const heldOff = this.audio.heldOffIds();
    return this.audio.runners().filter((r) => r.active || heldOff.includes(r.id)).map((r) => r.id);
  }

  private onRunnerStatus(status: EncoderStatus, previous: MachineState, current: MachineState): void {
    if (current.name === 'streaming' && previous.name !== 'streaming') this.metadataPusher.encoderOnAir(status.id);
    const logged = runnerEventFor(previous, current);
    if (logged) {
      this.eventLog.add({
        level: logged.level,
        kind: logged.kind,
        encoderId: status.id,
        message: `${status.name}: ${status.status_text}${current.lastError && current.name !== 'failed' ? `: ${current.lastError}` : ''}`,
      });
    }
    this.emit('encoder_status_changed', { ...status, status: status.state, error: status.last_error });
  }

  /** Encoders on air, as listener-stats targets. */
  private statsTargets(): StatsTarget[] {
    const out: StatsTarget[] = [];
    for (const runner of this.audio.runners()) {
      if (runner.state.name !== 'streaming') continue;
      const config = this.encoders.get(runner.id);
      const target = config ? targetFor(config, this.encoders.statsAdminPassword(config.id)) : null;
      if (target) out.push(target);
    }
    return out;
  }

  private rememberRunning(): void {
    this.settings.set(RUNNING_KEY, [...this.activeStreamIds(), ...this.recordings.activeIds()]);
  }
}

function runnerEventFor(previous: MachineState, current: MachineState): { level: 'info' | 'warning' | 'error'; kind: string } | null {
  if (current.name === 'streaming') return { level: 'info', kind: 'encoder_connected' };
  if (current.name === 'failed') return { level: 'error', kind: 'encoder_failed' };
  if (current.name === 'retrying') return { level: 'warning', kind: previous.name === 'streaming' ? 'encoder_disconnected' : 'encoder_retrying' };
  return null;
}
