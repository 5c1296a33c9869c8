// The dead-air sensor and what it does about it, as it runs in the audio worker: the detectors on every
// meter window, the fallback audio for the encoders that opt in, and the encoders taken off air during
// silence (on_silence "stop"). Nothing here touches the capture loop: it reads the meters after each
// chunk and decides what the fallback encoders' own fan-out gets.
import type { ChannelLevel } from '../audio/meters.js';
import { INITIAL_DETECTORS, silentSecs, stepDetectors, type DetectorSettings, type DetectorState } from '../alarms/detectors.js';
import type { PcmFormat } from '../types.js';
import { AirSwitch } from './air-switch.js';
import { FallbackSource, type FallbackSourceStatus } from './fallback-source.js';
import { AuxFallbackSource } from './aux-source.js';
import type { FanOut } from '../audio/fanout.js';

/** What the switch plays instead of the programme: a folder's files, or the capture's channels 3/4. */
type Fallback = Pick<FallbackSource, 'running' | 'start' | 'stop' | 'read' | 'status'>;

const RETRY_START_MS = 5000;

export interface DeadAirPlan {
  detectors: DetectorSettings;
  /** "folder": the files in fallbackDir; "aux1": the capture's channels 3/4 (a 4-channel capture). */
  fallbackSource: 'folder' | 'aux1';
  fallbackDir: string | null;
  fallbackOrder: 'in_order' | 'shuffle';
  crossfadeMs: number;
  autoReturn: boolean;
  /** The recorders record what the fallback encoders air (the fallback during silence), not the programme. */
  recordFallback: boolean;
}

export interface FallbackStatus {
  /** The fallback encoders carry the fallback now (or are fading to it). */
  active: boolean;
  since: string | null;
  /** Silence is over but auto_return is off: on the fallback until an operator releases it. */
  held: boolean;
  source: FallbackSourceStatus | null;
}

export interface DeadAirReport {
  detectors: DetectorState;
  silentSecs: number;
  fallback: FallbackStatus;
}

export interface DeadAirHooks {
  format: PcmFormat;
  ffmpeg: () => string;
  /** A 4-channel capture's channels 3/4 (null with 1 or 2 channels), for fallback_source "aux1". */
  auxFanout: FanOut | null;
  /** Whether any encoder streams through the fallback switch now (no decoder runs for nobody). */
  fallbackWanted: () => boolean;
  /** The silence alarm was raised (true) or cleared (false): the on_silence "stop" encoders go off / on air. */
  silence: (active: boolean) => void;
  /** Something the control thread shows changed. */
  changed: () => void;
  now?: () => number;
}

export class DeadAir {
  private plan: DeadAirPlan | null = null;
  private state: DetectorState = INITIAL_DETECTORS;
  private readonly air: AirSwitch;
  private source: Fallback | null = null;
  private sinceMs: number | null = null;
  private held = false;
  private lastStartMs = -Infinity;
  private readonly now: () => number;

  constructor(private readonly hooks: DeadAirHooks) {
    this.air = new AirSwitch(hooks.format, 0);
    this.now = hooks.now ?? Date.now;
  }

  configure(plan: DeadAirPlan): void {
    const sourceChanged = plan.fallbackSource !== this.plan?.fallbackSource || plan.fallbackDir !== this.plan?.fallbackDir || plan.fallbackOrder !== this.plan?.fallbackOrder;
    this.plan = plan;
    this.air.setFadeMs(plan.crossfadeMs);
    if (sourceChanged) {
      const old = this.source;
      this.source = this.makeSource(plan);
      void old?.stop();
      this.lastStartMs = -Infinity;
      if (this.air.source === 'fallback' && !this.source) this.toProgramme();
    }
    if (plan.autoReturn && this.held) this.release();
    this.hooks.changed();
  }

  private makeSource(plan: DeadAirPlan): Fallback | null {
    if (plan.fallbackSource === 'aux1') return new AuxFallbackSource({ fanout: this.hooks.auxFanout, format: this.hooks.format });
    return plan.fallbackDir ? new FallbackSource({ dir: plan.fallbackDir, order: plan.fallbackOrder, format: this.hooks.format, ffmpeg: this.hooks.ffmpeg }) : null;
  }

  /** One meter window, read now. */
  levels(levels: readonly ChannelLevel[]): void {
    if (!this.plan) return;
    const nowMs = this.now();
    const prev = this.state;
    this.state = stepDetectors(prev, levels, nowMs, this.plan.detectors);
    const wasSilent = prev.silence.active;
    const silent = this.state.silence.active;
    if (silent && !wasSilent) {
      if (this.source && this.hooks.fallbackWanted()) this.toFallback(nowMs);
      this.hooks.silence(true);
    } else if (!silent && wasSilent) {
      if (this.air.source === 'fallback') {
        if (this.plan.autoReturn) this.toProgramme();
        else this.held = true;
      }
      this.hooks.silence(false);
    }
    this.keepDecoder();
    if (this.state !== prev) this.hooks.changed();
  }

  /** An operator ends a held fallback (auto_return off). */
  release(): void {
    if (this.air.source !== 'fallback' || this.state.silence.active) return;
    this.toProgramme();
    this.hooks.changed();
  }

  /** The chunk the fallback encoders get for this programme chunk. */
  process(programme: Buffer): Buffer {
    const source = this.source;
    if (!source) return programme;
    return this.air.process(programme, (n) => source.read(n));
  }

  report(): DeadAirReport {
    return {
      detectors: this.state,
      silentSecs: silentSecs(this.state, this.now()),
      fallback: {
        active: this.air.source === 'fallback',
        since: this.sinceMs === null ? null : new Date(this.sinceMs).toISOString(),
        held: this.held,
        source: this.source?.status() ?? null,
      },
    };
  }

  async stop(): Promise<void> {
    await this.source?.stop();
  }

  private toFallback(nowMs: number): void {
    this.air.select('fallback');
    this.sinceMs = this.state.silence.sinceMs ?? nowMs;
    this.held = false;
  }

  private toProgramme(): void {
    this.air.select('programme');
    this.sinceMs = null;
    this.held = false;
  }

  /** The decoder runs from the first silent window (so the fallback is ready when the alarm is raised) until the fade back ends. */
  private keepDecoder(): void {
    const source = this.source;
    if (!source) return;
    const needed = this.hooks.fallbackWanted() && (this.state.silence.sinceMs !== null || this.air.source === 'fallback' || this.air.fading);
    if (needed && !source.running) {
      // A folder that cannot be read is tried again every few seconds, not on every window.
      const nowMs = this.now();
      if (nowMs - this.lastStartMs < RETRY_START_MS) return;
      this.lastStartMs = nowMs;
      void source.start().then(() => this.hooks.changed());
    }
    else if (!needed && source.running) void source.stop().then(() => this.hooks.changed());
  }
}
