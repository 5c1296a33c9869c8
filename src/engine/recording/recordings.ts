// Everything the engine facade needs for recordings: one Recorder per file encoder, the recordings
// directory and its storage, retention, the registry of files being written (so a power cut or a pulled
// drive leaves nothing unrepaired), and the settings.
import { existsSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { FanOut } from '../audio/fanout.js';
import type { EncoderConfig, PcmFormat } from '../types.js';
import type { SettingsStore } from '../db/settings-store.js';
import type { EventLog } from '../db/event-log.js';
import type { EncoderStatus } from '../encoder-runner.js';
import { Recorder } from './recorder.js';
import { probeStorage, type StorageStatus } from './storage.js';
import { applyRetention } from './retention.js';
import { repairWav } from './wav.js';
import { sqliteMetadataHistory, type MetadataHistory } from './metadata-history.js';
import { RECORDING_SETTINGS_KEY, loadRecordingSettings, parseRecordingSettings, type RecordingSettings, type SettingsFieldError } from './recording-settings.js';
import { fileEncoderStatus, recordingStatus } from './recording-status.js';
import type { RecordingStatus, RotationEvent } from './recording-types.js';
import type { SegmentFactory } from './recording-file.js';

const OPEN_FILES_KEY = 'recording_open_files';
const RETENTION_INTERVAL_MS = 60_000;
const PROBE_CACHE_MS = 500;
/** Retention triggered by low free space walks the directory at most this often. */
const RETENTION_MIN_INTERVAL_MS = 10_000;

export interface RecordingsDeps {
  dataDir: string;
  /** Overrides the stored recordings directory (tests, or a fixed appliance layout). */
  recordingsDir?: string;
  fanout: FanOut;
  captureFormat: () => PcmFormat;
  db: BetterSqlite3.Database;
  settings: SettingsStore;
  eventLog: EventLog;
  onRotation: (e: RotationEvent) => void;
  onStatus: (status: EncoderStatus & { recording: RecordingStatus }) => void;
  now?: () => number;
  createSegment?: SegmentFactory;
}

/** Invalid settings; the engine turns it into its own 400 error. */
export class RecordingSettingsError extends Error {
  constructor(readonly errors: SettingsFieldError[]) {
    super('invalid recording settings');
  }
}

export class Recordings {
  private recorders = new Map<number, Recorder>();
  private current: RecordingSettings;
  private probeCache: { atMs: number; status: Promise<StorageStatus> } | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionRunning = false;
  private lastRetentionMs = 0;
  private readonly history: MetadataHistory;

  constructor(private readonly deps: RecordingsDeps) {
    this.current = this.loadSettings();
    this.history = sqliteMetadataHistory(deps.db);
  }

  private loadSettings(): RecordingSettings {
    const stored = loadRecordingSettings(this.deps.settings.get<unknown>(RECORDING_SETTINGS_KEY, {}), this.deps.dataDir);
    return this.deps.recordingsDir ? { ...stored, recordings_dir: this.deps.recordingsDir } : stored;
  }

  /** Repairs files a crash left open and starts the retention timer. Recorders are started by the engine. */
  async start(): Promise<void> {
    await this.repairOpenFiles();
    this.retentionTimer = setInterval(() => void this.runRetention(), RETENTION_INTERVAL_MS);
    this.retentionTimer.unref();
    void this.runRetention();
  }

  async shutdown(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await Promise.all([...this.recorders.values()].map((r) => r.stop()));
  }

  settings(): RecordingSettings {
    return { ...this.current };
  }

  /** Validates and stores new settings; recordings running continue in new files under the new directory. */
  async updateSettings(input: unknown): Promise<RecordingSettings> {
    const parsed = parseRecordingSettings(input, this.current);
    if (!parsed.ok) throw new RecordingSettingsError(parsed.errors);
    this.deps.settings.set(RECORDING_SETTINGS_KEY, parsed.value);
    this.current = this.loadSettings();
    this.probeCache = null;
    const active = [...this.recorders.values()].filter((r) => r.active);
    for (const r of active) await r.stop();
    for (const r of active) r.start();
    void this.runRetention();
    return this.settings();
  }

  probe(): Promise<StorageStatus> {
    const nowMs = Date.now();
    if (this.probeCache && nowMs - this.probeCache.atMs < PROBE_CACHE_MS) return this.probeCache.status;
    const status = probeStorage({ dir: this.current.recordings_dir, removable: this.current.recordings_removable, systemDirs: ['/', this.deps.dataDir] });
    this.probeCache = { atMs: nowMs, status };
    // Below the free-space target: retention runs now, not at its next minute.
    void status.then((s) => {
      const target = this.current.retention_min_free_percent;
      const due = Date.now() - this.lastRetentionMs >= RETENTION_MIN_INTERVAL_MS;
      if (target > 0 && due && s.free_percent !== null && s.free_percent < target) void this.runRetention();
    });
    return status;
  }

  startRecording(config: EncoderConfig): void {
    this.recorder(config).start();
  }

  async stopRecording(id: number): Promise<void> {
    await this.recorders.get(id)?.stop();
  }

  async reconfigure(config: EncoderConfig): Promise<void> {
    await this.recorders.get(config.id)?.reconfigure(config);
  }

  async remove(id: number): Promise<void> {
    await this.recorders.get(id)?.stop();
    this.recorders.delete(id);
  }

  isActive(id: number): boolean {
    return this.recorders.get(id)?.active ?? false;
  }

  activeIds(): number[] {
    return [...this.recorders.values()].filter((r) => r.active).map((r) => r.id);
  }

  /** The recorder (for tests and the engine's own waits). */
  get(id: number): Recorder | undefined {
    return this.recorders.get(id);
  }

  status(config: EncoderConfig): RecordingStatus {
    return recordingStatus(config, this.recorders.get(config.id), null, this.deps.captureFormat());
  }

  async statusWithStorage(config: EncoderConfig): Promise<RecordingStatus> {
    const storage = await this.probe();
    const rec = this.recorders.get(config.id);
    return recordingStatus(config, rec, storage, this.deps.captureFormat());
  }

  encoderStatus(config: EncoderConfig): EncoderStatus & { recording: RecordingStatus } {
    const queue = this.deps.fanout.stats().find((s) => s.name === `recording:${config.id}`);
    return fileEncoderStatus(config, this.status(config), queue);
  }

  // --- retention and repair ---------------------------------------------------------

  async runRetention(): Promise<void> {
    const policy = { keepDays: this.current.retention_keep_days, minFreePercent: this.current.retention_min_free_percent };
    if (this.retentionRunning || (policy.keepDays <= 0 && policy.minFreePercent <= 0)) return;
    this.retentionRunning = true;
    this.lastRetentionMs = Date.now();
    try {
      this.probeCache = null;
      const storage = await this.probe();
      if (!storage.present || storage.total_bytes === null || storage.free_bytes === null) return;
      const deleted = await applyRetention(this.current.recordings_dir, policy, {
        freeBytes: storage.free_bytes,
        totalBytes: storage.total_bytes,
        openPaths: new Set(this.openFiles()),
      });
      this.probeCache = null;
      if (deleted.length > 0) {
        const files = deleted.map((f) => relative(this.current.recordings_dir, f.path));
        const mb = Math.round(deleted.reduce((n, f) => n + f.bytes, 0) / 1e5) / 10;
        this.deps.eventLog.add({ level: 'info', kind: 'recording_retention', message: `Retention deleted ${deleted.length} old recording(s), ${mb} MB`, data: { files } });
      }
    } finally {
      this.retentionRunning = false;
    }
  }

  /** Fixes the files a crash, a power cut or a pulled drive left open; keeps those it cannot reach yet. */
  async repairOpenFiles(): Promise<void> {
    const storage = await this.probe();
    const done = new Set<string>();
    for (const path of this.openFiles()) {
      if (this.isWriting(path)) continue;
      if (!existsSync(path)) {
        // Gone for good only if the drive it was on is here; else wait for the drive.
        const rel = relative(this.current.recordings_dir, path);
        if (storage.present && !rel.startsWith('..') && !isAbsolute(rel)) done.add(path);
        continue;
      }
      try {
        const result = path.toLowerCase().endsWith('.wav') ? await repairWav(path) : null;
        if (result?.repaired) {
          this.deps.eventLog.add({ level: 'warning', kind: 'recording_repaired', message: `Recording ${path} was left open; repaired (${result.dataBytes} bytes of audio kept)` });
        }
        done.add(path);
      } catch {
        continue;
      }
    }
    // Re-read: recorders may have registered new files meanwhile.
    if (done.size > 0) this.deps.settings.set(OPEN_FILES_KEY, this.openFiles().filter((p) => !done.has(p)));
  }

  private openFiles(): string[] {
    const stored = this.deps.settings.get<unknown>(OPEN_FILES_KEY, []);
    return Array.isArray(stored) ? stored.filter((p): p is string => typeof p === 'string') : [];
  }

  private isWriting(path: string): boolean {
    return [...this.recorders.values()].some((r) => r.currentPath === path);
  }

  private markOpen(path: string): void {
    const files = this.openFiles();
    if (!files.includes(path)) this.deps.settings.set(OPEN_FILES_KEY, [...files, path].slice(-200));
  }

  private markClosed(path: string): void {
    const files = this.openFiles();
    if (files.includes(path)) this.deps.settings.set(OPEN_FILES_KEY, files.filter((p) => p !== path));
  }

  private recorder(config: EncoderConfig): Recorder {
    let recorder = this.recorders.get(config.id);
    if (!recorder) {
      recorder = new Recorder(config, {
        fanout: this.deps.fanout,
        captureFormat: this.deps.captureFormat,
        root: () => this.current.recordings_dir,
        probe: () => this.probe(),
        history: this.history,
        station: () => this.deps.settings.get<string>('station_name', 'RackCast'),
        markOpen: (path) => this.markOpen(path),
        markClosed: (path) => this.markClosed(path),
        onStorageFull: () => void this.runRetention(),
        onStorageBack: () => this.repairOpenFiles(),
        onRotation: (closedFile, newFile) => this.deps.onRotation({ encoderId: config.id, closedFile, newFile }),
        onStateChange: () => this.deps.onStatus(this.encoderStatus(this.recorders.get(config.id)?.currentConfig ?? config)),
        logEvent: (e) => this.deps.eventLog.add(e),
        now: this.deps.now,
        createSegment: this.deps.createSegment,
      });
      this.recorders.set(config.id, recorder);
    }
    return recorder;
  }
}
