// The now-playing file: playout software writes the current title into a text file, often on an
// SMB or NFS share. fs.watch misses changes made by another machine on such shares, so the file's
// mtime, size and inode are polled every second; the first line is the title.
//
// Each poll opens the file first and asks the descriptor what it is (fstat), never the path: with
// O_NONBLOCK a FIFO put in the file's place cannot hang the open (a blocking open of a FIFO waits for a
// writer for ever, and holds one of libuv's four threads while it does; four of them stall every file
// and DNS operation of the engine), and with O_NOFOLLOW a link is refused rather than read. Only a
// regular file is read.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { MAX_LINE_BYTES, type LineHandlers } from './line-listeners.js';
import { log } from '../log.js';

const debug = log('metadata:file');

export const FILE_POLL_MS = 1000;

export interface FileWatchStatus {
  path: string;
  state: 'starting' | 'watching' | 'missing' | 'error';
  error: string | null;
  last_read_at: string | null;
}

/** The first line of `bytes` (without its line break), or null when it is longer than `maxBytes`. */
export function firstLine(bytes: Buffer, maxBytes = MAX_LINE_BYTES): Buffer | null {
  const nl = bytes.findIndex((b) => b === 0x0a || b === 0x0d);
  const line = nl < 0 ? bytes : bytes.subarray(0, nl);
  return line.length > maxBytes ? null : line;
}

export class NowPlayingFile {
  readonly status: FileWatchStatus;
  private timer: NodeJS.Timeout | null = null;
  private lastKey: string | null = null;
  private checking = false;

  constructor(
    private readonly path: string,
    private readonly handlers: LineHandlers,
    private readonly intervalMs = FILE_POLL_MS,
  ) {
    this.status = { path, state: 'starting', error: null, last_read_at: null };
  }

  start(): void {
    if (this.timer) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One poll; exposed for tests. */
  async check(): Promise<void> {
    // A slow share must not pile up overlapping reads.
    if (this.checking) return;
    this.checking = true;
    try {
      await this.poll();
    } finally {
      this.checking = false;
    }
  }

  private async poll(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return this.fail('missing', 'file does not exist (yet)');
      if (code === 'ELOOP') return this.fail('error', 'is a link; links are not followed (give the path of the file itself)');
      return this.fail('error', (err as Error).message);
    }
    try {
      await this.read(handle);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async read(handle: FileHandle): Promise<void> {
    let key: string;
    try {
      const st = await handle.stat();
      if (!st.isFile()) return this.fail('error', 'is not a regular file');
      key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      return this.fail('error', (err as Error).message);
    }
    this.status.state = 'watching';
    this.status.error = null;
    if (key === this.lastKey) return;
    let bytes: Buffer;
    try {
      bytes = await readHead(handle, MAX_LINE_BYTES + 2);
    } catch (err) {
      return this.fail('error', (err as Error).message);
    }
    this.lastKey = key;
    this.status.last_read_at = new Date().toISOString();
    const line = firstLine(bytes);
    if (line === null) {
      this.handlers.onDrop('too_long', `first line longer than ${MAX_LINE_BYTES} bytes`);
      return;
    }
    // An empty file is what a playout system leaves between truncating and writing; wait for the text.
    if (line.toString('latin1').trim() === '') {
      this.lastKey = null;
      return;
    }
    debug('%s changed', this.path);
    this.handlers.onLine(line);
  }

  private fail(state: 'missing' | 'error', error: string): void {
    if (this.status.error !== error) debug('%s: %s', this.path, error);
    this.status.state = state;
    this.status.error = error;
    this.lastKey = null;
  }
}

async function readHead(handle: FileHandle, maxBytes: number): Promise<Buffer> {
  const buffer = Buffer.alloc(maxBytes);
  const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
  return buffer.subarray(0, bytesRead);
}
