// Listener statistics as one engine feature: the collector's results become snapshots, events and
// the latest count per encoder; the store's history becomes graph series; retention runs hourly.
// The engine hands in what it owns (database, settings, which encoders are on air, its emitter).
import type BetterSqlite3 from 'better-sqlite3';
import type { SettingsStore } from '../db/settings-store.js';
import { ListenerCollector } from './collector.js';
import { HOUR_MS, buildSeries, planRetention, seriesWindow, type Period, type SeriesPoint } from './downsample.js';
import type { HttpGetter } from './http-get.js';
import { ListenerStore, type RetentionResult } from './listener-store.js';
import type { StatsTarget } from './server-probe.js';
import { describeFailure, type PollResult } from './types.js';
import { log } from '../log.js';

const debug = log('stats');

export const POLL_SECS_KEY = 'stats_poll_secs';
export const DEFAULT_POLL_SECS = 30;
export const MIN_POLL_SECS = 5;
export const MAX_POLL_SECS = 3600;

/** The `listener_count_updated` event, sent after every poll of every encoder on air. */
export interface ListenerUpdate {
  encoderId: number;
  /** null when this poll could not measure (then `error` says why). */
  count: number | null;
  peak: number | null;
  at: string;
  error: string | null;
}

/** GET /api/encoders/:id/listeners/current. */
export interface CurrentListeners {
  encoder_id: number;
  current: number | null;
  peak: number | null;
  unique: number | null;
  bitrate: number | null;
  at: string | null;
  error: string | null;
  /** true: from this engine's latest poll; false: the newest stored snapshot (encoder not on air). */
  live: boolean;
}

export interface ListenerSeries {
  encoder_id: number;
  period: Period;
  step_secs: number;
  from: string;
  to: string;
  points: SeriesPoint[];
}

export interface ListenerStatsDeps {
  db: BetterSqlite3.Database;
  settings: SettingsStore;
  targets: () => StatsTarget[];
  emit: (update: ListenerUpdate) => void;
  /** Overrides the stored setting without its minimum (tests poll every second). */
  pollSecsOverride?: number;
  timeoutMs?: number;
  get?: HttpGetter;
  now?: () => number;
}

export type PollSecsCheck = { ok: true; value: number } | { ok: false; message: string };

export function checkPollSecs(v: unknown): PollSecsCheck {
  const range = `must be a whole number of seconds from ${MIN_POLL_SECS} to ${MAX_POLL_SECS}`;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_POLL_SECS || v > MAX_POLL_SECS) return { ok: false, message: range };
  return { ok: true, value: v };
}

export class ListenerStats {
  readonly store: ListenerStore;
  private readonly collector: ListenerCollector;
  private readonly latest = new Map<number, CurrentListeners>();
  private retentionTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: ListenerStatsDeps) {
    this.now = deps.now ?? Date.now;
    this.store = new ListenerStore(deps.db);
    this.collector = new ListenerCollector({
      targets: () => this.targets(),
      pollSecs: () => this.pollSecs(),
      onResult: (target, result, atMs) => this.record(target, result, atMs),
      timeoutMs: deps.timeoutMs,
      get: deps.get,
      now: this.now,
    });
  }

  start(): void {
    this.collector.start();
    this.runRetention();
    this.retentionTimer = setInterval(() => this.runRetention(), HOUR_MS);
  }

  async stop(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    await this.collector.stop();
  }

  /** The poll interval in force: the test override, else the stored setting if valid, else 30 s. */
  pollSecs(): number {
    if (this.deps.pollSecsOverride !== undefined) return this.deps.pollSecsOverride;
    const stored = checkPollSecs(this.deps.settings.get<unknown>(POLL_SECS_KEY, DEFAULT_POLL_SECS));
    return stored.ok ? stored.value : DEFAULT_POLL_SECS;
  }

  setPollSecs(v: unknown): PollSecsCheck {
    const checked = checkPollSecs(v);
    if (checked.ok) {
      this.deps.settings.set(POLL_SECS_KEY, checked.value);
      this.collector.reschedule();
    }
    return checked;
  }

  /** The latest poll's numbers for an encoder on air, for the status object; null when not polled. */
  latestFor(encoderId: number): CurrentListeners | null {
    return this.latest.get(encoderId) ?? null;
  }

  current(encoderId: number): CurrentListeners {
    const live = this.latest.get(encoderId);
    if (live) return live;
    const stored = this.store.latest(encoderId);
    return { encoder_id: encoderId, current: stored?.current ?? null, peak: stored?.peak ?? null, unique: stored?.unique ?? null, bitrate: stored?.bitrate ?? null, at: stored?.at ?? null, error: null, live: false };
  }

  history(encoderId: number, period: Period): ListenerSeries {
    const window = seriesWindow(period, this.now());
    const points = buildSeries(this.store.samples(encoderId, window.fromMs, window.toMs), window);
    return { encoder_id: encoderId, period, step_secs: window.stepSecs, from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString(), points };
  }

  /** Rolls up and deletes old history (hourly, and once at start). */
  runRetention(nowMs: number = this.now()): RetentionResult | null {
    try {
      const result = this.store.applyRetention(planRetention(nowMs));
      debug('retention: %o', result);
      return result;
    } catch (err) {
      debug('retention failed: %s', (err as Error).message);
      return null;
    }
  }

  /** Polls now (tests and an operator's "refresh"). */
  pollNow(): Promise<void> {
    return this.collector.pollNow();
  }

  private targets(): StatsTarget[] {
    const targets = this.deps.targets();
    const live = new Set(targets.map((t) => t.encoderId));
    // An encoder off air has no current count; /current then falls back to its last stored snapshot.
    for (const id of this.latest.keys()) if (!live.has(id)) this.latest.delete(id);
    return targets;
  }

  private record(target: StatsTarget, result: PollResult, atMs: number): void {
    const at = new Date(atMs).toISOString();
    const id = target.encoderId;
    if (result.kind === 'ok') {
      this.store.add(id, atMs, result);
      this.latest.set(id, { encoder_id: id, current: result.current, peak: result.peak, unique: result.unique, bitrate: result.bitrate, at, error: null, live: true });
      this.deps.emit({ encoderId: id, count: result.current, peak: result.peak, at, error: null });
      return;
    }
    const error = describeFailure(result);
    this.latest.set(id, { encoder_id: id, current: null, peak: null, unique: null, bitrate: null, at, error, live: true });
    this.deps.emit({ encoderId: id, count: null, peak: null, at, error });
  }
}

