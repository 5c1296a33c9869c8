// The engine facade: the one object the HTTP API (and through it the page and the panel)
// talks to. It builds the stores and hands them to the features: the audio path (capture, fan-out,
// meters and stream encoders, in their own thread), the encoders' control (encoders/), the
// recordings, now playing, listener statistics, alarms, the capture's settings and live listen.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { EncoderConfig, PcmFormat } from './types.js';
import type { ChannelLevel } from './audio/meters.js';
import type { CaptureStatus } from './capture/capture.js';
import type { CaptureOverrides } from './capture/capture-settings.js';
import type { EncoderStatus } from './stream/encoder-runner.js';
import { AudioPath } from './audio-path/audio-path.js';
import { openDatabase } from './db/database.js';
import { EncoderStore } from './db/encoder-store.js';
import { SettingsStore } from './db/settings-store.js';
import { EventLog } from './db/event-log.js';
import { ListenerStats, type ListenerUpdate } from './stats/listener-stats.js';
import { MetadataService } from './metadata/now-playing.js';
import { MetadataPusher } from './metadata/pusher.js';
import type { NowPlaying } from './metadata/types.js';
import { Recordings } from './recording/recordings.js';
import type { RotationEvent } from './recording/recording-types.js';
import { AlarmService } from './alarms/alarm-service.js';
import { statusConditions, type Alarm } from './alarms/alarm-model.js';
import { CaptureService } from './box/capture-service.js';
import { LiveListen, type LiveListenView } from './live-listen/live-listen.js';
import { loadStation } from './box/station-settings.js';
import { EncoderControl, type EncoderView } from './encoders/encoder-control.js';

export { EngineError, type FieldError } from './engine-error.js';

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
  /** The encoders: their settings, on air and off, and their status. */
  private readonly control: EncoderControl;

  constructor(private readonly opts: EngineOptions) {
    super();
    this.db = openDatabase(join(opts.dataDir, 'rackcast.db'));
    this.encoders = new EncoderStore(this.db);
    this.settings = new SettingsStore(this.db);
    this.eventLog = new EventLog(this.db);
    this.listenerStats = new ListenerStats({
      db: this.db,
      settings: this.settings,
      targets: () => this.control.statsTargets(),
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
      activeIds: () => this.control.activeStreamIds(),
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
    this.control = new EncoderControl({
      db: this.db,
      store: this.encoders,
      settings: this.settings,
      eventLog: this.eventLog,
      audio: this.audio,
      recordings: this.recordings,
      pusher: this.metadataPusher,
      listenerStats: this.listenerStats,
      shuttingDown: () => this.shuttingDown,
      onStatus: (status) => this.emit('encoder_status_changed', { ...status, status: status.state, error: status.last_error }),
    });
    this.alarms = new AlarmService({
      db: this.db,
      settings: this.settings,
      eventLog: this.eventLog,
      roots: () => ({ dataDir: opts.dataDir, recordingsDir: this.recordings.settings().recordings_dir }),
      audio: this.audio,
      statusConditions: () => statusConditions(this.audio.captureStatus(), this.encoders.list().map((c) => this.control.outputStatus(c))),
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
    audio.on('runner_status', (status, previous, current) => this.control.runnerStatus(status, previous, current));
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
    void this.recordings.start();
    this.control.resumeOnAir();
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

  // --- encoders (encoders/encoder-control.ts) -----------------------------------------

  listEncoders(): EncoderConfig[] {
    return this.control.list();
  }

  getEncoder(id: number): EncoderConfig {
    return this.control.get(id);
  }

  createEncoder(input: unknown): number {
    return this.control.create(input);
  }

  updateEncoder(id: number, input: unknown): Promise<void> {
    return this.control.update(id, input);
  }

  deleteEncoder(id: number): Promise<void> {
    return this.control.delete(id);
  }

  startEncoder(id: number): void {
    this.control.start(id);
  }

  stopEncoder(id: number): Promise<void> {
    return this.control.stop(id);
  }

  /** Starts every enabled encoder (streams and recordings); returns the ids started. */
  startAll(): number[] {
    return this.control.startAll();
  }

  stopAll(): Promise<void> {
    return this.control.stopAll();
  }

  /** The encoders on the operator's on-air list (streams and recordings). */
  onAirIds(): number[] {
    return this.control.onAirIds();
  }

  /** A restored configuration written in one transaction, with every encoder off air meanwhile (encoder-control.ts). */
  replaceConfiguration(write: () => void, start: number[]): Promise<number[]> {
    return this.control.replaceConfiguration(write, start);
  }

  /** Really connects to the encoder's server with its settings and reports what happened. */
  testConnection(id: number): Promise<{ success: boolean; error?: string; message?: string }> {
    return this.control.testConnection(id);
  }

  encoderStatus(id: number): EncoderView {
    return this.control.view(this.control.get(id));
  }

  /** Titles delivered to and given up on for encoder `id` (the metrics). */
  metadataPushCounts(id: number): { pushed: number; failed: number } {
    return this.metadataPusher.counts(id);
  }

  /** Kills an encoder's codec process as a crash would; the runner restarts it alone. */
  killEncoderProcess(id: number): void {
    this.control.killProcess(id);
  }

  status() {
    const capture = this.audio.captureStatus();
    const encoders = this.encoders.list().map((c) => this.control.view(c));
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
}
