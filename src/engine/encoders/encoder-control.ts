// The encoders as the operator sees them: created, changed and deleted (the store, through the one
// encoder schema), put on air and taken off (a stream's runner in the audio path, a file encoder's
// recorder), the on-air list kept for the next boot, and each one's status with its listeners and
// titles. The engine facade hands the API's encoder calls here.
import type Database from 'better-sqlite3';
import type { EncoderConfig } from '../types.js';
import { connectTarget, sourceTarget, type EncoderStatus } from '../stream/encoder-runner.js';
import type { AudioPath } from '../audio-path/audio-path.js';
import type { RunnerHandle } from '../audio-path/runner-handle.js';
import type { EncoderStore } from '../db/encoder-store.js';
import type { SettingsStore } from '../db/settings-store.js';
import type { EventLog } from '../db/event-log.js';
import { parseEncoderInput } from '../stream/encoder-schema.js';
import type { MachineState } from '../stream/state-machine.js';
import type { CurrentListeners, ListenerStats } from '../stats/listener-stats.js';
import { targetFor, type StatsTarget } from '../stats/server-probe.js';
import type { MetadataPusher } from '../metadata/pusher.js';
import type { PushStatus } from '../metadata/types.js';
import type { Recordings } from '../recording/recordings.js';
import { loadStation, withEncoderDefaults } from '../box/station-settings.js';
import { EngineError } from '../engine-error.js';

const RUNNING_KEY = 'running_encoders';

export type EncoderView = EncoderStatus & { listeners: CurrentListeners | null; metadata: PushStatus };

export interface EncoderControlDeps {
  db: Database.Database;
  store: EncoderStore;
  settings: SettingsStore;
  eventLog: EventLog;
  audio: AudioPath;
  recordings: Recordings;
  pusher: MetadataPusher;
  listenerStats: ListenerStats;
  /** The engine is shutting down: a stop then is not the operator's, and the on-air list stays. */
  shuttingDown: () => boolean;
  onStatus: (status: EncoderStatus) => void;
}

export class EncoderControl {
  constructor(private readonly deps: EncoderControlDeps) {}

  list(): EncoderConfig[] {
    return this.deps.store.list();
  }

  get(id: number): EncoderConfig {
    const config = this.deps.store.get(id);
    if (!config) throw new EngineError('not_found', `no encoder with id ${id}`);
    return config;
  }

  create(input: unknown): number {
    const { store, settings, recordings, eventLog } = this.deps;
    const parsed = parseEncoderInput(withEncoderDefaults(input, loadStation(settings)), undefined, { paths: recordings.pathRules() });
    if (!parsed.ok) throw new EngineError('invalid', 'invalid encoder', parsed.errors);
    const id = store.create(parsed.value);
    eventLog.add({ level: 'info', kind: 'config_changed', encoderId: id, message: `Encoder "${parsed.value.name}" created` });
    return id;
  }

  async update(id: number, input: unknown): Promise<void> {
    const { store, recordings, eventLog, audio } = this.deps;
    const existing = this.get(id);
    const parsed = parseEncoderInput(input, existing, { paths: recordings.pathRules() });
    if (!parsed.ok) throw new EngineError('invalid', 'invalid encoder', parsed.errors);
    store.update(id, parsed.value);
    const config = this.get(id);
    eventLog.add({ level: 'info', kind: 'config_changed', encoderId: id, message: `Encoder "${config.name}" changed` });
    if (recordings.isActive(id)) {
      if (!config.enabled || config.output_type !== 'file') await this.stop(id);
      else await recordings.reconfigure(config);
    }
    const runner = audio.existingRunner(id);
    if (!runner) return;
    if (!config.enabled || config.output_type === 'file') await this.stop(id);
    else await runner.reconfigure(config);
  }

  async delete(id: number): Promise<void> {
    const config = this.get(id);
    await this.forget(id);
    this.deps.store.delete(id);
    this.rememberRunning();
    this.deps.eventLog.add({ level: 'info', kind: 'config_changed', message: `Encoder "${config.name}" deleted` });
  }

  start(id: number): void {
    const config = this.get(id);
    if (!config.enabled) throw new EngineError('conflict', `encoder "${config.name}" is disabled; enable it first`);
    this.goOnAir(config);
    this.rememberRunning();
    this.deps.eventLog.add({ level: 'info', kind: 'encoder_started', encoderId: id, message: `Encoder "${config.name}" started` });
  }

  async stop(id: number): Promise<void> {
    const config = this.get(id);
    await this.deps.audio.existingRunner(id)?.stop();
    await this.deps.recordings.stopRecording(id);
    // A stop that was already under way when the engine began shutting down must not write to a
    // database that is closing; shutdown keeps the on-air list as it was.
    if (this.deps.shuttingDown()) return;
    this.rememberRunning();
    this.deps.eventLog.add({ level: 'info', kind: 'encoder_stopped', encoderId: id, message: `Encoder "${config.name}" stopped` });
  }

