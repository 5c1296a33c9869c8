// The rotation schedule with driven clocks: hours and days of audio in milliseconds, a sound card
// that drifts against the system clock, late wake-ups, and clock steps forwards and backwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextBoundaryMs, observeClock, planCuts, planFile, wallAt, type Cut, type FilePlan, type FrameClock } from '../../../src/engine/recording/schedule.js';
import type { FileRotation } from '../../../src/engine/types.js';

const RATE = 48_000;
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function withTz<T>(tz: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

test('hourly and daily boundaries in UTC', () => {
  withTz('UTC', () => {
    const t = Date.parse('2024-05-01T10:17:03.250Z');
    assert.is(iso(nextBoundaryMs('hourly', t)), '2024-05-01T11:00:00.000Z');
    assert.is(iso(nextBoundaryMs('hourly', Date.parse('2024-05-01T11:00:00.000Z'))), '2024-05-01T12:00:00.000Z', 'strictly after');
    assert.is(iso(nextBoundaryMs('daily', t)), '2024-05-02T00:00:00.000Z');
    assert.is(iso(nextBoundaryMs('daily', Date.parse('2024-12-31T23:59:59.999Z'))), '2025-01-01T00:00:00.000Z');
  });
});

test('boundaries follow the local hour in half- and quarter-hour zones', () => {
  withTz('Asia/Kolkata', () => {
    assert.is(iso(nextBoundaryMs('hourly', Date.parse('2024-05-01T10:17:00Z'))), '2024-05-01T10:30:00.000Z');
    assert.is(iso(nextBoundaryMs('daily', Date.parse('2024-05-01T10:17:00Z'))), '2024-05-01T18:30:00.000Z');
  });
  withTz('Asia/Kathmandu', () => {
    assert.is(iso(nextBoundaryMs('hourly', Date.parse('2024-05-01T10:17:00Z'))), '2024-05-01T11:15:00.000Z');
  });
});

test('daylight saving: 23- and 25-hour days, and an hour boundary at the fall-back', () => {
  withTz('Europe/Berlin', () => {
    const springDay = nextBoundaryMs('daily', Date.parse('2024-03-30T23:30:00Z'));
    assert.is(iso(springDay), '2024-03-31T22:00:00.000Z', 'midnight CEST after the 23-hour day');
    assert.is(springDay - Date.parse('2024-03-30T23:00:00Z'), 23 * HOUR);
    const autumnDay = nextBoundaryMs('daily', Date.parse('2024-10-26T22:30:00Z'));
    assert.is(autumnDay - Date.parse('2024-10-26T22:00:00Z'), 25 * HOUR);
    // 02:00-03:00 CEST is followed by 02:00-03:00 CET: both hours get their own file.
    assert.is(iso(nextBoundaryMs('hourly', Date.parse('2024-10-27T00:10:00Z'))), '2024-10-27T01:00:00.000Z');
    assert.is(iso(nextBoundaryMs('hourly', Date.parse('2024-10-27T01:10:00Z'))), '2024-10-27T02:00:00.000Z');
  });
});

test('the clock model snaps to early observations, creeps towards late ones and reports steps', () => {
  let u = observeClock(null, 4800, 1000, RATE);
  assert.equal(u, { clock: { frame: 4800, wallMs: 1000 }, stepMs: 0 });
  u = observeClock(u.clock, 9600, 1090, RATE); // 10 ms early
  assert.equal(u.clock, { frame: 9600, wallMs: 1090 });
  u = observeClock(u.clock, 14_400, 1290, RATE); // a wake-up 100 ms late barely moves it
  assert.ok(Math.abs(wallAt(u.clock, 14_400, RATE) - 1190) < 3, String(wallAt(u.clock, 14_400, RATE)));
  const step = observeClock(u.clock, 19_200, 1240 + 7200_000, RATE);
  assert.is(step.stepMs, 7200_000 + 1240 - wallAt(u.clock, 19_200, RATE));
  assert.equal(step.clock, { frame: 19_200, wallMs: 1240 + 7200_000 });
  assert.ok(observeClock(u.clock, 19_200, -5000, RATE).stepMs < -5000);
});

interface SimOptions {
  rotation: FileRotation;
  startIso: string;
  hours: number;
  /** Sound card rate error in parts per million (positive: the card runs fast). */
  ppm: number;
  chunkFrames?: number;
  /** System clock steps: at true time `atMs` after start the system clock jumps by `byMs`. */
  steps?: { atMs: number; byMs: number }[];
  maxFrames?: number | null;
}

interface SimResult {
  cuts: (Cut & { systemMs: number })[];
  frames: number;
}

/** Drives the schedule like the recorder does, with a card clock, delivery jitter and clock steps. */
function simulate(o: SimOptions): SimResult {
  const chunk = o.chunkFrames ?? 2400;
  const cardRate = RATE * (1 + o.ppm / 1e6);
  const start = Date.parse(o.startIso);
  const steps = [...(o.steps ?? [])];
  let offset = 0;
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let clock: FrameClock | null = null;
  let plan: FilePlan = planFile(o.rotation, 0, start, o.maxFrames ?? null);
  const cuts: SimResult['cuts'] = [];
  const total = Math.round((o.hours * HOUR * cardRate) / 1000);
  // System time at which a frame was captured (true capture time plus the offset in force then).
  const offsets: { fromMs: number; offset: number }[] = [{ fromMs: 0, offset: 0 }];
  const systemOf = (frame: number): number => {
    const t = (frame / cardRate) * 1000;
    let off = 0;
    for (const o2 of offsets) if (o2.fromMs <= t) off = o2.offset;
    return start + t + off;
  };
  for (let position = chunk; position <= total; position += chunk) {
    const trueMs = (position / cardRate) * 1000;
    while (steps.length && steps[0]!.atMs <= trueMs) {
      offset += steps.shift()!.byMs;
      offsets.push({ fromMs: trueMs, offset });
    }
    const r = random();
    const latencyMs = r < 0.01 ? 150 + r * 10_000 : 1 + r * 20;
    const update = observeClock(clock, position, start + trueMs + latencyMs + offset, RATE);
    clock = update.clock;
    const result = planCuts(plan, {
      rotation: o.rotation,
      rate: RATE,
      previousPosition: position - chunk,
      position,
      clock,
      stepMs: update.stepMs,
      maxFrames: o.maxFrames ?? null,
    });
    plan = result.plan;
    for (const c of result.cuts) cuts.push({ ...c, systemMs: systemOf(c.frame) });
  }
  return { cuts, frames: total };
}

function assertIncreasing(cuts: Cut[]): void {
  for (let i = 1; i < cuts.length; i++) assert.ok(cuts[i]!.frame > cuts[i - 1]!.frame, `cut ${i} at ${cuts[i]!.frame} after ${cuts[i - 1]!.frame}`);
}

for (const ppm of [0, 250, -250, 2000]) {
  test(`hourly cuts land on the hour within 50 ms over 5 hours with a card ${ppm} ppm off`, () => {
    withTz('UTC', () => {
      const r = simulate({ rotation: 'hourly', startIso: '2024-05-01T09:41:07.300Z', hours: 5, ppm });
      assert.equal(r.cuts.map((c) => iso(c.wallMs)), ['10', '11', '12', '13', '14'].map((h) => `2024-05-01T${h}:00:00.000Z`));
      for (const c of r.cuts) {
        assert.is(c.reason, 'time');
        assert.ok(Math.abs(c.systemMs - c.wallMs) <= 50, `cut at ${iso(c.wallMs)} lands ${c.systemMs - c.wallMs} ms off`);
      }
      assertIncreasing(r.cuts);
    });
  });
}

test('daily cuts at local midnight over three days in Berlin with a slow card', () => {
  withTz('Europe/Berlin', () => {
    const r = simulate({ rotation: 'daily', startIso: '2024-03-29T20:00:00Z', hours: 72, ppm: -120, chunkFrames: 4800 });
    assert.equal(r.cuts.map((c) => iso(c.wallMs)), ['2024-03-29T23:00:00.000Z', '2024-03-30T23:00:00.000Z', '2024-03-31T22:00:00.000Z']);
    for (const c of r.cuts) assert.ok(Math.abs(c.systemMs - c.wallMs) <= 50, `${iso(c.wallMs)}: ${c.systemMs - c.wallMs} ms off`);
  });
});

test('a clock step forwards past the boundary cuts at once; the next file is on the new hour', () => {
  withTz('UTC', () => {
    // 10:20 → NTP says it is really 12:45 (the box booted with a stale clock).
    const r = simulate({ rotation: 'hourly', startIso: '2024-05-01T10:00:00Z', hours: 1.5, ppm: 0, steps: [{ atMs: 20 * 60_000, byMs: 2 * HOUR + 25 * 60_000 }] });
    assert.equal(r.cuts.map((c) => c.reason), ['clock_step', 'time']);
    const [stepCut, hourCut] = r.cuts as [SimResult['cuts'][number], SimResult['cuts'][number]];
    assert.ok(Math.abs(stepCut.frame - 20 * 60 * RATE) <= 2 * 2400, `step cut at frame ${stepCut.frame}`);
    assert.is(iso(hourCut.wallMs), '2024-05-01T13:00:00.000Z');
    assert.ok(Math.abs(hourCut.systemMs - hourCut.wallMs) <= 50);
    assertIncreasing(r.cuts);
  });
});

test('a clock step forwards that stays before the boundary keeps the boundary', () => {
  withTz('UTC', () => {
    const r = simulate({ rotation: 'hourly', startIso: '2024-05-01T10:00:00Z', hours: 1, ppm: 0, steps: [{ atMs: 10 * 60_000, byMs: 30 * 60_000 }] });
    assert.equal(r.cuts.map((c) => [c.reason, iso(c.wallMs)]), [['time', '2024-05-01T11:00:00.000Z']]);
    // 11:00 on the new clock is 30 minutes of audio in: 10 before the step, 20 after it.
    assert.ok(Math.abs(r.cuts[0]!.frame - 30 * 60 * RATE) <= 50 * 48, String(r.cuts[0]!.frame / RATE / 60));
  });
});

test('a clock step backwards: the next boundary is the next hour of the new time, no frame twice', () => {
  withTz('UTC', () => {
    // At 10:30 the clock goes back to 09:45: cut at 10:00 (new clock), then 11:00.
    const r = simulate({ rotation: 'hourly', startIso: '2024-05-01T10:00:00.500Z', hours: 2, ppm: 0, steps: [{ atMs: 30 * 60_000, byMs: -45 * 60_000 }] });
    assert.equal(r.cuts.map((c) => [c.reason, iso(c.wallMs)]), [
      ['time', '2024-05-01T10:00:00.000Z'],
      ['time', '2024-05-01T11:00:00.000Z'],
    ]);
    assert.ok(Math.abs(r.cuts[0]!.frame - ((30 + 15) * 60 - 0.5) * RATE) <= 50 * 48, String(r.cuts[0]!.frame));
    for (const c of r.cuts) assert.ok(Math.abs(c.systemMs - c.wallMs) <= 50, `${iso(c.wallMs)}: ${c.systemMs - c.wallMs} ms off`);
    assertIncreasing(r.cuts);
  });
});

test('by size: exact frame counts, several per chunk, and the size cap also bounds timed files', () => {
  withTz('UTC', () => {
    const bySize = simulate({ rotation: 'by_size', startIso: '2024-05-01T10:00:00Z', hours: 0.01, ppm: 0, chunkFrames: 48_000, maxFrames: 10_000 });
    assert.equal(bySize.cuts.map((c) => c.frame), Array.from({ length: bySize.cuts.length }, (_, i) => (i + 1) * 10_000));
    assert.is(bySize.cuts.length, Math.floor(bySize.frames / 10_000), 'every full file, none skipped');
    const capped = simulate({ rotation: 'hourly', startIso: '2024-05-01T10:30:00Z', hours: 1, ppm: 0, maxFrames: 20 * 60 * RATE });
    assert.equal(capped.cuts.map((c) => [c.reason, Math.round(c.frame / RATE / 6) / 10]), [
      ['size', 20],
      ['time', 30],
      ['size', 50],
    ]);
  });
});

test('rotation none never cuts', () => {
  assert.equal(simulate({ rotation: 'none', startIso: '2024-05-01T10:00:00Z', hours: 3, ppm: 100 }).cuts, []);
});

test.run();
