// The audio path itself, as it runs in the audio worker: the capture, the fan-out, the meters, every
// stream encoder (its ffmpeg child, its stdin and stdout, its server connection) and the relay that
// feeds the control thread's own consumers (the recorders). It talks to the control thread only
// through `post`, so nothing the control thread does (SQLite, the API, title parsing, SSE) can delay
// a chunk on its way to an encoder or to a server.
import { FanOut, WRITE_BATCH_MS, type Consumer } from '../audio/fanout.js';
import { LevelMeter } from '../audio/meters.js';
import { Capture } from '../capture/capture.js';
import { EncoderRunner } from '../stream/encoder-runner.js';
import { LiveListenCore } from '../live-listen/live-listen-core.js';
import { bytesPerFrame, bytesPerMs, type EncoderConfig } from '../types.js';
import { DeadAir } from '../fallback/dead-air.js';
import { ffmpegBinary } from '../stream/ffmpeg/ffmpeg-argv.js';
import type { AudioCommand, AudioReport, AudioWorkerInit, RunnerReport } from './protocol.js';

export const LEVELS_INTERVAL_MS = 100;
/** How often encoder counters (bytes sent, queue fill, uptime) reach the control thread. */
export const SNAPSHOT_INTERVAL_MS = 500;
/**
 * How long the control thread may stall before its recorders lose audio: the relay holds the PCM here,
 * in the worker, until the control thread takes it. 30 s of 48 kHz stereo S16 is 5.8 MB.
 */
export const RELAY_QUEUE_MS = 30_000;
/** Chunks on their way to the control thread at once: a stalled control thread leaves the rest queued here. */
export const RELAY_WINDOW = 4;

type Post = (report: AudioReport, transfer?: ArrayBuffer[]) => void;

/** The fallback switch's queue on the programme fan-out: it passes each chunk on at once, so this is slack only. */
const SWITCH_QUEUE_MS = 1000;

interface RunnerEntry {
  runner: EncoderRunner;
  password: string;
  config: EncoderConfig;
  /** Which fan-out feeds it: the programme, or the fallback switch's (on_silence "fallback"). */
  bus: FanOut;
}

