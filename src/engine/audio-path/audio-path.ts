// The control thread's end of the audio path. The capture, the fan-out, the meters and every stream
// encoder (ffmpeg's stdin and stdout and the server connection) run in a worker thread of their own
// (audio-core.ts), so the main event loop (the HTTP API, SQLite, listener stats, title intake, SSE)
// can stall for seconds without an encoder missing a chunk or a server missing a byte. This side keeps
// mirrors of what the worker reports, so the engine's status reads stay synchronous, and a relayed
// fan-out for the consumers that live here (the recorders, which need SQLite and the storage
// service): their PCM waits in the worker, up to RELAY_QUEUE_MS, whenever this thread is busy.
import { EventEmitter } from 'node:events';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { ConsumerStats } from '../audio/fanout.js';
import type { ChannelLevel } from '../audio/meters.js';
import type { CaptureStatus } from '../capture/capture.js';
import type { EncoderStatus } from '../stream/encoder-runner.js';
import type { MachineState } from '../stream/state-machine.js';
import type { CaptureChannels, EncoderConfig } from '../types.js';
import { log } from '../log.js';
import type { AudioCommand, AudioReport, AudioWorkerInit } from './protocol.js';
import { RelayedFanOut } from './relayed-fanout.js';
import { RunnerHandle } from './runner-handle.js';
import type { DeadAirPlan, DeadAirReport } from '../fallback/dead-air.js';
import type { LiveListenPlan, LiveListenStatus } from '../live-listen/live-listen-core.js';

const debug = log('audio-path');
const SHUTDOWN_TIMEOUT_MS = 20_000;
const RESTART_DELAY_MS = 1000;

export interface AudioPathEvents {
  levels: [{ channels: ChannelLevel[]; capture: CaptureStatus['state'] }];
  capture_status: [CaptureStatus];
  runner_status: [EncoderStatus, MachineState, MachineState];
  /** The worker died (a bug, or out of memory); it is restarted with the encoders that were on air. */
  crashed: [string];
  /** The dead-air sensor's news: detectors, silence seconds, the fallback, the encoders held off air. */
  dead_air: [DeadAirReport, number[]];
  live_listen_status: [LiveListenStatus];
  /** The live listen source's PCM, while network listeners want it. */
  live_pcm: [Buffer];
}

