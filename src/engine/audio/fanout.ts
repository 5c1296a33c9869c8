// One capture, many consumers. Each consumer has its own bounded queue; a slow consumer
// loses its own oldest audio and never slows the capture or the others.
import { PcmQueue } from './pcm-queue.js';
import { bytesPerFrame, bytesPerMs, type PcmFormat } from '../types.js';

/**
 * What the recorders' relay is woken for: two capture periods (100 ms). It still posts chunk by chunk,
 * each with its own capture time.
 */
export const WRITE_BATCH_MS = 100;

/**
 * What the stream encoders take at a time: four capture periods, one write into each codec's stdin (one
 * wake-up of each ffmpeg, and one burst of encoded output back) per 200 ms, while live listen takes every
 * 50 ms period. Against 100 ms: the engine's Node 2.07 -> 1.70 % of a core and 115 -> 88 writes/s on W3
 * (scripts/bench --peers, both interleaved), capture-to-listener latency within the run's spread (237 vs
 * 226 ms, the floor 331 ms).
 */
export const ENCODER_BATCH_MS = 200;

export interface Consumer {
  readonly name: string;
  readonly queue: PcmQueue;
  /** Called after new audio was queued (once `batchBytes` are waiting); the consumer drains its queue when it can. */
  readonly wake: () => void;
  /** Woken only once this much is queued: a consumer that would rather take fewer, larger pieces. */
  readonly batchBytes: number;
}

export interface ConsumerStats {
  name: string;
  queuedMs: number;
  droppedMs: number;
  dropEvents: number;
  /** Only on the recorders' relayed fan-out: the capture frame of the first frame this consumer got. */
  startFrame?: number | null;
}

export class FanOut {
  private consumers = new Map<string, Consumer>();

  constructor(private format: PcmFormat) {}

  setFormat(format: PcmFormat): void {
    this.format = format;
  }

  /**
   * Adds a consumer whose queue holds at most `queueMs` of audio, woken once at least `batchMs` of it
   * waits (0: after every chunk).
   */
  add(name: string, queueMs: number, wake: () => void, batchMs = 0): Consumer {
    const frame = bytesPerFrame(this.format);
    const maxBytes = Math.max(frame, Math.round((queueMs * bytesPerMs(this.format)) / frame) * frame);
    const batchBytes = Math.min(maxBytes, Math.round((batchMs * bytesPerMs(this.format)) / frame) * frame);
    const consumer: Consumer = { name, queue: new PcmQueue(maxBytes, frame), wake, batchBytes };
    this.consumers.set(name, consumer);
    return consumer;
  }

  remove(name: string): void {
    this.consumers.delete(name);
  }

  /** Delivers one chunk of whole frames to every consumer. Never blocks. */
  publish(chunk: Buffer): void {
    for (const consumer of this.consumers.values()) {
      consumer.queue.push(chunk);
      if (consumer.queue.bytes >= consumer.batchBytes) consumer.wake();
    }
  }

  stats(): ConsumerStats[] {
    const perMs = bytesPerMs(this.format);
    return [...this.consumers.values()].map((c) => ({
      name: c.name,
      queuedMs: Math.round(c.queue.bytes / perMs),
      droppedMs: Math.round(c.queue.droppedBytes / perMs),
      dropEvents: c.queue.dropEvents,
    }));
  }
}
