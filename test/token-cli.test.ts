// `rackcast token` as a process, as the operator runs it on the box: create prints the token once, a
// running engine on the same data directory takes it at the next request with its scope, list shows it
// without the token, revoke ends it; wrong flags exit 2 and say why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { startTestEngine, type TestEngine } from './harness/engine.js';

const cli = new URL('./package/fixtures/rackcast-cli.ts', import.meta.url).pathname;
let t: TestEngine;

function token(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, 'token', ...args, '--data-dir', t.dataDir], { encoding: 'utf8' });
}

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone' });
});

test.after(async () => {
  await t?.stop();
});

test('create → the engine takes it with its scope; list; revoke', async () => {
  const made = token(['create', '--label', 'front panel', '--scope', 'control']);
  assert.is(made.status, 0, made.stderr);
  const secret = made.stdout.trim();
  assert.match(secret, /^rct_[\w-]{43}$/);
  assert.match(made.stderr, /scope control\) created; it is shown only this once/);
  const bearer = `Bearer ${secret}`;
  assert.is((await t.api('GET', '/api/status', undefined, bearer)).status, 200);
  const refused = await t.api('POST', '/api/encoders', { name: 'x' }, bearer);
  assert.equal([refused.status, refused.body.scope], [403, 'admin']);

  const list = token(['list']);
  assert.is(list.status, 0, list.stderr);
  assert.match(list.stdout, /^[0-9a-f]{12} {2}control {3}front panel {2}created \S+ {2}last used \S+\n$/);
  assert.not.ok(list.stdout.includes(secret));
  const id = list.stdout.split(' ')[0]!;
  assert.is(token(['revoke', id]).status, 0);
  assert.is((await t.api('GET', '/api/status', undefined, bearer)).status, 401);
});

test('wrong input: exit 2 naming the flag, nothing created', () => {
  const r = token(['create', '--label', 'x', '--scope', 'root']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /rackcast token: --scope must be one of admin, control, metadata, read/);
  assert.is(token(['revoke', 'nope']).status, 2);
  assert.is(token(['list']).stdout, '');
});

test.run();
