import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../src/engine/db/database.js';

const dir = mkdtempSync(join(tmpdir(), 'rackcast-db-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const COMMITTED = 50;

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

test('rows committed through openDatabase() survive a SIGKILL before any checkpoint or close, under its pragmas', () => {
  const file = join(dir, 'killed.sqlite');
  // The child opens the file through the engine's own openDatabase() (not by hand), so what is proved is
  // RackCast's durability settings, not SQLite's. It commits rows one transaction each, leaves one more
  // transaction open, reports the pragmas in force on its connection and SIGKILLs itself mid-write.
  const moduleUrl = pathToFileURL(join(repoRoot, 'src/engine/db/database.ts')).href;
  const script = `
    import { writeSync } from 'node:fs';
    import { openDatabase } from ${JSON.stringify(moduleUrl)};
    const db = openDatabase(${JSON.stringify(file)});
    const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    for (let i = 0; i < ${COMMITTED}; i++) insert.run('committed-' + i, String(i));
    const pragmas = {
      journal_mode: db.pragma('journal_mode', { simple: true }),
      synchronous: db.pragma('synchronous', { simple: true }),
      foreign_keys: db.pragma('foreign_keys', { simple: true }),
    };
    db.exec('BEGIN');
    insert.run('uncommitted', 'x');
    writeSync(1, JSON.stringify(pragmas) + '\\n');
    process.kill(process.pid, 'SIGKILL');`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.is(child.signal, 'SIGKILL', `the child was killed mid-write, not ended otherwise: ${child.stderr}`);
  const pragmas = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
  assert.equal(pragmas, { journal_mode: 'wal', synchronous: 2, foreign_keys: 1 }, 'pragmas openDatabase() set in the child (synchronous 2 = FULL)');
  assert.ok(existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0, 'the writes were in the WAL, not yet checkpointed');

  const db = openDatabase(file);
  const rows = db.prepare("SELECT key, value FROM settings WHERE key LIKE 'committed-%' ORDER BY CAST(value AS INTEGER)").all();
  assert.equal(rows, Array.from({ length: COMMITTED }, (_, i) => ({ key: `committed-${i}`, value: String(i) })), 'every committed row survived');
  assert.is(db.prepare("SELECT 1 FROM settings WHERE key = 'uncommitted'").get(), undefined, 'the open transaction was rolled back');
  db.close();
});

test.run();
