// Live listen over the network: GET /api/live-listen/stream plays the selected source to any player.
// WAV is the PCM itself behind a header (lowest latency); MP3 comes from one shared ffmpeg for every
// MP3 listener, started with the first and stopped after the last. A listener that stops reading is
// dropped once MAX_BACKLOG_BYTES wait for it; nobody waits for anybody.
import type { ServerResponse } from 'node:http';
import { Supervisor } from '../supervisor.js';
import { ffmpegBinary } from '../stream/ffmpeg/ffmpeg-argv.js';
import { PcmInput } from '../stream/pcm-input.js';

export type ListenFormat = 'mp3' | 'wav';
export const MAX_BACKLOG_BYTES = 1024 * 1024;
export const NETWORK_MP3_KBPS = 128;

/** A WAV header for a stream of unknown length (sizes at their maximum, as live WAV streams do). */
export function streamingWavHeader(rate: number, channels: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(0xffffffff, 40);
  return h;
}

export function mp3EncoderArgv(rate: number, channels: number): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostats', '-probesize', '32', '-analyzeduration', '0',
    '-f', 's16le', '-ar', String(rate), '-ac', String(channels), '-i', 'pipe:0',
    '-c:a', 'libmp3lame', '-b:a', `${NETWORK_MP3_KBPS}k`, '-id3v2_version', '0', '-write_xing', '0',
    '-flush_packets', '1', '-f', 'mp3', 'pipe:1',
  ];
}

interface Listener {
  res: ServerResponse;
  format: ListenFormat;
}

export interface NetworkListenOptions {
  format: { rate: number; channels: number };
  onCountChange: (count: number) => void;
}

/**
 * One run of the shared MP3 encoder with its own input. A listener who arrives while the last one's
 * encoder is still winding down gets a new run: the old one's exit and its last bytes touch only itself.
 */
interface Mp3Encoder {
  supervisor: Supervisor;
  input: PcmInput;
}

export class NetworkListen {
  private readonly listeners = new Set<Listener>();
  private encoder: Mp3Encoder | null = null;
  droppedSlow = 0;

  constructor(private readonly opts: NetworkListenOptions) {}

  get count(): number {
    return this.listeners.size;
  }

  counts(): { total: number; mp3: number; wav: number; dropped_slow: number } {
    let mp3 = 0;
    for (const l of this.listeners) if (l.format === 'mp3') mp3++;
    return { total: this.listeners.size, mp3, wav: this.listeners.size - mp3, dropped_slow: this.droppedSlow };
  }

  /** Starts streaming to `res` (headers already decided by the caller's checks). */
  add(res: ServerResponse, format: ListenFormat): void {
    const { rate, channels } = this.opts.format;
    res.writeHead(200, {
      'Content-Type': format === 'mp3' ? 'audio/mpeg' : 'audio/wav',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...(format === 'mp3' ? { 'icy-br': String(NETWORK_MP3_KBPS) } : {}),
    });
    res.socket?.setNoDelay(true);
    const listener: Listener = { res, format };
    this.listeners.add(listener);
    if (format === 'wav') res.write(streamingWavHeader(rate, channels));
    else this.startEncoder();
    res.on('close', () => this.remove(listener));
    this.opts.onCountChange(this.listeners.size);
  }

  private remove(listener: Listener): void {
    if (!this.listeners.delete(listener)) return;
    if (!listener.res.destroyed) listener.res.destroy();
    if (![...this.listeners].some((l) => l.format === 'mp3')) void this.stopEncoder();
    this.opts.onCountChange(this.listeners.size);
  }

  /** PCM of the selected source, as the worker sends it. */
  feed(pcm: Buffer): void {
    for (const l of this.listeners) if (l.format === 'wav') this.send(l, pcm);
    this.encoder?.input.write(pcm);
  }

  private send(l: Listener, data: Buffer): void {
    if (l.res.writableLength > MAX_BACKLOG_BYTES) {
      this.droppedSlow++;
      this.remove(l);
      return;
    }
    l.res.write(data);
  }

  private startEncoder(): void {
    if (this.encoder) return;
    const { rate, channels } = this.opts.format;
    const input = new PcmInput();
    const supervisor: Supervisor = new Supervisor({
      name: 'live-listen:mp3',
      command: ffmpegBinary,
      argv: () => mp3EncoderArgv(rate, channels),
      backoff: { initialMs: 500, maxMs: 5000, resetAfterMs: 30_000 },
      onSpawn: (child) => {
        input.attach(child.stdin, () => undefined);
        child.stdout.on('data', (mp3: Buffer) => {
          if (this.encoder?.supervisor !== supervisor) return;
          for (const l of this.listeners) if (l.format === 'mp3') this.send(l, mp3);
        });
      },
      onExit: () => input.detach(),
    });
    this.encoder = { supervisor, input };
    supervisor.start();
  }

  private async stopEncoder(): Promise<void> {
    const encoder = this.encoder;
    this.encoder = null;
    encoder?.input.detach();
    await encoder?.supervisor.stop();
  }

  /** Ends the streams whose request was let in as `which` says (res.locals): access withdrawn. */
  closeWhere(which: (locals: Record<string, unknown>) => boolean): number {
    let closed = 0;
    for (const l of [...this.listeners]) {
      if (!which((l.res as ServerResponse & { locals?: Record<string, unknown> }).locals ?? {})) continue;
      this.remove(l);
      closed++;
    }
    return closed;
  }

  async stop(): Promise<void> {
    for (const l of [...this.listeners]) this.remove(l);
    await this.stopEncoder();
  }
}
