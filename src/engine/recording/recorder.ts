// One file encoder recording the programme: a consumer on the fan-out with a generous queue, a frame
// counter, the rotation schedule and the file being written. Cuts are frame numbers decided as audio
// arrives (schedule.ts); the writer splits the PCM exactly there, so the files join back into the
// captured audio. Storage trouble (full, pulled, failing) stops the file cleanly and never reaches the
// capture or the streams; the recorder resumes into a new file when it can.
import { performance } from 'node:perf_hooks';
import { FrameIntake } from './frame-intake.js';
import { bytesPerFrame, type EncoderConfig, type PcmFormat } from '../types.js';
import { frameAt, observeClock, planCuts, planFile, wallAt, type Cut, type FilePlan, type FrameClock } from './schedule.js';
import { StorageFault, storageFault } from './segment.js';
import { FfmpegSegment } from './ffmpeg-segment.js';
import type { CueTracker } from './cue-sheet.js';
import type { HistoryRow } from './metadata-history.js';
import { MIN_FREE_BYTES, resumeFreeBytes, type StorageStatus } from './storage.js';
import { defaultSegmentFactory, fileLimits, openRecordingFile, type FileLimits } from './recording-file.js';
import type { RecorderEnv, RecorderSnapshot, RecorderState, RotationInfo } from './recording-types.js';
import { RecorderFiles } from './recorder-files.js';
import { log } from '../log.js';

/** The recorder may fall this far behind (a slow USB stick) before it loses audio. */
export const RECORDING_QUEUE_MS = 10_000;
export const SYNC_INTERVAL_MS = 2000;
/** ffmpeg files are measured this often for size rotation. */
const SIZE_CHECK_MS = 250;
/** A file that failed sooner than this after it opened is retried with back-off, not at once. */
const HEALTHY_FILE_MS = 10_000;

export class Recorder {
  private format!: PcmFormat;
  private frameBytes = 4;
  private clock: FrameClock | null = null;
  private plan: FilePlan | null = null;
  private cuts: Cut[] = [];
  private limits: FileLimits = { maxFrames: null, maxBytes: null };
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private lastSizeCheck = 0;
  private retryAtMs = 0;
  private retryDelayMs = 0;
  private droppedFrames = 0;
  private dropEvents = 0;
  private notRecordedFrames = 0;
  private recordedFrames = 0;
  private lastRotation: RotationInfo | null = null;
  private storage: StorageStatus | null = null;
  /** History rows that belong to the file after a cut that is not open yet. */
  private waitingRows: { row: HistoryRow; frame: number }[] = [];
  private lastCueProblem: string | null = null;
  private readonly files: RecorderFiles;
  private readonly intake: FrameIntake;
  private readonly now: () => number;
  private readonly debug;
  state: RecorderState = 'stopped';
  lastError: string | null = null;

  constructor(
    private config: EncoderConfig,
    private readonly env: RecorderEnv,
  ) {
    this.now = env.now ?? Date.now;
    this.debug = log(`recording:${config.id}`);
    this.files = new RecorderFiles({ history: env.history, markClosed: (path) => env.markClosed(path), cueProblem: (problem) => this.cueProblem(problem) });
    this.intake = new FrameIntake(env.fanout, `recording:${config.id}`, RECORDING_QUEUE_MS, {
      arrived: (previous, position) => this.arrived(previous, position),
      write: (pcm, startFrame) => this.writeRange(pcm, startFrame),
      dropped: (frames) => this.dropped(frames),
    });
  }

  get id(): number {
    return this.config.id;
  }

  get active(): boolean {
    return this.state !== 'stopped';
  }

  get currentConfig(): EncoderConfig {
    return this.config;
  }

  /** Absolute path of the file being written, if any. */
  get currentPath(): string | null {
    return this.files.segment?.path ?? null;
  }

  /** Starts recording from the next audio the capture delivers; the first file opens at once. */
  start(): void {
    if (this.active) return;
    this.format = this.env.captureFormat();
    this.frameBytes = bytesPerFrame(this.format);
    this.droppedFrames = this.dropEvents = this.notRecordedFrames = this.recordedFrames = 0;
    this.clock = null;
    this.plan = null;
    this.cuts = [];
    this.lastRotation = null;
    this.waitingRows = [];
    this.lastCueProblem = null;
    this.files.reset();
    this.intake.start(this.frameBytes);
    this.setState('recording', null);
    this.timer = setInterval(() => void this.tick(), this.env.syncIntervalMs ?? SYNC_INTERVAL_MS);
    this.env.logEvent({ level: 'info', kind: 'recording_started', encoderId: this.id, message: `${this.config.name}: recording started` });
  }

