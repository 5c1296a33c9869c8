// The one audio capture: arecord on an ALSA PCM, or the built-in tone. It hands out chunks
// of whole frames and never waits for anybody. When the sound card is missing or vanishes,
// the engine stays up, reports "no input", feeds silence so the streams stay connected,
// and reopens the device with back-off.
import { bytesPerFrame, type CaptureChannels, type PcmFormat } from '../types.js';
import { splitPairs } from './channel-split.js';
import { Supervisor } from '../supervisor.js';
import { buildArecordArgv, describeArecordFailure, OverrunWatch, PERIOD_US } from './arecord-argv.js';
import { PacedGenerator, silenceFiller, sineFiller } from './paced-generator.js';
import { log } from '../log.js';

/** `opening`: the card is being opened for the first time; silence flows meanwhile. */
export type CaptureState = 'stopped' | 'opening' | 'running' | 'no_input';

export interface CaptureStatus {
  device: string;
  format: PcmFormat;
  state: CaptureState;
  /** Plain words for the operator, e.g. 'sound card "hw:1,0" not found'. */
  error: string | null;
  restarts: number;
  sinceMs: number;
  /** Frames delivered since the capture started (silence while there is no input included). */
  frames: number;
  /** Times arecord reported an overrun (audio lost before it was read). */
  overruns: number;
  /** Where the latest overruns left their gaps, as values of `frames` (the last MAX_OVERRUN_FRAMES). */
  overrunFrames: number[];
}

export const MAX_OVERRUN_FRAMES = 20;

export interface CaptureOptions {
  device: string;
  /** The programme's format: what onChunk delivers. */
  format: PcmFormat;
  /** 4: the card is opened with 4 channels; 1/2 are delivered as the programme, 3/4 as `aux`. */
  captureChannels?: CaptureChannels;
  /** `aux`: the same frames' channels 3/4 (silence while there is no input), only with a 4-channel capture. */
  onChunk: (chunk: Buffer, aux?: Buffer) => void;
  onStatus: (status: CaptureStatus) => void;
  env?: NodeJS.ProcessEnv;
  /** Frames already delivered by the capture this one replaces (CaptureStatus.frames goes on from there). */
  startFrames?: number;
  /** No data for this long from a running arecord means a stalled device. */
  stallMs?: number;
}

const debug = log('capture');

/** `tone` or `tone:880` selects the built-in test signal. */
export function parseToneDevice(device: string): number | null {
  const m = /^tone(?::(\d+(?:\.\d+)?))?$/.exec(device);
  if (!m) return null;
  return m[1] ? Number(m[1]) : 1000;
}

export class Capture {
  private supervisor: Supervisor | null = null;
  private filler: PacedGenerator;
  private tone: PacedGenerator | null = null;
  private remainder: Buffer = Buffer.alloc(0);
  private lastDataAt = 0;
  /** Set when the watchdog killed arecord, so the exit is reported as a stall, not "capture stopped". */
  private stalled = false;
  private watchdog: NodeJS.Timeout | null = null;
  private current: CaptureStatus;
  private readonly frameBytes: number;
  /** A frame as the card delivers it (4 channels: both pairs). */
  private readonly cardFrameBytes: number;
  private readonly quad: boolean;
  private delivered = 0;
  private overruns = 0;
  private overrunFrames: number[] = [];
  /** Every chunk goes out through here, so `frames` counts each delivered frame once. */
  private readonly deliver = (chunk: Buffer, aux?: Buffer): void => {
    this.delivered += chunk.length / this.frameBytes;
    // The tone and the silence filler make the programme alone: the aux pair is silent meanwhile.
    this.opts.onChunk(chunk, this.quad ? (aux ?? Buffer.alloc(chunk.length)) : undefined);
  };

  constructor(private readonly opts: CaptureOptions) {
    this.frameBytes = bytesPerFrame(opts.format);
    this.quad = opts.captureChannels === 4 && opts.format.channels === 2;
    this.cardFrameBytes = this.quad ? 2 * this.frameBytes : this.frameBytes;
    this.delivered = opts.startFrames ?? 0;
    this.current = { device: opts.device, format: opts.format, state: 'stopped', error: null, restarts: 0, sinceMs: Date.now(), frames: this.delivered, overruns: 0, overrunFrames: [] };
    this.filler = new PacedGenerator(opts.format, silenceFiller, this.deliver, PERIOD_US / 1000);
  }

