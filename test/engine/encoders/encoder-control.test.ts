// The on-air list across a restart (a reboot, a power cut, an upgrade): what was on air comes back on
// air by itself, a stream and a recording alike; what the operator stopped, or never started, stays off.
// A real engine on the built-in tone, a real Icecast, a real recordings directory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIcecast, type IcecastServer } from '../../harness/icecast.js';
import { icecastEncoder, startTestEngine, streamingMp3, type TestEngine } from '../../harness/engine.js';
import { removeOnExit } from '../../harness/util.js';

let icecast: IcecastServer;
let t: TestEngine | null = null;

test.before(async () => {
  icecast = await startIcecast({ mounts: ['/on.mp3', '/stopped.mp3', '/never.mp3'] });
});

test.after(async () => {
  await t?.stop();
  await icecast?.stop();
});

test('a restart brings back on air what was on air, and only that', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-onair-'));
  const recordingsDir = mkdtempSync(join(tmpdir(), 'rackcast-onair-rec-'));
  removeOnExit(dataDir);
  removeOnExit(recordingsDir);
  t = await startTestEngine({ dataDir, recordingsDir, captureDevice: 'tone' });
  const onAir = await streamingMp3(t, icecast.port, '/on.mp3');
  const stopped = await streamingMp3(t, icecast.port, '/stopped.mp3');
  await t.api('POST', `/api/encoders/${stopped}/stop`);
  const never = (await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/never.mp3'))).body.id as number;
  const recorder = (await t.api('POST', '/api/encoders', { name: 'Logger', codec: 'wav', output_type: 'file', file_output_path: 'logger' })).body.id as number;
  assert.is((await t.api('POST', `/api/encoders/${recorder}/start`)).status, 200);
  await t.waitForState(recorder, (s: any) => s.recording?.state === 'recording', 10_000, 'recording');
  await t.stop();
  t = null;

  t = await startTestEngine({ dataDir, recordingsDir, captureDevice: 'tone' });
  await t.waitForState(onAir, (s) => s.state === 'streaming', 20_000, 'streaming again after the restart');
  await t.waitForState(recorder, (s: any) => s.recording?.state === 'recording', 10_000, 'recording again after the restart');
  assert.equal([(await t.status(stopped)).state, (await t.status(never)).state], ['disabled', 'disabled']);
  const status = (await t.api('GET', '/api/status')).body;
  assert.equal(status.encoders.filter((e: { state: string }) => e.state !== 'disabled').map((e: { id: number }) => e.id).sort(), [onAir, recorder].sort());

  // The operator's stop after the restart is remembered for the next one.
  await t.api('POST', `/api/encoders/${onAir}/stop`);
  await t.stop();
  t = await startTestEngine({ dataDir, recordingsDir, captureDevice: 'tone' });
  await t.waitForState(recorder, (s: any) => s.recording?.state === 'recording', 10_000, 'recording after the second restart');
  assert.is((await t.status(onAir)).state, 'disabled');
});

test.run();