  /** Writes what is still queued, finishes the file and its cue sheet. */
  async stop(): Promise<void> {
    if (!this.active) return;
    this.intake.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.intake.drain();
    this.pollHistory();
    await this.files.finishCurrent(this.intake.nextFrame);
    this.setState('stopped', null);
    this.env.logEvent({ level: 'info', kind: 'recording_stopped', encoderId: this.id, message: `${this.config.name}: recording stopped` });
  }

  /** New settings: a running recording continues in a new file with them. */
  async reconfigure(config: EncoderConfig): Promise<void> {
    const wasActive = this.active;
    if (wasActive) await this.stop();
    this.config = config;
    if (wasActive) this.start();
  }

  /** Resolves once everything queued so far has been handed to the file. */
  idle(): Promise<void> {
    return this.intake.idle();
  }

  /** Runs the periodic work now (tests drive it instead of waiting for the timer). */
  tickNow(): Promise<void> {
    return this.tick();
  }

  snapshot(): RecorderSnapshot {
    const seg = this.files.segment;
    return {
      state: this.state,
      lastError: this.lastError,
      currentFile: this.files.currentRelPath,
      bytes: seg?.bytes ?? 0,
      frames: seg?.frames ?? 0,
      fileStartedAtMs: this.files.currentWallMs,
      format: this.format ?? null,
      recordedFrames: this.recordedFrames,
      filesClosed: this.files.closedCount,
      droppedFrames: this.droppedFrames,
      notRecordedFrames: this.notRecordedFrames,
      lastRotation: this.lastRotation,
      storage: this.storage,
    };
  }

  // --- audio intake: fit the clock, decide cuts -------------------------------------------

  private arrived(previous: number, position: number): void {
    const update = observeClock(this.clock, position, this.now(), this.format.sampleRate);
    this.clock = update.clock;
    if (update.stepMs !== 0) this.debug('clock step of %d ms at frame %d', update.stepMs, position);
    if (!this.plan) return;
    const result = planCuts(this.plan, {
      rotation: this.config.file_rotation,
      rate: this.format.sampleRate,
      previousPosition: previous,
      position,
      clock: update.clock,
      stepMs: update.stepMs,
      maxFrames: this.limits.maxFrames,
    });
    this.plan = result.plan;
    this.cuts.push(...result.cuts);
  }

  private dropped(frames: number): void {
    this.droppedFrames += frames;
    this.dropEvents++;
    if (this.dropEvents === 1 || this.dropEvents % 100 === 0) {
      const ms = Math.round((frames * 1000) / this.format.sampleRate);
      this.env.logEvent({ level: 'warning', kind: 'recording_dropped', encoderId: this.id, message: `${this.config.name}: the storage is too slow; ${ms} ms of audio lost (drop ${this.dropEvents})` });
    }
  }

  // --- writing: exact slices, cuts, rotation --------------------------------------------

  private async writeRange(pcm: Buffer, start: number): Promise<void> {
    const end = start + pcm.length / this.frameBytes;
    let offset = start;
    while (offset < end) {
      while (this.cuts.length > 0 && this.cuts[0]!.frame <= offset) {
        const cut = this.cuts.shift()!;
        if (this.files.segment && offset > this.files.startFrame) await this.rotate(cut, offset);
      }
      if (!this.files.segment && this.state === 'recording' && this.now() >= this.retryAtMs) await this.openFirst(offset);
      const next = this.cuts[0];
      const stop = next !== undefined && next.frame < end ? next.frame : end;
      const slice = pcm.subarray((offset - start) * this.frameBytes, (stop - start) * this.frameBytes);
      const seg = this.files.segment;
      if (seg) {
        try {
          await seg.write(slice);
          this.recordedFrames += stop - offset;
          this.files.noteWritten();
        } catch (err) {
          await this.onFault(err, stop);
        }
        await this.checkSize(stop);
      } else {
        this.notRecordedFrames += stop - offset;
      }
      offset = stop;
    }
  }

  private wallOf(frame: number): number {
    return this.clock ? wallAt(this.clock, frame, this.format.sampleRate) : this.now();
  }

