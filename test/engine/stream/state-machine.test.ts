import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeState, initialState, retryDelayMs, transition, LONG_BACKOFF_MIN_MS, type MachineState, type RetryPolicy } from '../../../src/engine/stream/state-machine.js';

const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({ reconnectDelayMs: 5000, maxAttempts: 5, stableRunMs: 60_000, random: () => 0, ...over });
const fail = { type: 'connect_failed', error: 'server unreachable', longBackoff: false } as const;

function run(events: Parameters<typeof transition>[1][], p = policy(), t0 = 1000): MachineState {
  let s = initialState(0);
  let now = t0;
  for (const e of events) s = transition(s, e, (now += 100), p);
  return s;
}

test('start enters connecting, connected enters streaming with uptime anchor', () => {
  const s0 = transition(initialState(0), { type: 'start' }, 10, policy());
  assert.is(s0.name, 'connecting');
  const s1 = transition(s0, { type: 'connected' }, 20, policy());
  assert.is(s1.name, 'streaming');
  assert.is(s1.streamingSinceMs, 20);
});

test('a failed connect retries after the configured delay', () => {
  const s = transition(transition(initialState(0), { type: 'start' }, 0, policy()), fail, 1000, policy());
  assert.is(s.name, 'retrying');
  assert.is(s.attempt, 1);
  assert.is(s.nextRetryAtMs, 6000);
  assert.is(s.lastError, 'server unreachable');
  assert.is(describeState(s, 5), 'Retrying (1/5)');
});

test('attempts count up and end in failed after max', () => {
  const events: Parameters<typeof transition>[1][] = [{ type: 'start' }, fail];
  for (let i = 0; i < 4; i++) events.push({ type: 'retry_due' }, fail);
  const s = run(events);
  assert.is(s.name, 'retrying');
  assert.is(describeState(s, 5), 'Retrying (5/5)');
  const end = run([...events, { type: 'retry_due' }, fail]);
  assert.is(end.name, 'failed');
  assert.is(describeState(end, 5), 'Failed: server unreachable');
});

test('max 0 retries forever', () => {
  const events: Parameters<typeof transition>[1][] = [{ type: 'start' }, fail];
  for (let i = 0; i < 50; i++) events.push({ type: 'retry_due' }, fail);
  const s = run(events, policy({ maxAttempts: 0 }));
  assert.is(s.name, 'retrying');
  assert.is(describeState(s, 0), 'Retrying (51/∞)');
});

test('a long stable run resets the retry count; a short one does not', () => {
  const p = policy();
  let s = transition(initialState(0), { type: 'start' }, 0, p);
  s = transition(s, fail, 100, p);
  s = transition(s, { type: 'retry_due' }, 6000, p);
  s = transition(s, { type: 'connected' }, 6100, p);
  const short = transition(s, { type: 'disconnected', error: 'server closed the connection', longBackoff: false }, 7000, p);
  assert.is(short.attempt, 2);
  const long = transition(s, { type: 'disconnected', error: 'server closed the connection', longBackoff: false }, 6100 + 60_000, p);
  assert.is(long.attempt, 1);
  assert.is(long.name, 'retrying');
});

test('wrong password and busy mount back off longer', () => {
  assert.is(retryDelayMs(policy(), true), LONG_BACKOFF_MIN_MS);
  assert.is(retryDelayMs(policy({ reconnectDelayMs: 30_000 }), true), 30_000);
  assert.is(retryDelayMs(policy(), false), 5000);
});

test('jitter is at most half a second', () => {
  assert.is(retryDelayMs(policy({ random: () => 0.999 }), false), 5000 + Math.round(500 * 0.999));
  assert.is(retryDelayMs(policy({ reconnectDelayMs: 1000, random: () => 0.999 }), false), 1100);
});

test('stop from any state disables; events out of place are ignored', () => {
  const p = policy();
  const streaming = run([{ type: 'start' }, { type: 'connected' }]);
  assert.is(transition(streaming, { type: 'stop' }, 5000, p).name, 'disabled');
  assert.is(transition(initialState(0), { type: 'connected' }, 1, p).name, 'disabled');
  assert.is(transition(streaming, { type: 'retry_due' }, 1, p), streaming);
  const failed = { ...streaming, name: 'failed' as const };
  assert.is(transition(failed, { type: 'start' }, 1, p).name, 'connecting');
});

test.run();
