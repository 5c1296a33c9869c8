// `rackcast passwd` while the engine runs: every signed-in page is signed out at its next request (the
// engine checks the stored sessions), and the new password signs in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from './harness/engine.js';

const cli = new URL('./package/fixtures/rackcast-cli.ts', import.meta.url).pathname;
let t: TestEngine;

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone' });
});

test.after(async () => {
  await t?.stop();
});

async function signIn(password: string): Promise<{ status: number; cookie: string | null }> {
  const res = await fetch(`${t.web.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  return { status: res.status, cookie: /rackcast_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null };
}

test('passwd signs the pages out; the new password signs in', async () => {
  const { cookie } = await signIn(ADMIN_PASSWORD);
  assert.is((await t.request('GET', '/api/status', { cookie: `rackcast_session=${cookie}` })).status, 200);
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'passwd', '--stdin', '--data-dir', t.dataDir], {
    input: 'a brand new password\n', encoding: 'utf8', timeout: 60_000, env: { ...process.env, RACKCAST_PANEL_ENV_FILE: '/nonexistent/rackcast/panel.env' },
  });
  assert.is(r.status, 0, r.stderr);
  assert.is((await t.request('GET', '/api/status', { cookie: `rackcast_session=${cookie}` })).status, 401, 'signed out');
  assert.is((await signIn(ADMIN_PASSWORD)).status, 401);
  assert.is((await signIn('a brand new password')).status, 200);
});

test.run();
