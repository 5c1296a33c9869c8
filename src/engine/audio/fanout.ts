// One capture, many consumers. Each consumer has its own bounded queue; a slow consumer
// loses its own oldest audio and never slows the capture or the others.
import { PcmQueue } from './pcm-queue.js';
import { bytesPerFrame, bytesPerMs, type PcmFormat } from '../types.js';

/**
 * What the encoders take at a time: two capture periods, one write into each codec's stdin (one
 * wake-up of each ffmpeg) per 100 ms, while live listen takes every 50 ms period. The recorders' relay
 * is woken as often, and still posts chunk by chunk, each with its own capture time.
 */
export const WRITE_BATCH_MS = 100;

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
