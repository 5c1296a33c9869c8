import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FanOut } from '../../../src/engine/audio/fanout.js';

const format = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' } as const; // 192 bytes per ms

test('every consumer gets every chunk and is woken', () => {
  const fan = new FanOut(format);
  let wakes = 0;
  const a = fan.add('a', 100, () => wakes++);
  const b = fan.add('b', 100, () => wakes++);
  fan.publish(Buffer.alloc(192 * 10, 7));
  assert.is(a.queue.bytes, 1920);
  assert.is(b.queue.bytes, 1920);
  assert.is(wakes, 2);
});

test('a consumer that never drains loses its own oldest audio, the others lose nothing', () => {
  const fan = new FanOut(format);
  const slow = fan.add('slow', 100, () => {});
  const fast = fan.add('fast', 100, () => {
    while (fast.queue.shift());
  });
  for (let i = 0; i < 50; i++) fan.publish(Buffer.alloc(192 * 20)); // 1 s of audio
  const stats = Object.fromEntries(fan.stats().map((s) => [s.name, s]));
  assert.is(stats.slow!.queuedMs, 100);
  assert.is(stats.slow!.droppedMs, 900);
  assert.ok(stats.slow!.dropEvents > 0);
  assert.is(stats.fast!.droppedMs, 0);
  assert.is(slow.queue.bytes, 192 * 100);
});

test('queues are sized in milliseconds of the capture format', () => {
  const fan = new FanOut({ sampleRate: 44100, channels: 1, sampleFormat: 'S32_LE' });
  const c = fan.add('x', 1000, () => {});
  assert.is(c.queue.maxBytes, 44100 * 4);
});

test('a batching consumer is woken once 100 ms wait (two 50 ms periods), the others after every chunk', () => {
  const fan = new FanOut(format);
  let batched = 0;
  let each = 0;
  fan.add('encoder', 3000, () => batched++, 100);
  const live = fan.add('live', 300, () => each++);
  for (let i = 0; i < 6; i++) fan.publish(Buffer.alloc(192 * 50));
  assert.is(each, 6);
  // 100 ms waiting from the second chunk on: woken at 2, 3, 4, 5 and 6 chunks while nobody drains it.
  assert.is(batched, 5);
  assert.is(live.queue.bytes, 192 * 300);
});

test('a removed consumer gets nothing more', () => {
  const fan = new FanOut(format);
  const c = fan.add('x', 100, () => {});
  fan.remove('x');
  fan.publish(Buffer.alloc(192));
  assert.is(c.queue.bytes, 0);
  assert.equal(fan.stats(), []);
});

test.run();
