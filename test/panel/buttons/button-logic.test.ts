// Debounce, press and hold with a driven clock: every time is a plain number of milliseconds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ButtonTracker, type ButtonEventKind } from '../../../src/panel/buttons/button-logic.js';

const timing = { debounceMs: 30, holdMs: 2000 };

/** Feeds (time, level) edges and ticks at every deadline up to `until`; returns [time, event] pairs. */
function run(edges: [number, boolean][], until: number): [number, ButtonEventKind][] {
  const t = new ButtonTracker(timing);
  const out: [number, ButtonEventKind][] = [];
  const queue = [...edges];
  let last = 0; // a deadline already past is ticked at once, as a timer of 0 ms would
  for (;;) {
    const deadline = t.nextDeadlineMs();
    const next = queue[0];
    if (next && (deadline === null || next[0] <= deadline)) {
      queue.shift();
      last = next[0];
      for (const e of t.input(next[1], next[0])) out.push([next[0], e]);
    } else if (deadline !== null && deadline <= until) {
      last = Math.max(last, deadline);
      for (const e of t.tick(last)) out.push([last, e]);
    } else break;
  }
  return out;
}

test('a bouncing contact gives one down and one press', () => {
  const bounces: [number, boolean][] = [[0, true], [2, false], [3, true], [5, false], [6, true]];
  const releaseBounces: [number, boolean][] = [[400, false], [401, true], [403, false]];
  assert.equal(run([...bounces, ...releaseBounces], 10_000), [[36, 'down'], [433, 'press']]);
});

test('a glitch shorter than the debounce time is nothing', () => {
  assert.equal(run([[100, true], [110, false], [500, true], [529, false]], 10_000), []);
});

test('a short press is reported on release', () => {
  assert.equal(run([[1000, true], [1200, false]], 10_000), [[1030, 'down'], [1230, 'press']]);
});

test('held for 2 s: hold fires while still held, counted from the first edge', () => {
  assert.equal(run([[0, true]], 10_000), [[30, 'down'], [2000, 'hold']]);
});

test('hold then release: the release fires nothing', () => {
  assert.equal(run([[0, true], [3500, false], [3502, true], [3504, false]], 10_000), [[30, 'down'], [2000, 'hold']]);
});

test('released just before 2 s is a press, not a hold', () => {
  assert.equal(run([[0, true], [1990, false]], 10_000), [[30, 'down'], [2020, 'press']]);
});

test('a contact glitch around the 2 s mark does not cut a hold short', () => {
  assert.equal(run([[0, true], [1995, false], [2005, true]], 10_000), [[30, 'down'], [2005, 'hold']]);
});

test('a hold reached while no timer ran is reported at the next edge, before the release counts', () => {
  const t = new ButtonTracker(timing);
  assert.equal(t.input(true, 0), []);
  assert.equal(t.tick(30), ['down']);
  assert.equal(t.input(false, 2600), ['hold']);
  assert.equal(t.tick(2630), []);
  assert.not.ok(t.pressed);
});

test('nextDeadlineMs: debounce end, then the hold time, then nothing', () => {
  const t = new ButtonTracker(timing);
  assert.is(t.nextDeadlineMs(), null);
  t.input(true, 100);
  assert.is(t.nextDeadlineMs(), 130);
  t.tick(130);
  assert.is(t.nextDeadlineMs(), 2100);
  t.tick(2100);
  assert.is(t.nextDeadlineMs(), null);
  t.input(false, 2500);
  assert.is(t.nextDeadlineMs(), 2530);
});

test('assumeLevel: a button found pressed at start fires nothing; the next press counts', () => {
  const t = new ButtonTracker(timing);
  t.assumeLevel(true, 0);
  assert.is(t.nextDeadlineMs(), null);
  assert.equal(t.tick(5000), []);
  assert.equal(t.input(false, 5000), []);
  assert.equal(t.tick(5030), []);
  assert.equal(t.input(true, 6000), []);
  assert.equal(t.tick(6030), ['down']);
});

test('two presses in a row are two presses', () => {
  assert.equal(run([[0, true], [100, false], [300, true], [400, false]], 10_000), [[30, 'down'], [130, 'press'], [330, 'down'], [430, 'press']]);
});

test.run();
