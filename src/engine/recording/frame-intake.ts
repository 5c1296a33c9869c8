// The recorder's end of the fan-out: a bounded queue, and the frame count that makes cuts exact.
// Every frame the capture published to this consumer has a number, counting from the start of the
// recording; frames the queue had to drop (the storage fell more than the queue behind) keep theirs, so
// the numbering, and with it the schedule, never slips.
import type { Consumer, FanOut } from '../audio/fanout.js';

/** Larger writes are split: each write is a chance for a cut and a header update. */
const BATCH_BYTES = 1024 * 1024;

export interface IntakeHandlers {
  /** Synchronously, on every chunk the capture delivers: frames published before it and now. */
  arrived: (previousPosition: number, position: number) => void;
  /** The next run of PCM, starting at capture frame `startFrame`; the next one waits for it. */
  write: (pcm: Buffer, startFrame: number) => Promise<void>;
  /** The queue lost `frames` frames before the next write. */
  dropped: (frames: number) => void;
}

export class FrameIntake {
  private consumer: Consumer | null = null;
  private frameBytes = 4;
  private shiftedBytes = 0;
  private droppedSeenBytes = 0;
  private pumping: Promise<void> | null = null;
  /** Capture frame of the next frame to be written. */
  nextFrame = 0;
  /** Frames published to this consumer so far. */
  published = 0;

  constructor(
    private readonly fanout: FanOut,
    private readonly name: string,
    private readonly queueMs: number,
    private readonly handlers: IntakeHandlers,
  ) {}

  start(frameBytes: number): void {
    this.frameBytes = frameBytes;
    this.shiftedBytes = this.droppedSeenBytes = this.nextFrame = this.published = 0;
    this.consumer = this.fanout.add(this.name, this.queueMs, () => this.onAudio());
  }

  /** No more audio comes in; what is queued is still written (await drain()). */
  close(): void {
    if (this.consumer) this.fanout.remove(this.consumer.name);
  }

  /** Writes everything queued, then lets go of the queue. */
  async drain(): Promise<void> {
    await this.idle();
    this.consumer = null;
  }

  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private onAudio(): void {
    const queue = this.consumer?.queue;
    if (!queue) return;
    const previous = this.published;
    this.published = (this.shiftedBytes + queue.bytes + queue.droppedBytes) / this.frameBytes;
    this.handlers.arrived(previous, this.published);
    this.kick();
  }

  private kick(): void {
    if (this.pumping || !this.consumer) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.consumer && this.consumer.queue.bytes > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    for (;;) {
      const queue = this.consumer?.queue;
      if (!queue || queue.bytes === 0) return;
      const droppedBytes = queue.droppedBytes - this.droppedSeenBytes;
      if (droppedBytes > 0) {
        this.droppedSeenBytes += droppedBytes;
        this.nextFrame += droppedBytes / this.frameBytes;
        this.handlers.dropped(droppedBytes / this.frameBytes);
      }
      // Nothing can be pushed while this loop runs synchronously, so the batch holds no gap.
      const parts: Buffer[] = [];
      let bytes = 0;
      let chunk: Buffer | undefined;
      while (bytes < BATCH_BYTES && (chunk = queue.shift())) {
        parts.push(chunk);
        bytes += chunk.length;
      }
      this.shiftedBytes += bytes;
      const start = this.nextFrame;
      this.nextFrame += bytes / this.frameBytes;
      await this.handlers.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes), start);
    }
  }
}
