import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  INITIAL_DETECTORS,
  IDLE,
  hold,
  lostChannel,
  programmeDbfs,
  silentSecs,
  stepDetectors,
  type DetectorSettings,
  type DetectorState,
} from '../../../src/engine/alarms/detectors.js';
import type { ChannelLevel } from '../../../src/engine/audio/meters.js';

const SETTINGS: DetectorSettings = { silenceThresholdDbfs: -50, silenceMs: 10_000, recoveryMs: 5_000, clippingDbfs: -0.1, clippingMs: 2_000 };

const lv = (rmsDbfs: number, peakDbfs = rmsDbfs + 3): ChannelLevel => ({ rmsDbfs, peakDbfs });
const stereo = (l: number, r: number = l): ChannelLevel[] => [lv(l), lv(r)];

/** Feeds `levels` every 100 ms from `fromMs` for `ms`, returning the state and every change of `active`. */
function run(state: DetectorState, levels: ChannelLevel[], fromMs: number, ms: number, s = SETTINGS) {
  const flips: { at: number; which: string; active: boolean }[] = [];
  for (let t = fromMs; t < fromMs + ms; t += 100) {
    const next = stepDetectors(state, levels, t, s);
    for (const which of ['silence', 'channelLost', 'clipping'] as const) {
      if (next[which].active !== state[which].active) flips.push({ at: t, which, active: next[which].active });
    }
    state = next;
  }
  return { state, flips };
}

test('hold: raised once the condition has lasted raiseAfterMs, from when it began', () => {
  let h = hold(IDLE, true, 1000, 500, 300);
  assert.equal(h, { active: false, sinceMs: 1000, okSinceMs: null });
  h = hold(h, true, 1499, 500, 300);
  assert.is(h.active, false);
  h = hold(h, true, 1500, 500, 300);
  assert.equal(h, { active: true, sinceMs: 1000, okSinceMs: null });
});

test('hold: a condition that ends before the delay never raises, and starts from scratch next time', () => {
  let h = hold(IDLE, true, 0, 500, 300);
  h = hold(h, false, 400, 500, 300);
  assert.equal(h, IDLE);
  h = hold(h, true, 450, 500, 300);
  assert.is(hold(h, true, 900, 500, 300).active, false);
  assert.is(hold(h, true, 950, 500, 300).active, true);
});

test('hold: clears only after recovering for clearAfterMs; a relapse restarts the recovery', () => {
  let h: ReturnType<typeof hold> = { active: true, sinceMs: 0, okSinceMs: null };
  h = hold(h, false, 1000, 500, 300);
  assert.equal(h, { active: true, sinceMs: 0, okSinceMs: 1000 });
  h = hold(h, true, 1200, 500, 300);
  assert.equal(h, { active: true, sinceMs: 0, okSinceMs: null });
  h = hold(h, false, 1300, 500, 300);
  assert.is(hold(h, false, 1599, 500, 300).active, true);
  assert.equal(hold(h, false, 1600, 500, 300), IDLE);
});

test('hold: returns the same object when nothing changed (callers compare by identity)', () => {
  const pending = hold(IDLE, true, 0, 500, 300);
  assert.is(hold(pending, true, 100, 500, 300), pending);
  assert.is(hold(IDLE, false, 100, 500, 300), IDLE);
});

test('programme level: the loudest channel; no channels read as silence', () => {
  assert.is(programmeDbfs([lv(-60), lv(-20)]), -20);
  assert.is(programmeDbfs([]), -120);
});

test('silence: -50 dBFS for 10 s raises at 10 s, from the moment it began; -49 never does', () => {
  let { state, flips } = run(INITIAL_DETECTORS, stereo(-20), 0, 5000);
  assert.equal(flips, []);
  ({ state, flips } = run(state, stereo(-51), 5000, 10_100));
  assert.equal(flips, [{ at: 15_000, which: 'silence', active: true }]);
  assert.is(state.silence.sinceMs, 5000);
  assert.is(silentSecs(state, 15_000), 10);
  assert.equal(run(INITIAL_DETECTORS, stereo(-49), 0, 60_000).flips, []);
});

