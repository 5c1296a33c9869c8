// Secrets at rest and in flight: the database (server passwords, the admin password's hash, API token and
// metadata key hashes) and its -wal/-shm are 0600 and its directory 0700, whatever the umask; existing
// files are tightened on open; the units set UMask=0077. Server passwords stay retrievable by the
// engine, which must send them, and no response or event carries one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/engine/db/database.js';
import { startTestEngine, ADMIN_PASSWORD, type TestEngine } from '../harness/engine.js';
import { createApiToken } from '../../src/web/auth.js';

const root = mkdtempSync(join(tmpdir(), 'rackcast-secrets-'));
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
let t: TestEngine | undefined;
const savedUmask = process.umask(0o022); // the usual umask, whatever the test runner has

test.after(async () => {
  await t?.stop();
  process.umask(savedUmask);
  rmSync(root, { recursive: true, force: true });
});

test('a new database: directory 0700, the file and its -wal and -shm 0600 under umask 022', () => {
  const dir = join(root, 'fresh', 'data');
  const file = join(dir, 'rackcast.db');
  const db = openDatabase(file);
  try {
    db.prepare("INSERT INTO settings (key, value) VALUES ('probe', '1')").run();
    assert.ok(existsSync(`${file}-wal`) && existsSync(`${file}-shm`), 'WAL mode made its files');
    assert.equal([mode(dir), mode(file), mode(`${file}-wal`), mode(`${file}-shm`)], ['0700', '0600', '0600', '0600']);
    assert.is(mode(join(root, 'fresh')), '0700', 'every directory the engine created');
  } finally {
    db.close();
  }
});

test('an existing world-readable database, -wal and -shm are made 0600 on open', () => {
  const dir = join(root, 'old');
  const file = join(dir, 'rackcast.db');
  const first = openDatabase(file);
  try {
    first.prepare("INSERT INTO settings (key, value) VALUES ('probe', '1')").run();
    for (const p of [file, `${file}-wal`, `${file}-shm`]) chmodSync(p, 0o644);
    chmodSync(dir, 0o755);
    const second = openDatabase(file);
    second.close();
    assert.equal([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)], ['0600', '0600', '0600']);
    assert.is(mode(dir), '0755', 'a directory the engine did not create is left as the operator made it');
  } finally {
    first.close();
  }
});

test('the systemd units create files 0600 (UMask=0077) and the state directory 0700', () => {
  const engineUnit = readFileSync('systemd/rackcast-engine.service', 'utf8');
  const panelUnit = readFileSync('systemd/rackcast-panel.service', 'utf8');
  assert.match(engineUnit, /^UMask=0077$/m);
  assert.match(engineUnit, /^StateDirectoryMode=0700$/m);
  assert.match(panelUnit, /^UMask=0077$/m);
});

test('the engine makes its data directory 0700 and its database 0600', async () => {
  const dataDir = join(root, 'engine', 'data');
  t = await startTestEngine({ captureDevice: 'tone:440', dataDir });
  const file = join(dataDir, 'rackcast.db');
  assert.equal([mode(dataDir), mode(file), mode(`${file}-wal`), mode(`${file}-shm`)], ['0700', '0600', '0600', '0600']);
});

test('server and stats passwords are retrievable by the engine and in no response or event', async () => {
  const engine = t!;
  const SERVER_PW = 'srv-PW-9f3a1c';
  const STATS_PW = 'stats-PW-77b2e0';
  const SMTP_PW = 'smtp-PW-5d01ee';
  const created = await engine.api('POST', '/api/encoders', {
    name: 'Secret keeper', codec: 'mp3', bitrate_kbps: 128, output_type: 'icecast', server_host: '127.0.0.1', server_port: 1,
    mount_point: '/secret.mp3', server_password: SERVER_PW, stats_admin_user: 'admin', stats_admin_password: STATS_PW, reconnect_delay_secs: 1,
  });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as number;
  assert.is(engine.engine.encoders.password(id), SERVER_PW, 'the engine can still send it');
  createApiToken(engine.engine.settings, 'sweep');
  await engine.api('POST', '/api/metadata/key');
  const mail = await engine.api('PUT', '/api/alarms/settings', { email: { host: '127.0.0.1', port: 1, security: 'none', username: 'rack', password: SMTP_PW, from: 'a@b.example', to: ['c@d.example'] } });
  assert.is(mail.status, 200, JSON.stringify(mail.body));
  const storedSecrets = [
    SERVER_PW, STATS_PW, SMTP_PW, ADMIN_PASSWORD,
    engine.engine.settings.get<string>('admin_password_hash', ''),
    engine.engine.settings.get<string>('metadata_key_sha256', '') || 'no-key-hash',
    ...engine.engine.settings.get<Array<{ sha256: string }>>('api_tokens', []).map((tk) => tk.sha256),
  ].filter((s) => typeof s === 'string' && s.length > 0);
  assert.ok(storedSecrets.length >= 5);

  // SSE while the encoder starts, retries and is updated: status events carry its config.
  const controller = new AbortController();
  const sse = await fetch(`${engine.web.url}/api/events`, { headers: { authorization: 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64') }, signal: controller.signal });
  const reader = sse.body!.getReader();
  let events = '';
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        events += new TextDecoder().decode(value);
      }
    } catch {
      /* aborted */
    }
  })();

  const responses: Array<[string, unknown]> = [];
  const record = async (method: string, path: string, body?: unknown): Promise<void> => {
    const r = await engine.api(method, path, body);
    responses.push([`${method} ${path}`, r.body]);
  };
  await record('POST', `/api/encoders/${id}/start`);
  await engine.waitForState(id, (s) => s.state === 'retrying', 10_000, 'retrying');
  await record('PUT', `/api/encoders/${id}`, { name: 'Secret keeper 2' });
  await record('POST', `/api/encoders/${id}/test`);
  for (const path of [
    '/api/encoders', `/api/encoders/${id}`, `/api/encoders/${id}/status`, `/api/encoders/${id}/listeners`, `/api/encoders/${id}/listeners/current`,
    '/api/status', '/api/log?limit=500', '/api/metadata', '/api/metadata/settings', '/api/stats/settings', '/api/web/settings', '/api/recording', '/api/session',
    '/api/alarms', '/api/alarms/settings', '/api/alarms/notifications', '/api/health', '/metrics',
  ]) await record('GET', path);
  await record('POST', `/api/encoders/${id}/stop`);
  await new Promise((r) => setTimeout(r, 300));
  controller.abort();
  await reading;
  assert.match(events, /event: encoder_status_changed/);
  responses.push(['SSE /api/events', events]);

  for (const [what, body] of responses) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    for (const secret of storedSecrets) assert.not.ok(text.includes(secret), `${what} carries a secret`);
    assert.not.ok(/"(server_password|stats_admin_password)"/.test(text), `${what} names a password field`);
  }
  await engine.api('DELETE', `/api/encoders/${id}`);
});

test.run();
