// What the encoders that opt into the fallback (on_silence "fallback") carry: the programme or the
// fallback, switched on whole chunks of whole frames with a crossfade that runs across chunks. A switch
// back while a fade is under way turns the fade round from where it is, so there is never a jump.
// The switch sits in front of those encoders' queues; the capture, the recordings and every other
// encoder keep the programme.
import { bytesPerFrame, type PcmFormat } from '../types.js';
import { crossfade } from './crossfade.js';

export type AirSource = 'programme' | 'fallback';

export class AirSwitch {
  private steady: AirSource = 'programme';
  private target: AirSource = 'programme';
  /** Frames into the fade towards `target` (null when steady). */
  private fadeFrame: number | null = null;
  private readonly frameBytes: number;

  constructor(
    private readonly format: PcmFormat,
    private fadeFrames: number,
  ) {
    this.frameBytes = bytesPerFrame(format);
  }

  setFadeMs(ms: number): void {
    this.fadeFrames = Math.round((ms * this.format.sampleRate) / 1000);
  }

  /** Where the switch is going (or is). */
  get source(): AirSource {
    return this.target;
  }

  /** True while a crossfade is under way. */
  get fading(): boolean {
    return this.fadeFrame !== null;
  }

  select(source: AirSource): void {
    if (source === this.target) return;
    if (this.fadeFrame !== null) {
      // Turn the fade round: as far from the new target as the old fade had come from the old source.
      this.fadeFrame = Math.max(0, this.fadeFrames - this.fadeFrame);
      this.steady = this.target;
    } else {
      this.fadeFrame = 0;
    }
    this.target = source;
  }

  /** The chunk the fallback encoders get for this programme chunk; `fallback(n)` gives n bytes of fallback. */
  process(programme: Buffer, fallback: (length: number) => Buffer): Buffer {
    if (this.fadeFrame === null) return this.target === 'programme' ? programme : fallback(programme.length);
    const from = this.steady === 'programme' ? programme : fallback(programme.length);
    const to = this.target === 'programme' ? programme : fallback(programme.length);
    const out = crossfade(from, to, this.format, this.fadeFrame, this.fadeFrames);
    this.fadeFrame += Math.floor(programme.length / this.frameBytes);
    if (this.fadeFrame >= this.fadeFrames) {
      this.fadeFrame = null;
      this.steady = this.target;
    }
    return out;
  }
}
