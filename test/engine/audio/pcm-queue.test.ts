import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PcmQueue } from '../../../src/engine/audio/pcm-queue.js';

const chunk = (n: number, fill: number) => Buffer.alloc(n, fill);

test('keeps chunks in order within its size', () => {
  const q = new PcmQueue(16, 4);
  q.push(chunk(8, 1));
  q.push(chunk(8, 2));
  assert.is(q.bytes, 16);
  assert.equal([...q.shift()!], [...chunk(8, 1)]);
  assert.equal([...q.shift()!], [...chunk(8, 2)]);
  assert.is(q.shift(), undefined);
  assert.is(q.droppedBytes, 0);
});

test('drops the oldest audio when full and counts it', () => {
  const q = new PcmQueue(16, 4);
  q.push(chunk(8, 1));
  q.push(chunk(8, 2));
  q.push(chunk(8, 3));
  assert.is(q.bytes, 16);
  assert.is(q.droppedBytes, 8);
  assert.is(q.dropEvents, 1);
  assert.is(q.shift()![0], 2);
});

test('cuts a partly dropped chunk on a frame boundary', () => {
  const q = new PcmQueue(12, 4);
  q.push(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
  q.push(chunk(2 * 2, 9)); // 4 bytes over: one frame goes
  const first = q.shift()!;
  assert.is(first.length, 8);
  assert.is(first[0], 4);
  assert.is(q.droppedBytes, 4);
});

test('an oversized chunk keeps only its newest whole frames', () => {
  const q = new PcmQueue(10, 4);
  q.push(Buffer.from([...Array(16).keys()]));
  const kept = q.shift()!;
  assert.is(kept.length, 8);
  assert.is(kept[0], 8);
  assert.is(q.droppedBytes, 8);
  assert.is(q.dropEvents, 1, 'a drop is counted as an event, so dropped_ms never stands beside drop_events 0');
  q.push(Buffer.alloc(4));
  q.push(Buffer.alloc(16));
  assert.is(q.dropEvents, 2, 'one event per push that lost audio, even when it lost both old and new frames');
});

test('many pushes and shifts keep the byte count exact', () => {
  const q = new PcmQueue(4000, 4);
  let pushed = 0;
  let shifted = 0;
  for (let i = 0; i < 1000; i++) {
    q.push(chunk(40, i % 256));
    pushed += 40;
    if (i % 3 === 0) shifted += q.shift()?.length ?? 0;
  }
  assert.is(pushed, shifted + q.bytes + q.droppedBytes);
  assert.ok(q.bytes <= 4000);
});

test('take() hands over everything queued as one buffer, in order, and empties the queue', () => {
  const q = new PcmQueue(1000, 4);
  assert.is(q.take(), undefined);
  const only = Buffer.from([1, 2, 3, 4]);
  q.push(only);
  assert.is(q.take(), only, 'a single chunk is handed over as it is');
  q.push(Buffer.from([1, 2, 3, 4]));
  q.push(Buffer.from([5, 6, 7, 8]));
  q.shift();
  q.push(Buffer.from([9, 10, 11, 12]));
  assert.equal([...q.take()!], [5, 6, 7, 8, 9, 10, 11, 12]);
  assert.is(q.bytes, 0);
  assert.is(q.length, 0);
});

test('readInto() fills from the oldest audio, leaves the rest of a chunk first, and says how much it filled', () => {
  const q = new PcmQueue(1000, 4);
  q.push(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
  q.push(Buffer.from([9, 10, 11, 12]));
  const out = Buffer.alloc(4);
  assert.is(q.readInto(out), 4);
  assert.equal([...out], [1, 2, 3, 4]);
  assert.is(q.bytes, 8);
  const more = Buffer.alloc(12);
  assert.is(q.readInto(more), 8, 'only what is queued');
  assert.equal([...more.subarray(0, 8)], [5, 6, 7, 8, 9, 10, 11, 12]);
  assert.is(q.bytes, 0);
  assert.is(q.readInto(Buffer.alloc(4)), 0);
});

test('refuses a size smaller than one frame', () => {
  assert.throws(() => new PcmQueue(2, 4), /cannot hold one 4-byte frame/);
});

test.run();
