// test-timeout: 120
// `rackcast passwd` as a process, as the operator runs it on the box: root acting as the data
// directory's owner (the files it leaves are that user's), the password rules, a running engine taking
// the new password without a restart. Runs as root (CI does), with `nobody` standing in for rackcast.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/engine/db/database.js';
import { SettingsStore } from '../../src/engine/db/settings-store.js';
import { ADMIN_HASH_KEY, verifyApiToken, verifyPassword } from '../../src/web/auth.js';
import { startTestEngine } from '../harness/engine.js';
import { identityFor, passwordProblem } from '../../src/passwd.js';

const cli = new URL('./fixtures/rackcast-cli.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'rackcast-passwd-'));
chmodSync(root, 0o755); // the directory's owner must reach its data directory
const NOBODY = 65534;

const etc = join(root, 'etc-rackcast');
const panelEnv = join(etc, 'panel.env');

function passwd(args: string[], input: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, 'passwd', ...args], {
    input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, RACKCAST_PANEL_ENV_FILE: panelEnv },
  });
}

function storedHash(dataDir: string): string | null {
  const db = openDatabase(join(dataDir, 'rackcast.db'));
  try {
    return new SettingsStore(db).get<string | null>(ADMIN_HASH_KEY, null);
  } finally {
    db.close();
  }
}

test.after(() => rmSync(root, { recursive: true, force: true }));

test('pure rules: root becomes the directory owner, anyone else stays; passwords of 8 characters or more, no control characters', () => {
  assert.equal(identityFor(0, { uid: 998, gid: 997 }), { uid: 998, gid: 997 });
  assert.is(identityFor(0, { uid: 0, gid: 0 }), null);
  assert.is(identityFor(998, { uid: 998, gid: 997 }), null);
  assert.is(passwordProblem('1234567'), 'the password must have at least 8 characters');
  assert.is(passwordProblem('12345678'), null);
  assert.match(passwordProblem('abc\u0007defgh')!, /control characters/);
});

test('as root on a directory owned by another user: the database is made as that user and holds the password', async () => {
  assert.is(process.getuid?.(), 0, 'this test runs as root');
  const dataDir = join(root, 'box');
  spawnSync('mkdir', ['-m', '0700', dataDir]);
  chownSync(dataDir, NOBODY, NOBODY);
  const r = passwd(['--stdin', '--data-dir', dataDir], 'correct horse battery\n');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /admin password set/);
  for (const f of readdirSync(dataDir)) assert.is(statSync(join(dataDir, f)).uid, NOBODY, `${f} belongs to the directory's owner`);
  const hash = storedHash(dataDir);
  assert.ok(hash && (await verifyPassword(hash, 'correct horse battery')));
});

test('as root, the first time: the front panel gets an API token in its environment file (0600); later runs keep it', async () => {
  const dataDir = join(root, 'box2');
  spawnSync('mkdir', ['-m', '0700', dataDir, etc]);
  chownSync(dataDir, NOBODY, NOBODY);
  const r = passwd(['--stdin', '--data-dir', dataDir], 'correct horse battery\n');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /front panel signs in with its own API token/);
  const text = readFileSync(panelEnv, 'utf8');
  const token = /^RACKCAST_API_TOKEN=(\S+)$/m.exec(text)?.[1];
  assert.ok(token, text);
  assert.is(statSync(panelEnv).mode & 0o777, 0o600);
  assert.is(statSync(panelEnv).uid, 0);
  const db = openDatabase(join(dataDir, 'rackcast.db'));
  try {
    assert.ok(verifyApiToken(new SettingsStore(db), token!), 'the engine knows the token');
  } finally {
    db.close();
  }
  for (const f of readdirSync(dataDir)) assert.is(statSync(join(dataDir, f)).uid, NOBODY, f);
  const again = passwd(['--stdin', '--data-dir', dataDir], 'another good one\n');
  assert.is(again.status, 0, again.stderr);
  assert.is(readFileSync(panelEnv, 'utf8'), text, 'the token is kept');
});

test('refusals change nothing and say why: too short, no such directory', () => {
  const dataDir = join(root, 'short');
  spawnSync('mkdir', [dataDir]);
  const short = passwd(['--stdin', '--data-dir', dataDir], 'short\n');
  assert.is(short.status, 2);
  assert.match(short.stderr, /at least 8 characters/);
  assert.not.ok(existsSync(join(dataDir, 'rackcast.db')));
  const missing = passwd(['--stdin', '--data-dir', join(root, 'nope')], 'long enough pass\n');
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /no data directory/);
});

test('a running engine takes the new password at once', async () => {
  const t = await startTestEngine({ captureDevice: 'tone' });
  try {
    const r = passwd(['--stdin', '--data-dir', t.dataDir], 'a brand new password\n');
    assert.is(r.status, 0, r.stderr);
    const basic = 'Basic ' + Buffer.from('admin:a brand new password').toString('base64');
    assert.is((await t.api('GET', '/api/encoders', undefined, basic)).status, 200);
  } finally {
    await t.stop();
  }
});

test.run();
