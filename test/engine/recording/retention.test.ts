// Retention: keep N days, or keep X % free; oldest first; never the open file. The plan is pure; the
// apply step runs on a real directory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRetention, planRetention, type RecordingFile } from '../../../src/engine/recording/retention.js';
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

test('apply: deletes audio files and their cue sheets below the root, nothing else', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rackcast-retention-'));
  removeOnExit(root);
  mkdirSync(join(root, 'show'));
  const make = (rel: string, ageDays: number): string => {
    const p = join(root, rel);
    writeFileSync(p, 'x'.repeat(10));
    const t = (NOW - ageDays * DAY) / 1000;
    utimesSync(p, t, t);
    return p;
  };
  const old = make('show/old.flac', 10);
  const oldCue = make('show/old.cue', 10);
  const notes = make('show/notes.txt', 10);
  const open = make('open.wav', 10);
  const fresh = make('fresh.mp3', 1);
  const deleted = await applyRetention(root, { keepDays: 7, minFreePercent: 0 }, { nowMs: NOW, freeBytes: 1, totalBytes: 2, openPaths: new Set([open]) });
  assert.equal(deleted.map((f) => f.path), [old]);
  assert.equal([old, oldCue, notes, open, fresh].map(existsSync), [false, false, true, true, true]);
});

test.run();
