// The recorder's bookkeeping of files: the one being written, the ones being finished after a rotation,
// their cue sheets, and which metadata history rows have been seen.
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { cueNameFor } from './file-names.js';
import type { CueTracker } from './cue-sheet.js';
import type { SafeDir } from './safe-dir.js';
import type { MetadataHistory, HistoryRow } from './metadata-history.js';
import { SerialQueue, type Segment, type StorageFaultKind } from './segment.js';
import type { OpenedFile } from './recording-file.js';

export interface ClosingFile {
  segment: Segment;
  cue: CueTracker;
  dir: SafeDir;
  relPath: string;
}

interface FilesEnv {
  history: MetadataHistory | null;
  markClosed: (path: string) => void;
  /** A cue sheet could not be written (the recording goes on): called with why, or null once one was. */
  cueProblem?: (problem: string | null) => void;
}

export class RecorderFiles {
  segment: Segment | null = null;
  cue: CueTracker | null = null;
  dir: SafeDir | null = null;
  currentRelPath: string | null = null;
  currentWallMs: number | null = null;
  startFrame = 0;
  openedAtMs = 0;
  closedCount = 0;
  private historyId = 0;
  private finishing = new Set<Promise<void>>();
  private readonly cueOps = new SerialQueue();
  private firstWrite: { since: number; done: (ms: number) => void } | null = null;

  constructor(private readonly env: FilesEnv) {}

  reset(): void {
    this.closedCount = 0;
    this.historyId = this.env.history?.lastId() ?? 0;
  }

  opened(file: OpenedFile, startFrame: number, wallMs: number, nowMs: number): void {
    this.segment = file.segment;
    this.cue = file.cue;
    this.dir = file.dir;
    this.currentRelPath = file.relPath;
    this.currentWallMs = wallMs;
    this.startFrame = startFrame;
    this.openedAtMs = nowMs;
  }

  /** Takes the current file out of service; its last frame is the one before `endFrame`. */
  detach(endFrame: number): ClosingFile | null {
    const { segment, cue, dir, currentRelPath } = this;
    if (!segment || !cue || !dir || currentRelPath === null) return null;
    cue.end(endFrame);
    this.segment = null;
    this.cue = null;
    this.dir = null;
    this.currentRelPath = null;
    this.currentWallMs = null;
    this.firstWrite = null;
    return { segment, cue, dir, relPath: currentRelPath };
  }

  /** Finishes a rotated file in the background of the next one: trailer, final cue sheet, registry. */
  finishDetached(file: ClosingFile): Promise<void> {
    return this.track(async () => {
      try {
        await file.segment.close();
        await this.writeCue(file.cue, file.dir);
        this.env.markClosed(file.segment.path);
        this.closedCount++;
      } finally {
        await file.dir.close();
      }
    });
  }

  /** Finishes a file whose storage failed: as completely as the storage still allows. */
  finishAfterFault(file: ClosingFile, kind: StorageFaultKind): Promise<void> {
    return this.track(async () => {
      try {
        if (kind === 'missing') {
          // Left in the registry: repaired when the drive is back.
          await file.segment.abort();
          return;
        }
        try {
          await file.segment.close();
          this.env.markClosed(file.segment.path);
        } catch {
          await file.segment.abort();
        }
        await this.writeCue(file.cue, file.dir);
        this.closedCount++;
      } finally {
        await file.dir.close();
      }
    });
  }

  /** Stop: finish the current file and wait for every file still being finished. */
  async finishCurrent(endFrame: number): Promise<void> {
    const current = this.detach(endFrame);
    if (current) await this.finishDetached(current).catch(() => undefined);
    while (this.finishing.size > 0) await Promise.all([...this.finishing]);
  }

  /** Rewrites the cue sheet beside its audio file, in the file's own open directory. */
  writeCue(cue: CueTracker, dir: SafeDir): Promise<void> {
    return this.cueOps.run(async () => {
      if (!cue.dirty) return;
      cue.dirty = false;
      try {
        await dir.writeAtomic(cueNameFor(basename(cue.audioPath)), cue.render());
        this.env.cueProblem?.(null);
      } catch (err) {
        cue.dirty = true;
        // Its file was given up (drive pulled) while this write waited: nothing to report.
        if (dir.closed) return;
        this.env.cueProblem?.(`cue sheet for ${basename(cue.audioPath)} not written: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  writeCurrentCue(): Promise<void> {
    return this.cue && this.dir ? this.writeCue(this.cue, this.dir) : Promise.resolve();
  }

  /** History rows added since the last call. */
  newHistoryRows(history: MetadataHistory): HistoryRow[] {
    const rows = history.since(this.historyId);
    if (rows.length > 0) this.historyId = rows[rows.length - 1]!.id;
    return rows;
  }

  /** Calls `done` with the milliseconds from `since` to the first write into the current file. */
  measureFirstWrite(since: number, done: (ms: number) => void): void {
    this.firstWrite = { since, done };
    if (this.segment && this.segment.frames > 0) this.noteWritten();
  }

  noteWritten(): void {
    const first = this.firstWrite;
    if (!first) return;
    this.firstWrite = null;
    first.done(Math.round((performance.now() - first.since) * 100) / 100);
  }

  private track(work: () => Promise<void>): Promise<void> {
    const p: Promise<void> = work().finally(() => this.finishing.delete(p));
    this.finishing.add(p);
    return p;
  }
}
