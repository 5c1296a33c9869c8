// Listener graph data: the API's per-encoder series, polls arriving live, and the aligned columns
// uPlot draws (one x array in seconds, one y array per encoder, null where there is no data). Pure.
import type { ListenerSeries } from './types.js';

export interface GraphPoint {
  /** Bucket start, ms since the epoch. */
  t: number;
  /** Average listeners over the bucket's polls. */
  avg: number;
  /** Most listeners any poll in the bucket saw. */
  max: number;
  /** Polls counted live into this bucket; null for a bucket as the API sent it (its poll count is unknown). */
  polls: number | null;
}

export interface GraphLine {
  id: number;
  stepMs: number;
  points: GraphPoint[];
}

export function lineFromApi(series: ListenerSeries): GraphLine {
  return {
    id: series.encoder_id,
    stepMs: series.step_secs * 1000,
    points: series.points.map((p) => ({ t: new Date(p.t).getTime(), avg: p.current, max: p.current_max, polls: null })),
  };
}

/**
 * Adds one poll to a line, in its bucket. Returns false when the poll falls into a bucket the API sent
 * (its average cannot be updated without its poll count): the caller refetches that line instead.
 */
export function addPoll(line: GraphLine, atMs: number, count: number): boolean {
  const bucket = Math.floor(atMs / line.stepMs) * line.stepMs;
  const last = line.points[line.points.length - 1];
  if (last && bucket < last.t) return false;
  if (last && bucket === last.t) {
    if (last.polls === null) return false;
    last.avg = (last.avg * last.polls + count) / (last.polls + 1);
    last.max = Math.max(last.max, count);
    last.polls += 1;
    return true;
  }
  line.points.push({ t: bucket, avg: count, max: count, polls: 1 });
  return true;
}

/** Drops points that have scrolled out of the window. */
export function trimBefore(line: GraphLine, fromMs: number): void {
  const first = line.points.findIndex((p) => p.t >= fromMs);
  if (first > 0) line.points.splice(0, first);
  else if (first < 0) line.points.length = 0;
}

export interface AlignedData {
  /** Seconds since the epoch (uPlot's time unit), ascending. */
  xs: number[];
  /** The buckets' width in seconds. */
  stepSecs: number;
  /** Per line: the average at each x, or null (no data: the line has a gap there). */
  avg: (number | null)[][];
  /** Per line: the maximum at each x, for the tooltip. */
  max: (number | null)[][];
}

/**
 * How far apart two points may be and still be joined by the line. Polls are often sparser than the graph's
 * buckets (every 30 s into 10 s buckets), so an empty bucket is not yet a gap: three times the line's usual
 * spacing (the median, at least one step) is.
 */
export function gapThresholdMs(line: GraphLine): number {
  const spacings = line.points.slice(1).map((p, i) => p.t - (line.points[i]?.t ?? p.t)).filter((d) => d > 0).sort((a, b) => a - b);
  const median = spacings[Math.floor(spacings.length / 2)] ?? line.stepMs;
  return 3 * Math.max(line.stepMs, median);
}

/**
 * Aligns lines on one time axis. A line with a hole longer than its gap threshold gets a null right after its
 * last point before the hole, so it is drawn with a gap instead of a straight line across time it has no data for.
 */
export function align(lines: readonly GraphLine[]): AlignedData {
  const perLine = lines.map((line) => {
    const values = new Map<number, GraphPoint | null>();
    const threshold = gapThresholdMs(line);
    line.points.forEach((p, i) => {
      values.set(p.t, p);
      const next = line.points[i + 1];
      if (next && next.t - p.t > threshold && !values.has(p.t + line.stepMs)) values.set(p.t + line.stepMs, null);
    });
    return values;
  });
  const times = new Set<number>();
  for (const values of perLine) for (const t of values.keys()) times.add(t);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    xs: sorted.map((t) => t / 1000),
    stepSecs: Math.max(1, ...lines.map((l) => l.stepMs / 1000)),
    avg: perLine.map((values) => sorted.map((t) => values.get(t)?.avg ?? null)),
    max: perLine.map((values) => sorted.map((t) => values.get(t)?.max ?? null)),
  };
}

/** The highest count in the data, for the y axis (at least 1, so an idle station still has a scale). */
export function maxCount(data: AlignedData): number {
  let max = 1;
  for (const row of data.max) for (const v of row) if (v !== null && v > max) max = v;
  return max;
}

/**
 * The value of line `i` nearest to row `idx`: the row itself, or a neighbour at most one bucket away (lines
 * polled at different moments fill neighbouring buckets). null when the line has no data there.
 */
export function valueNear(data: AlignedData, i: number, idx: number): { avg: number; max: number } | null {
  const row = data.avg[i];
  const x = data.xs[idx];
  if (!row || x === undefined) return null;
  for (const j of [idx, idx - 1, idx + 1]) {
    const avg = row[j];
    const xj = data.xs[j];
    if (avg !== null && avg !== undefined && xj !== undefined && Math.abs(xj - x) <= data.stepSecs) return { avg, max: data.max[i]?.[j] ?? avg };
  }
  return null;
}
