// Pure time-series arithmetic for listener history: rolling samples into buckets, deciding what the
// hourly retention run rolls up or deletes, and shaping a period into at most MAX_POINTS graph points.
// Everything takes `now` (ms) as an argument; the SQL lives in listener-store.ts.

/** Raw snapshots, or a stored bucket: counts over `samples` polls starting at `t` (ms). */
export interface Sample {
  encoderId: number;
  t: number;
  samples: number;
  currentSum: number;
  currentMax: number;
  peakMax: number;
  uniqueMax: number;
  bitrate: number | null;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const FIVE_MIN_SECS = 300;
export const HOUR_SECS = 3600;

export interface RetentionPolicy {
  /** Raw polls are kept this long, then rolled into 5-minute buckets. */
  rawMs: number;
  /** 5-minute buckets are kept this long, then rolled into 1-hour buckets. */
  fiveMinMs: number;
  /** 1-hour buckets older than this are deleted. */
  hourMs: number;
}

// A year of history for 8 encoders polled every 30 s is 7.6 MB after VACUUM (measured through this
// code by test/engine/stats/year-size.test.ts): half of it the last 48 h of raw polls.
export const RETENTION: RetentionPolicy = { rawMs: 2 * DAY_MS, fiveMinMs: 30 * DAY_MS, hourMs: 365 * DAY_MS };

/** Cutoffs (ms) for one retention run: everything strictly before each is rolled or deleted. */
export interface RetentionPlan {
  rollRawBefore: number;
  rollFiveMinBefore: number;
  deleteHourBefore: number;
}

/**
 * Cutoffs aligned to the target bucket, so a run never splits a bucket between raw and rolled data:
 * each 5-minute bucket is rolled whole, each 1-hour bucket whole.
 */
export function planRetention(nowMs: number, policy: RetentionPolicy = RETENTION): RetentionPlan {
  const floorTo = (t: number, stepMs: number): number => Math.floor(t / stepMs) * stepMs;
  return {
    rollRawBefore: floorTo(nowMs - policy.rawMs, FIVE_MIN_SECS * 1000),
    rollFiveMinBefore: floorTo(nowMs - policy.fiveMinMs, HOUR_MS),
    deleteHourBefore: floorTo(nowMs - policy.hourMs, HOUR_MS),
  };
}

/** A raw snapshot as a one-poll sample. */
export function rawSample(encoderId: number, t: number, current: number, peak: number, unique: number, bitrate: number | null): Sample {
  return { encoderId, t, samples: 1, currentSum: current, currentMax: current, peakMax: peak, uniqueMax: unique, bitrate };
}

function merge(into: Sample, s: Sample): void {
  into.samples += s.samples;
  into.currentSum += s.currentSum;
  into.currentMax = Math.max(into.currentMax, s.currentMax);
  into.peakMax = Math.max(into.peakMax, s.peakMax);
  into.uniqueMax = Math.max(into.uniqueMax, s.uniqueMax);
  if (s.bitrate !== null) into.bitrate = into.bitrate === null ? s.bitrate : Math.max(into.bitrate, s.bitrate);
}

/**
 * Rolls samples into buckets of `bucketSecs` aligned to the Unix epoch, per encoder. Sums add up
 * (so the average stays exact however often it is rolled), maxima stay maxima. Sorted by encoder, then time.
 */
export function rollUp(samples: readonly Sample[], bucketSecs: number): Sample[] {
  const stepMs = bucketSecs * 1000;
  const buckets = new Map<string, Sample>();
  for (const s of samples) {
    const t = Math.floor(s.t / stepMs) * stepMs;
    const key = `${s.encoderId}:${t}`;
    const b = buckets.get(key);
    if (b) merge(b, s);
    else buckets.set(key, { ...s, t });
  }
  return [...buckets.values()].sort((a, b) => a.encoderId - b.encoderId || a.t - b.t);
}

// --- graph series -------------------------------------------------------------------------------

export const PERIODS = { '1h': HOUR_MS, '6h': 6 * HOUR_MS, '24h': DAY_MS, '7d': 7 * DAY_MS } as const;
export type Period = keyof typeof PERIODS;
export const MAX_POINTS = 400;
/** Graph steps: the smallest that keeps a period within MAX_POINTS is used. */
export const STEP_LADDER_SECS = [10, 30, 60, 300, 900, 1800, 3600, 21600, 86400] as const;

export function isPeriod(v: unknown): v is Period {
  return typeof v === 'string' && Object.hasOwn(PERIODS, v);
}

/** 1h → 10 s, 6h → 60 s, 24h → 300 s, 7d → 1800 s. */
export function stepSecsFor(periodMs: number): number {
  const minSecs = periodMs / 1000 / MAX_POINTS;
  return STEP_LADDER_SECS.find((s) => s >= minSecs) ?? 86400;
}

export interface SeriesPoint {
  /** Start of the bucket, ISO 8601 UTC. */
  t: string;
  /** Average listeners over the bucket's polls (two decimals). */
  current: number;
  /** Most listeners seen by any poll in the bucket. */
  current_max: number;
  /** The server's peak (since the source connected), highest in the bucket. */
  peak: number;
}

export interface SeriesWindow {
  fromMs: number;
  toMs: number;
  stepSecs: number;
}

/**
 * The window for a period ending at `nowMs`: the end is rounded up to a whole step, so buckets are
 * epoch-aligned (a graph refreshed every poll does not shift its buckets) and there are exactly
 * period / step of them (≤ MAX_POINTS).
 */
export function seriesWindow(period: Period, nowMs: number): SeriesWindow {
  const periodMs = PERIODS[period];
  const stepSecs = stepSecsFor(periodMs);
  const stepMs = stepSecs * 1000;
  const toMs = Math.ceil((nowMs + 1) / stepMs) * stepMs;
  return { fromMs: toMs - periodMs, toMs, stepSecs };
}

/** Buckets the samples inside the window into points; empty buckets are left out (a gap = no data). */
export function buildSeries(samples: readonly Sample[], window: SeriesWindow): SeriesPoint[] {
  const inside = samples.filter((s) => s.t >= window.fromMs && s.t < window.toMs && s.samples > 0);
  return rollUp(
    inside.map((s) => ({ ...s, encoderId: 0 })),
    window.stepSecs,
  ).map((b) => ({
    t: new Date(b.t).toISOString(),
    current: Math.round((b.currentSum / b.samples) * 100) / 100,
    current_max: b.currentMax,
    peak: b.peakMax,
  }));
}
