// GET/PUT /api/station against the real engine: a partial PUT, a bad one that changes nothing and names
// the field, and a new encoder that gets the station's stream defaults.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestEngine, type TestEngine } from '../harness/engine.js';

let t: TestEngine;

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone' });
});

test.after(async () => {
  await t?.stop();
});

test('station: defaults, a partial PUT, a refused one that changes nothing', async () => {
  assert.equal((await t.api('GET', '/api/station')).body, { station_name: 'RackCast', default_stream_name: null, default_stream_genre: null, default_stream_url: null, default_stream_description: null });
  const put = await t.api('PUT', '/api/station', { station_name: 'Radio Nord', default_stream_name: 'Radio Nord live', default_stream_genre: 'Jazz' });
  assert.is(put.status, 200, JSON.stringify(put.body));
  assert.is(put.body.station_name, 'Radio Nord');
  assert.is(t.engine.settings.get('station_name', ''), 'Radio Nord', 'the row the recorders and the notifier read');
  const bad = await t.api('PUT', '/api/station', { station_name: 'x'.repeat(101), default_stream_genre: 'Pop' });
  assert.is(bad.status, 400);
  assert.is(bad.body.field, 'station_name');
  assert.is(bad.body.errors[0].message, 'must be at most 100 characters');
  assert.is((await t.api('GET', '/api/station')).body.default_stream_genre, 'Jazz', 'nothing changed');
});

test('a new encoder gets the defaults for the stream fields left out', async () => {
  const created = await t.api('POST', '/api/encoders', { name: 'Main', codec: 'mp3', output_type: 'icecast', server_host: 'localhost', server_port: 8000, mount_point: '/live', stream_genre: 'Blues' });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const enc = (await t.api('GET', `/api/encoders/${created.body.id}`)).body;
  assert.equal([enc.stream_name, enc.stream_genre, enc.stream_url], ['Radio Nord live', 'Blues', null]);
});

test.run();