export class AudioCore {
  private readonly fanout: FanOut;
  /** A 4-channel capture's channels 3/4, for live listen's aux1 (null with 1 or 2 channels). */
  private readonly auxFanout: FanOut | null;
  /** The encoders with on_silence "fallback": fed by the fallback switch, a consumer of the programme fan-out. */
  private readonly airFanout: FanOut;
  private airSwitch: Consumer | null = null;
  private readonly deadAir: DeadAir;
  /** on_silence "stop" encoders taken off air by the silence alarm, to go back on when it clears. */
  private readonly heldOff = new Set<number>();
  private readonly meter: LevelMeter;
  private capture: Capture;
  private readonly runners = new Map<number, RunnerEntry>();
  /** Live listen: the engineer's headphones and the network listeners' PCM. */
  private readonly liveListen: LiveListenCore;
  private relay: Consumer | null = null;
  /** The fan-out the relay is on: the programme, or the fallback switch's with record_fallback. */
  private relayFanout: FanOut | null = null;
  private recordFallback = false;
  private relayInFlight = 0;
  private levelsAt = 0;
  private publishedAtMs = Date.now();
  private snapshotTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly init: AudioWorkerInit,
    private readonly post: Post,
  ) {
    this.fanout = new FanOut(init.format);
    this.auxFanout = init.captureChannels === 4 ? new FanOut(init.format) : null;
    this.airFanout = new FanOut(init.format);
    this.meter = new LevelMeter(init.format);
    this.deadAir = new DeadAir({
      format: init.format,
      ffmpeg: ffmpegBinary,
      auxFanout: this.auxFanout,
      fallbackWanted: () => (this.recordFallback && this.relay !== null) || [...this.runners.values()].some((e) => e.bus === this.airFanout && e.runner.active),
      silence: (active) => this.silenceStops(active),
      changed: () => this.postDeadAir(),
    });
    this.capture = this.makeCapture(init.device, 0);
    this.liveListen = new LiveListenCore({
      fanout: this.fanout,
      auxFanout: this.auxFanout,
      format: init.format,
      tapEncoder: (id, onData) => this.runners.get(id)?.runner.tapEncoded(onData) ?? null,
      onStatus: (status) => this.post({ type: 'live_listen_status', status }),
      onNetworkPcm: (pcm) => {
        const copy = new Uint8Array(pcm.length);
        copy.set(pcm);
        this.post({ type: 'live_pcm', pcm: copy }, [copy.buffer as ArrayBuffer]);
      },
    });
  }

  /** `startFrames`: a capture that replaces another goes on counting frames where it stopped (the recorders' frame numbers). */
  private makeCapture(device: string, startFrames: number): Capture {
    return new Capture({
      device,
      format: this.init.format,
      captureChannels: this.init.captureChannels,
      env: this.init.captureEnv,
      startFrames,
      onChunk: (chunk, aux) => {
        this.meter.feed(chunk);
        this.maybePostLevels();
        this.publishedAtMs = Date.now();
        // What the encoders made of their last write, read while the worker is awake for this chunk, and
        // before the chunk goes out (a write it causes is read at the next one, when it has been encoded).
        for (const entry of this.runners.values()) entry.runner.poll();
        // The aux pair first: the fallback switch (a programme consumer) reads the same frames' aux at once.
        if (aux) this.auxFanout?.publish(aux);
        this.fanout.publish(chunk);
      },
      onStatus: (status) => this.post({ type: 'capture_status', status }),
    });
  }

  /**
   * Another input for the same format: the old capture stops and the new one starts, opening on silence as
   * every capture does, so the encoders stay connected and only the capture restarts.
   */
  private async switchCapture(device: string): Promise<void> {
    const old = this.capture;
    await old.stop();
    this.init.device = device;
    this.capture = this.makeCapture(device, old.frames);
    this.capture.start();
  }

  async handle(cmd: AudioCommand): Promise<void> {
    switch (cmd.type) {
      case 'start':
        this.capture.start();
        this.snapshotTimer = setInterval(() => this.postSnapshot(), SNAPSHOT_INTERVAL_MS);
        return;
      case 'shutdown':
        return this.reply(cmd.reqId, () => this.shutdown());
      case 'runner_start':
        // An operator's start wins over a silence hold: it is on air from now on.
        if (this.heldOff.delete(cmd.id)) this.postDeadAir();
        this.entry(cmd.id, cmd.config, cmd.password).runner.start();
        return;
      case 'runner_stop':
        return this.reply(cmd.reqId, async () => {
          if (this.heldOff.delete(cmd.id)) this.postDeadAir();
          await this.runners.get(cmd.id)?.runner.stop();
          if (cmd.forget) this.runners.delete(cmd.id);
        });
      case 'runner_reconfigure':
        return this.reply(cmd.reqId, async () => {
          let entry = this.entry(cmd.id, cmd.config, cmd.password);
          entry.password = cmd.password;
          if (entry.bus !== this.busFor(cmd.config)) {
            // A new on_silence moves it to the other fan-out: a new runner there (a reconfigure restarts it anyway).
            const wasActive = entry.runner.active;
            await entry.runner.stop();
            this.runners.delete(cmd.id);
            entry = this.entry(cmd.id, cmd.config, cmd.password);
            if (wasActive) entry.runner.start();
            return;
          }
          entry.config = cmd.config;
          await entry.runner.reconfigure(cmd.config);
        });
      case 'runner_tags':
        this.runners.get(cmd.id)?.runner.setStreamTags(cmd.track);
        return;
      case 'runner_kill':
        this.runners.get(cmd.id)?.runner.killProcess();
        return;
      case 'relay':
        this.setRelay(cmd.on);
        return;
      case 'relay_ack':
        this.relayInFlight = Math.max(0, this.relayInFlight - cmd.count);
        this.pumpRelay();
        return;
      case 'capture_device':
        return this.reply(cmd.reqId, () => this.switchCapture(cmd.device));
      case 'kill_capture':
        this.capture.killDevice();
        return;
      case 'live_listen':
        await this.liveListen.setPlan(cmd.plan);
        return;
      case 'live_listen_kill':
        this.liveListen.killOutput();
        return;
      case 'dead_air':
        this.deadAir.configure(cmd.plan);
        this.setRecordFallback(cmd.plan.recordFallback);
        return;
      case 'fallback_release':
        this.deadAir.release();
        return;
    }
  }

  async shutdown(): Promise<void> {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.snapshotTimer = null;
    await Promise.all([...this.runners.values()].map((e) => e.runner.stop()));
    await this.deadAir.stop();
    await this.liveListen.stop();
    this.setRelay(false);
    await this.capture.stop();
  }

  private entry(id: number, config: EncoderConfig, password: string): RunnerEntry {
    let entry = this.runners.get(id);
    if (!entry) {
      const bus = this.busFor(config);
      if (bus === this.airFanout) this.ensureAirSwitch();
      const created: RunnerEntry = {
        password,
        config,
        bus,
        runner: new EncoderRunner(config, {
          fanout: bus,
          captureFormat: () => this.init.format,
          password: () => created.password,
          runDir: this.init.runDir,
          onStatus: (_status, previous) => this.post({ type: 'runner_status', report: this.report(created.runner), previous }),
        }),
      };
      entry = created;
      this.runners.set(id, entry);
    }
    return entry;
  }

  private busFor(config: EncoderConfig): FanOut {
    return config.on_silence === 'fallback' ? this.airFanout : this.fanout;
  }

  /** The fallback switch: a consumer of the programme that passes each chunk, or the fallback in its place, to the fallback encoders. */
  private ensureAirSwitch(): void {
    if (this.airSwitch) return;
    const consumer = this.fanout.add('fallback-switch', SWITCH_QUEUE_MS, () => {
      let chunk: Buffer | undefined;
      while ((chunk = consumer.queue.shift())) this.airFanout.publish(this.deadAir.process(chunk));
    });
    this.airSwitch = consumer;
  }

  /** on_silence "stop": off air while the silence alarm holds, back on air when it clears. */
  private silenceStops(silent: boolean): void {
    if (silent) {
      for (const [id, e] of this.runners) {
        if (e.config.on_silence !== 'stop' || !e.runner.active) continue;
        this.heldOff.add(id);
        void e.runner.stop();
      }
    } else {
      for (const id of this.heldOff) this.runners.get(id)?.runner.start();
      this.heldOff.clear();
    }
    this.postDeadAir();
  }

  private postDeadAir(): void {
    this.post({ type: 'dead_air', report: this.deadAir.report(), heldOff: [...this.heldOff] });
  }

  private report(runner: EncoderRunner): RunnerReport {
    return { status: runner.status(), state: runner.state, link: runner.link() };
  }

  private async reply(reqId: number, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.post({ type: 'reply', reqId });
    } catch (err) {
      this.post({ type: 'reply', reqId, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private maybePostLevels(): void {
    const now = performance.now();
    if (now - this.levelsAt < LEVELS_INTERVAL_MS - 5) return;
    this.levelsAt = now;
    const channels = this.meter.read();
    this.post({ type: 'levels', channels, capture: this.capture.status().state });
    this.deadAir.levels(channels);
  }

  private postSnapshot(): void {
    this.post({
      type: 'snapshot',
      runners: [...this.runners.values()].map((e) => this.report(e.runner)),
      queues: [...this.fanout.stats(), ...this.airFanout.stats()],
      capture: this.capture.status(),
    });
    this.postDeadAir();
  }

  // --- the relay to the control thread's consumers ------------------------------------------

  private setRelay(on: boolean): void {
    if (on && !this.relay) {
      this.relayInFlight = 0;
      this.relayFanout = this.recordFallback ? this.airFanout : this.fanout;
      this.relay = this.relayFanout.add('relay', RELAY_QUEUE_MS, () => this.pumpRelay(), WRITE_BATCH_MS);
    } else if (!on && this.relay) {
      this.relayFanout?.remove(this.relay.name);
      this.relay = null;
      this.relayFanout = null;
    }
  }

  /** record_fallback: the recorders take what the fallback encoders air instead of the programme. */
  private setRecordFallback(on: boolean): void {
    if (on === this.recordFallback) return;
    this.recordFallback = on;
    if (on) this.ensureAirSwitch();
    const old = this.relay;
    if (!old) return;
    // Moved with what it holds, so the recorders lose nothing at the change.
    this.relayFanout?.remove(old.name);
    this.relayFanout = on ? this.airFanout : this.fanout;
    const moved = this.relayFanout.add('relay', RELAY_QUEUE_MS, () => this.pumpRelay(), WRITE_BATCH_MS);
    let chunk: Buffer | undefined;
    while ((chunk = old.queue.shift())) moved.queue.push(chunk);
    this.relay = moved;
  }

  /** Each chunk carries the wall time its last frame was captured, so a recorder's clock never sees a stall as a step. */
  private pumpRelay(): void {
    const relay = this.relay;
    if (!relay) return;
    const perMs = bytesPerMs(this.init.format);
    let chunk: Buffer | undefined;
    while (this.relayInFlight < RELAY_WINDOW && (chunk = relay.queue.shift())) {
      // The newest queued frame was captured at the last publish; this chunk ends what is still queued before that.
      const capturedAtMs = this.publishedAtMs - relay.queue.bytes / perMs;
      // The queue holds the newest frames; those in it and this chunk are the last ones the capture delivered.
      const frame = this.capture.frames - (relay.queue.bytes + chunk.length) / bytesPerFrame(this.init.format);
      const pcm = new Uint8Array(chunk.length);
      pcm.set(chunk);
      this.relayInFlight++;
      this.post({ type: 'chunk', pcm, capturedAtMs, frame }, [pcm.buffer as ArrayBuffer]);
    }
  }
}
