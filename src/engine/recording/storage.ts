// The recordings directory and the drive under it: present or not, which filesystem, how much room.
//
// "Removable" means the directory must live on its own filesystem (the USB stick), never on the one that
// holds the root or the engine's data: with the stick pulled, /media/usb is an empty directory on the SD
// card, and recording into it would fill the system disk. Such a directory counts as missing.
import { readFile, realpath, stat, statfs } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

export interface MountEntry {
  device: string;
  mountPoint: string;
  fsType: string;
}

/** Octal escapes in /proc/mounts (\040 for a space) back to characters. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountPoint, fsType] = line.split(' ');
    if (device && mountPoint && fsType) out.push({ device: unescapeMountField(device), mountPoint: unescapeMountField(mountPoint), fsType });
  }
  return out;
}

/** The mount that holds `path` (an absolute, symlink-free path): the longest mount point above it; the last one mounted wins. */
export function mountFor(path: string, mounts: readonly MountEntry[]): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of mounts) {
    const inside = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(m.mountPoint.endsWith(sep) ? m.mountPoint : m.mountPoint + sep);
    if (inside && (best === null || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** A recording file needs at least this much room to be started. */
export const MIN_FREE_BYTES = 256 * 1024;

/** Room a full drive must have again before recording resumes (so it does not flap). */
export function resumeFreeBytes(storage: Pick<StorageStatus, 'total_bytes'>): number {
  return Math.max(MIN_FREE_BYTES, Math.min(16 * 1024 * 1024, (storage.total_bytes ?? 0) * 0.25));
}

/** FAT cannot hold a file of 4 GiB or more. */
export function isFat(fsType: string | null): boolean {
  return fsType === 'vfat' || fsType === 'msdos' || fsType === 'fat';
}

/** FAT and exFAT: names cannot be CON, PRN…, nor hold <>:"\\|?*, nor end in a dot or a space (path-rules.ts). */
export function hasFatNames(fsType: string | null): boolean {
  return isFat(fsType) || fsType === 'exfat';
}

export interface StorageStatus {
  recordings_dir: string;
  removable: boolean;
  present: boolean;
  /** Why it is not present, in plain words. */
  problem: string | null;
  fs_type: string | null;
  mount_point: string | null;
  device: string | null;
  free_bytes: number | null;
  total_bytes: number | null;
  free_percent: number | null;
  checked_at: string;
}

export interface StorageOptions {
  dir: string;
  removable: boolean;
  /** Directories whose filesystem a removable drive must not be (the root, the data directory). */
  systemDirs: readonly string[];
  readMounts?: () => Promise<string>;
}

async function nearestExisting(path: string): Promise<string> {
  let p = resolve(path);
  for (;;) {
    try {
      await stat(p);
      return await realpath(p);
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

async function deviceOf(path: string): Promise<number | null> {
  return stat(path).then((s) => s.dev, () => null);
}

/** Looks at the recordings directory now; never creates or writes anything. */
export async function probeStorage(opts: StorageOptions, nowMs = Date.now()): Promise<StorageStatus> {
  const base: StorageStatus = {
    recordings_dir: opts.dir,
    removable: opts.removable,
    present: false,
    problem: null,
    fs_type: null,
    mount_point: null,
    device: null,
    free_bytes: null,
    total_bytes: null,
    free_percent: null,
    checked_at: new Date(nowMs).toISOString(),
  };
  const existing = await nearestExisting(opts.dir);
  const mountsText = await (opts.readMounts ?? (() => readFile('/proc/mounts', 'utf8')))().catch(() => '');
  const mount = mountFor(existing, parseMounts(mountsText));
  const status: StorageStatus = { ...base, fs_type: mount?.fsType ?? null, mount_point: mount?.mountPoint ?? null, device: mount?.device ?? null };
  if (opts.removable) {
    const dev = await deviceOf(existing);
    const systemDevs = await Promise.all(opts.systemDirs.map(deviceOf));
    if (dev === null || systemDevs.includes(dev)) {
      return { ...status, problem: `no drive mounted at ${opts.dir}` };
    }
  }
  // The directory itself may not exist yet: it is created (on the drive) before the first file.
  if (!(await stat(existing).then((s) => s.isDirectory(), () => false))) return { ...status, problem: `${existing} is not a directory` };
  try {
    const fs = await statfs(existing);
    const total = fs.blocks * fs.bsize;
    const free = fs.bavail * fs.bsize;
    return { ...status, present: true, free_bytes: free, total_bytes: total, free_percent: total > 0 ? Math.round((free / total) * 1000) / 10 : null };
  } catch (err) {
    return { ...status, problem: `cannot read ${opts.dir}: ${err instanceof Error ? err.message : String(err)}` };
  }
}
