// test-timeout: 120
// Port 80 on the box comes from rackcast-engine.socket: systemd binds it and passes it as descriptor 3
// (sd_listen_fds). Here systemd's own systemd-socket-activate does the same for a real engine process:
// it listens, starts the engine on the first connection, and the engine serves on that socket, whatever
// --port says. The man-page help is checked too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeListenFd } from '../../src/web/systemd-socket.js';
import { MAN_HELP, manPage } from '../../src/help.js';
import { freePort, httpGet, waitFor } from '../harness/util.js';

const cli = new URL('./fixtures/rackcast-cli.ts', import.meta.url).pathname;

test('takeListenFd: descriptor 3 only when LISTEN_PID is this process, and the variables are removed for the children', () => {
  const env: NodeJS.ProcessEnv = { LISTEN_FDS: '1', LISTEN_PID: '42', LISTEN_FDNAMES: 'http' };
  assert.is(takeListenFd(env, 42), 3);
  assert.equal(env, {});
  assert.is(takeListenFd({ LISTEN_FDS: '1', LISTEN_PID: '41' }, 42), null, 'meant for another process');
  assert.is(takeListenFd({ LISTEN_FDS: '0', LISTEN_PID: '42' }, 42), null);
  assert.is(takeListenFd({}, 42), null);
});

test('an engine started by systemd-socket-activate serves the socket it was given', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-socket-'));
  // --port 1 would fail to bind as anything but the inherited socket: proof the socket is the one used.
  const child = spawn('systemd-socket-activate', ['-l', `127.0.0.1:${port}`, '-E', `RACKCAST_DATA_DIR=${dataDir}`, '-E', 'PATH',
    process.execPath, '--import', 'tsx', cli, 'engine', '--port', '1', '--bind', '127.0.0.1', '--capture', 'tone'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    await waitFor(async () => (await httpGet(`http://127.0.0.1:${port}/api/session`, 5000)).status === 200, { timeoutMs: 60_000, intervalMs: 500, what: 'the engine on the passed socket' });
    const session = await httpGet(`http://127.0.0.1:${port}/api/session`);
    const body = JSON.parse(session.body);
    assert.is(body.locked, true);
    assert.match(body.hint, /sudo rackcast passwd/, 'the page tells a fresh box how to set the password');
    assert.match(output, /listening on http:\/\/127\.0\.0\.1:/);
    assert.match(output, /rackcast passwd/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('rackcast --help reads as a manual page, and the package\'s rackcast.1 is that text in roff', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, '--help'], { encoding: 'utf8' });
  assert.is(r.status, 0);
  for (const section of ['NAME', 'SYNOPSIS', 'COMMANDS', 'ENVIRONMENT', 'FILES', 'SEE ALSO']) assert.match(r.stdout, new RegExp(`^${section}$`, 'm'));
  assert.match(r.stdout, /rackcast passwd \[--data-dir DIR\] \[--stdin\]/);
  assert.is(r.stdout.trim(), MAN_HELP.trim());
  const roff = manPage('1.2.3');
  assert.match(roff, /^\.TH RACKCAST 1 "" "rackcast 1\.2\.3"/);
  assert.match(roff, /^\.SH NAME\nrackcast \\- the rack streaming encoder/m);
  const rendered = spawnSync('man', ['-l', '-'], { input: roff, encoding: 'utf8', env: { ...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: '0' } });
  assert.is(rendered.status, 0, rendered.stderr);
  assert.match(rendered.stdout, /rackcast passwd \[--data-dir DIR\] \[--stdin\]/);
});

test.run();
