// Live listen as it runs in the audio worker: the selected source (the capture itself, an encoder's
// own output decoded, or the encoder's mount on its server, decoded as a listener hears it) goes
// through a volume ramp into one `aplay` on the engineer's sound card, and, while anyone listens over
// the network, to the control thread. It is one more consumer with its own bounded queue: a missing
// card, a slow aplay or a dead server only ever touches live listen, never the capture or an encoder.
import { Supervisor, type ExitInfo } from '../supervisor.js';
import type { FanOut, Consumer } from '../audio/fanout.js';
import { PcmQueue } from '../audio/pcm-queue.js';
import { PcmInput } from '../stream/pcm-input.js';
import type { PcmFormat } from '../types.js';
import { GainRamp, s32ToS16, volumeDb } from './gain.js';
import { aplayArgv, aplayBinary, decoderArgv, describeAplayFailure } from './listen-argv.js';
import { ffmpegBinary } from '../stream/ffmpeg/ffmpeg-argv.js';
import { AdtsAligner } from './adts-align.js';
import { listenToMount, type MountListener } from './mount-listener.js';
import { log } from '../log.js';

const debug = log('live-listen');

/** Audio waiting for the sound card at most; beyond it the oldest goes (counted), so latency stays low. */
export const LISTEN_QUEUE_MS = 300;
/** aplay up this long without an error counts as playing. */
const PLAYING_AFTER_MS = 500;

export type ListenSource =
  | { kind: 'master' }
  /** A 4-channel capture's channels 3/4. */
  | { kind: 'aux1' }
  /** The encoder's own encoded output (ffmpeg backend), decoded: what its codec does to the sound. */
  | { kind: 'encoder'; id: number; format: EncodedFormat }
  /** The encoder's mount as a listener gets it, decoded: the off-air confidence monitor. */
  | { kind: 'server'; id: number; url: string; format: EncodedFormat };

/** How an encoder's output is framed, by ffmpeg's demuxer name: 'aac' reads ADTS (the muxer is 'adts', no demuxer is). */
export type EncodedFormat = 'mp3' | 'aac' | 'ogg';

export interface LiveListenPlan {
  enabled: boolean;
  /** The ALSA PCM name for aplay. */
  device: string;
  volume: number;
  source: ListenSource;
  /** How the source is named in status ("master", "encoder:3", "server:3"). */
  sourceName: string;
  /** The control thread has network listeners: send it the PCM. */
  network: boolean;
  /** Environment for aplay and the decoders (tests: a private PulseAudio). */
  env?: NodeJS.ProcessEnv;
}

export type LiveListenState = 'off' | 'starting' | 'playing' | 'device_missing' | 'source_unavailable' | 'error';

export interface LiveListenStatus {
  state: LiveListenState;
  status_text: string;
  enabled: boolean;
  device: string;
  source: string;
  volume: number;
  volume_db: number | null;
  output: { running: boolean; pid: number | null; restarts: number; underruns: number; last_error: string | null };
  source_process: { running: boolean; restarts: number; last_error: string | null } | null;
  queue: { queued_ms: number; dropped_ms: number };
  format: { sample_rate: number; channels: number };
}

export interface LiveListenDeps {
  fanout: FanOut;
  /** A 4-channel capture's channels 3/4 (null when the capture has 1 or 2). */
  auxFanout: FanOut | null;
  format: PcmFormat;
  /** Subscribes to an encoder's encoded output; null when no ffmpeg encoder with that id is running. */
  tapEncoder(id: number, onData: (data: Buffer) => void): (() => void) | null;
  onStatus(status: LiveListenStatus): void;
  onNetworkPcm(pcm: Buffer): void;
}

export class LiveListenCore {
  private plan: LiveListenPlan | null = null;
  private output: Supervisor | null = null;
  private readonly input = new PcmInput();
  private queue: PcmQueue;
  private gain: GainRamp;
  private consumer: Consumer | null = null;
  /** The fan-out the consumer is on: the programme's or the aux pair's. */
  private consumerBus: FanOut | null = null;
  private decoder: Supervisor | null = null;
  private untap: (() => void) | null = null;
  private mount: MountListener | null = null;
  private turn: Promise<void> = Promise.resolve();
  /** Why the mount's connection ended, for the decoder's exit report. */
  private mountEnd: string | null = null;
  private decoderInput = new PcmInput();
  private state: LiveListenState = 'off';
  private text = 'Off';
  private outputError: string | null = null;
  private sourceError: string | null = null;
  private underruns = 0;
  private playingTimer: NodeJS.Timeout | null = null;
  /** aplay has been up for PLAYING_AFTER_MS without an error. */
  private outputUp = false;
  private readonly frameBytes: number;
  private readonly outFormat: { rate: number; channels: number };

  constructor(private readonly deps: LiveListenDeps) {
    this.outFormat = { rate: deps.format.sampleRate, channels: deps.format.channels };
    this.frameBytes = 2 * this.outFormat.channels;
    this.queue = new PcmQueue(this.bytesFor(LISTEN_QUEUE_MS), this.frameBytes);
    this.gain = new GainRamp(1, this.outFormat.channels, this.outFormat.rate);
  }

