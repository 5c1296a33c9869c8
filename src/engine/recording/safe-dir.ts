// Every file the recorder makes, changes or deletes is reached from the recordings directory one
// component at a time through open directory descriptors, never through a path the kernel resolves on
// its own. Each step opens the next directory with O_DIRECTORY|O_NOFOLLOW relative to the one before
// (through /proc/self/fd/N/name, which is what openat(2) does: Node has no openat), so a link anywhere
// below the root (a USB stick or a share can carry them) is refused instead of followed, and a directory
// renamed or swapped for a link after it was checked cannot redirect a write. New files are created with
// O_CREAT|O_EXCL|O_NOFOLLOW, so not even a dangling link at the name is followed.
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import { StorageFault, storageFault, SerialQueue } from './segment.js';
import { systemPathProblem } from './system-paths.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = constants;

/** A path the recorder will not use: a link, something that is not a directory, a system directory. */
export class PathRefused extends StorageFault {
  constructor(message: string) {
    super('failed', message);
  }
}

function code(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

/** Splits a relative path on / (and \, which FAT and the templates treat as a separator); drops "" and ".". */
export function pathComponents(rel: string): string[] {
  return rel.split(/[/\\]/).filter((c) => c !== '' && c !== '.');
}

/** An open directory below (or at) the recordings directory. Operations on it run one at a time, and
 *  none after close(), so a descriptor number that the kernel hands out again can never be used by mistake. */
export class SafeDir {
  private readonly ops = new SerialQueue();
  private isClosed = false;

  private constructor(
    private readonly handle: FileHandle,
    /** Absolute path (for messages and the register); the descriptor, not this, is what is used. */
    readonly path: string,
    /** Relative to the recordings directory ("" for the root). */
    readonly rel: string,
  ) {}

  /**
   * Opens the recordings directory: it must exist, be a directory, be its own canonical path (no link
   * on the way) and not be a system directory.
   */
  static async openRoot(root: string): Promise<SafeDir> {
    let real: string;
    try {
      real = await realpath(root);
    } catch (err) {
      if (code(err) === 'ENOENT') throw new StorageFault('missing', `recordings_dir ${root} does not exist`);
      throw storageFault(err, root);
    }
    if (real !== resolve(root)) throw new PathRefused(`recordings_dir ${root} leads through a link (to ${real}); links are not followed`);
    const problem = systemPathProblem(real);
    if (problem) throw new PathRefused(`recordings_dir ${root} ${problem}`);
    let handle: FileHandle;
    try {
      handle = await open(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      if (code(err) === 'ENOTDIR') throw new PathRefused(`recordings_dir ${root} is not a directory`);
      throw storageFault(err, root);
    }
    return new SafeDir(handle, real, '');
  }

  /** The path through which the kernel reaches `name` in this very directory, whatever became of its name. */
  private at(name: string): string {
    if (this.isClosed) throw new Error(`directory ${this.path} already closed`);
    if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new PathRefused(`"${name}" is not a file name`);
    return `/proc/self/fd/${this.handle.fd}/${name}`;
  }

  private relOf(name: string): string {
    return this.rel ? `${this.rel}/${name}` : name;
  }

  /** The error for a failed open of `name`: a link or a non-directory is named as such. */
  private async refusal(name: string, err: unknown, what: string): Promise<StorageFault> {
    const c = code(err);
    const rel = this.relOf(name);
    // O_NOFOLLOW answers ELOOP for a link, and O_DIRECTORY|O_NOFOLLOW answers ENOTDIR for one: look.
    if (c === 'ELOOP' || c === 'ENOTDIR') {
      const isLink = c === 'ELOOP' || (await lstat(this.at(name)).then((st) => st.isSymbolicLink(), () => false));
      return new PathRefused(`${what}: "${rel}" in the recordings directory is ${isLink ? 'a link; links are not followed' : 'not a directory'}`);
    }
    return storageFault(err, posix.join(this.path, name));
  }

  /** The directory `name` inside this one; created (one component) when `create` and missing. */
  sub(name: string, create: boolean): Promise<SafeDir> {
    return this.ops.run(async () => {
      const path = this.at(name);
      if (create) {
        const failed = await mkdir(path, 0o755).then(() => null, (err: unknown) => (code(err) === 'EEXIST' ? null : err));
        if (failed) throw await this.refusal(name, failed, 'cannot create a directory');
      }
      try {
        const handle = await open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        return new SafeDir(handle, posix.join(this.path, name), this.relOf(name));
      } catch (err) {
        throw await this.refusal(name, err, 'recording refused');
      }
    });
  }

  /** Walks down `components` (each a directory); the directories passed on the way are closed, this one is not. */
  async walk(components: readonly string[], create: boolean): Promise<SafeDir> {
    let dir: SafeDir = this;
    for (const name of components) {
      try {
        const next = await dir.sub(name, create);
        if (dir !== this) await dir.close();
        dir = next;
      } catch (err) {
        if (dir !== this) await dir.close();
        throw err;
      }
    }
    return dir;
  }

  /** Creates a new file (never an existing one, never through a link) for writing. */
  createFile(name: string, mode = 0o644): Promise<FileHandle> {
    return this.ops.run(async () => {
      try {
        return await open(this.at(name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
      } catch (err) {
        if (code(err) === 'EEXIST') throw new PathRefused(`cannot create "${this.relOf(name)}": the name is taken`);
        throw await this.refusal(name, err, 'cannot create a file');
      }
    });
  }

  /**
   * Opens an existing regular file (never through a link; O_NONBLOCK so a FIFO put there cannot hang
   * the open); null if there is nothing by that name.
   */
  openFile(name: string, flags: number): Promise<FileHandle | null> {
    return this.ops.run(async () => {
      let handle: FileHandle;
      try {
        handle = await open(this.at(name), flags | O_NOFOLLOW | O_NONBLOCK);
      } catch (err) {
        if (code(err) === 'ENOENT') return null;
        throw await this.refusal(name, err, 'cannot open a file');
      }
      const st = await handle.stat().catch(async (err: unknown) => {
        await handle.close().catch(() => undefined);
        throw storageFault(err, this.relOf(name));
      });
      if (!st.isFile()) {
        await handle.close().catch(() => undefined);
        throw new PathRefused(`"${this.relOf(name)}" in the recordings directory is not a regular file`);
      }
      return handle;
    });
  }

  /** What is at `name` itself (a link is reported as a link); null if nothing. */
  entry(name: string): Promise<Stats | null> {
    return this.ops.run(() =>
      lstat(this.at(name)).catch(async (err: unknown) => {
        if (code(err) === 'ENOENT') return null;
        throw await this.refusal(name, err, 'cannot look at a file');
      }),
    );
  }

  /** Removes the entry `name` (a link is removed itself, never what it points to). */
  unlink(name: string): Promise<void> {
    return this.ops.run(() => unlink(this.at(name)));
  }

  /**
   * Replaces `name` with `text` so that it is always either the old or the new content: `name.tmp`,
   * fsync, rename. A leftover temporary file of a crash is removed first; anything else at the temporary
   * name (a link, a directory) is refused and left alone.
   */
  writeAtomic(name: string, text: string): Promise<void> {
    const tmp = `${name}.tmp`;
    return this.ops.run(async () => {
      let fh: FileHandle | null = null;
      for (let attempt = 0; fh === null; attempt++) {
        try {
          fh = await open(this.at(tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
        } catch (err) {
          if (code(err) !== 'EEXIST' || attempt > 0) throw await this.refusal(tmp, err, 'cannot write a file');
          const st = await lstat(this.at(tmp));
          if (st.isSymbolicLink()) throw new PathRefused(`"${this.relOf(tmp)}" in the recordings directory is a link; links are not followed`);
          if (!st.isFile()) throw new PathRefused(`"${this.relOf(tmp)}" in the recordings directory is not a regular file`);
          await unlink(this.at(tmp));
        }
      }
      try {
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } catch (err) {
        await fh.close().catch(() => undefined);
        await unlink(this.at(tmp)).catch(() => undefined);
        throw storageFault(err, this.relOf(name));
      }
      await fh.close();
      // rename() replaces the entry `name` itself, even if it is a link: nothing is written through one.
      await rename(this.at(tmp), this.at(name));
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  close(): Promise<void> {
    return this.ops.run(async () => {
      if (this.isClosed) return;
      this.isClosed = true;
      await this.handle.close().catch(() => undefined);
    });
  }
}
