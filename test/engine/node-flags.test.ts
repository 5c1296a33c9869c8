// The engine's deployed Node flags and environment (src/engine/node-flags.ts): the systemd unit and
// `npm start` carry the same ones, and the fixed malloc mmap threshold does what it is there for. A real
// engine process checks four passwords (scrypt takes 16 MB on the thread pool each time); with the
// deployed environment no anonymous mapping of that size stays resident afterwards, and the same engine
// started without it keeps one (so the test sees the difference it claims, on this glibc).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_ENV, ENGINE_NODE_FLAGS } from '../../src/engine/node-flags.js';
import { startEngineProcess, type EngineProcess } from '../harness/engine-process.js';
import { ADMIN_PASSWORD } from '../harness/engine.js';
import { freePort, removeOnExit } from '../harness/util.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const envLines = Object.entries(ENGINE_ENV).map(([k, v]) => `${k}=${v}`);
const engines: EngineProcess[] = [];

test.after(async () => {
  await Promise.all(engines.map((e) => e.stop()));
});

test('the unit and npm start run the engine with ENGINE_NODE_FLAGS and ENGINE_ENV', () => {
  const unit = readFileSync(join(ROOT, 'systemd/rackcast-engine.service'), 'utf8');
  const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  assert.is(execStart, `/usr/bin/node ${ENGINE_NODE_FLAGS.join(' ')} /opt/rackcast/bin/rackcast.js engine`);
  for (const line of envLines) assert.ok(unit.split('\n').includes(`Environment=${line}`), `the unit sets ${line}`);
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  assert.is(start, `${envLines.join(' ')} node ${ENGINE_NODE_FLAGS.join(' ')} bin/rackcast.js engine`);
});

/** The largest resident anonymous mapping of a process, in kB. */
function largestAnonRssKb(pid: number): number {
  let largest = 0;
  let anon = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) anon = head[1] === '';
    else if (anon && line.startsWith('Rss:')) largest = Math.max(largest, Number(line.split(/\s+/)[1]));
  }
  return largest;
}

async function afterFourLogins(engineEnv: Readonly<Record<string, string>>): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-node-flags-'));
  removeOnExit(dataDir);
  const engine = await startEngineProcess({ dataDir, port: await freePort(), engineEnv });
  engines.push(engine);
  const authorization = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${engine.url}/api/status`, { headers: { authorization } });
    assert.is(res.status, 200, 'the password is checked and accepted');
    await res.arrayBuffer();
  }
  return largestAnonRssKb(engine.pid);
}

test('with ENGINE_ENV, the password checks leave no 16 MB block resident; without it, one stays', async () => {
  const [deployed, without] = await Promise.all([afterFourLogins(ENGINE_ENV), afterFourLogins({})]);
  assert.ok(deployed < 12 * 1024, `largest resident anonymous mapping with ENGINE_ENV: ${deployed} kB (scrypt's 16 MB block should be gone)`);
  assert.ok(without >= 16 * 1024, `without it: ${without} kB (the block this setting is for; if glibc no longer keeps it, the setting can go)`);
});

test.run();
