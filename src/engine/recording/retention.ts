// Retention: keep N days of recordings, or keep X % of the drive free, deleting the oldest recordings
// first and never a file that is being written. The plan is a pure function; the walk and the deletes
// are the thin I/O around it.
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { cueNameFor, isRecordingFile } from './file-names.js';

export interface RetentionPolicy {
  /** Delete recordings older than this many days; 0 keeps them. */
  keepDays: number;
  /** Delete the oldest recordings while less than this % of the drive is free; 0 turns it off. */
  minFreePercent: number;
}

export interface RecordingFile {
  path: string;
  bytes: number;
  /** Last write: the end of the recording. */
  mtimeMs: number;
}

export interface RetentionContext {
  nowMs: number;
  freeBytes: number;
  totalBytes: number;
  /** Files being written (never deleted). */
  openPaths: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;

/** The recordings to delete, oldest first. */
export function planRetention(files: readonly RecordingFile[], policy: RetentionPolicy, ctx: RetentionContext): RecordingFile[] {
  const candidates = files.filter((f) => !ctx.openPaths.has(f.path)).sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  const doomed: RecordingFile[] = [];
  let free = ctx.freeBytes;
  for (const f of candidates) {
    const tooOld = policy.keepDays > 0 && f.mtimeMs < ctx.nowMs - policy.keepDays * DAY_MS;
    const tooFull = policy.minFreePercent > 0 && ctx.totalBytes > 0 && (free / ctx.totalBytes) * 100 < policy.minFreePercent;
    if (!tooOld && !tooFull) break;
    doomed.push(f);
    free += f.bytes;
  }
  return doomed;
}

/** Every recording below `root` (recursively); unreadable entries are skipped. */
export async function listRecordings(root: string): Promise<RecordingFile[]> {
  const out: RecordingFile[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > 8) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path, depth + 1);
      else if (e.isFile() && isRecordingFile(e.name)) {
        const s = await stat(path).catch(() => null);
        if (s) out.push({ path, bytes: s.size, mtimeMs: s.mtimeMs });
      }
    }
  }
  await walk(root, 0);
  return out;
}

/** Deletes what the policy says (each audio file with its cue sheet); returns what was deleted. */
export async function applyRetention(root: string, policy: RetentionPolicy, ctx: Omit<RetentionContext, 'nowMs'> & { nowMs?: number }): Promise<RecordingFile[]> {
  if (policy.keepDays <= 0 && policy.minFreePercent <= 0) return [];
  const files = await listRecordings(root);
  const doomed = planRetention(files, policy, { ...ctx, nowMs: ctx.nowMs ?? Date.now() });
  const deleted: RecordingFile[] = [];
  for (const f of doomed) {
    try {
      await unlink(f.path);
      deleted.push(f);
    } catch {
      continue;
    }
    await unlink(cueNameFor(f.path)).catch(() => undefined);
  }
  return deleted;
}
