// The encoded output of one ffmpeg, read on the audio path's own clock instead of whenever ffmpeg writes.
// ffmpeg writes every packet as it is made (an MP3 frame is 24 ms), and a pipe read through Node's streams
// wakes the audio worker for each one or two of them; this pipe is instead read without blocking at a
// capture chunk (every 50 ms), while the worker is awake anyway (the backend decides at which). The pipe is a FIFO made under the
// engine's run directory, opened at both ends and unlinked at once, so no name is left behind and nothing
// else can open it; the write end becomes ffmpeg's stdout.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** A pipe holds 64 KB on Linux; one read takes all of it. */
const READ_BYTES = 64 * 1024;

let sequence = 0;

export class PolledOutput {
  private fd: number | null = null;
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES);

  /** `dir`: where the FIFO's name exists for the moment it takes to open it (the engine's run directory). */
  constructor(private readonly dir: string | null) {}

  /**
   * A new pipe, replacing the last one (drain that first): returns its write end, for the child's stdout.
   * Throws when the pipe cannot be made; nothing is left open then.
   */
  open(): number {
    this.close();
    // The run directory is made on first use, private to the engine, as the Liquidsoap backend makes it.
    if (this.dir) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir ?? tmpdir(), `ffmpeg-out-${process.pid}-${threadId}-${++sequence}`);
    // Node has no mkfifo(3); coreutils' mkfifo is run directly (no shell), mode 0600.
    const made = spawnSync('mkfifo', ['-m', '600', '--', path], { encoding: 'utf8', timeout: 5000 });
    if (made.error || made.status !== 0) throw new Error(`mkfifo ${path}: ${made.error?.message ?? made.stderr.trim()}`);
    let read: number | null = null;
    try {
      read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      // With the read end open, opening the write end does not wait; it stays blocking for ffmpeg.
      const write = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
      this.fd = read;
      return write;
    } catch (err) {
      if (read !== null) closeSync(read);
      throw err;
    } finally {
      unlinkSync(path);
    }
  }

  /**
   * Hands what has been written to `onData` (a copy per read), reading until a read comes back short, and
   * returns the bytes read (0: the pipe was empty). Closes the pipe at its end (the writer gone), which a
   * read sees once everything before it has been taken.
   */
  drain(onData: (data: Buffer) => void): number {
    let total = 0;
    while (this.fd !== null) {
      let n: number;
      try {
        n = readSync(this.fd, this.buffer, 0, READ_BYTES, null);
      } catch (err) {
        // Not expected of a pipe but EAGAIN; closing it ends ffmpeg on its next write (EPIPE), and its exit is reported.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') this.close();
        return total;
      }
      if (n === 0) {
        this.close();
        return total;
      }
      total += n;
      onData(Buffer.from(this.buffer.subarray(0, n)));
      if (n < READ_BYTES) return total;
    }
    return total;
  }

  /** Whether the pipe is still open (false after its end was read, or before open()). */
  get isOpen(): boolean {
    return this.fd !== null;
  }

  /** Everything up to the end, once the writer is gone (its process has exited); then the pipe is closed. */
  drainToEnd(onData: (data: Buffer) => void): void {
    // Each drain ends at a short read; the writer is gone, so the end follows what is left (bounded all the same).
    for (let i = 0; i < 64 && this.fd !== null; i++) this.drain(onData);
    this.close();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