  /** Opens a file that does not follow a cut: the first one, or after storage trouble. */
  private async openFirst(frame: number): Promise<void> {
    const wallMs = this.wallOf(frame);
    this.cuts = this.cuts.filter((c) => c.frame > frame);
    if (!(await this.openAt(frame, wallMs))) return;
    this.plan = planFile(this.config.file_rotation, frame, wallMs, this.limits.maxFrames);
  }

  private async openAt(frame: number, wallMs: number): Promise<boolean> {
    const storage = await this.env.probe();
    this.storage = storage;
    if (!storage.present) {
      this.enterFault(new StorageFault('missing', storage.problem ?? 'storage missing'));
      return false;
    }
    if ((storage.free_bytes ?? 0) < MIN_FREE_BYTES) {
      this.enterFault(new StorageFault('full', `storage full (${storage.free_bytes ?? 0} bytes free)`));
      return false;
    }
    try {
      this.limits = fileLimits(this.config, this.format, storage.fs_type);
      const opened = await openRecordingFile({
        root: this.env.root(),
        config: this.config,
        format: this.format,
        station: this.env.station(),
        startFrame: frame,
        wallMs,
        createSegment: this.env.createSegment ?? defaultSegmentFactory,
        beforeCreate: (path) => this.env.markOpen(path),
        createFailed: (path) => this.env.markFailed?.(path),
      });
      this.files.opened(opened, frame, wallMs, this.now());
      this.placeHistory(this.env.history?.playingAt(wallMs) ?? null, frame);
      const waiting = this.waitingRows;
      this.waitingRows = [];
      for (const w of waiting) this.placeHistory(w.row, w.frame);
      this.pollHistory();
      void this.files.writeCue(opened.cue, opened.dir);
      if (this.state !== 'recording') this.setState('recording', null);
      return true;
    } catch (err) {
      this.enterFault(storageFault(err, 'the recording'));
      return false;
    }
  }

  private async rotate(cut: Cut, frame: number): Promise<void> {
    const decidedAt = performance.now();
    // Rows up to now go to the old file; any after the cut wait for the new one.
    this.files.cue?.end(frame);
    this.pollHistory();
    const closing = this.files.detach(frame);
    if (!closing) return;
    const opened = await this.openAt(frame, cut.wallMs);
    const newFile = opened ? this.files.currentRelPath : null;
    this.files.finishDetached(closing).catch((err: unknown) => this.reportFinishError(err));
    if (!opened || newFile === null) return;
    this.files.measureFirstWrite(decidedAt, (ms) => {
      if (this.lastRotation) this.lastRotation = { ...this.lastRotation, first_write_ms: ms };
    });
    this.lastRotation = { at: new Date(this.now()).toISOString(), reason: cut.reason, closed_file: closing.relPath, new_file: newFile, first_write_ms: null };
    this.env.logEvent({
      level: 'info',
      kind: 'recording_rotation',
      encoderId: this.id,
      message: `${this.config.name}: ${closing.relPath} closed, recording continues in ${newFile}`,
      data: { closed_file: closing.relPath, new_file: newFile, reason: cut.reason },
    });
    this.env.onRotation(closing.relPath, newFile);
  }

  private async checkSize(frame: number): Promise<void> {
    const seg = this.files.segment;
    const limit = this.limits.maxBytes;
    if (!(seg instanceof FfmpegSegment) || limit === null || this.cuts.length > 0) return;
    const nowMs = this.now();
    if (nowMs - this.lastSizeCheck < SIZE_CHECK_MS && seg.bytes < limit) return;
    this.lastSizeCheck = nowMs;
    if ((await seg.refreshSize()) < limit || frame <= this.files.startFrame) return;
    const wallMs = this.wallOf(frame);
    this.cuts.push({ frame, wallMs, reason: 'size' });
    this.plan = planFile(this.config.file_rotation, frame, wallMs, this.limits.maxFrames);
  }

  // --- faults and the periodic work -------------------------------------------------------

  private async onFault(err: unknown, frame: number): Promise<void> {
    const fault = storageFault(err, this.files.currentRelPath ?? 'the recording');
    this.pollHistory();
    const lived = this.now() - this.files.openedAtMs;
    const closing = this.files.detach(frame);
    this.enterFault(fault, lived);
    if (closing) await this.files.finishAfterFault(closing, fault.kind);
  }

