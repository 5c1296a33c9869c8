// The front panel end to end: the real engine (tone capture) streaming to a real Icecast, and the
// panel as its own process with the PNG display simulator and the stdin button simulator, signed in
// with a `control` API token as its systemd unit is. The frame is read back from the PNG and checked
// for what it says; a held fallback is shown and released from the menu; the token cannot create an
// encoder, and once revoked the panel says NO ACCESS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { ADMIN_PASSWORD, icecastEncoder, startTestEngine, type TestEngine } from '../harness/engine.js';
import { removeOnExit, spawnTracked, stopChild, tailOf, waitFor } from '../harness/util.js';
import { Engine } from '../../src/engine/engine.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { Framebuffer } from '../../src/panel/framebuffer.js';
import { pngFrame } from '../../src/panel/frame-png.js';
import { renderPanel } from '../../src/panel/screens/render.js';
import { initialUi } from '../../src/panel/ui.js';
import { showsText } from '../panel/find-text.js';

const root = new URL('../..', import.meta.url).pathname;
const BASIC = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');

let icecast: IcecastServer;
let t: TestEngine;
let panel: ChildProcess;
let panelOutput: () => string;
let framePath: string;
let encoderId: number;
let token: { id: string; token: string };

function frameNow(): Framebuffer {
  return pngFrame(readFileSync(framePath));
}

/** Waits until the panel's PNG satisfies `check`; the error shows the last frame and the panel's output. */
async function waitForFrame(what: string, check: (fb: Framebuffer) => boolean, timeoutMs = 15_000): Promise<Framebuffer> {
  let last: Framebuffer | null = null;
  try {
    await waitFor(() => check((last = frameNow())), { timeoutMs, intervalMs: 100, what });
  } catch (err) {
    const picture = last ? `\n${(last as Framebuffer).ascii().join('\n')}` : ' (no frame yet)';
    throw new Error(`${(err as Error).message}; last frame:${picture}\npanel output:\n${panelOutput()}`);
  }
  return last!;
}

function send(line: string): void {
  panel.stdin!.write(`${line}\n`);
}

const onAir = (fb: Framebuffer) => showsText(fb, 'ON AIR', { scale: 2, invert: true }) && showsText(fb, 'LIVE');
const offAir = (fb: Framebuffer) => showsText(fb, 'OFF AIR', { scale: 2 }) && showsText(fb, 'off');

