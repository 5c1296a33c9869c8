// One recording file being written: the recorder hands it exact slices of PCM and nothing else.
// Two kinds: WAV written by Node itself (wav-segment.ts) and everything else encoded by one ffmpeg per
// file (ffmpeg-segment.ts).

/** Why storage refused a write, in the three ways the recorder reacts to. */
export type StorageFaultKind = 'full' | 'missing' | 'failed';

export class StorageFault extends Error {
  constructor(
    readonly kind: StorageFaultKind,
    message: string,
    /** The errno code behind it, if one was. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

// A drive that is pulled or dies answers with these; a full one with ENOSPC (or a quota).
const MISSING_CODES = new Set(['EIO', 'ENODEV', 'ENXIO', 'ENOENT', 'ESTALE', 'EROFS', 'ENOTDIR', 'ENOTCONN', 'EBADF', 'ESHUTDOWN']);
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Turns an fs error into a StorageFault with words an operator understands. */
export function storageFault(err: unknown, what: string): StorageFault {
  if (err instanceof StorageFault) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  if (FULL_CODES.has(code)) return new StorageFault('full', `storage full while writing ${what}`, code);
  if (MISSING_CODES.has(code)) return new StorageFault('missing', `storage unavailable while writing ${what} (${code})`, code);
  return new StorageFault('failed', `cannot write ${what}: ${detail}`, code || null);
}

/** The same classification for ffmpeg's last words, which carry strerror() text instead of codes. */
export function faultFromStderr(stderrTail: string, what: string): StorageFault {
  const text = stderrTail.toLowerCase();
  if (text.includes('no space left on device') || text.includes('disk quota exceeded')) {
    return new StorageFault('full', `storage full while writing ${what}`);
  }
  if (/input\/output error|no such file or directory|read-only file system|no such device|stale file handle/.test(text)) {
    return new StorageFault('missing', `storage unavailable while writing ${what}`);
  }
  const last = stderrTail.trim().split('\n').pop();
  return new StorageFault('failed', `encoder for ${what} stopped${last ? `: ${last}` : ''}`);
}

export interface Segment {
  /** Absolute path of the audio file. */
  readonly path: string;
  /** Frames handed to the file so far. */
  readonly frames: number;
  /** Bytes in the file so far (for ffmpeg files, as of the last refresh). */
  readonly bytes: number;
  /** Appends PCM (whole frames); rejects with a StorageFault. */
  write(pcm: Buffer): Promise<void>;
  /** Makes what was written durable (fsync) and refreshes `bytes`. */
  sync(): Promise<void>;
  /** Finishes the file (headers, trailer) and closes it. */
  close(): Promise<void>;
  /** Storage went away: release the file as fast as possible, finishing what can still be finished. */
  abort(): Promise<void>;
}

/** Runs async operations one after another (a file must not be closed under a pending write). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.tail.then(op, op);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
