// The panel as a process: usage errors through `rackcast panel`, and degraded mode — no I2C, no
// GPIO, no engine — in which it keeps running, says what is missing, and stops cleanly on SIGTERM.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort, exited, spawnTracked, stopChild, tailOf, waitFor } from '../harness/util.js';

const root = new URL('../..', import.meta.url).pathname;

test('rackcast panel: a bad flag exits 2 naming it, with the panel usage', async () => {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', '-e', "import('./src/cli.ts').then((m) => m.main(['panel', '--buttons', 'keyboard']))"], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const err = tailOf(child.stderr);
  assert.is(await exited(child), 2);
  assert.match(err(), /rackcast panel: --buttons must be gpio or stdin, not "keyboard"/);
  assert.match(err(), /usage: rackcast panel/);
});

test('without I2C, GPIO or engine the panel keeps running and says what is missing', async () => {
  const deadPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, RACKCAST_PANEL_BUTTONS: 'gpio' };
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'src/panel/main.ts', '--display', 'ssd1306:99', '--api', `http://127.0.0.1:${deadPort}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = tailOf(child.stdout);
  const err = tailOf(child.stderr);
  const all = () => out() + err();
  try {
    await waitFor(() => /display error: .*\/dev\/i2c-99/.test(all()) && /engine not running \(connection refused\)/.test(all()), { timeoutMs: 10_000, what: `messages; got:\n${all()}` });
    if (!/no buttons: /.test(all())) assert.match(all(), /GPIO buttons/, 'either GPIO works here or the panel says why not');
    assert.is(child.exitCode, null, 'still running');
  } finally {
    await stopChild(child);
  }
  assert.is(child.exitCode, 0, all());
});

test.run();
