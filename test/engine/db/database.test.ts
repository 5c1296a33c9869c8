import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-db-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

test('creates the parent directory and sets the durability pragmas', () => {
  const file = join(dir, 'nested', 'deeper', 'rackcast.sqlite');
  const db = openDatabase(file);
  assert.ok(existsSync(file));
  assert.is(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.is(db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL');
  assert.is(db.pragma('foreign_keys', { simple: true }), 1);
  assert.ok(Number(db.pragma('busy_timeout', { simple: true })) > 0);
  db.close();
});

test('a committed write is visible after closing and reopening', () => {
  const file = join(dir, 'reopen.sqlite');
  const db = openDatabase(file);
  db.prepare("INSERT INTO settings (key, value) VALUES ('station', '\"Radio X\"')").run();
  db.close();
  const again = openDatabase(file);
  assert.equal(again.prepare("SELECT value FROM settings WHERE key = 'station'").get(), { value: '"Radio X"' });
  assert.is(again.pragma('journal_mode', { simple: true }), 'wal', 'WAL mode is persistent in the file');
  again.close();
});

test('a committed write survives the process being killed before any checkpoint or close', () => {
  const file = join(dir, 'killed.sqlite');
  openDatabase(file).close();
  // A child commits through the same pragmas, then SIGKILLs itself: the data lives only in the WAL file.
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL'); db.pragma('synchronous = FULL'); db.pragma('wal_autocheckpoint = 0');
    db.prepare("INSERT INTO settings (key, value) VALUES ('k', '42')").run();
    process.kill(process.pid, 'SIGKILL');`;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' });
  assert.is(child.signal, 'SIGKILL', child.stderr);
  assert.ok(existsSync(`${file}-wal`), 'the write was in the WAL, not yet checkpointed');
  const db = openDatabase(file);
  assert.equal(db.prepare("SELECT value FROM settings WHERE key = 'k'").get(), { value: '42' });
  db.close();
});

test.run();