/** The built engine runs audio-worker.js; from source, audio-worker-source.mjs registers tsx in the worker first. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./audio-worker-source.mjs', import.meta.url) : new URL('./audio-worker.js', import.meta.url);
}

export class AudioPath extends EventEmitter<AudioPathEvents> {
  /** The recorders' fan-out, fed from the worker through the relay. */
  readonly relayed: RelayedFanOut;
  private worker: Worker | null = null;
  private readonly handles = new Map<number, RunnerHandle>();
  private readonly pending = new Map<number, () => void>();
  private nextReqId = 1;
  private relayOn = false;
  private captured: CaptureStatus;
  private workerQueues: ConsumerStats[] = [];
  private levels: ChannelLevel[] = [];
  /** While a relayed chunk is being published: the wall time it was captured at (see captureClockMs). */
  private publishingCapturedAtMs: number | null = null;
  /** While a relayed chunk is being published: the capture frame of its first frame. */
  private publishingFrame: number | null = null;
  private stopping = false;
  private started = false;
  private deadAirPlan: DeadAirPlan | null = null;
  private liveListenPlan: LiveListenPlan | null = null;
  private deadAirReport: DeadAirReport | null = null;
  private heldOff: number[] = [];

  constructor(private readonly init: AudioWorkerInit) {
    super();
    this.relayed = new RelayedFanOut(init.format, (on) => this.setRelay(on), () => this.publishingFrame);
    this.captured = { device: init.device, format: init.format, state: 'stopped', error: null, restarts: 0, sinceMs: Date.now(), frames: 0, overruns: 0, overrunFrames: [] };
  }

  start(): void {
    this.started = true;
    this.spawn();
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    await this.endWorker();
  }

  /**
   * Asks the worker to stop its children (at most SHUTDOWN_TIMEOUT_MS) and ends the thread. It is gone
   * on purpose: this.worker is cleared first, so onWorkerGone does not take it for a crash.
   */
  private async endWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await Promise.race([
      this.request((reqId) => ({ type: 'shutdown', reqId })),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
    this.worker = null;
    await worker.terminate();
  }

  captureStatus(): CaptureStatus {
    return this.captured;
  }

  lastLevels(): ChannelLevel[] {
    return this.levels;
  }

  /** The queues of both threads: the worker's (encoders, the relay) and the recorders'. */
  queueStats(): ConsumerStats[] {
    return [...this.workerQueues, ...this.relayed.stats()];
  }

  /**
   * The wall clock for the recorders: while a relayed chunk is delivered, the time it was captured, so a
   * burst that waited out a stall of this thread is not mistaken for a step of the clock.
   */
  captureClockMs(): number {
    return this.publishingCapturedAtMs ?? Date.now();
  }

  /** Live listen's plan; kept for a restarted worker. */
  setLiveListenPlan(plan: LiveListenPlan): void {
    this.liveListenPlan = plan;
    this.send({ type: 'live_listen', plan });
  }

  /** Kills live listen's aplay as a crash would (tests). */
  killLiveListenOutput(): void {
    this.send({ type: 'live_listen_kill' });
  }

  /** The silence sensor's settings and the fallback audio; kept for a restarted worker. */
  setDeadAirPlan(plan: DeadAirPlan): void {
    this.deadAirPlan = plan;
    this.send({ type: 'dead_air', plan });
  }

  releaseFallback(): void {
    this.send({ type: 'fallback_release' });
  }

  /** The worker's last dead-air report (null until the worker has sent one). */
  deadAir(): DeadAirReport | null {
    return this.deadAirReport;
  }

  /** on_silence "stop" encoders off air because of silence: still on the operator's on-air list. */
  heldOffIds(): readonly number[] {
    return this.heldOff;
  }

  runner(config: EncoderConfig, password: () => string): RunnerHandle {
    let handle = this.handles.get(config.id);
    if (!handle) {
      handle = new RunnerHandle(config, this, password);
      this.handles.set(config.id, handle);
    }
    return handle;
  }

  existingRunner(id: number): RunnerHandle | undefined {
    return this.handles.get(id);
  }

  runners(): RunnerHandle[] {
    return [...this.handles.values()];
  }

  async removeRunner(id: number): Promise<void> {
    const handle = this.handles.get(id);
    if (!handle) return;
    await handle.stop(true);
    this.handles.delete(id);
  }

  /** Ends the worker as a crash would; it is restarted with the encoders that were on air (tests). */
  async simulateCrash(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Captures from another device in the same format: only the capture restarts; the encoders stay on air. */
  async setCaptureDevice(device: string): Promise<void> {
    this.init.device = device;
    await this.request((reqId) => ({ type: 'capture_device', device, reqId }));
  }

  /**
   * A new capture format: every consumer's PCM changes shape, so the worker is stopped and started again
   * with it, and the encoders that were on air come back on air (they reconnect).
   */
  async restartWithFormat(device: string, format: AudioWorkerInit['format'], captureChannels: CaptureChannels = format.channels): Promise<void> {
    this.init.device = device;
    this.init.format = format;
    this.init.captureChannels = captureChannels;
    this.relayed.setFormat(format);
    if (!this.worker) return;
    await this.endWorker();
    for (const handle of this.handles.values()) handle.lost();
    this.captured = { ...this.captured, device, format, state: 'opening', error: null, sinceMs: Date.now(), frames: 0, overruns: 0, overrunFrames: [] };
    if (!this.stopping && this.started) this.spawn();
  }

  /** Kills arecord as a failing sound card would (tests). */
  killCaptureDevice(): void {
    this.send({ type: 'kill_capture' });
  }

  /** @internal */
  send(cmd: AudioCommand): void {
    this.worker?.postMessage(cmd);
  }

  /** @internal a command the worker answers; resolves at once when there is no worker. */
  request(make: (reqId: number) => AudioCommand): Promise<void> {
    if (!this.worker) return Promise.resolve();
    const reqId = this.nextReqId++;
    return new Promise<void>((resolve) => {
      this.pending.set(reqId, resolve);
      this.worker!.postMessage(make(reqId));
    });
  }

  private setRelay(on: boolean): void {
    if (on === this.relayOn) return;
    this.relayOn = on;
    this.send({ type: 'relay', on });
  }

  private spawn(): void {
    // SHARE_ENV: the worker's children see the same environment as the rest of the engine.
    const worker = new Worker(workerEntry(), { workerData: this.init, env: SHARE_ENV });
    this.worker = worker;
    worker.on('message', (report: AudioReport) => this.onReport(report));
    worker.on('error', (err) => this.onWorkerGone(worker, `audio worker failed: ${err.message}`));
    worker.on('exit', (code) => this.onWorkerGone(worker, `audio worker exited with code ${code}`));
    worker.postMessage({ type: 'start' } satisfies AudioCommand);
    if (this.relayOn) worker.postMessage({ type: 'relay', on: true } satisfies AudioCommand);
    if (this.deadAirPlan) worker.postMessage({ type: 'dead_air', plan: this.deadAirPlan } satisfies AudioCommand);
    if (this.liveListenPlan) worker.postMessage({ type: 'live_listen', plan: this.liveListenPlan } satisfies AudioCommand);
    for (const handle of this.handles.values()) handle.restore();
  }

  private onWorkerGone(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const resolve of this.pending.values()) resolve();
    this.pending.clear();
    if (this.stopping) return;
    debug('%s; restarting it', why);
    for (const handle of this.handles.values()) handle.lost();
    this.captured = { ...this.captured, state: 'no_input', error: why, sinceMs: Date.now() };
    this.emit('crashed', why);
    setTimeout(() => {
      if (!this.stopping && this.started && !this.worker) this.spawn();
    }, RESTART_DELAY_MS).unref();
  }

  private onReport(report: AudioReport): void {
    switch (report.type) {
      case 'chunk':
        this.publishingCapturedAtMs = report.capturedAtMs;
        this.publishingFrame = report.frame;
        try {
          this.relayed.publish(Buffer.from(report.pcm.buffer, report.pcm.byteOffset, report.pcm.byteLength));
        } finally {
          this.publishingCapturedAtMs = null;
          this.publishingFrame = null;
        }
        this.send({ type: 'relay_ack', count: 1 });
        return;
      case 'levels':
        this.levels = report.channels;
        this.emit('levels', { channels: report.channels, capture: report.capture });
        return;
      case 'capture_status':
        this.captured = report.status;
        this.emit('capture_status', report.status);
        return;
      case 'runner_status': {
        const handle = this.handles.get(report.report.status.id);
        handle?.reported(report.report, true);
        this.emit('runner_status', report.report.status, report.previous, report.report.state);
        return;
      }
      case 'snapshot':
        this.workerQueues = report.queues;
        this.captured = report.capture;
        for (const r of report.runners) this.handles.get(r.status.id)?.reported(r, false);
        return;
      case 'live_listen_status':
        this.emit('live_listen_status', report.status);
        return;
      case 'live_pcm':
        this.emit('live_pcm', Buffer.from(report.pcm.buffer, report.pcm.byteOffset, report.pcm.byteLength));
        return;
      case 'dead_air':
        this.deadAirReport = report.report;
        this.heldOff = report.heldOff;
        this.emit('dead_air', report.report, report.heldOff);
        return;
      case 'reply': {
        const resolve = this.pending.get(report.reqId);
        this.pending.delete(report.reqId);
        if (report.error) debug('worker command %d failed: %s', report.reqId, report.error);
        resolve?.();
        return;
      }
    }
  }
}
