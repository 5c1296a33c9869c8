// A recording file encoded by its own ffmpeg (MP3, FLAC, Ogg, Opus, AAC): the recorder writes the file's
// exact PCM slice to stdin and closes it; ffmpeg flushes, writes its trailer and exits.
//
// The file is created by the engine (SafeDir.createFile: no link followed, never an existing name) and
// handed to ffmpeg as descriptor 3 (recording-argv.ts says why not a pipe). The engine keeps its own
// descriptor of the same file for fsync and the size, so after the spawn no path is resolved again.
// Starting the next file at a rotation costs one extra open before the spawn, well under a millisecond.
//
// Not a Supervisor child on purpose: a file's encoder is never restarted (a restart could not continue
// the same file). If it dies, the file ends there and the recorder opens the next one.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';
import { bytesPerFrame, type PcmFormat } from '../types.js';
import { ffmpegBinary } from '../stream/ffmpeg/ffmpeg-argv.js';
import { buildRecordingArgv, RECORDING_OUTPUT_FD, type RecordingEncoder } from './recording-argv.js';
import { SerialQueue, StorageFault, faultFromStderr, storageFault, type Segment } from './segment.js';
import { log } from '../log.js';

const STDERR_TAIL_BYTES = 2048;
/** ffmpeg gets this long to finish a file after its input ends before it is killed. */
const CLOSE_TIMEOUT_MS = 15_000;

export class FfmpegSegment implements Segment {
  private child: ChildProcessWithoutNullStreams;
  private exited: Promise<void>;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private stderrTail = '';
  private framesWritten = 0;
  private sizeBytes = 0;
  private fileClosed = false;
  private readonly ops = new SerialQueue();
  private readonly frameBytes: number;
  private ending = false;

  /** `file` is the new, empty file at `path`; the segment owns it from now on. */
  constructor(
    readonly path: string,
    format: PcmFormat,
    encoder: RecordingEncoder,
    private readonly file: FileHandle,
  ) {
    this.frameBytes = bytesPerFrame(format);
    const argv = buildRecordingArgv(format, encoder, RECORDING_OUTPUT_FD);
    log('recording:ffmpeg')('spawn %o for %s', argv, path);
    const stdio: ['pipe', 'pipe', 'pipe', number] = ['pipe', 'pipe', 'pipe', file.fd];
    this.child = spawn(ffmpegBinary(), argv, { stdio }) as unknown as ChildProcessWithoutNullStreams;
    this.child.stdin.on('error', () => undefined);
    this.child.stdout.resume();
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err: NodeJS.ErrnoException) => {
        this.stderrTail += err.code === 'ENOENT' ? `${ffmpegBinary()} is not installed` : err.message;
      });
      this.child.on('close', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
  }

  get frames(): number {
    return this.framesWritten;
  }

  get bytes(): number {
    return this.sizeBytes;
  }

  /** True once ffmpeg has exited. */
  get dead(): boolean {
    return this.exitCode !== null || this.exitSignal !== null;
  }

  write(pcm: Buffer): Promise<void> {
    return this.ops.run(async () => {
      if (this.dead) throw this.fault();
      if (!this.child.stdin.write(pcm)) {
        await Promise.race([new Promise((r) => this.child.stdin.once('drain', r)), this.exited]);
        if (this.dead) throw this.fault();
      }
      this.framesWritten += pcm.length / this.frameBytes;
    });
  }

  sync(): Promise<void> {
    return this.ops.run(async () => {
      if (this.fileClosed) return;
      try {
        // fsync through any descriptor flushes the file: ffmpeg's own cannot be reached from here.
        await this.file.sync();
        this.sizeBytes = (await this.file.stat()).size;
      } catch (err) {
        throw storageFault(err, this.path);
      }
      if (this.dead && !this.ending) throw this.fault();
    });
  }

  /** Re-reads the file's size (the recorder checks it for size rotation). */
  async refreshSize(): Promise<number> {
    if (this.fileClosed) return this.sizeBytes;
    this.sizeBytes = await this.file.stat().then((s) => s.size, () => this.sizeBytes);
    return this.sizeBytes;
  }

  close(): Promise<void> {
    return this.ops.run(async () => {
      if (this.ending) return;
      this.ending = true;
      this.child.stdin.end();
      const killer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      await this.exited;
      clearTimeout(killer);
      await this.releaseFile(true);
      if (this.exitCode !== 0) throw this.fault();
    });
  }

  abort(): Promise<void> {
    this.ending = true;
    this.child.stdin.destroy();
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    return this.exited.then(async () => {
      clearTimeout(killer);
      await this.releaseFile(false);
    });
  }

  private async releaseFile(flush: boolean): Promise<void> {
    if (this.fileClosed) return;
    this.fileClosed = true;
    if (flush) {
      await this.file.sync().catch(() => undefined);
      this.sizeBytes = (await this.file.stat().catch(() => null))?.size ?? this.sizeBytes;
    }
    await this.file.close().catch(() => undefined);
  }

  private fault(): StorageFault {
    const how = this.exitSignal ? `killed by ${this.exitSignal}` : `exit code ${this.exitCode}`;
    return faultFromStderr(this.stderrTail || how, this.path);
  }
}