  /** Starts every enabled encoder (streams and recordings) not on air; returns the ids started. */
  startAll(): number[] {
    const started: number[] = [];
    for (const config of this.deps.store.list()) {
      if (!config.enabled) continue;
      if (this.deps.audio.existingRunner(config.id)?.active || this.deps.recordings.isActive(config.id)) continue;
      this.start(config.id);
      started.push(config.id);
    }
    return started;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.onAirIds().map((id) => this.stop(id)));
  }

  /** At start: every enabled encoder that was on air when the engine last stopped goes on air again. */
  resumeOnAir(): void {
    const wasRunning = new Set(this.deps.settings.get<number[]>(RUNNING_KEY, []));
    for (const config of this.deps.store.list()) {
      if (config.enabled && wasRunning.has(config.id)) this.goOnAir(config);
    }
  }

  /** The encoders on the operator's on-air list (streams and recordings). */
  onAirIds(): number[] {
    return [...this.activeStreamIds(), ...this.deps.recordings.activeIds()];
  }

  /**
   * A restored configuration: every encoder comes off air and its runner is forgotten (none may keep an old
   * configuration), `write` runs as one transaction, then the encoders in `start` that exist and are
   * enabled go on air. Returns the ids started.
   */
  async replaceConfiguration(write: () => void, start: number[]): Promise<number[]> {
    for (const config of this.deps.store.list()) await this.forget(config.id);
    this.deps.db.transaction(write)();
    const started: number[] = [];
    for (const id of start) {
      const config = this.deps.store.get(id);
      if (!config?.enabled) continue;
      this.start(id);
      started.push(id);
    }
    this.rememberRunning();
    return started;
  }

  /** Really connects to the encoder's server with its settings and reports what happened. */
  async testConnection(id: number): Promise<{ success: boolean; error?: string; message?: string }> {
    const config = this.get(id);
    if (config.output_type === 'file') return { success: false, error: 'a file output has no server to test' };
    if (this.deps.audio.existingRunner(id)?.state.name === 'streaming') return { success: true, message: 'on air now' };
    try {
      const connection = await connectTarget(config, sourceTarget(config, this.deps.store.password(id) ?? ''));
      connection.close();
      return { success: true, message: `connected to ${config.server_host}:${config.server_port}` };
    } catch (err) {
      return { success: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  view(config: EncoderConfig): EncoderView {
    return { ...this.outputStatus(config), listeners: this.deps.listenerStats.latestFor(config.id), metadata: this.deps.pusher.status(config) };
  }

  /** Kills an encoder's codec process as a crash would; the runner restarts it alone. */
  killProcess(id: number): void {
    this.deps.audio.existingRunner(id)?.killProcess();
  }

  /** What the encoder is doing now; a stream off air during silence says so. */
  outputStatus(config: EncoderConfig): EncoderStatus {
    if (config.output_type === 'file') return this.deps.recordings.encoderStatus(config);
    const status = this.runner(config).status();
    return this.deps.audio.heldOffIds().includes(config.id) ? { ...status, status_text: 'Off air during silence' } : status;
  }

  activeStreamIds(): number[] {
    // An encoder off air during silence (on_silence "stop") is still on the operator's list: it comes back.
    const heldOff = this.deps.audio.heldOffIds();
    return this.deps.audio.runners().filter((r) => r.active || heldOff.includes(r.id)).map((r) => r.id);
  }

  /** A stream runner's state changed: titles on connect, the event log, the status event. */
  runnerStatus(status: EncoderStatus, previous: MachineState, current: MachineState): void {
    if (current.name === 'streaming' && previous.name !== 'streaming') this.deps.pusher.encoderOnAir(status.id);
    const logged = runnerEventFor(previous, current);
    if (logged) {
      this.deps.eventLog.add({
        level: logged.level,
        kind: logged.kind,
        encoderId: status.id,
        message: `${status.name}: ${status.status_text}${current.lastError && current.name !== 'failed' ? `: ${current.lastError}` : ''}`,
      });
    }
    this.deps.onStatus(status);
  }

  /** Streams on air, as listener-stats targets. */
  statsTargets(): StatsTarget[] {
    const out: StatsTarget[] = [];
    for (const runner of this.deps.audio.runners()) {
      if (runner.state.name !== 'streaming') continue;
      const config = this.deps.store.get(runner.id);
      const target = config ? targetFor(config, this.deps.store.statsAdminPassword(config.id)) : null;
      if (target) out.push(target);
    }
    return out;
  }

  private goOnAir(config: EncoderConfig): void {
    if (config.output_type === 'file') this.deps.recordings.startRecording(config);
    else this.runner(config).start();
  }

  private runner(config: EncoderConfig): RunnerHandle {
    const existing = this.deps.audio.existingRunner(config.id);
    if (existing) return existing;
    const runner = this.deps.audio.runner(config, () => this.deps.store.password(config.id) ?? '');
    this.deps.pusher.encoderStarting(config.id);
    return runner;
  }

  /** Off air, its runner and recorder gone, its title state dropped. */
  private async forget(id: number): Promise<void> {
    await this.deps.audio.removeRunner(id);
    await this.deps.recordings.remove(id);
    this.deps.pusher.forget(id);
  }

  private rememberRunning(): void {
    this.deps.settings.set(RUNNING_KEY, this.onAirIds());
  }
}

function runnerEventFor(previous: MachineState, current: MachineState): { level: 'info' | 'warning' | 'error'; kind: string } | null {
  if (current.name === 'streaming') return { level: 'info', kind: 'encoder_connected' };
  if (current.name === 'failed') return { level: 'error', kind: 'encoder_failed' };
  if (current.name === 'retrying') return { level: 'warning', kind: previous.name === 'streaming' ? 'encoder_disconnected' : 'encoder_retrying' };
  return null;
}
