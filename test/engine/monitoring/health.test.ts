// Health: the verdict from the facts (plain values), and the database probe on a real filesystem that is
// remounted read-only, and one that is full (a tmpfs; the tests run as root, as CI does).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthOf, type HealthFacts } from '../../../src/engine/monitoring/health.js';
import { databaseWritable } from '../../../src/engine/monitoring/database-probe.js';
import { openDatabase } from '../../../src/engine/db/database.js';
import { makeTmpfs } from '../recording/api-helpers.js';
import { removeOnExit } from '../../harness/util.js';

const well: HealthFacts = {
  capture: { state: 'running', device: 'hw:1,0', error: null },
  database: { writable: true, error: null },
  encoders: [{ name: 'Main', state: 'streaming', status_text: 'Streaming' }],
  recordings: [{ name: 'Logger', state: 'streaming', status_text: 'Recording' }],
  audioAlarms: [],
};

test('ok while all is well; each check says what it saw', () => {
  const h = healthOf(well);
  assert.is(h.status, 'ok');
  assert.equal(h.checks, {
    capture: { status: 'ok', detail: 'running (hw:1,0)' },
    database: { status: 'ok', detail: 'writable' },
    encoders: { status: 'ok', detail: '1 on air' },
    recordings: { status: 'ok', detail: '1 recording' },
    audio: { status: 'ok', detail: 'no alarm' },
  });
});

test('degraded: a stream retrying, a recording without its drive, silence; down: no input or no database', () => {
  assert.is(healthOf({ ...well, encoders: [{ name: 'Main', state: 'retrying', status_text: 'Retrying (2/∞)' }] }).checks.encoders.detail, 'Main: Retrying (2/∞)');
  assert.is(healthOf({ ...well, encoders: [{ name: 'Main', state: 'failed', status_text: 'Failed' }] }).status, 'degraded');
  assert.is(healthOf({ ...well, recordings: [{ name: 'Logger', state: 'retrying', status_text: 'Storage missing' }] }).status, 'degraded');
  assert.is(healthOf({ ...well, audioAlarms: [{ text: 'Silence: …' }] }).status, 'degraded');
  const noInput = healthOf({ ...well, capture: { state: 'no_input', device: 'hw:1,0', error: 'sound card "hw:1,0" not found' } });
  assert.equal([noInput.status, noInput.checks.capture.detail], ['down', 'no input from hw:1,0: sound card "hw:1,0" not found']);
  assert.is(healthOf({ ...well, database: { writable: false, error: 'x' } }).status, 'down');
  assert.is(healthOf({ ...well, capture: { state: 'opening', device: 'hw:1,0', error: null } }).status, 'ok', 'opening at start is not down');
});

test('the database probe: writable; its filesystem remounted read-only; full', () => {
  const fs = makeTmpfs(2048);
  fs.mount();
  try {
    // The database file lives on the tmpfs; the handle the probe looks at is opened there too, then closed
    // so the filesystem can be remounted (Linux refuses to remount a filesystem with a file open for writing).
    const onTmpfs = openDatabase(join(fs.path, 'rackcast.db'));
    assert.equal(databaseWritable(onTmpfs, fs.path), { writable: true, error: null });
    onTmpfs.close();
    assert.equal(databaseWritable(onTmpfs, fs.path), { writable: false, error: 'the database is closed' });
    const dir = mkdtempSync(join(tmpdir(), 'rackcast-health-'));
    removeOnExit(dir);
    const db = openDatabase(join(dir, 'rackcast.db'));
    execFileSync('mount', ['-o', 'remount,ro', fs.path]);
    assert.equal(databaseWritable(db, fs.path), { writable: false, error: 'the data directory is on a read-only filesystem' });
    execFileSync('mount', ['-o', 'remount,rw', fs.path]);
    try {
      writeFileSync(join(fs.path, 'filler'), Buffer.alloc(4 * 1024 * 1024));
    } catch {
      /* ENOSPC: full, as wanted */
    }
    const full = databaseWritable(db, fs.path);
    assert.is(full.writable, false);
    assert.match(full.error ?? '', /^the data directory's disk is full/);
    db.close();
  } finally {
    fs.unmount();
  }
});

test.run();
