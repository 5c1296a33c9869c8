// A WAV recording file written by Node: exact (every frame handed over lands in the file, nothing else
// does) and crash-safe (the header carries the real sizes after every write; sync() is an fdatasync).
import type { FileHandle } from 'node:fs/promises';
import { bytesPerFrame, type PcmFormat } from '../types.js';
import { SerialQueue, storageFault, type Segment } from './segment.js';
import { wavHeader, wavHeaderBytes } from './wav.js';

export class WavSegment implements Segment {
  private dataBytes = 0;
  private readonly ops = new SerialQueue();
  private readonly headerBytes: number;
  private readonly frameBytes: number;
  private open = true;

  private constructor(
    readonly path: string,
    private readonly format: PcmFormat,
    private readonly fh: FileHandle,
  ) {
    this.headerBytes = wavHeaderBytes(format);
    this.frameBytes = bytesPerFrame(format);
  }

  /** Starts the file the recorder has just created (`fh`, which it now owns) with a header for zero frames. */
  static async create(path: string, format: PcmFormat, fh: FileHandle): Promise<WavSegment> {
    try {
      const header = wavHeader(format, 0);
      await fh.write(header, 0, header.length, 0);
      return new WavSegment(path, format, fh);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw storageFault(err, path);
    }
  }

  get frames(): number {
    return this.dataBytes / this.frameBytes;
  }

  get bytes(): number {
    return this.headerBytes + this.dataBytes;
  }

  write(pcm: Buffer): Promise<void> {
    return this.ops.run(async () => {
      if (!this.open) throw storageFault(new Error('file already closed'), this.path);
      let done = 0;
      try {
        while (done < pcm.length) {
          const { bytesWritten } = await this.fh.write(pcm, done, pcm.length - done, this.headerBytes + this.dataBytes + done);
          if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          done += bytesWritten;
        }
      } catch (err) {
        // Keep the whole frames that made it; a partial frame is cut off when the file is finished.
        this.dataBytes += done - (done % this.frameBytes);
        throw storageFault(err, this.path);
      }
      this.dataBytes += pcm.length;
      await this.writeHeader().catch((err: unknown) => {
        throw storageFault(err, this.path);
      });
    });
  }

  sync(): Promise<void> {
    return this.ops.run(async () => {
      if (!this.open) return;
      await this.fh.datasync().catch((err: unknown) => {
        throw storageFault(err, this.path);
      });
    });
  }

  close(): Promise<void> {
    return this.ops.run(async () => {
      if (!this.open) return;
      this.open = false;
      try {
        await this.finish();
        await this.fh.sync();
      } catch (err) {
        throw storageFault(err, this.path);
      } finally {
        await this.fh.close().catch(() => undefined);
      }
    });
  }

  abort(): Promise<void> {
    return this.ops.run(async () => {
      if (!this.open) return;
      this.open = false;
      // The drive may be gone: try to leave a valid file, but never wait on a dead device for long.
      await Promise.race([this.finish().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      await this.fh.close().catch(() => undefined);
    });
  }

  private async finish(): Promise<void> {
    await this.fh.truncate(this.headerBytes + this.dataBytes);
    await this.writeHeader();
  }

  private async writeHeader(): Promise<void> {
    const header = wavHeader(this.format, this.dataBytes);
    await this.fh.write(header, 0, header.length, 0);
  }
}