  private enterFault(fault: StorageFault, livedMs = 0): void {
    this.plan = null;
    this.cuts = [];
    if (fault.kind === 'failed' && livedMs >= HEALTHY_FILE_MS) {
      // A file that ran fine for a while: carry on in a new one at once.
      this.retryDelayMs = 0;
      this.lastError = fault.message;
      this.env.logEvent({ level: 'error', kind: 'recording_error', encoderId: this.id, message: `${this.config.name}: ${fault.message}; continuing in a new file` });
      this.env.onStateChange();
      return;
    }
    if (fault.kind === 'failed') {
      this.retryDelayMs = Math.min(60_000, Math.max(2000, this.retryDelayMs * 2));
      this.retryAtMs = this.now() + this.retryDelayMs;
    }
    const state: RecorderState = fault.kind === 'full' ? 'storage_full' : fault.kind === 'missing' ? 'storage_missing' : 'error';
    if (state === this.state && fault.message === this.lastError) return;
    if (state === 'storage_full') this.env.onStorageFull();
    this.setState(state, fault.message);
    const kind = state === 'error' ? 'recording_error' : `recording_${state}`;
    this.env.logEvent({ level: 'error', kind, encoderId: this.id, message: `${this.config.name}: ${fault.message}` });
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.active) return;
    this.ticking = true;
    try {
      const seg = this.files.segment;
      if (seg) {
        await seg.sync().catch((err: unknown) => this.onFault(err, this.intake.nextFrame));
        this.pollHistory();
        await this.files.writeCurrentCue();
        this.storage = await this.env.probe();
        // A drive unmounted under an open file (lazily, or pulled without an I/O error yet).
        if (!this.storage.present && this.files.segment === seg) {
          await this.onFault(new StorageFault('missing', this.storage.problem ?? 'storage missing'), this.intake.nextFrame);
        }
        return;
      }
      this.storage = await this.env.probe();
      if (this.state === 'storage_missing' && this.storage.present) {
        await this.env.onStorageBack();
        this.env.logEvent({ level: 'info', kind: 'recording_storage_restored', encoderId: this.id, message: `${this.config.name}: storage is back; recording continues in a new file` });
        this.setState('recording', null);
      } else if (this.state === 'storage_full' && this.storage.present && (this.storage.free_bytes ?? 0) >= resumeFreeBytes(this.storage)) {
        this.env.logEvent({ level: 'info', kind: 'recording_storage_restored', encoderId: this.id, message: `${this.config.name}: storage has room again; recording continues in a new file` });
        this.setState('recording', null);
      } else if (this.state === 'error' && this.now() >= this.retryAtMs) {
        this.setState('recording', this.lastError);
      }
    } finally {
      this.ticking = false;
    }
  }

  private pollHistory(): void {
    const history = this.env.history;
    if (!history) return;
    for (const row of this.files.newHistoryRows(history)) {
      const frame = this.clock ? frameAt(this.clock, row.playedAtMs, this.format.sampleRate) : this.intake.nextFrame;
      this.placeHistory(row, frame);
    }
  }

  private placeHistory(row: HistoryRow | null, frame: number): void {
    if (!row) return;
    const cue: CueTracker | null = this.files.cue;
    if (cue?.place({ frame, playedAtMs: row.playedAtMs, performer: row.artist, title: row.title })) return;
    this.waitingRows = [...this.waitingRows.slice(-99), { row, frame }];
  }

  /** The audio goes on without its cue sheet: said once in the log and in the status, until one is written. */
  private cueProblem(problem: string | null): void {
    if (problem === this.lastCueProblem) return;
    const previous = this.lastCueProblem;
    this.lastCueProblem = problem;
    if (problem === null) {
      if (this.state === 'recording' && this.lastError === previous) this.setState('recording', null);
      return;
    }
    this.env.logEvent({ level: 'error', kind: 'recording_error', encoderId: this.id, message: `${this.config.name}: ${problem}` });
    if (this.state === 'recording') this.setState('recording', problem);
  }

  private reportFinishError(err: unknown): void {
    const fault = storageFault(err, 'the closed recording');
    this.env.logEvent({ level: 'error', kind: 'recording_error', encoderId: this.id, message: `${this.config.name}: ${fault.message}` });
  }

  private setState(state: RecorderState, error: string | null): void {
    this.state = state;
    this.lastError = error;
    this.env.onStateChange();
  }
}
