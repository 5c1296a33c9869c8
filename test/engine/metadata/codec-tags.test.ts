import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodecTags } from '../../../src/engine/metadata/codec-tags.js';
import type { Track } from '../../../src/engine/metadata/types.js';

const A: Track = { artist: 'A', title: 'One' };
const B: Track = { artist: 'B', title: 'Two' };
const C: Track = { artist: 'C', title: 'Three' };

function make(opts: { applies?: boolean; running?: boolean; gapMs?: number } = {}) {
  const launches: Array<{ title: string; artist: string } | undefined> = [];
  let restarts = 0;
  let finishRestart: () => void = () => {};
  let now = 0;
  const tags: CodecTags = new CodecTags(
    {
      applies: () => opts.applies ?? true,
      running: () => opts.running ?? true,
      restart: () => {
        restarts++;
        return new Promise<void>((resolve) => {
          finishRestart = () => {
            launches.push(tags.forLaunch());
            resolve();
          };
        });
      },
      now: () => now,
    },
    opts.gapMs ?? 50,
  );
  return { tags, launches, restarts: () => restarts, finish: () => finishRestart(), advance: (ms: number) => (now += ms) };
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('the codec starts with the current tags; a new title restarts it once', async () => {
  const c = make();
  c.tags.set(A);
  assert.is(c.restarts(), 1, 'started without tags: restart for A');
  c.finish();
  await tick();
  assert.equal(c.launches, [{ title: 'One', artist: 'A' }]);
  c.tags.set(A);
  assert.is(c.restarts(), 1, 'same title: nothing to do');
});

test('titles during a restart and within the gap are coalesced into the last one', async () => {
  const c = make({ gapMs: 50 });
  assert.equal(c.tags.forLaunch(), undefined);
  c.tags.set(A);
  c.tags.set(B);
  c.tags.set(C);
  assert.is(c.restarts(), 1);
  c.finish();
  await tick();
  assert.equal(c.launches, [{ title: 'Three', artist: 'C' }], 'the new codec took the latest title');
  c.advance(10);
  c.tags.set(A);
  assert.is(c.restarts(), 1, 'within the gap: waits');
  c.advance(100);
  await tick(80);
  assert.is(c.restarts(), 2);
  c.finish();
  await tick();
  assert.equal(c.launches.at(-1), { title: 'One', artist: 'A' });
  c.tags.cancel();
});

test('not Ogg (or send_metadata off): no tags, no restarts; not running: the next start takes them', () => {
  const off = make({ applies: false });
  off.tags.set(A);
  assert.equal([off.restarts(), off.tags.forLaunch()], [0, undefined]);
  const stopped = make({ running: false });
  stopped.tags.set(A);
  assert.equal([stopped.restarts(), stopped.tags.forLaunch()], [0, { title: 'One', artist: 'A' }]);
});

test.run();
