// Access through the real engine's API: the admin password changed (current one required, other pages
// signed out, Basic with the old one refused), sign-in sessions that survive an engine restart, and API
// tokens with each scope allowed what it should and refused the rest with a 403 naming the scope.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../harness/engine.js';
import { scopeAllows, scopeNeeded } from '../../src/web/scopes.js';

let t: TestEngine;
const basic = (pw: string) => 'Basic ' + Buffer.from(`admin:${pw}`).toString('base64');
const NEW_PASSWORD = 'a-new-admin-pw';

async function signIn(password: string): Promise<string> {
  const res = await fetch(`${t.web.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  assert.is(res.status, 200);
  return /rackcast_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
}

const withCookie = (cookie: string) => ({ cookie: `rackcast_session=${cookie}` });

test.before(async () => {
  t = await startTestEngine({ captureDevice: 'tone' });
});

test.after(async () => {
  await t?.stop();
});

test('sessions survive an engine restart (stored hashed)', async () => {
  const cookie = await signIn(ADMIN_PASSWORD);
  const dataDir = t.dataDir;
  await t.stop();
  t = await startTestEngine({ dataDir, captureDevice: 'tone' });
  assert.is((await t.request('GET', '/api/status', withCookie(cookie))).status, 200, 'still signed in after the restart');
  const rows = t.engine.db.prepare('SELECT token_sha256 FROM sessions').all() as { token_sha256: string }[];
  assert.ok(rows.length >= 1 && rows.every((r) => r.token_sha256 !== cookie && /^[0-9a-f]{64}$/.test(r.token_sha256)), 'only hashes are stored');
  assert.is((await t.request('DELETE', '/api/session', withCookie(cookie))).status, 200);
  assert.is((await t.request('GET', '/api/status', withCookie(cookie))).status, 401, 'signed out stays signed out');
});

test('password change: current one required, rules named, other sessions and the old password refused', async () => {
  const mine = await signIn(ADMIN_PASSWORD);
  const other = await signIn(ADMIN_PASSWORD);
  const wrong = await t.request('PUT', '/api/access/password', withCookie(mine), { current_password: 'nope', new_password: NEW_PASSWORD });
  assert.equal([wrong.status, wrong.body.field], [400, 'current_password']);
  const short = await t.request('PUT', '/api/access/password', withCookie(mine), { current_password: ADMIN_PASSWORD, new_password: 'short' });
  assert.equal([short.status, short.body.field, short.body.errors[0].message], [400, 'new_password', 'must have at least 8 characters']);
  assert.is((await t.api('GET', '/api/status')).status, 200, 'nothing changed yet');

  const ok = await t.request('PUT', '/api/access/password', withCookie(mine), { current_password: ADMIN_PASSWORD, new_password: NEW_PASSWORD });
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.is((await t.request('GET', '/api/status', withCookie(mine))).status, 200, 'this page stays signed in');
  assert.is((await t.request('GET', '/api/status', withCookie(other))).status, 401, 'the other page is signed out');
  assert.is((await t.api('GET', '/api/status', undefined, basic(ADMIN_PASSWORD))).status, 401, 'the old password is refused');
  assert.is((await t.api('GET', '/api/status', undefined, basic(NEW_PASSWORD))).status, 200);
  await signIn(NEW_PASSWORD);
});

test('tokens: created once in clear, listed with scope and last use, each scope held to its routes', async () => {
  const admin = basic(NEW_PASSWORD);
  const bad = await t.api('POST', '/api/access/tokens', { label: '', scope: 'root' }, admin);
  assert.equal(bad.body.errors, [{ field: 'label', message: 'is required' }, { field: 'scope', message: 'must be one of admin, control, metadata, read' }]);
  const make = async (scope: string) => (await t.api('POST', '/api/access/tokens', { label: `${scope} test`, scope }, admin)).body as { id: string; token: string; scope: string };
  const [control, metadata, read] = [await make('control'), await make('metadata'), await make('read')];
  assert.match(control.token, /^rct_/);
  const bearer = (x: { token: string }) => `Bearer ${x.token}`;

  const created = await t.api('POST', '/api/encoders', { name: 'F', codec: 'wav', output_type: 'file', file_output_path: 'f' }, admin);
  const id = created.body.id as number;
  const cases: [string, string, string, unknown, number, string?][] = [
    ['control', 'GET', '/api/status', undefined, 200],
    ['control', 'POST', `/api/encoders/${id}/recording/start`, {}, 200],
    ['control', 'POST', `/api/encoders/${id}/recording/stop`, {}, 200],
    ['control', 'POST', '/api/encoders', { name: 'x' }, 403, 'admin'],
    ['control', 'GET', '/api/log', undefined, 403, 'read'],
    ['metadata', 'POST', '/api/metadata', { artist: 'A', title: 'T' }, 200],
    ['metadata', 'GET', '/api/status', undefined, 403, 'read'],
    ['read', 'GET', '/api/log', undefined, 200],
    ['read', 'GET', `/api/encoders/${id}/status`, undefined, 200],
    ['read', 'GET', '/metrics', undefined, 200],
    ['read', 'POST', `/api/encoders/${id}/start`, {}, 403, 'control'],
    ['read', 'GET', '/api/access/tokens', undefined, 403, 'admin'],
  ];
  const tokens: Record<string, { token: string }> = { control, metadata, read };
  for (const [scope, method, path, body, status, needed] of cases) {
    const r = await t.api(method, path, body, bearer(tokens[scope]!));
    assert.is(r.status, status, `${scope} ${method} ${path}: ${JSON.stringify(r.body)}`);
    if (needed) assert.is(r.body.scope, needed, `${scope} ${method} ${path} names the scope it needs`);
  }

  const listed = (await t.api('GET', '/api/access/tokens', undefined, admin)).body as { id: string; scope: string; last_used_at: string | null }[];
  assert.equal(listed.map((x) => x.scope), ['control', 'metadata', 'read']);
  assert.ok(listed.every((x) => x.last_used_at !== null), 'each use recorded');
  assert.not.ok(JSON.stringify(listed).includes('rct_'), 'the tokens are never listed');
  assert.not.ok(JSON.stringify(t.engine.settings.get('api_tokens', null)).includes(control.token), 'stored hashed');

  assert.is((await t.api('DELETE', `/api/access/tokens/${control.id}`, undefined, admin)).status, 204);
  assert.is((await t.api('GET', '/api/status', undefined, bearer(control))).status, 401, 'revoked at once');
  assert.is((await t.api('DELETE', `/api/access/tokens/${control.id}`, undefined, admin)).status, 404);
});

test('scope rules (pure)', () => {
  assert.ok(scopeAllows('admin', 'DELETE', '/encoders/1'));
  assert.ok(scopeAllows('control', 'PUT', '/panel/frame'));
  assert.ok(scopeAllows('control', 'PUT', '/live-listen'), 'the panel sets live listen');
  assert.not.ok(scopeAllows('control', 'POST', '/live-listen/key'), 'a listen key is an admin matter');
  assert.ok(scopeAllows('read', 'GET', '/live-listen'));
  assert.not.ok(scopeAllows('control', 'PUT', '/encoders/1'));
  assert.not.ok(scopeAllows('control', 'POST', '/encoders/01/start'), 'only canonical ids');
  assert.ok(scopeAllows('read', 'HEAD', '/status'));
  assert.is(scopeNeeded('POST', '/encoders/start-all'), 'control');
  assert.is(scopeNeeded('GET', '/status'), 'read');
  assert.is(scopeNeeded('PUT', '/capture'), 'admin');
});

test.run();
