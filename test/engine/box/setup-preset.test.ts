// The image's presets at the engine's first start (src/engine/box/setup-preset.ts), through the real
// `rackcast engine` process: the hash from rackcast-setup.toml is the admin password (so no setup code is
// made), the configuration export is imported (its encoder is there), and the preset file is gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestEngine } from '../../harness/engine.js';
import { startEngineProcess } from '../../harness/engine-process.js';
import { freePort, removeOnExit } from '../../harness/util.js';
import { hashPassword } from '../../../src/web/passwords.js';

test('the preset password and configuration are applied once, before the lock and the setup code', async () => {
  const source = await startTestEngine({ captureDevice: 'tone' });
  const created = await source.api<{ id: number }>('POST', '/api/encoders', { name: 'Preset MP3', codec: 'mp3', bitrate_kbps: 128, output_type: 'icecast', server_host: 'stream.example.org', server_port: 8000, mount_point: '/preset.mp3' });
  assert.is(created.status, 201);
  const exported = await source.api('GET', '/api/config/export');
  assert.is(exported.status, 200);
  await source.stop();

  const dataDir = mkdtempSync(join(tmpdir(), 'rackcast-preset-'));
  removeOnExit(dataDir);
  writeFileSync(join(dataDir, 'setup-preset.json'), JSON.stringify({ admin_password_hash: await hashPassword('preset-pw-123'), config: exported.body }));
  const env: NodeJS.ProcessEnv = { ...process.env, RACKCAST_SETUP_CODE_FILE: join(dataDir, 'setup-code') };
  delete env.RACKCAST_ADMIN_PASSWORD;
  const engine = await startEngineProcess({ dataDir, port: await freePort(), adminPassword: null, env });
  try {
    const basic = 'Basic ' + Buffer.from('admin:preset-pw-123').toString('base64');
    const list = await fetch(`${engine.url}/api/encoders`, { headers: { authorization: basic } });
    assert.is(list.status, 200, 'the preset password signs in');
    assert.equal(((await list.json()) as { name: string }[]).map((e) => e.name), ['Preset MP3']);
    assert.not.ok(existsSync(join(dataDir, 'setup-code')), 'no setup code: a password exists');
    assert.not.ok(existsSync(join(dataDir, 'setup-preset.json')), 'applied once');
    assert.match(engine.output(), /rackcast-setup.toml: configuration imported \(encoders added: Preset MP3\)/);
  } finally {
    await engine.stop();
  }
});

test.run();
