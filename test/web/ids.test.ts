// Route ids are canonical decimal: `1e0`, `0x1`, ` 1`, `01`, `1.0`, `+1` and friends are not encoder 1.
// Each is refused with a 400 naming `id` on every route that takes one, and encoder 1 is left alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestEngine, type TestEngine } from '../harness/engine.js';

let t: TestEngine;
let id = 0;

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone:440' });
  const created = await t.api('POST', '/api/encoders', {
    name: 'Encoder one', codec: 'mp3', bitrate_kbps: 128, output_type: 'icecast', server_host: '127.0.0.1', server_port: 1, mount_point: '/one.mp3', enabled: false,
  });
  id = created.body.id;
});

test.after(async () => {
  await t?.stop();
});

// As they appear in the path (percent-encoded where a URL needs it).
const NON_CANONICAL = ['1e0', '0x1', '%201', '1%20', '01', '001', '1.0', '1.', '+1', '0b1', '0o1', '1_0', '%091', '1%0A', '-1', '0', 'Infinity', '', '99999999999999999999', '9007199254740993'];

test('encoder 1 really is id 1 (the cases below mean something)', () => {
  assert.is(id, 1);
});

test('every route with :id refuses a non-canonical id with 400 naming id', async () => {
  const routes: Array<[string, (raw: string) => string, unknown?]> = [
    ['GET', (r) => `/api/encoders/${r}`],
    ['PUT', (r) => `/api/encoders/${r}`, { name: 'Renamed through a bad id' }],
    ['POST', (r) => `/api/encoders/${r}/start`],
    ['POST', (r) => `/api/encoders/${r}/stop`],
    ['GET', (r) => `/api/encoders/${r}/status`],
    ['GET', (r) => `/api/encoders/${r}/listeners`],
    ['GET', (r) => `/api/encoders/${r}/listeners/current`],
    ['GET', (r) => `/api/encoders/${r}/recording`],
    ['POST', (r) => `/api/encoders/${r}/recording/start`],
    ['DELETE', (r) => `/api/encoders/${r}`],
  ];
  for (const raw of NON_CANONICAL) {
    if (raw === '') continue; // `/api/encoders/` is another route
    for (const [method, path, body] of routes) {
      const r = await t.api(method, path(raw), body);
      assert.is(r.status, 400, `${method} ${path(raw)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.is(r.body.field, 'id', `${method} ${path(raw)}`);
      assert.match(r.body.error, /canonical|decimal/, `${method} ${path(raw)}: ${r.body.error}`);
    }
  }
  const one = await t.api('GET', '/api/encoders/1');
  assert.equal([one.status, one.body.name, one.body.enabled], [200, 'Encoder one', false], 'encoder 1 was not renamed, started or deleted');
});

test('canonical ids still work; a well-formed id that does not exist is 404', async () => {
  assert.is((await t.api('GET', `/api/encoders/${id}`)).status, 200);
  assert.is((await t.api('GET', `/api/encoders/${id}/status`)).status, 200);
  assert.is((await t.api('GET', '/api/encoders/2')).status, 404);
  assert.is((await t.api('GET', '/api/encoders/9007199254740991')).status, 404, 'the largest safe integer is an id');
});

test.run();
