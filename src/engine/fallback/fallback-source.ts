// The fallback audio (the RB-SD1IP's "play from USB"): a folder of audio files decoded by ffmpeg, one
// child per file under the one supervisor contract, to PCM in the capture's format. It runs in the audio
// worker and is read a chunk at a time by the switch, frame for frame against the programme. The
// decoder works ahead by at most HIGH_WATER_MS (its stdout is paused beyond that, so ffmpeg waits on the
// pipe) and a read it cannot fill is padded with silence and counted, never waited for.
import type { Readable } from 'node:stream';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Supervisor } from '../supervisor.js';
import { bytesPerFrame, bytesPerMs, type PcmFormat } from '../types.js';
import { buildDecoderArgv } from './fallback-argv.js';
import { Playlist, audioFiles } from './playlist.js';
import { log } from '../log.js';

const debug = log('fallback');
const HIGH_WATER_MS = 3000;
const LOW_WATER_MS = 1500;

export interface FallbackSourceOptions {
  dir: string;
  order: 'in_order' | 'shuffle';
  format: PcmFormat;
  ffmpeg: () => string;
}

export interface FallbackSourceStatus {
  dir: string;
  running: boolean;
  /** The file being decoded now (its name in the folder). */
  file: string | null;
  files: number;
  /** Why nothing can play (folder missing, no audio files, a decoder error), else null. */
  error: string | null;
  /** Audio the decoder could not deliver in time, padded with silence. */
  underrun_ms: number;
}

export class FallbackSource {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private supervisor: Supervisor | null = null;
  private stdout: Readable | null = null;
  private paused = false;
  private playlist: Playlist | null = null;
  private file: string | null = null;
  private error: string | null = null;
  private underrunBytes = 0;
  private starting: Promise<void> | null = null;
  private readonly frameBytes: number;

  constructor(private readonly opts: FallbackSourceOptions) {
    this.frameBytes = bytesPerFrame(opts.format);
  }

  get running(): boolean {
    return this.supervisor !== null;
  }

  /** Lists the folder (again: a stick may have new files) and starts decoding its first file. */
  start(): Promise<void> {
    if (this.supervisor || this.starting) return this.starting ?? Promise.resolve();
    this.starting = this.begin().finally(() => (this.starting = null));
    return this.starting;
  }

  private async begin(): Promise<void> {
    let names: string[];
    try {
      names = audioFiles(await readdir(this.opts.dir));
    } catch (err) {
      this.error = `the fallback folder ${this.opts.dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
      return;
    }
    if (names.length === 0) {
      this.error = `the fallback folder ${this.opts.dir} has no audio files`;
      return;
    }
    this.error = null;
    this.playlist = new Playlist(names, this.opts.order);
    this.supervisor = new Supervisor({
      name: 'fallback-decoder',
      command: this.opts.ffmpeg,
      argv: () => {
        this.file = this.playlist?.next() ?? null;
        return buildDecoderArgv(join(this.opts.dir, this.file ?? ''), this.opts.format);
      },
      // A file that ends is followed by the next at once; a failing one backs off, while the buffer plays.
      backoff: { initialMs: 50, maxMs: 2000, resetAfterMs: 1000 },
      onSpawn: (child) => {
        this.stdout = child.stdout;
        this.paused = false;
        child.stdout.on('data', (data: Buffer) => this.onData(data));
      },
      onExit: (info) => {
        this.stdout = null;
        // read() takes whole frames and a file's PCM is whole frames, so only a child cut mid-frame
        // leaves a part of one, which would shift the channels of every later frame.
        this.trimPartialFrame();
        if (info.code !== 0 && info.restartInMs !== null) {
          this.error = `cannot play ${this.file}: ${info.spawnError ?? (info.stderrTail.split('\n').pop() || `exit ${info.code ?? info.signal}`)}`;
          debug('%s', this.error);
        } else if (info.code === 0) {
          this.error = null;
        }
      },
    });
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.starting;
    const s = this.supervisor;
    this.supervisor = null;
    this.stdout = null;
    this.file = null;
    await s?.stop();
    this.chunks = [];
    this.bytes = 0;
  }

  /** Exactly `length` bytes (whole frames) of fallback audio; silence for what the decoder has not delivered. */
  read(length: number): Buffer {
    const out = Buffer.alloc(length);
    let filled = 0;
    while (filled < length && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      const take = Math.min(head.length, length - filled);
      head.copy(out, filled, 0, take);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.bytes -= filled;
    if (filled < length && this.running) this.underrunBytes += length - filled;
    if (this.paused && this.bytes < LOW_WATER_MS * bytesPerMs(this.opts.format)) {
      this.paused = false;
      this.stdout?.resume();
    }
    return out;
  }

  /** Decoded audio waiting, in ms (the switch goes to the fallback only once some is there). */
  bufferedMs(): number {
    return this.bytes / bytesPerMs(this.opts.format);
  }

  status(): FallbackSourceStatus {
    return {
      dir: this.opts.dir,
      running: this.running,
      file: this.file,
      files: this.playlist?.size ?? 0,
      error: this.error,
      underrun_ms: Math.round(this.underrunBytes / bytesPerMs(this.opts.format)),
    };
  }

  private onData(data: Buffer): void {
    this.chunks.push(data);
    this.bytes += data.length;
    if (!this.paused && this.bytes > HIGH_WATER_MS * bytesPerMs(this.opts.format)) {
      this.paused = true;
      this.stdout?.pause();
    }
  }

  private trimPartialFrame(): void {
    const extra = this.bytes % this.frameBytes;
    if (extra === 0) return;
    const last = this.chunks[this.chunks.length - 1];
    if (!last || last.length < extra) return;
    this.chunks[this.chunks.length - 1] = last.subarray(0, last.length - extra);
    this.bytes -= extra;
  }
}