test.before(async () => {
  icecast = await startIcecast({ mounts: ['/panel.mp3'] });
  t = await startTestEngine({ captureDevice: 'tone:440' });
  const created = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/panel.mp3', { name: 'Panel MP3' }));
  assert.is(created.status, 201, JSON.stringify(created.body));
  encoderId = created.body.id;
  await t.api('PUT', '/api/station', { station_name: 'Radio Panel' });
  await t.api('POST', '/api/encoders/start-all');
  await t.waitForState(encoderId, (s) => s.state === 'streaming', 15_000, 'streaming');

  const dir = mkdtempSync(join(tmpdir(), 'rackcast-panel-e2e-'));
  removeOnExit(dir);
  framePath = join(dir, 'panel.png');
  const created2 = await t.api('POST', '/api/access/tokens', { label: 'front panel', scope: 'control' });
  assert.is(created2.status, 201, JSON.stringify(created2.body));
  token = created2.body;
  const env: NodeJS.ProcessEnv = { ...process.env, RACKCAST_API_TOKEN: token.token };
  delete env.RACKCAST_ADMIN_PASSWORD;
  panel = spawnTracked(process.execPath, ['--import', 'tsx', 'src/panel/main.ts', '--api', t.web.url, '--display', `png:${framePath}`, '--buttons', 'stdin'], {
    cwd: root,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = tailOf(panel.stdout);
  const err = tailOf(panel.stderr);
  panelOutput = () => `${out()}${err()}`;
});

test.after(async () => {
  if (panel) await stopChild(panel);
  await t?.stop().catch(() => {});
  await icecast?.stop();
});

test('the panel shows the encoder on air, and the station\'s name', async () => {
  const fb = await waitForFrame('ON AIR and a LIVE row', (f) => onAir(f) && showsText(f, 'Radio Panel'));
  assert.ok(showsText(fb, 'Panel MP3'), 'the encoder row names it');
  assert.ok(showsText(fb, '1/1'));
});

test('hold start/stop takes the station off air, and the frame says so', async () => {
  const before = frameNow();
  send('hold startstop');
  await t.waitForState(encoderId, (s) => s.state === 'disabled', 10_000, 'disabled after the hold');
  const after = await waitForFrame('OFF AIR', offAir);
  assert.not.ok(after.equals(before), 'the frame changed');
  assert.not.ok(await icecast.mountIsLive('/panel.mp3'), 'the mount is gone from Icecast');
});

test('press start/stop puts it back on air; another press does not take it off', async () => {
  const before = frameNow();
  send('press startstop');
  await t.waitForState(encoderId, (s) => s.state === 'streaming', 15_000, 'streaming after the press');
  const after = await waitForFrame('ON AIR again', onAir);
  assert.not.ok(after.equals(before));
  send('press startstop');
  await waitForFrame('the hold hint', (fb) => showsText(fb, 'Hold 2 s to stop'));
  assert.is((await t.status(encoderId)).state, 'streaming', 'a single press never stops');
});

test('record with no recorder to act on: the panel says "recording not available"', async () => {
  // An engine without recording answers 404; one with it answers 409 for a stream encoder.
  const probe = await t.api('POST', `/api/encoders/${encoderId}/recording/start`);
  assert.ok(probe.status === 404 || probe.status === 409, `recording/start on a stream encoder: ${probe.status}`);
  send('press record');
  await waitForFrame('recording not available', (fb) => showsText(fb, 'Recording') && showsText(fb, 'not available'));
  assert.is((await t.status(encoderId)).state, 'streaming');
});

test('the engine serves the frame the panel shows (OLED mirror)', async () => {
  // Quiet screen first: the message from the previous test expires after 2.5 s.
  await waitForFrame('the home screen', (fb) => onAir(fb) && !showsText(fb, 'not available'));
  await waitFor(
    async () => {
      const res = await fetch(`${t.web.url}/api/panel/frame.png`, { headers: { authorization: BASIC } });
      return res.status === 200 && pngFrame(Buffer.from(await res.arrayBuffer())).equals(frameNow());
    },
    { timeoutMs: 5000, intervalMs: 100, what: 'GET /api/panel/frame.png equal to the panel PNG' },
  );
});

test('dead air with auto_return off: the panel shows the fallback on air, then held; "Back to programme" in its menu releases it', async () => {
  const fallbackDir = join(t.dataDir, 'fallback');
  mkdirSync(fallbackDir);
  const ff = spawnTracked('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=30:sample_rate=48000', '-ac', '2', join(fallbackDir, 'ident.flac')]);
  assert.is(await new Promise((r) => ff.once('exit', r)), 0);
  assert.is((await t.api('PUT', `/api/encoders/${encoderId}`, { on_silence: 'fallback' })).status, 200);
  await t.waitForState(encoderId, (s) => s.state === 'streaming', 15_000, 'streaming with on_silence fallback');
  // The tone counts as silence under a -10 dBFS threshold.
  const settings = await t.api('PUT', '/api/alarms/settings', { silence_threshold_dbfs: -10, silence_secs: 2, recovery_secs: 1, fallback_dir: fallbackDir, auto_return: false });
  assert.is(settings.status, 200, JSON.stringify(settings.body));
  await waitForFrame('FALLBACK ON AIR on the alarm line', (fb) => showsText(fb, 'FALLBACK ON AIR', { invert: true }), 20_000);
  await t.api('PUT', '/api/alarms/settings', { silence_threshold_dbfs: -50 });
  await waitForFrame('FALLBACK HELD once the programme is back', (fb) => showsText(fb, 'FALLBACK HELD', { invert: true }), 20_000);
  assert.equal((await t.api('GET', '/api/status')).body.dead_air.fallback.held, true);

  send('press select');
  for (let i = 0; i < 6; i++) send('press down');
  await waitForFrame('the menu on its last row', (fb) => showsText(fb, '▶ Back to programme', { invert: true }));
  send('press select');
  await waitFor(async () => (await t.api('GET', '/api/status')).body.dead_air.fallback.active === false, { timeoutMs: 10_000, what: 'the fallback released' });
  const log = (await t.api('GET', '/api/log?kind=fallback_released')).body as Array<{ message: string }>;
  assert.is(log.length, 1, JSON.stringify(log));
  await waitForFrame('the alarm line clear', (fb) => onAir(fb) && !showsText(fb, 'FALLBACK', { invert: true }), 15_000);
  assert.is((await t.status(encoderId)).state, 'streaming', 'on air throughout');
  await t.api('PUT', '/api/alarms/settings', { fallback_dir: null, auto_return: true });
  await t.api('PUT', `/api/encoders/${encoderId}`, { on_silence: 'keep' });
  await t.waitForState(encoderId, (s) => s.state === 'streaming', 15_000, 'streaming');
});

test('the control token: creating an encoder is 403 naming the scope; revoked, the panel says NO ACCESS', async () => {
  const bearer = `Bearer ${token.token}`;
  const refused = await t.api('POST', '/api/encoders', icecastEncoder(icecast.port, '/other.mp3'), bearer);
  assert.is(refused.status, 403);
  assert.is(refused.body.scope, 'admin');
  const listed = (await t.api('GET', '/api/access/tokens')).body.find((x: { id: string }) => x.id === token.id);
  assert.ok(listed.last_used_at, 'the panel\'s use is recorded');
  assert.not.ok(JSON.stringify(listed).includes(token.token), 'never the token itself');
  assert.is((await t.api('DELETE', `/api/access/tokens/${token.id}`)).status, 204);
  await waitForFrame('NO ACCESS', (fb) => showsText(fb, 'NO ACCESS', { scale: 2 }));
  assert.is((await t.api('GET', '/api/status', undefined, bearer)).status, 401);
  // A new token brings it back (the panel reads its token at start: restarted as systemd would).
  const again = await t.api('POST', '/api/access/tokens', { label: 'front panel', scope: 'control' });
  await stopChild(panel);
  panel = spawnTracked(process.execPath, ['--import', 'tsx', 'src/panel/main.ts', '--api', t.web.url, '--display', `png:${framePath}`, '--buttons', 'stdin'], {
    cwd: root,
    env: { ...process.env, RACKCAST_API_TOKEN: again.body.token, RACKCAST_ADMIN_PASSWORD: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await waitForFrame('ON AIR with the new token', onAir);
});

test('engine stopped: "engine not running"; engine back: on air again', async () => {
  const port = t.web.port;
  await t.stop();
  const apiLabel = `127.0.0.1:${port}`;
  const net = { address: null, hostname: 'x', pageUrl: 'x' };
  const expected = renderPanel({ link: { kind: 'down', reason: '' }, status: null, ui: initialUi(0), net, apiLabel, nowMs: 0 });
  const shown = await waitForFrame('the engine-down screen, dot for dot', (fb) => fb.equals(expected));
  assert.ok(showsText(shown, 'engine not running'));

  // The same data directory on the same port: the engine puts the encoder back on air by itself.
  const engine = new Engine({ dataDir: t.dataDir, captureDevice: 'tone:440' });
  engine.start();
  let web: WebServer | undefined;
  try {
    web = await startWebServer(engine, { port, bind: '127.0.0.1' });
    await waitForFrame('ON AIR after the engine restart', onAir, 20_000);
  } finally {
    await web?.close();
    await engine.shutdown();
  }
});

test.run();
