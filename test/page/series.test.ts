// The listener graph's data: API series to lines, live polls into buckets, alignment with gaps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addPoll, align, gapThresholdMs, lineFromApi, maxCount, trimBefore, valueNear, type GraphLine } from '../../src/web/page/lib/series.js';

const T0 = Date.UTC(2025, 4, 1, 10, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

function line(id: number, points: [number, number, number?][], stepMs = 10_000): GraphLine {
  return { id, stepMs, points: points.map(([t, avg, max]) => ({ t, avg, max: max ?? avg, polls: null })) };
}

test('an API series becomes a line in ms with its step', () => {
  const l = lineFromApi({ encoder_id: 3, period: '1h', step_secs: 10, from: iso(T0), to: iso(T0 + 3_600_000), points: [{ t: iso(T0), current: 2.5, current_max: 3, peak: 4 }] });
  assert.equal(l, { id: 3, stepMs: 10_000, points: [{ t: T0, avg: 2.5, max: 3, polls: null }] });
});

test('live polls open a new bucket, then average into it', () => {
  const l = line(1, [[T0, 2]]);
  assert.ok(addPoll(l, T0 + 12_000, 4));
  assert.ok(addPoll(l, T0 + 15_000, 6));
  assert.equal(l.points[1], { t: T0 + 10_000, avg: 5, max: 6, polls: 2 });
});

test('a poll into a bucket the API sent (or an older one) asks for a refetch instead of guessing', () => {
  const l = line(1, [[T0, 2]]);
  assert.not.ok(addPoll(l, T0 + 3_000, 5));
  assert.not.ok(addPoll(l, T0 - 20_000, 5));
  assert.equal(l.points.length, 1);
  assert.ok(addPoll(line(1, []), T0, 1), 'an empty line takes any poll');
});

test('trimBefore drops points that left the window', () => {
  const l = line(1, [[T0, 1], [T0 + 10_000, 2], [T0 + 20_000, 3]]);
  trimBefore(l, T0 + 10_000);
  assert.equal(l.points.map((p) => p.avg), [2, 3]);
  trimBefore(l, T0 + 60_000);
  assert.equal(l.points, []);
});

test('align: one time axis in seconds, null where a line has no value', () => {
  const a = line(1, [[T0, 1], [T0 + 10_000, 2]]);
  const b = line(2, [[T0 + 10_000, 5, 7], [T0 + 20_000, 6]]);
  const d = align([a, b]);
  assert.equal(d.xs, [T0 / 1000, T0 / 1000 + 10, T0 / 1000 + 20]);
  assert.is(d.stepSecs, 10);
  assert.equal(d.avg, [[1, 2, null], [null, 5, 6]]);
  assert.equal(d.max, [[1, 2, null], [null, 7, 6]]);
  assert.is(maxCount(d), 7);
});

test('align: a hole much longer than the usual spacing breaks the line; sparse polls do not', () => {
  const regular = line(1, [[T0, 1], [T0 + 10_000, 2], [T0 + 20_000, 2], [T0 + 320_000, 3]]);
  const d = align([regular]);
  assert.equal(d.xs, [0, 10, 20, 30, 320].map((s) => T0 / 1000 + s));
  assert.equal(d.avg, [[1, 2, 2, null, 3]]);
  // Polls every 30 s land in every third 10 s bucket: an empty bucket between them is no gap.
  const sparse = line(1, [[T0, 1], [T0 + 30_000, 2], [T0 + 60_000, 3]]);
  assert.equal(align([sparse]).avg, [[1, 2, 3]]);
  assert.is(gapThresholdMs(sparse), 90_000);
  assert.is(gapThresholdMs(line(1, [])), 30_000, 'no spacing yet: three steps');
});

test('valueNear: the row itself, else a neighbouring bucket, else nothing', () => {
  const a = line(1, [[T0, 4, 5]]);
  const b = line(2, [[T0 + 10_000, 1], [T0 + 40_000, 2]]);
  const d = align([a, b]);
  assert.equal(valueNear(d, 0, 0), { avg: 4, max: 5 });
  assert.equal(valueNear(d, 0, 1), { avg: 4, max: 5 }, 'one bucket away');
  assert.equal(valueNear(d, 0, 2), null, 'further away: no data');
  assert.equal(valueNear(d, 1, 0), { avg: 1, max: 1 });
  assert.equal(valueNear(d, 5, 0), null);
});

test('maxCount is at least 1, so an idle station still has a y scale', () => {
  assert.is(maxCount(align([line(1, [[T0, 0]])])), 1);
  assert.is(maxCount(align([])), 1);
});

test.run();
