import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, constants, mkdtempSync, openSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NowPlayingFile, firstLine } from '../../../src/engine/metadata/file-watcher.js';
import type { LineHandlers } from '../../../src/engine/metadata/line-listeners.js';
import { removeOnExit } from '../../harness/util.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-np-'));
removeOnExit(dir);

function watch(path: string) {
  const lines: string[] = [];
  const drops: string[] = [];
  const handlers: LineHandlers = { onLine: (b) => lines.push(b.toString('utf8')), onDrop: (r) => drops.push(r) };
  return { file: new NowPlayingFile(path, handlers), lines, drops };
}

test('firstLine: up to the first CR or LF; too long is null', () => {
  assert.is(firstLine(Buffer.from('A - B\r\nnext'))!.toString(), 'A - B');
  assert.is(firstLine(Buffer.from('only'))!.toString(), 'only');
  assert.is(firstLine(Buffer.from('abcdef'), 5), null);
});

test('reads the first line when the file changes, and only then', async () => {
  const path = join(dir, 'np.txt');
  const w = watch(path);
  await w.file.check();
  assert.is(w.file.status.state, 'missing');
  writeFileSync(path, 'Artist - One\nnext line\n');
  await w.file.check();
  await w.file.check();
  assert.equal(w.lines, ['Artist - One']);
  assert.is(w.file.status.state, 'watching');
  writeFileSync(path, 'Artist - Two\n');
  utimesSync(path, new Date(), new Date(Date.now() + 5000));
  await w.file.check();
  assert.equal(w.lines, ['Artist - One', 'Artist - Two']);
});

test('an empty file (truncated, not written yet) is waited out', async () => {
  const path = join(dir, 'empty.txt');
  const w = watch(path);
  writeFileSync(path, '');
  await w.file.check();
  assert.equal(w.lines, []);
  writeFileSync(path, 'Now - Written');
  await w.file.check();
  assert.equal(w.lines, ['Now - Written']);
});

test('a directory or a huge first line is reported, not read as a title', async () => {
  const w = watch(dir);
  await w.file.check();
  assert.equal([w.file.status.state, w.file.status.error], ['error', 'is not a regular file']);
  const path = join(dir, 'huge.txt');
  writeFileSync(path, 'x'.repeat(10_000));
  const h = watch(path);
  await h.file.check();
  assert.equal(h.drops, ['too_long']);
  assert.equal(h.lines, []);
});

test('start() polls on its own', async () => {
  const path = join(dir, 'polled.txt');
  writeFileSync(path, 'First - Poll');
  const w = watch(path);
  w.file.start();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(w.lines, ['First - Poll']);
  writeFileSync(path, 'Second - Poll, longer');
  await new Promise((r) => setTimeout(r, 1300));
  w.file.stop();
  assert.equal(w.lines, ['First - Poll', 'Second - Poll, longer']);
  rmSync(path);
});

test('a link to a local file publishes nothing and says why', async () => {
  const real = join(dir, 'real.txt');
  writeFileSync(real, 'Linked - Title\n');
  const link = join(dir, 'link.txt');
  symlinkSync(real, link);
  const w = watch(link);
  await w.file.check();
  assert.equal(w.lines, []);
  assert.is(w.file.status.state, 'error');
  assert.match(w.file.status.error ?? '', /is a link/);
});

test('a FIFO in the file\'s place is reported, not read, and the poll returns at once', async () => {
  const fifo = join(dir, 'plain-fifo');
  execFileSync('mkfifo', [fifo]);
  const w = watch(fifo);
  const started = Date.now();
  await w.file.check();
  assert.ok(Date.now() - started < 1000);
  assert.equal([w.file.status.state, w.file.status.error, w.lines], ['error', 'is not a regular file', []]);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a FIFO swapped in for the file, again and again, never blocks a libuv thread: other file reads still complete', async () => {
  const path = join(dir, 'swapped.txt');
  const regular = join(dir, 'swapped-regular');
  writeFileSync(regular, 'Artist - Real\n');
  const fifo = join(dir, 'swapped-fifo');
  execFileSync('mkfifo', [fifo]);
  writeFileSync(path, 'Artist - Real\n');
  // Another thread swaps a FIFO and the regular file in and out of the name as fast as it can, so a
  // poll that looked at the name and then opened it finds the other one.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const swapper = new Worker(
    `const { linkSync, renameSync } = require('node:fs');
     const { workerData, parentPort } = require('node:worker_threads');
     const { path, regular, fifo, stop } = workerData;
     let n = 0;
     while (Atomics.load(stop, 0) === 0) {
       linkSync(n % 2 ? regular : fifo, path + '.new');
       renameSync(path + '.new', path);
       n++;
     }
     parentPort.postMessage(n);`,
    { eval: true, workerData: { path, regular, fifo, stop } },
  );
  const swaps = new Promise<number>((resolve) => swapper.once('message', resolve));
  // A poll that hangs holds a thread for good; a new watcher (the operator changing the setting) gets the next.
  const hung: Promise<void>[] = [];
  const seen = new Set<string>();
  let current = watch(path);
  const titles: string[] = [];
  try {
    for (let polls = 0; polls < 3000 && hung.length < 4; polls++) {
      const poll = current.file.check();
      const finished = await Promise.race([poll.then(() => true), sleep(500).then(() => false)]);
      seen.add(current.file.status.error ?? current.file.status.state);
      if (!finished) {
        hung.push(poll);
        titles.push(...current.lines);
        current = watch(path);
      }
    }
    titles.push(...current.lines);
    Atomics.store(stop, 0, 1);
    assert.ok((await swaps) > 100, 'the name was swapped many times');
    // Four stuck threads are all libuv has: this read would never complete.
    const other = join(dir, 'other.txt');
    writeFileSync(other, 'still readable');
    const read = await Promise.race([readFile(other, 'utf8'), sleep(3000).then(() => 'timed out')]);
    assert.is(read, 'still readable', 'the threadpool is free');
    assert.is(hung.length, 0, `${hung.length} polls never returned`);
    assert.ok(seen.has('is not a regular file'), `the FIFO was seen and reported: ${[...seen].join(', ')}`);
    assert.ok(titles.every((t) => t === 'Artist - Real'), JSON.stringify(titles));
  } finally {
    Atomics.store(stop, 0, 1);
    // Wake any open() still waiting for a writer on the FIFO, so that this process can end.
    for (let i = 0; i < 50 && hung.length > 0; i++) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        /* no reader waiting right now */
      }
      const settled = await Promise.race([Promise.all(hung).then(() => true), sleep(100).then(() => false)]);
      if (settled) break;
    }
    await swapper.terminate();
  }
});

test.run();
