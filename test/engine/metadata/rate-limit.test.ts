import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TitleRateLimiter, takeToken } from '../../../src/engine/metadata/rate-limit.js';

const LIMIT = { perMinute: 60, burst: 3 };

test('a burst passes, then one title per second (60 a minute)', () => {
  const l = new TitleRateLimiter(LIMIT);
  assert.equal([0, 0, 0, 0].map(() => l.take('tcp', 1000)), [true, true, true, false]);
  assert.is(l.take('tcp', 1500), false, 'half a token is not a title');
  assert.is(l.take('tcp', 2000), true);
  assert.is(l.take('tcp', 2000), false);
  assert.equal([0, 0, 0].map(() => l.take('tcp', 60_000)), [true, true, true], 'refilled to the burst, no more');
  assert.is(l.take('tcp', 60_000), false);
});

test('each source has its own bucket', () => {
  const l = new TitleRateLimiter({ perMinute: 1, burst: 1 });
  assert.equal([l.take('tcp', 0), l.take('tcp', 0), l.take('udp', 0), l.take('http', 0), l.take('file', 0)], [true, false, true, true, true]);
});

test('a clock stepping back refills nothing; a lower limit applies at once', () => {
  const { bucket } = takeToken(undefined, 10_000, LIMIT);
  assert.equal(takeToken(bucket, 5000, LIMIT), { ok: true, bucket: { tokens: 1, atMs: 5000 } });
  const l = new TitleRateLimiter({ perMinute: 60, burst: 10 });
  l.take('http', 0);
  l.setLimit({ perMinute: 60, burst: 1 });
  assert.equal([l.take('http', 0), l.take('http', 0)], [true, false], 'the bucket is cut to the new burst');
});

test.run();
