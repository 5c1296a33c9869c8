// The setup code (src/web/setup-code.ts, setup-routes.ts) on the real engine, started as the image's unit
// starts it (`rackcast engine` with RACKCAST_SETUP_CODE_FILE and no password): the code is made once and
// kept across a restart, GET /api/session says `setup`, a wrong code and a weak password are refused
// and named, the right code sets the password and signs the page in, after which the file is gone, the
// route answers 409 and the password signs in. Without the variable the engine stays locked, as before.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSetupCode, normaliseSetupCode, setupCodesMatch } from '../../src/web/setup-code.js';
import { startEngineProcess, type EngineProcess } from '../harness/engine-process.js';
import { freePort, removeOnExit, waitFor } from '../harness/util.js';

const PASSWORD = 'first-visit-pw-1';
const cli = new URL('../package/fixtures/rackcast-cli.ts', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-setup-'));
removeOnExit(dataDir);
const codeFile = join(dataDir, 'setup-code');
let engine: EngineProcess | null = null;

async function start(withCode = true): Promise<EngineProcess> {
  const env = { ...process.env };
  delete env.RACKCAST_ADMIN_PASSWORD;
  if (withCode) env.RACKCAST_SETUP_CODE_FILE = codeFile;
  else delete env.RACKCAST_SETUP_CODE_FILE;
  return (engine = await startEngineProcess({ dataDir, port: await freePort(), adminPassword: null, env }));
}

async function post(path: string, body: unknown): Promise<{ status: number; body: any; cookie: string | null }> {
  const res = await fetch(`${engine!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const cookie = /rackcast_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
  return { status: res.status, body: await res.json(), cookie };
}

const session = async (cookie?: string) =>
  (await fetch(`${engine!.url}/api/session`, { headers: cookie ? { cookie: `rackcast_session=${cookie}` } : {} })).json();

test.after(async () => {
  await engine?.stop();
});

test('codes: eight random digits as 1234-5678, typed with or without the dash', () => {
  assert.is(newSetupCode(() => 7), '7777-7777');
  let i = 0;
  assert.is(newSetupCode(() => i++ % 10), '0123-4567');
  assert.match(newSetupCode(), /^\d{4}-\d{4}$/);
  assert.is(normaliseSetupCode(' 1234 - 5678 '), '12345678');
  assert.ok(setupCodesMatch('1234-5678', '12345678'));
  assert.ok(setupCodesMatch('1234-5678', '1234 5678'));
  assert.not.ok(setupCodesMatch('1234-5678', '1234-5679'));
  assert.not.ok(setupCodesMatch('1234-5678', ''));
});

test('a locked engine with the variable makes a code once, keeps it across a restart, and says setup', async () => {
  await start();
  const code = readFileSync(codeFile, 'utf8').trim();
  assert.match(code, /^\d{4}-\d{4}$/);
  assert.is(statSync(codeFile).mode & 0o777, 0o600, 'the code is for the engine (and root) alone');
  assert.equal(await session(), { signed_in: false, locked: true, hint: (await session()).hint, setup: true });
  await engine!.stop();
  await start();
  assert.is(readFileSync(codeFile, 'utf8').trim(), code, 'the same code after a restart (it is on the console already)');
});

test('a wrong code and a weak password are refused and named; nothing is set', async () => {
  const code = readFileSync(codeFile, 'utf8').trim();
  const wrongDigit = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
  const wrong = await post('/api/setup', { code: wrongDigit, password: PASSWORD });
  assert.equal([wrong.status, wrong.body.field, wrong.cookie], [401, 'code', null]);
  const weak = await post('/api/setup', { code, password: 'short' });
  assert.equal([weak.status, weak.body.field], [400, 'password']);
  assert.match(weak.body.error, /at least 8 characters/);
  const missing = await post('/api/setup', { password: PASSWORD });
  assert.equal([missing.status, missing.body.field], [400, 'code']);
  assert.is((await post('/api/session', { password: PASSWORD })).status, 503, 'still locked');
  assert.ok(existsSync(codeFile));
});

test('the right code sets the password and signs in; then the code is gone for good', async () => {
  const code = readFileSync(codeFile, 'utf8').trim();
  const ok = await post('/api/setup', { code: normaliseSetupCode(code), password: PASSWORD });
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.ok(ok.cookie, 'a session cookie');
  assert.equal(await session(ok.cookie!), { signed_in: true, locked: false });
  assert.not.ok(existsSync(codeFile), 'the file is removed');
  const again = await post('/api/setup', { code, password: 'another-password' });
  assert.is(again.status, 409);
  const basic = 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64');
  assert.is((await fetch(`${engine!.url}/api/encoders`, { headers: { authorization: basic } })).status, 200, 'the new password works');
  const log = await (await fetch(`${engine!.url}/api/log?limit=20`, { headers: { authorization: basic } })).json();
  assert.ok(JSON.stringify(log).includes('setup code'), 'the event log says how the password was set');
  await engine!.stop();
  await start();
  assert.not.ok(existsSync(codeFile), 'no new code once a password exists');
});

test('`rackcast passwd` on a running engine that shows a code: the code goes (console, panel), the page is no longer in setup', async () => {
  await engine?.stop();
  const fresh = mkdtempSync(join(tmpdir(), 'rackcast-setup-passwd-'));
  removeOnExit(fresh);
  const file = join(fresh, 'setup-code');
  const env: NodeJS.ProcessEnv = { ...process.env, RACKCAST_SETUP_CODE_FILE: file };
  delete env.RACKCAST_ADMIN_PASSWORD;
  engine = await startEngineProcess({ dataDir: fresh, port: await freePort(), adminPassword: null, env });
  assert.ok(existsSync(file), 'a code while no password exists');
  assert.is((await session()).setup, true);
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'passwd', '--stdin', '--data-dir', fresh], {
    input: 'set from the shell 1\n', encoding: 'utf8', timeout: 60_000, env: { ...process.env, RACKCAST_PANEL_ENV_FILE: '/nonexistent/rackcast/panel.env' },
  });
  assert.is(r.status, 0, r.stderr);
  await waitFor(() => !existsSync(file), { timeoutMs: 10_000, what: 'the setup code retired' });
  const after = await session();
  assert.is(after.setup, undefined, JSON.stringify(after));
  assert.is(after.locked, false);
});

test('without the variable a locked engine has no setup: the route says how to set a password', async () => {
  await engine!.stop();
  const other = mkdtempSync(join(tmpdir(), 'rackcast-setup-off-'));
  removeOnExit(other);
  const env = { ...process.env };
  delete env.RACKCAST_SETUP_CODE_FILE;
  delete env.RACKCAST_ADMIN_PASSWORD;
  engine = await startEngineProcess({ dataDir: other, port: await freePort(), adminPassword: null, env });
  assert.is((await session()).setup, false);
  const r = await post('/api/setup', { code: '1234-5678', password: PASSWORD });
  assert.is(r.status, 403);
  assert.match(r.body.error, /rackcast passwd/);
});

test.run();
