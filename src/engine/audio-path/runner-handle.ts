// One stream encoder as the control thread sees it: commands to the audio worker, its last report back.
// The on-air list is right at once: a start counts as active until the worker confirms or refuses it.
import { idleEncoderStatus, type EncoderStatus } from '../stream/encoder-runner.js';
import type { MachineState } from '../stream/state-machine.js';
import type { Track } from '../metadata/types.js';
import type { EncoderConfig } from '../types.js';
import type { AudioCommand, RunnerLink, RunnerReport } from './protocol.js';

/** The worker's command line: a command sent, or one whose completion is awaited. */
export interface CommandChannel {
  send(cmd: AudioCommand): void;
  request(make: (reqId: number) => AudioCommand): Promise<void>;
}

const idleState: MachineState = { name: 'disabled', attempt: 0, sinceMs: 0, nextRetryAtMs: null, lastError: null, streamingSinceMs: null };

/** One stream encoder as the control thread sees it: commands out, the worker's last report in. */
export class RunnerHandle {
  private report: RunnerReport | null = null;
  /** Started here, not yet confirmed by the worker: counts as active so the on-air list is right at once. */
  private starting = false;
  /** Whether the operator wants it on air: a restarted worker starts these again. */
  wanted = false;

  constructor(
    private config: EncoderConfig,
    private readonly path: CommandChannel,
    private readonly password: () => string,
  ) {}

  get id(): number {
    return this.config.id;
  }

  get state(): MachineState {
    return this.report?.state ?? idleState;
  }

  get active(): boolean {
    if (this.starting) return true;
    const name = this.report?.state.name ?? 'disabled';
    return name !== 'disabled' && name !== 'failed';
  }

  start(): void {
    if (this.active) return;
    this.starting = true;
    this.wanted = true;
    this.path.send({ type: 'runner_start', id: this.id, config: this.config, password: this.password() });
  }

  async stop(forget = false): Promise<void> {
    this.wanted = false;
    this.starting = false;
    await this.path.request((reqId) => ({ type: 'runner_stop', id: this.id, forget, reqId }));
  }

  async reconfigure(config: EncoderConfig): Promise<void> {
    this.config = config;
    await this.path.request((reqId) => ({ type: 'runner_reconfigure', id: this.id, config, password: this.password(), reqId }));
  }

  setStreamTags(track: Track | null): void {
    this.path.send({ type: 'runner_tags', id: this.id, track });
  }

  link(): RunnerLink {
    return this.report?.state.name === 'streaming' ? this.report.link : null;
  }

  killProcess(): void {
    this.path.send({ type: 'runner_kill', id: this.id });
  }

  status(): EncoderStatus {
    return this.report?.status ?? idleEncoderStatus(this.config, Date.now());
  }

  /** @internal the worker's news: a change of state (which confirms a start), or the periodic counters. */
  reported(report: RunnerReport, stateChange: boolean): void {
    this.report = report;
    if (stateChange) this.starting = false;
  }

  /** @internal the worker is gone: nothing of it is running. */
  lost(): void {
    this.report = null;
    this.starting = false;
  }

  /** @internal a new worker: put it back on air if the operator wanted it. */
  restore(): void {
    if (!this.wanted) return;
    this.starting = true;
    this.path.send({ type: 'runner_start', id: this.id, config: this.config, password: this.password() });
  }
}
