// Retention: keep N days of recordings, or keep X % of the drive free, deleting the oldest recordings
// first and never a file that is being written, and only files the engine recorded (the register in
// file-register.ts): audio it never wrote survives. The plan is a pure function; finding the registered
// files and the deletes are the thin I/O around it, never following a link.
import { cueNameFor } from './file-names.js';
import { SafeDir } from './safe-dir.js';

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

interface Located {
  file: RecordingFile;
  dirRel: string;
  name: string;
}

/**
 * The directories of one retention run, each opened once from the recordings directory without
 * following links; null for one that is gone (its files are forgotten) or is no longer a plain directory
 * (its files are left alone).
 */
class DirCache {
  private readonly dirs = new Map<string, Promise<SafeDir | 'gone' | 'refused'>>();

  constructor(private readonly root: SafeDir) {}

  get(rel: string): Promise<SafeDir | 'gone' | 'refused'> {
    let dir = this.dirs.get(rel);
    if (!dir) {
      dir = this.open(rel);
      this.dirs.set(rel, dir);
    }
    return dir;
  }

  private async open(rel: string): Promise<SafeDir | 'gone' | 'refused'> {
    if (rel === '') return this.root;
    const slash = rel.lastIndexOf('/');
    const parent = await this.get(slash < 0 ? '' : rel.slice(0, slash));
    if (typeof parent === 'string') return parent;
    const name = rel.slice(slash + 1);
    const st = await parent.entry(name).catch(() => undefined);
    if (st === null) return 'gone';
    if (!st?.isDirectory()) return 'refused';
    return parent.sub(name, false).catch(() => 'refused' as const);
  }

  async close(): Promise<void> {
    for (const dir of this.dirs.values()) {
      const d = await dir;
      if (typeof d !== 'string' && d !== this.root) await d.close();
    }
  }
}

/**
 * The registered recordings (closed ones) below the root that are still there as regular files; rows
 * whose file is gone are forgotten. Links are never followed and never counted.
 */
async function locateRegistered(cache: DirCache, rootPath: string, register: RetentionRegister): Promise<Located[]> {
  const out: Located[] = [];
  for (const row of register.below(rootPath)) {
    if (!row.closed) continue;
    const rel = row.path.slice(rootPath.length + 1);
    const slash = rel.lastIndexOf('/');
    const dirRel = slash < 0 ? '' : rel.slice(0, slash);
    const name = rel.slice(slash + 1);
    const dir = await cache.get(dirRel);
    if (dir === 'gone') register.forget(row.path);
    if (typeof dir === 'string') continue;
    const st = await dir.entry(name).catch(() => undefined);
    if (st === null) register.forget(row.path);
    if (!st?.isFile()) continue;
    out.push({ file: { path: row.path, bytes: st.size, mtimeMs: st.mtimeMs }, dirRel, name });
  }
  return out;
}

/** The part of the register retention uses (file-register.ts). */
export interface RetentionRegister {
  below(dir: string): { path: string; closed: boolean }[];
  forget(path: string): void;
}

/**
 * Deletes what the policy says, among the files the engine recorded (the register), each audio file
 * with its cue sheet; returns what was deleted. `root` is the recordings directory, reached without
 * following links (safe-dir.ts); a file is deleted only if it is still a regular file at its name.
 */
export async function applyRetention(
  root: string,
  policy: RetentionPolicy,
  ctx: Omit<RetentionContext, 'nowMs'> & { nowMs?: number; register: RetentionRegister },
): Promise<RecordingFile[]> {
  if (policy.keepDays <= 0 && policy.minFreePercent <= 0) return [];
  const top = await SafeDir.openRoot(root);
  const cache = new DirCache(top);
  const deleted: RecordingFile[] = [];
  try {
    const located = await locateRegistered(cache, top.path, ctx.register);
    const doomed = planRetention(located.map((l) => l.file), policy, { ...ctx, nowMs: ctx.nowMs ?? Date.now() });
    const where = new Map(located.map((l) => [l.file.path, l]));
    for (const f of doomed) {
      const at = where.get(f.path)!;
      const dir = await cache.get(at.dirRel);
      if (typeof dir === 'string') continue;
      try {
        // Checked again right before: still a regular file, not something put there meanwhile.
        if (!(await dir.entry(at.name))?.isFile()) continue;
        await dir.unlink(at.name);
      } catch {
        continue;
      }
      ctx.register.forget(f.path);
      deleted.push(f);
      const cue = cueNameFor(at.name);
      if ((await dir.entry(cue).catch(() => null))?.isFile()) await dir.unlink(cue).catch(() => undefined);
    }
  } finally {
    await cache.close();
    await top.close();
  }
  return deleted;
}
