// Everything the engine facade needs for recordings: one Recorder per file encoder, the recordings
// directory and its storage, retention, the register of recorded files (so a power cut or a pulled
// drive leaves nothing unrepaired, and retention deletes nothing the engine did not record), and the
// settings.
import { constants, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { relative, isAbsolute, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { FanOut } from '../audio/fanout.js';
import type { EncoderConfig, PcmFormat } from '../types.js';
import type { SettingsStore } from '../db/settings-store.js';
import type { EventLog } from '../db/event-log.js';
import type { EncoderStatus } from '../stream/encoder-runner.js';
import { Recorder } from './recorder.js';
import { hasFatNames, probeStorage, type StorageStatus } from './storage.js';
import { applyRetention } from './retention.js';
import { repairWavFile } from './wav.js';
import { sqliteMetadataHistory, type MetadataHistory } from './metadata-history.js';
import { RECORDING_SETTINGS_KEY, checkRecordingsDir, defaultRecordingSettings, loadRecordingSettings, parseRecordingSettings, type RecordingSettings, type SettingsFieldError } from './recording-settings.js';
import { FileRegister } from './file-register.js';
import { SafeDir } from './safe-dir.js';
import { StorageFault } from './segment.js';
import { filePathErrors, type PathRules } from './path-rules.js';
import { EncoderStore } from '../db/encoder-store.js';
import { fileEncoderStatus, recordingStatus } from './recording-status.js';
import type { RecordingStatus, RotationEvent } from './recording-types.js';
import type { SegmentFactory } from './recording-file.js';

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
  /** The encoders (to check their paths against a new recordings drive); default: the encoders table. */
  encoders?: () => EncoderConfig[];
  /** /proc/mounts (tests). */
  readMounts?: () => Promise<string>;
}

/** The canonical form of an existing path; the path itself if it cannot be resolved (yet). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
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
  private retentionRun: Promise<void> | null = null;
  private lastRetentionMs = 0;
  private lastRetentionProblem: string | null = null;
  private lastStorage: StorageStatus | null = null;
  private readonly history: MetadataHistory;
  private readonly register: FileRegister;
  private readonly dataDir: string;

  constructor(private readonly deps: RecordingsDeps) {
    this.dataDir = canonical(deps.dataDir);
    this.current = this.loadSettings();
    this.history = sqliteMetadataHistory(deps.db);
    this.register = new FileRegister(deps.db);
  }

  private loadSettings(): RecordingSettings {
    const stored = loadRecordingSettings(this.deps.settings.get<unknown>(RECORDING_SETTINGS_KEY, {}), this.deps.dataDir);
    const settings = this.deps.recordingsDir ? { ...stored, recordings_dir: this.deps.recordingsDir } : stored;
    // Stored canonical since recordings_dir is checked on save; older values and the override may not be.
    return { ...settings, recordings_dir: canonical(settings.recordings_dir) };
  }

  /** Repairs files a crash left open and starts the retention timer. Recorders are started by the engine. */
  async start(): Promise<void> {
    await this.createDefaultDir();
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

  /** The default directory (in the data directory) is made on first start; any other must exist. */
  private async createDefaultDir(): Promise<void> {
    const fallback = canonical(defaultRecordingSettings(this.deps.dataDir).recordings_dir);
    if (this.current.recordings_dir === fallback) await mkdir(fallback, { mode: 0o755 }).catch(() => undefined);
  }

  /**
   * Validates and stores new settings; recordings running continue in new files under the new directory.
   * A new recordings_dir must be an existing directory, not a system one; it is stored canonical.
   */
  async updateSettings(input: unknown): Promise<RecordingSettings> {
    const parsed = parseRecordingSettings(input, this.current);
    if (!parsed.ok) throw new RecordingSettingsError(parsed.errors);
    if (parsed.value.recordings_dir !== this.current.recordings_dir) {
      const checked = await checkRecordingsDir(parsed.value.recordings_dir, this.dataDir);
      if (!checked.ok) throw new RecordingSettingsError([{ field: 'recordings_dir', message: checked.message }]);
      parsed.value.recordings_dir = checked.dir;
      const unwritable = await this.unwritableOn(checked.dir);
      if (unwritable) throw new RecordingSettingsError([{ field: 'recordings_dir', message: unwritable }]);
    }
    this.deps.settings.set(RECORDING_SETTINGS_KEY, parsed.value);
    this.current = this.loadSettings();
    this.probeCache = null;
    const active = [...this.recorders.values()].filter((r) => r.active);
    for (const r of active) await r.stop();
    for (const r of active) r.start();
    void this.runRetention();
    return this.settings();
  }

  /** Why a file encoder's paths could not be written in `dir` (its filesystem's names and lengths); null if they can. */
  private async unwritableOn(dir: string): Promise<string | null> {
    const storage = await probeStorage({ dir, removable: false, systemDirs: [], readMounts: this.deps.readMounts });
    const rules = this.rulesFor(dir, storage.fs_type);
    const encoders = this.deps.encoders?.() ?? new EncoderStore(this.deps.db).list();
    for (const config of encoders.filter((c) => c.output_type === 'file')) {
      const [problem] = filePathErrors(config, rules);
      if (problem) return `cannot hold the recordings of "${config.name}" (${storage.fs_type ?? 'unknown filesystem'}): its ${problem.field} ${problem.message}`;
    }
    return null;
  }

  private rulesFor(dir: string, fsType: string | null): PathRules {
    return { fatNames: hasFatNames(fsType), rootBytes: Buffer.byteLength(dir), station: this.deps.settings.get<string>('station_name', 'RackCast') };
  }

  /**
   * What a file encoder's paths must fit on the recordings drive as last seen (FAT names, lengths): the
   * engine passes it to parseEncoderInput so that an unwritable path is refused when it is saved.
   */
  pathRules(): PathRules {
    return this.rulesFor(this.current.recordings_dir, this.lastStorage?.fs_type ?? null);
  }

  probe(): Promise<StorageStatus> {
    const nowMs = Date.now();
    if (this.probeCache && nowMs - this.probeCache.atMs < PROBE_CACHE_MS) return this.probeCache.status;
    const status = probeStorage({ dir: this.current.recordings_dir, removable: this.current.recordings_removable, systemDirs: ['/', this.deps.dataDir], readMounts: this.deps.readMounts });
    this.probeCache = { atMs: nowMs, status };
    void status.then((s) => {
      this.lastStorage = s;
    });
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

  /** Runs retention now; a run already under way is waited for instead of started twice. */
  runRetention(): Promise<void> {
    const policy = { keepDays: this.current.retention_keep_days, minFreePercent: this.current.retention_min_free_percent };
    if (this.retentionRun) return this.retentionRun;
    if (policy.keepDays <= 0 && policy.minFreePercent <= 0) return Promise.resolve();
    this.lastRetentionMs = Date.now();
    this.retentionRun = this.retain(policy).finally(() => {
      this.retentionRun = null;
    });
    return this.retentionRun;
  }

  private async retain(policy: { keepDays: number; minFreePercent: number }): Promise<void> {
    this.probeCache = null;
    const storage = await this.probe();
    if (!storage.present || storage.total_bytes === null || storage.free_bytes === null) return;
    let deleted;
    try {
      deleted = await applyRetention(this.current.recordings_dir, policy, {
        freeBytes: storage.free_bytes,
        totalBytes: storage.total_bytes,
        openPaths: new Set(this.register.openFiles()),
        register: this.register,
      });
      this.lastRetentionProblem = null;
    } catch (err) {
      const problem = err instanceof Error ? err.message : String(err);
      if (problem !== this.lastRetentionProblem) this.deps.eventLog.add({ level: 'warning', kind: 'recording_retention', message: `Retention did not run: ${problem}` });
      this.lastRetentionProblem = problem;
      return;
    }
    this.probeCache = null;
    if (deleted.length > 0) {
      const files = deleted.map((f) => relative(this.current.recordings_dir, f.path));
      const mb = Math.round(deleted.reduce((n, f) => n + f.bytes, 0) / 1e5) / 10;
      this.deps.eventLog.add({ level: 'info', kind: 'recording_retention', message: `Retention deleted ${deleted.length} old recording(s), ${mb} MB`, data: { files } });
    }
  }

  /**
   * Fixes the files a crash, a power cut or a pulled drive left open; keeps those it cannot reach yet.
   * Only below the recordings directory, never through a link.
   */
  async repairOpenFiles(): Promise<void> {
    const storage = await this.probe();
    if (!storage.present) return;
    let top: SafeDir;
    try {
      top = await SafeDir.openRoot(this.current.recordings_dir);
    } catch {
      return;
    }
    try {
      for (const path of this.register.openFiles()) {
        if (this.isWriting(path)) continue;
        const rel = relative(top.path, path);
        if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
        const parts = rel.split('/');
        const name = parts.pop()!;
        try {
          const dir = await top.walk(parts, false);
          try {
            const fh = await dir.openFile(name, constants.O_RDWR);
            if (!fh) {
              this.register.forget(path);
              continue;
            }
            try {
              const result = name.toLowerCase().endsWith('.wav') ? await repairWavFile(fh) : null;
              if (result?.repaired) {
                this.deps.eventLog.add({ level: 'warning', kind: 'recording_repaired', message: `Recording ${path} was left open; repaired (${result.dataBytes} bytes of audio kept)` });
              }
            } finally {
              await fh.close();
            }
            this.register.closed(path);
          } finally {
            if (dir !== top) await dir.close();
          }
        } catch (err) {
          // Its directory is gone for good (the drive is here): nothing left to repair.
          if (err instanceof StorageFault && err.code === 'ENOENT') this.register.forget(path);
          continue;
        }
      }
    } finally {
      await top.close();
    }
  }

  private isWriting(path: string): boolean {
    return [...this.recorders.values()].some((r) => r.currentPath === path);
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
        markOpen: (path) => this.register.opened(path, config.id),
        markClosed: (path) => this.register.closed(path),
        markFailed: (path) => this.register.forget(path),
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
