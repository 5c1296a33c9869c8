// Retention: keep N days, or keep X % free; oldest first; never the open file. The plan is pure; the
// apply step runs on a real directory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRetention, planRetention, type RecordingFile } from '../../../src/engine/recording/retention.js';
import { FileRegister } from '../../../src/engine/recording/file-register.js';
import { openDatabase } from '../../../src/engine/db/database.js';
import { removeOnExit } from '../../harness/util.js';

const DAY = 86_400_000;
const NOW = Date.parse('2024-05-10T12:00:00Z');
const files: RecordingFile[] = [
  { path: '/r/d1.wav', bytes: 100, mtimeMs: NOW - 9 * DAY },
  { path: '/r/d3.wav', bytes: 100, mtimeMs: NOW - 3 * DAY },
  { path: '/r/d2.wav', bytes: 100, mtimeMs: NOW - 5 * DAY },
  { path: '/r/open.wav', bytes: 100, mtimeMs: NOW - 20 * DAY },
  { path: '/r/today.wav', bytes: 100, mtimeMs: NOW - 1000 },
];
const ctx = { nowMs: NOW, freeBytes: 500, totalBytes: 1000, openPaths: new Set(['/r/open.wav']) };

test('keep days: older recordings go, oldest first, never the open one', () => {
  assert.equal(planRetention(files, { keepDays: 4, minFreePercent: 0 }, ctx).map((f) => f.path), ['/r/d1.wav', '/r/d2.wav']);
  assert.equal(planRetention(files, { keepDays: 0, minFreePercent: 0 }, ctx), []);
});

test('keep free: the oldest go until enough is free', () => {
  assert.equal(planRetention(files, { keepDays: 0, minFreePercent: 65 }, ctx).map((f) => f.path), ['/r/d1.wav', '/r/d2.wav']);
  assert.equal(planRetention(files, { keepDays: 0, minFreePercent: 50 }, ctx), []);
  const all = planRetention(files, { keepDays: 0, minFreePercent: 99 }, ctx).map((f) => f.path);
  assert.equal(all, ['/r/d1.wav', '/r/d2.wav', '/r/d3.wav', '/r/today.wav'], 'everything but the open file if need be');
});

test('apply: deletes the recordings the engine made (registered) and their cue sheets, nothing else, never through a link', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rackcast-retention-'));
  const outside = mkdtempSync(join(tmpdir(), 'rackcast-retention-outside-'));
  removeOnExit(root);
  removeOnExit(outside);
  const register = new FileRegister(openDatabase(':memory:'));
  mkdirSync(join(root, 'show'));
  const age = (p: string, days: number): void => {
    const t = (NOW - days * DAY) / 1000;
    utimesSync(p, t, t);
  };
  const make = (rel: string, ageDays: number, recorded: 'closed' | 'open' | 'no' = 'closed'): string => {
    const p = join(root, rel);
    writeFileSync(p, 'x'.repeat(10));
    age(p, ageDays);
    if (recorded !== 'no') register.opened(p, 7);
    if (recorded === 'closed') register.closed(p);
    return p;
  };
  const old = make('show/old.flac', 10);
  const oldCue = make('show/old.cue', 10, 'no');
  const notes = make('show/notes.txt', 10, 'no');
  const foreign = make('show/foreign.wav', 30, 'no');
  const foreignCue = make('show/foreign.cue', 30, 'no');
  const open = make('open.wav', 10, 'open');
  const fresh = make('fresh.mp3', 1);
  // A recording of the engine's whose name now holds a link to a file outside: neither is deleted.
  const target = join(outside, 'precious.wav');
  writeFileSync(target, 'keep');
  age(target, 40);
  const swapped = join(root, 'show/swapped.wav');
  symlinkSync(target, swapped);
  register.opened(swapped, 7);
  register.closed(swapped);
  // A recorded directory replaced by a link to another directory: nothing in there is looked at.
  mkdirSync(join(outside, 'day'));
  const inLinkedDir = join(outside, 'day', 'x.wav');
  writeFileSync(inLinkedDir, 'keep');
  age(inLinkedDir, 40);
  symlinkSync(join(outside, 'day'), join(root, 'day'));
  register.opened(join(root, 'day', 'x.wav'), 7);
  register.closed(join(root, 'day', 'x.wav'));
  // Registered, then deleted by hand: forgotten.
  const gone = join(root, 'show', 'gone.wav');
  register.opened(gone, 7);
  register.closed(gone);

  const deleted = await applyRetention(root, { keepDays: 7, minFreePercent: 0 }, { nowMs: NOW, freeBytes: 1, totalBytes: 2, openPaths: new Set([open]), register });
  assert.equal(deleted.map((f) => f.path), [old]);
  assert.equal([old, oldCue, notes, foreign, foreignCue, open, fresh].map(existsSync), [false, false, true, true, true, true, true]);
  assert.is(readFileSync(target, 'utf8'), 'keep');
  assert.is(readFileSync(inLinkedDir, 'utf8'), 'keep');
  assert.is(register.has(old), false, 'a deleted recording leaves the register');
  assert.is(register.has(gone), false, 'so does one found missing');
  assert.is(register.has(fresh), true);
});

test.run();
