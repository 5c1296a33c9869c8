// The README's first command keeps working: the demo brings up Icecast, the engine and two streams.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort, freePortPair, spawnTracked, exited, httpGet } from '../harness/util.js';

test('the demo puts two streams on air and shuts down cleanly', async () => {
  const icecastPort = await freePortPair();
  const httpPort = await freePort();
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--seconds', '3', '--port', String(httpPort), '--icecast-port', String(icecastPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RACKCAST_CAPTURE: 'tone', RACKCAST_ADMIN_PASSWORD: 'demo-test' },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let mp3Status = 0;
  const probe = setInterval(async () => {
    if (out.includes('RackCast demo is on air') && !mp3Status) {
      mp3Status = (await httpGet(`http://127.0.0.1:${icecastPort}/status-json.xsl`).catch(() => ({ status: -1 }))).status;
    }
  }, 200);
  const code = await exited(child);
  clearInterval(probe);
  assert.is(code, 0, out);
  assert.match(out, `Listen (MP3)   http://127.0.0.1:${icecastPort}/rackcast.mp3`);
  assert.match(out, 'user admin, password demo-test');
  assert.match(out, `Page           http://127.0.0.1:${httpPort}/`);
  assert.match(out, '2 of 2 encoders streaming after 3 s');
  assert.is(mp3Status, 200, 'Icecast answered while the demo ran');
});

test.run();
