import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

test.run();