  private bytesFor(ms: number): number {
    return Math.round((ms * this.outFormat.rate) / 1000) * this.frameBytes;
  }

  /**
   * Applies new settings: only what changed is restarted (a volume change restarts nothing). The source
   * plays while the headphones are on or anyone listens over the network; aplay only for the headphones.
   */
  setPlan(plan: LiveListenPlan): Promise<void> {
    return this.inTurn(() => this.applyPlan(plan));
  }

  /**
   * Plans are applied one after the other: a source's stop can take a moment (a decoder finishing its
   * input), and a second plan arriving meanwhile must compare with the first, not start halfway through it.
   */
  private inTurn(step: () => Promise<void>): Promise<void> {
    const run = this.turn.then(step);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async applyPlan(plan: LiveListenPlan): Promise<void> {
    const before = this.plan;
    this.plan = plan;
    this.gain.set(plan.volume);
    const wasSource = before !== null && (before.enabled || before.network);
    const wantSource = plan.enabled || plan.network;
    if (!wantSource) await this.stopSource();
    else if (!wasSource || JSON.stringify(before.source) !== JSON.stringify(plan.source)) {
      await this.stopSource();
      this.startSource(plan);
    }
    if (!plan.enabled) await this.stopOutput();
    else if (!before?.enabled || before.device !== plan.device || JSON.stringify(before.env) !== JSON.stringify(plan.env)) {
      await this.stopOutput();
      this.startOutput(plan);
    }
    this.refreshState();
    this.report();
  }

  stop(): Promise<void> {
    return this.inTurn(async () => {
      this.plan = null;
      await Promise.all([this.stopOutput(), this.stopSource()]);
    });
  }

  status(): LiveListenStatus {
    const plan = this.plan;
    const perMs = (this.outFormat.rate * this.frameBytes) / 1000;
    return {
      state: this.state,
      status_text: this.text,
      enabled: plan?.enabled ?? false,
      device: plan?.device ?? 'default',
      source: plan?.sourceName ?? 'master',
      volume: plan?.volume ?? 1,
      volume_db: plan ? (plan.volume > 0 ? Math.round(volumeDb(plan.volume) * 10) / 10 : null) : 0,
      output: {
        running: this.output?.running ?? false,
        pid: this.output?.pid ?? null,
        restarts: this.output?.restarts ?? 0,
        underruns: this.underruns,
        last_error: this.outputError,
      },
      source_process: this.decoder || plan?.source.kind === 'encoder' || plan?.source.kind === 'server'
        ? { running: this.decoder?.running ?? false, restarts: this.decoder?.restarts ?? 0, last_error: this.sourceError }
        : null,
      queue: { queued_ms: Math.round(this.queue.bytes / perMs), dropped_ms: Math.round(this.queue.droppedBytes / perMs) },
      format: { sample_rate: this.outFormat.rate, channels: this.outFormat.channels },
    };
  }

  /** Kills aplay as a crash would (tests). */
  killOutput(): void {
    this.output?.kill();
  }

  // --- the source -------------------------------------------------------------------

  private feed(pcm: Buffer): void {
    if (pcm.length === 0) return;
    if (this.plan?.network) this.deps.onNetworkPcm(pcm);
    // Without the headphones on there is no card to queue for.
    if (!this.output) return;
    this.queue.push(pcm);
    this.pump();
  }

  private startSource(plan: LiveListenPlan): void {
    this.sourceError = null;
    const source = plan.source;
    if (source.kind === 'master' || source.kind === 'aux1') {
      const bus = source.kind === 'master' ? this.deps.fanout : this.deps.auxFanout;
      if (!bus) {
        this.sourceError = 'the capture has no channels 3/4 (it is not a 4-channel capture)';
        return;
      }
      const s32 = this.deps.format.sampleFormat === 'S32_LE';
      this.consumerBus = bus;
      this.consumer = bus.add('live-listen', LISTEN_QUEUE_MS, () => {
        let chunk: Buffer | undefined;
        while (this.consumer && (chunk = this.consumer.queue.shift())) this.feed(s32 ? s32ToS16(chunk) : chunk);
      });
      return;
    }
    const fromEncoder = source.kind === 'encoder';
    this.decoder = new Supervisor({
      name: `live-listen:${plan.sourceName}`,
      command: ffmpegBinary,
      // Both arrive on stdin: the encoder's tap, or the mount as the engine's own listener connection reads it.
      argv: () => decoderArgv({ format: source.format }, this.outFormat),
      env: plan.env,
      backoff: { initialMs: 1000, maxMs: 10_000, resetAfterMs: 30_000 },
      // ffmpeg waiting on an empty pipe does not see SIGTERM (its read restarts); the end of its input it does.
      stopWith: 'stdin',
      onSpawn: (child) => {
        child.stdout.on('data', (pcm: Buffer) => {
          if (this.sourceError) {
            this.sourceError = null;
            this.refreshState();
          }
          this.feed(pcm);
        });
        // Joined mid-stream either way: AAC is held back until its frames are found (adts-align.ts).
        const aligner = source.format === 'aac' ? new AdtsAligner() : null;
        const pass = (data: Buffer): boolean => {
          const bytes = aligner ? aligner.push(data) : data;
          return bytes.length === 0 || this.decoderInput.write(bytes);
        };
        if (fromEncoder) {
          this.decoderInput.attach(child.stdin, () => undefined);
          this.untap?.();
          this.untap = this.deps.tapEncoder(source.id, pass);
          if (!this.untap) {
            this.sourceError = `encoder ${source.id} is not running on ffmpeg`;
            this.refreshState();
          }
          return;
        }
        this.decoderInput.attach(child.stdin, () => this.mount?.resume());
        this.mountEnd = null;
        this.mount?.stop();
        this.mount = listenToMount(source.url, {
          onData: pass,
          onEnd: (why) => {
            debug('%s: %s', source.url, why);
            this.mountEnd = why;
            child.stdin.end();
          },
        });
      },
      onExit: (info) => {
        this.decoderInput.detach();
        this.mount?.stop();
        this.mount = null;
        if (info.restartInMs === null) return;
        const why = this.mountEnd ?? info.spawnError ?? (info.stderrTail.split('\n').pop() || `exit code ${info.code ?? info.signal}`);
        this.sourceError = fromEncoder ? `encoder ${source.id}: ${why}` : `server not answering: ${why}`;
        debug('%s decoder stopped: %s (ran %d ms); again in %d ms', plan.sourceName, why, info.ranMs, info.restartInMs);
        this.refreshState();
      },
    });
    this.decoder.start();
  }

  private async stopSource(): Promise<void> {
    if (this.consumer) this.consumerBus?.remove(this.consumer.name);
    this.consumer = null;
    this.consumerBus = null;
    this.untap?.();
    this.untap = null;
    this.mount?.stop();
    this.mount = null;
    const decoder = this.decoder;
    this.decoder = null;
    this.decoderInput.detach();
    await decoder?.stop();
    this.queue.clear();
  }

  // --- the sound card ---------------------------------------------------------------

  private startOutput(plan: LiveListenPlan): void {
    this.outputError = null;
    this.setState('starting', `Starting on "${plan.device}"`);
    this.output = new Supervisor({
      name: 'live-listen:aplay',
      command: aplayBinary,
      argv: () => aplayArgv(plan.device, this.outFormat),
      env: plan.env,
      backoff: { initialMs: 1000, maxMs: 15_000, resetAfterMs: 30_000 },
      onSpawn: (child) => {
        this.input.attach(child.stdin, () => this.pump());
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (text: string) => {
          this.underruns += (text.match(/underrun!!!/g) ?? []).length;
        });
        this.outputUp = false;
        if (this.playingTimer) clearTimeout(this.playingTimer);
        this.playingTimer = setTimeout(() => {
          this.playingTimer = null;
          if (!this.output?.running) return;
          this.outputUp = true;
          this.outputError = null;
          this.refreshState();
        }, PLAYING_AFTER_MS);
        this.pump();
      },
      onExit: (info) => this.onOutputExit(info),
    });
    this.output.start();
  }

