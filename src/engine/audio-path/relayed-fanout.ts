// The recorders' fan-out on the control thread: its audio comes from the audio worker's relay.
import { FanOut, type Consumer, type ConsumerStats } from '../audio/fanout.js';
import type { AudioWorkerInit } from './protocol.js';

/**
 * A fan-out whose audio comes from the worker; it asks for the relay only while it has consumers. Each
 * consumer's stats carry `startFrame`, the capture frame (CaptureStatus.frames) of the first frame it got:
 * a recording's frame n is capture frame startFrame + n, so a gap in it can be matched to the capture's
 * overrunFrames.
 */
export class RelayedFanOut extends FanOut {
  private readonly startFrames = new Map<string, number | null>();

  constructor(
    format: AudioWorkerInit['format'],
    private readonly wanted: (on: boolean) => void,
    private readonly publishingFrame: () => number | null,
  ) {
    super(format);
  }

  override add(name: string, queueMs: number, wake: () => void): Consumer {
    const consumer = super.add(name, queueMs, wake);
    this.startFrames.set(name, null);
    this.wanted(true);
    return consumer;
  }

  override remove(name: string): void {
    super.remove(name);
    this.startFrames.delete(name);
    if (this.stats().length === 0) this.wanted(false);
  }

  override publish(chunk: Buffer): void {
    for (const [name, frame] of this.startFrames) if (frame === null) this.startFrames.set(name, this.publishingFrame());
    super.publish(chunk);
  }

  override stats(): ConsumerStats[] {
    return super.stats().map((s) => ({ ...s, startFrame: this.startFrames.get(s.name) ?? null }));
  }
}