test('silence: clears after the recovery time of audio, not before; silent seconds read 0 while recovering', () => {
  let { state } = run(INITIAL_DETECTORS, stereo(-120), 0, 11_000);
  assert.ok(state.silence.active);
  let flips;
  ({ state, flips } = run(state, stereo(-18), 11_000, 4_900));
  assert.equal(flips, []);
  assert.is(silentSecs(state, 15_000), 0);
  ({ state, flips } = run(state, stereo(-18), 15_900, 200));
  assert.equal(flips, [{ at: 16_000, which: 'silence', active: false }]);
});

test('silence: a flapping feed (2 s audio, 2 s silence) with a 10 s delay never raises', () => {
  let state = INITIAL_DETECTORS;
  const all = [];
  for (let t = 0; t < 120_000; t += 4000) {
    let r = run(state, stereo(-120), t, 2000);
    all.push(...r.flips);
    r = run(r.state, stereo(-15), t + 2000, 2000);
    all.push(...r.flips);
    state = r.state;
  }
  assert.equal(all, []);
});

test('silence: once raised, a flapping feed with gaps shorter than the recovery time keeps one alarm', () => {
  let { state } = run(INITIAL_DETECTORS, stereo(-120), 0, 10_100);
  assert.ok(state.silence.active);
  const all = [];
  for (let t = 10_100; t < 60_000; t += 4000) {
    let r = run(state, stereo(-15), t, 2000);
    all.push(...r.flips);
    r = run(r.state, stereo(-120), t + 2000, 2000);
    all.push(...r.flips);
    state = r.state;
  }
  assert.equal(all, [], 'raised once, never cleared while the audio keeps dropping out');
  assert.is(state.silence.sinceMs, 0);
});

test('the settings apply: 2 s silence and 1 s recovery at -40 dBFS', () => {
  const s = { ...SETTINGS, silenceThresholdDbfs: -40, silenceMs: 2000, recoveryMs: 1000 };
  let { state, flips } = run(INITIAL_DETECTORS, stereo(-45), 0, 2100, s);
  assert.equal(flips, [{ at: 2000, which: 'silence', active: true }]);
  ({ flips } = run(state, stereo(-30), 2100, 1100, s));
  assert.equal(flips, [{ at: 3100, which: 'silence', active: false }]);
});

test('lost channel: one side silent while the other carries audio, after the silence time; names the side', () => {
  assert.is(lostChannel(stereo(-20, -90), -50), 1);
  assert.is(lostChannel(stereo(-90, -20), -50), 0);
  assert.is(lostChannel(stereo(-90, -90), -50), null);
  assert.is(lostChannel([lv(-90)], -50), null, 'mono has no other side');
  const { state, flips } = run(INITIAL_DETECTORS, stereo(-20, -90), 0, 10_100);
  assert.equal(flips, [{ at: 10_000, which: 'channelLost', active: true }]);
  assert.is(state.channelLost.channel, 1);
  assert.is(state.silence.active, false);
});

test('lost channel: total silence is the silence alarm, not a lost channel', () => {
  const { state, flips } = run(INITIAL_DETECTORS, stereo(-90, -100), 0, 10_100);
  assert.equal(flips, [{ at: 10_000, which: 'silence', active: true }]);
  assert.is(state.channelLost.active, false);
});

test('lost channel: the other side going silent while pending starts the wait again', () => {
  let { state } = run(INITIAL_DETECTORS, stereo(-20, -90), 0, 6000);
  const r = run(state, stereo(-90, -20), 6000, 10_100);
  assert.equal(r.flips, [{ at: 16_000, which: 'channelLost', active: true }]);
  assert.is(r.state.channelLost.channel, 0);
});

test('clipping: peaks at full scale for 2 s raise, a lone clipped window does not; clears after recovery', () => {
  const clipped = [lv(-3, 0), lv(-3, -1)];
  const clean = [lv(-12, -6), lv(-12, -6)];
  let { state, flips } = run(INITIAL_DETECTORS, clipped, 0, 1900);
  assert.equal(flips, []);
  ({ state, flips } = run(state, clean, 1900, 100));
  ({ state, flips } = run(state, clipped, 2000, 2100));
  assert.equal(flips, [{ at: 4000, which: 'clipping', active: true }]);
  ({ flips } = run(state, clean, 4100, 5100));
  assert.equal(flips, [{ at: 9100, which: 'clipping', active: false }]);
});

test.run();
