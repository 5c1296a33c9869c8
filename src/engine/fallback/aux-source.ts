// The fallback from the capture's second pair: with a 4-channel capture and fallback_source "aux1", the
// encoders that opt in air channels 3/4 while the programme (1/2) is silent, a standby feed or an off-air
// receiver wired to the interface's other inputs. It reads the aux fan-out as the programme's chunks
// come, so what it hands the switch is the aux audio of (nearly) the same frames.
import type { Consumer, FanOut } from '../audio/fanout.js';
import { bytesPerMs, type PcmFormat } from '../types.js';
import type { FallbackSourceStatus } from './fallback-source.js';

/** What the aux queue holds at most: the switch reads each chunk's worth as it comes, so anything older is stale. */
const AUX_QUEUE_MS = 200;

export interface AuxSourceOptions {
  /** The capture's channels 3/4; null when the capture has 1 or 2 channels. */
  fanout: FanOut | null;
  format: PcmFormat;
}

export class AuxFallbackSource {
  private consumer: Consumer | null = null;
  private underrunBytes = 0;
  private error: string | null = null;

  constructor(private readonly opts: AuxSourceOptions) {}

  get running(): boolean {
    return this.consumer !== null;
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    if (!this.opts.fanout) {
      this.error = 'aux1 needs a capture of 4 channels (the fallback plays channels 3/4)';
      return;
    }
    this.error = null;
    this.consumer = this.opts.fanout.add('fallback-aux1', AUX_QUEUE_MS, () => undefined);
  }

  async stop(): Promise<void> {
    if (this.consumer) this.opts.fanout?.remove(this.consumer.name);
    this.consumer = null;
  }

  /** Exactly `length` bytes (whole frames) of the aux pair; silence for what has not arrived. */
  read(length: number): Buffer {
    const out = Buffer.alloc(length);
    const filled = this.consumer?.queue.readInto(out) ?? 0;
    if (filled < length && this.running) this.underrunBytes += length - filled;
    return out;
  }

  status(): FallbackSourceStatus {
    return {
      dir: 'aux1',
      running: this.running,
      file: null,
      files: 0,
      error: this.error,
      underrun_ms: Math.round(this.underrunBytes / bytesPerMs(this.opts.format)),
    };
  }
}
