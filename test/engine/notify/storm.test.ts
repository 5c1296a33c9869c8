import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HOUR_MS, SUMMARY_AFTER_MS, emptyStorm, flush, nextFlushAtMs, offer, type StormState } from '../../../src/engine/notify/storm.js';
import { MAX_ATTEMPTS, deliveryRetryDelayMs } from '../../../src/engine/notify/retry.js';

/** Offers an item every `everyMs` for `count` items and flushes whenever it can; returns what went out. */
function simulate(count: number, everyMs: number, max: number) {
  let state: StormState<number> = emptyStorm();
  const sent: { at: number; items: number[] }[] = [];
  let t = 0;
  for (let i = 0; i < count; i++, t += everyMs) {
    const f = flush(state, t, max);
    state = f.state;
    if (f.summary) sent.push({ at: t, items: f.summary });
    const o = offer(state, i, t, max);
    state = o.state;
    if (o.send) sent.push({ at: t, items: [i] });
  }
  // Afterwards: flush at each moment it says it can.
  for (let guard = 0; guard < 100; guard++) {
    const at = nextFlushAtMs(state, max);
    if (at === null) break;
    const f = flush(state, Math.max(at, t), max);
    state = f.state;
    t = Math.max(at, t);
    if (f.summary) sent.push({ at: t, items: f.summary });
  }
  return { sent, state };
}

test('a quiet alarm: every change goes out at once', () => {
  const { sent } = simulate(6, 20 * 60_000, 12);
  assert.equal(sent.map((s) => s.items), [[0], [1], [2], [3], [4], [5]]);
});

test('a flapping alarm (a change every 5 s for an hour): 11 sent, then summaries; never more than 12 an hour; nothing lost', () => {
  const { sent, state } = simulate(720, 5000, 12);
  assert.equal(sent.slice(0, 11).map((s) => s.items.length), new Array(11).fill(1));
  assert.ok(sent.length < 30, `${sent.length} notifications for 720 changes`);
  for (const s of sent) {
    const inHour = sent.filter((x) => x.at <= s.at && s.at - x.at < HOUR_MS).length;
    assert.ok(inHour <= 12, `${inHour} in the hour up to ${s.at}`);
  }
  const delivered = sent.flatMap((s) => s.items);
  assert.equal(delivered, [...Array(720).keys()], 'every change is in a notification or a summary, in order');
  assert.equal(state.held, []);
});

test('held changes gather for SUMMARY_AFTER_MS before their summary, even when the hour has room', () => {
  let state: StormState<string> = emptyStorm();
  for (let i = 0; i < 11; i++) state = offer(state, `s${i}`, i, 12).state;
  const o = offer(state, 'held', 100, 12);
  assert.is(o.send, false);
  assert.is(flush(o.state, 100 + SUMMARY_AFTER_MS - 1, 12).summary, null);
  assert.equal(flush(o.state, 100 + SUMMARY_AFTER_MS, 12).summary, ['held']);
  assert.is(nextFlushAtMs(o.state, 12), 100 + SUMMARY_AFTER_MS);
});

test('with a limit of 1: the first goes out, the rest wait for the next hour as one summary', () => {
  let state: StormState<number> = emptyStorm();
  const a = offer(state, 1, 0, 1);
  assert.is(a.send, true);
  state = offer(offer(a.state, 2, 10, 1).state, 3, 20, 1).state;
  assert.is(flush(state, SUMMARY_AFTER_MS + 20, 1).summary, null, 'the hour is full');
  assert.is(nextFlushAtMs(state, 1), HOUR_MS);
  assert.equal(flush(state, HOUR_MS, 1).summary, [2, 3]);
});

test('delivery retries: 5 s, 15 s, 45 s, 135 s with up to 20 % jitter, then give up', () => {
  assert.equal([1, 2, 3, 4].map((n) => deliveryRetryDelayMs(n, () => 0)), [5000, 15000, 45000, 135000]);
  assert.is(deliveryRetryDelayMs(1, () => 1), 6000);
  assert.is(deliveryRetryDelayMs(MAX_ATTEMPTS, () => 0), null);
});

test.run();