  /** Frames delivered so far (CaptureStatus.frames). */
  get frames(): number {
    return this.delivered;
  }

  status(): CaptureStatus {
    return { ...this.current, restarts: this.supervisor?.restarts ?? 0, frames: this.delivered, overruns: this.overruns, overrunFrames: [...this.overrunFrames] };
  }

  start(): void {
    const toneHz = parseToneDevice(this.opts.device);
    if (toneHz !== null) {
      this.tone = new PacedGenerator(this.opts.format, sineFiller(this.opts.format, toneHz), this.deliver, 50);
      this.tone.start();
      this.setState('running', null);
      return;
    }
    this.filler.start();
    this.setState('opening', null);
    const stallMs = this.opts.stallMs ?? 3000;
    this.supervisor = new Supervisor({
      name: 'arecord',
      command: () => process.env.RACKCAST_ARECORD ?? 'arecord',
      argv: () => buildArecordArgv(this.opts.device, { ...this.opts.format, channels: this.quad ? 4 : this.opts.format.channels }),
      env: this.opts.env,
      backoff: { initialMs: 500, maxMs: 10_000, resetAfterMs: 30_000 },
      onSpawn: (child) => {
        this.remainder = Buffer.alloc(0);
        this.lastDataAt = Date.now();
        this.stalled = false;
        child.stdout.on('data', (data: Buffer) => this.onData(data));
        const overruns = new OverrunWatch(() => this.onOverrun());
        child.stderr.on('data', (text: string | Buffer) => overruns.feed(text.toString()));
      },
      onExit: (info) => {
        const why =
          info.spawnError ??
          (this.stalled
            ? `sound card "${this.opts.device}" stopped delivering audio (no data for ${stallMs / 1000} s)`
            : describeArecordFailure(info.stderrTail, this.opts.device));
        debug('arecord exited (%s), restart in %s ms', why, info.restartInMs);
        if (info.restartInMs === null) return;
        this.filler.start();
        this.setState('no_input', why);
      },
    });
    this.supervisor.start();
    this.watchdog = setInterval(() => {
      if (this.supervisor?.running && Date.now() - this.lastDataAt > stallMs) {
        debug('no audio for %d ms, restarting arecord', stallMs);
        this.lastDataAt = Date.now();
        this.stalled = true;
        this.supervisor.kill();
      }
    }, 1000);
  }

  async stop(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.tone?.stop();
    this.filler.stop();
    await this.supervisor?.stop();
    this.supervisor = null;
    this.setState('stopped', null);
  }

  /** Kills arecord as if the device had failed (used by tests and the "reopen" command). */
  killDevice(): void {
    this.supervisor?.kill();
  }

  private onData(data: Buffer): void {
    this.lastDataAt = Date.now();
    if (this.filler.running) {
      this.filler.stop();
      this.setState('running', null);
    }
    let chunk = this.remainder.length ? Buffer.concat([this.remainder, data]) : data;
    const whole = chunk.length - (chunk.length % this.cardFrameBytes);
    this.remainder = whole < chunk.length ? Buffer.from(chunk.subarray(whole)) : Buffer.alloc(0);
    chunk = chunk.subarray(0, whole);
    if (!chunk.length) return;
    if (!this.quad) return this.deliver(chunk);
    const { programme, aux } = splitPairs(chunk, this.opts.format.sampleFormat === 'S16_LE' ? 2 : 4);
    this.deliver(programme, aux);
  }

  private onOverrun(): void {
    this.overruns++;
    this.overrunFrames.push(this.delivered);
    if (this.overrunFrames.length > MAX_OVERRUN_FRAMES) this.overrunFrames.shift();
    debug('arecord overrun at frame %d (%d so far)', this.delivered, this.overruns);
  }

  private setState(state: CaptureState, error: string | null): void {
    if (state === this.current.state && error === this.current.error) return;
    this.current = { ...this.current, state, error, sinceMs: Date.now() };
    this.opts.onStatus(this.status());
  }
}
