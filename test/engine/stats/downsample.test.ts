// Pure listener-history arithmetic with exact numbers: buckets, retention cutoffs, graph series.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DAY_MS, HOUR_MS, MAX_POINTS, PERIODS, buildSeries, isPeriod, planRetention, rawSample, rollUp, seriesWindow, stepSecsFor, type Sample,
} from '../../../src/engine/stats/downsample.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0); // a whole hour

test('rollUp: 5-minute buckets keep exact sums, maxima and counts, per encoder', () => {
  const s = [
    rawSample(1, T0 + 0, 10, 12, 9, 128),
    rawSample(1, T0 + 30_000, 20, 22, 15, 128),
    rawSample(1, T0 + 299_999, 3, 22, 3, null),
    rawSample(1, T0 + 300_000, 7, 22, 7, 128), // next bucket
    rawSample(2, T0 + 60_000, 1, 1, 1, 64),
  ];
  assert.equal(rollUp(s, 300), [
    { encoderId: 1, t: T0, samples: 3, currentSum: 33, currentMax: 20, peakMax: 22, uniqueMax: 15, bitrate: 128 },
    { encoderId: 1, t: T0 + 300_000, samples: 1, currentSum: 7, currentMax: 7, peakMax: 22, uniqueMax: 7, bitrate: 128 },
    { encoderId: 2, t: T0, samples: 1, currentSum: 1, currentMax: 1, peakMax: 1, uniqueMax: 1, bitrate: 64 },
  ]);
});

test('rolling 5-minute buckets into hours gives the same average as rolling the raw polls', () => {
  const raw: Sample[] = [];
  for (let i = 0; i < 120; i++) raw.push(rawSample(1, T0 + i * 30_000, i % 7, 10, 0, null)); // one hour at 30 s
  const direct = rollUp(raw, 3600);
  const twoStep = rollUp(rollUp(raw, 300), 3600);
  assert.equal(twoStep, direct);
  assert.is(direct.length, 1);
  assert.is(direct[0]!.samples, 120);
  assert.is(direct[0]!.currentSum, 357); // 17 full cycles of 0..6 (21 each), then one 0
});

test('planRetention: cutoffs aligned to the bucket they roll into', () => {
  const now = Date.UTC(2026, 5, 15, 10, 17, 42, 500);
  assert.equal(planRetention(now), {
    rollRawBefore: Date.UTC(2026, 5, 13, 10, 15, 0), // now − 48 h, down to 5 min
    rollFiveMinBefore: Date.UTC(2026, 4, 16, 10, 0, 0), // now − 30 d, down to the hour
    deleteHourBefore: Date.UTC(2025, 5, 15, 10, 0, 0), // now − 365 d, down to the hour
  });
  const custom = planRetention(now, { rawMs: HOUR_MS, fiveMinMs: DAY_MS, hourMs: 2 * DAY_MS });
  assert.is(custom.rollRawBefore, Date.UTC(2026, 5, 15, 9, 15, 0));
  assert.is(custom.rollFiveMinBefore, Date.UTC(2026, 5, 14, 10, 0, 0));
  assert.is(custom.deleteHourBefore, Date.UTC(2026, 5, 13, 10, 0, 0));
});

test('graph steps: 1h → 10 s, 6h → 60 s, 24h → 300 s, 7d → 1800 s; never more than 400 points', () => {
  assert.equal(Object.fromEntries(Object.entries(PERIODS).map(([p, ms]) => [p, stepSecsFor(ms)])), { '1h': 10, '6h': 60, '24h': 300, '7d': 1800 });
  for (const [p, ms] of Object.entries(PERIODS)) assert.ok(ms / 1000 / stepSecsFor(ms) <= MAX_POINTS, p);
  assert.ok(isPeriod('7d'));
  assert.not.ok(isPeriod('2h'));
  assert.not.ok(isPeriod('toString'), 'no prototype keys');
  assert.not.ok(isPeriod(['1h']));
});

test('seriesWindow: the end rounded up to a whole step, exactly period / step buckets', () => {
  const now = Date.UTC(2026, 0, 1, 12, 3, 7);
  assert.equal(seriesWindow('24h', now), { fromMs: Date.UTC(2025, 11, 31, 12, 5, 0), toMs: Date.UTC(2026, 0, 1, 12, 5, 0), stepSecs: 300 });
  const onBoundary = Date.UTC(2026, 0, 1, 12, 5, 0);
  assert.is(seriesWindow('24h', onBoundary).toMs, Date.UTC(2026, 0, 1, 12, 10, 0), 'a poll exactly on the boundary is inside');
});

test('buildSeries: bucketed average (2 decimals), max and peak; gaps stay gaps', () => {
  const window = { fromMs: T0, toMs: T0 + 60_000, stepSecs: 10 };
  const samples = [
    rawSample(1, T0 - 1, 99, 99, 0, null), // before the window
    rawSample(1, T0 + 1_000, 1, 5, 0, null),
    rawSample(1, T0 + 4_000, 2, 5, 0, null),
    rawSample(1, T0 + 9_999, 2, 6, 0, null),
    rawSample(1, T0 + 40_000, 0, 6, 0, null), // 10–40 s: no polls (gap)
    rawSample(1, T0 + 60_000, 99, 99, 0, null), // at the end: outside
  ];
  assert.equal(buildSeries(samples, window), [
    { t: '2026-01-01T12:00:00.000Z', current: 1.67, current_max: 2, peak: 6 },
    { t: '2026-01-01T12:00:40.000Z', current: 0, current_max: 0, peak: 6 },
  ]);
});

test('buildSeries: raw polls and stored buckets weigh by their number of polls', () => {
  const window = { fromMs: T0, toMs: T0 + 2 * HOUR_MS, stepSecs: 3600 };
  const bucket: Sample = { encoderId: 1, t: T0, samples: 10, currentSum: 100, currentMax: 30, peakMax: 40, uniqueMax: 0, bitrate: null };
  const samples = [bucket, rawSample(1, T0 + 600_000, 21, 41, 0, null)];
  assert.equal(buildSeries(samples, window), [{ t: '2026-01-01T12:00:00.000Z', current: 11, current_max: 30, peak: 41 }]);
});

test('buildSeries on a full 7 days of 30 s polls: 336 points of 1800 s', () => {
  const now = Date.UTC(2026, 0, 8, 0, 0, 0) - 1;
  const window = seriesWindow('7d', now);
  const samples: Sample[] = [];
  for (let t = window.fromMs; t < window.toMs; t += 30_000) samples.push(rawSample(1, t, Math.floor((t - window.fromMs) / 1800_000) % 5, 4, 0, null));
  const points = buildSeries(samples, window);
  assert.is(points.length, 336);
  assert.equal(points[0], { t: new Date(window.fromMs).toISOString(), current: 0, current_max: 0, peak: 4 });
  assert.equal(points[3], { t: new Date(window.fromMs + 3 * 1800_000).toISOString(), current: 3, current_max: 3, peak: 4 });
});

test.run();
