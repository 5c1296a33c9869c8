// Backup and restore between two real engines and a real Icecast: the configuration exported from one
// (with the passwords, asked with the admin password) and imported into a fresh one puts the same
// encoders on the same mounts; without the passwords the document holds none; a document with one
// invalid encoder changes nothing and names the field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { ADMIN_PASSWORD, icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import { waitFor } from '../harness/util.js';

let icecast: IcecastServer;
let a: TestEngine;
let b: TestEngine;
let doc: any;

test.before(async () => {
  icecast = await startIcecast({ mounts: ['/one.mp3', '/two.ogg'] });
  [a, b] = await Promise.all([startTestEngine({ captureDevice: 'tone:440' }), startTestEngine({ captureDevice: 'tone:440' })]);
});

test.after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await icecast?.stop();
});

test('export: without the passwords by GET; with them only for the admin password', async () => {
  await a.api('PUT', '/api/station', { station_name: 'Radio Moving', default_stream_genre: 'Talk' });
  await a.api('PUT', '/api/stats/settings', { stats_poll_secs: 45 });
  await a.api('PUT', '/api/alarms/settings', { silence_secs: 20 });
  await a.api('PUT', '/api/live-listen', { volume: 0.5 });
  const one = await a.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/one.mp3', { name: 'One' }));
  const two = await a.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/two.ogg', { name: 'Two', codec: 'ogg', bitrate_kbps: 96 }));
  await a.api('POST', `/api/encoders/${one.body.id}/start`);
  await a.api('POST', `/api/encoders/${two.body.id}/start`);
  await a.waitForState(two.body.id, (s) => s.state === 'streaming', 15_000, 'two on air');

  const plain = await a.api('GET', '/api/config/export');
  assert.is(plain.status, 200);
  assert.not.ok(JSON.stringify(plain.body).includes('hackme'), 'no password without asking');
  assert.equal(plain.body.encoders.map((e: any) => [e.name, e.on_air]), [['One', true], ['Two', true]]);
  const wrong = await a.api('POST', '/api/config/export', { admin_password: 'guess' });
  assert.equal([wrong.status, wrong.body.field], [400, 'admin_password']);
  const full = await a.api('POST', '/api/config/export', { admin_password: ADMIN_PASSWORD });
  assert.is(full.status, 200);
  assert.equal(full.body.encoders.map((e: any) => e.server_password), ['hackme', 'hackme']);
  doc = full.body;
  await a.api('POST', '/api/encoders/stop-all');
  await waitFor(async () => !(await icecast.mountIsLive('/one.mp3')) && !(await icecast.mountIsLive('/two.ogg')), { timeoutMs: 5000, what: 'mounts free' });
});

test('import into a fresh engine: the same encoders stream to the same mounts, the settings with them', async () => {
  const importStart = Date.now();
  const r = await b.api('POST', '/api/config/import', doc);
  assert.is(r.status, 200, JSON.stringify(r.body));
  console.log(`import of ${doc.encoders.length} encoders and the settings: ${Date.now() - importStart} ms`);
  assert.equal(r.body.encoders.added, ['One', 'Two']);
  assert.equal(r.body.encoders.started, ['One', 'Two']);
  assert.ok(r.body.changed.includes('station') && r.body.changed.includes('stats_poll_secs') && r.body.changed.includes('alarms'), JSON.stringify(r.body.changed));
  for (const e of doc.encoders) await b.waitForState(e.id, (s) => s.state === 'streaming', 15_000, `${e.name} on air`);
  await waitFor(async () => (await icecast.mountIsLive('/one.mp3')) && (await icecast.mountIsLive('/two.ogg')), { timeoutMs: 5000, what: 'both mounts live on Icecast' });
  assert.is((await b.api('GET', '/api/station')).body.station_name, 'Radio Moving');
  assert.is((await b.api('GET', '/api/stats/settings')).body.stats_poll_secs, 45);
  assert.is((await b.api('GET', '/api/alarms/settings')).body.silence_secs, 20);
  assert.is((await b.api('GET', '/api/live-listen')).body.volume, 0.5);
  const log = (await b.api('GET', '/api/log?kind=config_imported')).body;
  assert.match(log[0].message, /^Configuration imported: settings changed: .*encoders added 2, changed 0, removed 0, started 2/);
});

test('one invalid encoder: 400 naming it, nothing changed', async () => {
  const before = (await b.api('GET', '/api/config/export')).body;
  const bad = structuredClone(doc);
  bad.station.station_name = 'Should Not Land';
  bad.encoders[1].mount_point = 'no-slash';
  bad.encoders.push({ ...bad.encoders[0], id: 99, name: 'Three', codec: 'wav' });
  const r = await b.api('POST', '/api/config/import', bad);
  assert.is(r.status, 400);
  assert.equal(r.body.errors, [
    { field: 'encoders.1.mount_point', message: 'must start with "/"' },
    { field: 'encoders.2.codec', message: 'WAV (PCM) cannot be streamed; use it for file output' },
    { field: 'encoders.2.bitrate_kbps', message: 'WAV (PCM) has no bitrate setting; leave it empty' },
  ]);
  const after = (await b.api('GET', '/api/config/export')).body;
  assert.equal({ ...after, exported_at: null }, { ...before, exported_at: null }, 'nothing changed');
  const notDoc = await b.api('POST', '/api/config/import', { format: 'other' });
  assert.equal([notDoc.status, notDoc.body.field], [400, 'format']);
});

test.run();
