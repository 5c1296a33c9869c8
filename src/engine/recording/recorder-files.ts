// The recorder's bookkeeping of files: the one being written, the ones being finished after a rotation,
// their cue sheets, and which metadata history rows have been seen.
import { performance } from 'node:perf_hooks';
import { cueNameFor } from './file-names.js';
import { writeFileAtomic, type CueTracker } from './cue-sheet.js';
import type { MetadataHistory, HistoryRow } from './metadata-history.js';
import { SerialQueue, type Segment, type StorageFaultKind } from './segment.js';
import type { OpenedFile } from './recording-file.js';

export interface ClosingFile {
  segment: Segment;
  cue: CueTracker;
  relPath: string;
}

interface FilesEnv {
  history: MetadataHistory | null;
  markClosed: (path: string) => void;
}

export class RecorderFiles {
  segment: Segment | null = null;
  cue: CueTracker | null = null;
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
    this.currentRelPath = file.relPath;
    this.currentWallMs = wallMs;
    this.startFrame = startFrame;
    this.openedAtMs = nowMs;
  }

  /** Takes the current file out of service; its last frame is the one before `endFrame`. */
  detach(endFrame: number): ClosingFile | null {
    const { segment, cue, currentRelPath } = this;
    if (!segment || !cue || currentRelPath === null) return null;
    cue.end(endFrame);
    this.segment = null;
    this.cue = null;
    this.currentRelPath = null;
    this.currentWallMs = null;
    this.firstWrite = null;
    return { segment, cue, relPath: currentRelPath };
  }

  /** Finishes a rotated file in the background of the next one: trailer, final cue sheet, registry. */
  finishDetached(file: ClosingFile): Promise<void> {
    return this.track(async () => {
      await file.segment.close();
      await this.writeCue(file.cue);
      this.env.markClosed(file.segment.path);
      this.closedCount++;
    });
  }

  /** Finishes a file whose storage failed: as completely as the storage still allows. */
  finishAfterFault(file: ClosingFile, kind: StorageFaultKind): Promise<void> {
    return this.track(async () => {
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
      await this.writeCue(file.cue);
      this.closedCount++;
    });
  }

  /** Stop: finish the current file and wait for every file still being finished. */
  async finishCurrent(endFrame: number): Promise<void> {
    const current = this.detach(endFrame);
    if (current) await this.finishDetached(current).catch(() => undefined);
    while (this.finishing.size > 0) await Promise.all([...this.finishing]);
  }

  writeCue(cue: CueTracker): Promise<void> {
    return this.cueOps.run(async () => {
      if (!cue.dirty) return;
      cue.dirty = false;
      await writeFileAtomic(cueNameFor(cue.audioPath), cue.render()).catch(() => {
        cue.dirty = true;
      });
    });
  }

  writeCurrentCue(): Promise<void> {
    return this.cue ? this.writeCue(this.cue) : Promise.resolve();
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