  private onOutputExit(info: ExitInfo): void {
    this.input.detach();
    this.outputUp = false;
    if (info.restartInMs === null) return;
    this.outputError = describeAplayFailure(this.plan?.device ?? 'default', info);
    debug('aplay stopped: %s; again in %d ms', this.outputError, info.restartInMs);
    this.refreshState();
  }

  private async stopOutput(): Promise<void> {
    if (this.playingTimer) clearTimeout(this.playingTimer);
    this.playingTimer = null;
    const output = this.output;
    this.output = null;
    this.outputUp = false;
    this.input.detach();
    await output?.stop(1000);
  }

  /** Moves queued PCM, with the volume applied, into aplay until its pipe pushes back. */
  private pump(): void {
    if (!this.input.writable) return;
    let chunk: Buffer | undefined;
    while ((chunk = this.queue.shift())) {
      if (!this.input.write(this.gain.apply(chunk))) return;
    }
  }

  // --- state ------------------------------------------------------------------------

  private refreshState(): void {
    const plan = this.plan;
    if (!plan?.enabled) return this.setState('off', 'Off');
    if (this.outputError) {
      const missing = /not found|no such/i.test(this.outputError);
      return this.setState(missing ? 'device_missing' : 'error', this.outputError);
    }
    if (this.sourceError) return this.setState('source_unavailable', `${plan.sourceName} unavailable: ${this.sourceError}`);
    if (this.output?.running && this.outputUp) return this.setState('playing', `Playing ${plan.sourceName} on "${plan.device}"`);
    return this.setState('starting', `Starting on "${plan.device}"`);
  }

  private setState(state: LiveListenState, text: string): void {
    const changed = state !== this.state || text !== this.text;
    this.state = state;
    this.text = text;
    if (changed) this.report();
  }

  private report(): void {
    this.deps.onStatus(this.status());
  }
}
